/*
 * xenstore.h — private to platform/xen: a xenstore client on the shared
 * ring (Xen's public io/xs_wire.h), through which netfront and blkfront
 * find their backends (xenbus.c). Plain C with no platform calls of its own:
 * the ring, the notification and the wait are given by the caller, so
 * the host's unit tests (tests/xen/xenstore_test.c) drive it against a
 * fake xenstored, well-behaved or not.
 *
 * Everything on the ring is written by the other end and is checked: a
 * reply's length is at most XS_PAYLOAD_MAX, its request id must be ours,
 * ring indices may never be more than a ring apart, and every wait has
 * a bounded number of turns. A broken ring marks the connection dead
 * (every later call fails with KEEL_EIO) rather than reading out of
 * bounds or waiting forever.
 */
#ifndef KEEL_XEN_XENSTORE_H
#define KEEL_XEN_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/err.h>

#define XS_RING_SIZE 1024
#define XS_PAYLOAD_MAX 4096

enum xs_type {
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_WRITE = 11,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
};

/* The page shared with xenstored. */
struct xs_ring {
	char req[XS_RING_SIZE];
	char rsp[XS_RING_SIZE];
	uint32_t req_cons, req_prod;
	uint32_t rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
};

struct xs_header {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

struct xs_conn {
	volatile struct xs_ring *ring;
	/* Tells the other end there is news on the ring (an event). */
	void (*notify)(void *ctx);
	/* Waits a while for news (an event, or a short timeout); false
	 * when the caller's overall deadline has passed. */
	bool (*wait)(void *ctx);
	void *ctx;
	uint32_t next_req_id;
	bool dead; /* the other end broke the protocol */
	/* Watch events that arrived while waiting for a reply: skipped
	 * (counted; no watches are set yet). */
	uint64_t skipped_events;
};

/* Starts a connection on `ring`. KEEL_EIO when its indices are already
 * inconsistent. */
int xs_open(struct xs_conn *c, volatile struct xs_ring *ring, void (*notify)(void *),
            bool (*wait)(void *), void *ctx);

/*
 * Reads the value at `path` into buf (size bytes; the value is
 * NUL-terminated, and a value with a NUL inside or too long for buf is
 * KEEL_ERANGE), its length without the NUL in *len. KEEL_ENOENT: no such
 * node (xenstored's ENOENT); KEEL_EIO: another error reply or a broken
 * ring; KEEL_ETIMEDOUT: no reply in time; KEEL_EINVAL: a bad path.
 */
int xs_read(struct xs_conn *c, const char *path, char *buf, size_t size, size_t *len);

/* Writes `value` at `path`. Errors as xs_read. */
int xs_write(struct xs_conn *c, const char *path, const char *value);

/*
 * Lists the children of `path` into buf as consecutive NUL-terminated
 * names; *count gets their number. Errors as xs_read.
 */
int xs_directory(struct xs_conn *c, const char *path, char *buf, size_t size, size_t *count);

#endif
