/*
 * tests/http/mock_flow.h — an in-memory keel_flow for the HTTP tests.
 *
 * Reads hand out a scripted input: in pieces of the sizes listed in
 * `chunks` (then of at most `max_read` bytes each; 1 delivers byte by
 * byte), each piece after `delay` of the mock clock (so that a slow
 * client is slow in mock time only). At the end of the input a read
 * returns 0 (the peer shut down), or, with `hold_open`, waits for its
 * deadline (a peer that is silent but connected). Writes append to `out`;
 * with `write_limit` set, writes past that many bytes in total wait for
 * their deadline (a peer that stopped reading). keel_flow_set records
 * KEEL_FLOW_SNDBUF and refuses every other option. keel_flow_write_static
 * is a writev of the head and the static bytes that also records where
 * those bytes were (static_data, static_len; static_writes counts calls).
 */
#ifndef KEEL_TESTS_HTTP_MOCK_FLOW_H
#define KEEL_TESTS_HTTP_MOCK_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <keel/flow.h>

struct mock_flow {
	struct keel_flow flow;
	/* Input. */
	const char *in;
	size_t in_len, in_pos;
	const size_t *chunks; /* sizes of the first reads' pieces; may be NULL */
	size_t nchunks, chunk_i;
	size_t max_read; /* 0: unlimited */
	keel_time delay; /* before each piece */
	bool hold_open;
	/* Output. */
	char *out;
	size_t out_len, out_cap;
	size_t write_limit; /* 0: unlimited */
	/* What happened. */
	unsigned reads, writevs;
	bool shut_wr, closed;
	unsigned describe_calls;
	int sndbuf; /* the last KEEL_FLOW_SNDBUF set; 0: never set */
	unsigned static_writes;
	const void *static_data;
	size_t static_len;
};

void mock_flow_init(struct mock_flow *m, const char *in, size_t len);
/* Frees the output. */
void mock_flow_free(struct mock_flow *m);

#endif
