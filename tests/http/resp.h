/*
 * tests/http/resp.h — reads the responses a test server wrote, as a
 * client would: status line, header fields, and the body framed by
 * Content-Length, chunks, or the end of the output.
 */
#ifndef KEEL_TESTS_HTTP_RESP_H
#define KEEL_TESTS_HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>

struct resp {
	int status;
	char head[16384]; /* the header section, NUL-terminated */
	char *body;       /* malloc'd, NUL-terminated */
	size_t body_len;
	bool chunked;
	char value[4096]; /* the last value resp_header returned */
};

/*
 * Reads the response at out[*pos..len) into *r and advances *pos. `head`:
 * it answers a HEAD request (no body whatever the fields say). Returns
 * false when no complete response is there.
 */
bool resp_next(const char *out, size_t len, size_t *pos, bool head, struct resp *r);

/* The value of the first field named `name` (case-insensitive), or NULL. */
const char *resp_header(struct resp *r, const char *name);

/* How many fields are named `name`. */
int resp_header_count(const struct resp *r, const char *name);

void resp_free(struct resp *r);

#endif
