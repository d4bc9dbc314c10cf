/*
 * xenstore.c — the xenstore client: requests out on the req ring,
 * replies in from the rsp ring (see xenstore.h for what is checked).
 *
 * One request at a time: write the header and payload (waiting for room
 * when the ring is full), notify, then read replies until the one with
 * our request id. A watch event in between is skipped. The ring's
 * indices are free-running 32-bit counters; a position is index mod
 * XS_RING_SIZE, and prod - cons is the amount of data, which must never
 * exceed XS_RING_SIZE.
 */
#include "xenstore.h"

#define WAIT_TURNS 10000  /* waits on one request before giving up */
#define SKIP_MAX 64       /* unrelated replies skipped on one request */

static void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Full barrier: the other end runs on another CPU. */
static void mb(void)
{
#if defined(__x86_64__)
	__asm__ volatile("mfence" ::: "memory");
#else
	__sync_synchronize();
#endif
}

static bool wait_turn(struct xs_conn *c, unsigned *turns)
{
	if (++*turns > WAIT_TURNS || !c->wait(c->ctx))
		return false;
	return true;
}

int xs_open(struct xs_conn *c, volatile struct xs_ring *ring, void (*notify)(void *),
            bool (*wait)(void *), void *ctx)
{
	c->ring = ring;
	c->notify = notify;
	c->wait = wait;
	c->ctx = ctx;
	c->next_req_id = 1;
	c->skipped_events = 0;
	c->dead = ring->req_prod - ring->req_cons > XS_RING_SIZE ||
	          ring->rsp_prod - ring->rsp_cons > XS_RING_SIZE;
	return c->dead ? KEEL_EIO : KEEL_OK;
}

/* Copies len bytes into the req ring, waiting for room. */
static int put(struct xs_conn *c, const void *data, size_t len, unsigned *turns)
{
	const char *p = data;

	while (len > 0) {
		uint32_t cons = c->ring->req_cons, prod = c->ring->req_prod;
		uint32_t used = prod - cons, n = 0;

		mb();
		if (used > XS_RING_SIZE) {
			c->dead = true;
			return KEEL_EIO;
		}
		if (used == XS_RING_SIZE) {
			c->notify(c->ctx);
			if (!wait_turn(c, turns))
				return KEEL_ETIMEDOUT;
			continue;
		}
		while (n < XS_RING_SIZE - used && n < len) {
			c->ring->req[(prod + n) % XS_RING_SIZE] = p[n];
			n++;
		}
		barrier(); /* bytes before the index (x86 keeps stores in order) */
		mb();
		c->ring->req_prod = prod + n;
		p += n;
		len -= n;
	}
	return KEEL_OK;
}

/* Copies len bytes out of the rsp ring, waiting for them; a NULL dst
 * discards them. */
static int get(struct xs_conn *c, void *dst, size_t len, unsigned *turns)
{
	char *p = dst;

	while (len > 0) {
		uint32_t cons = c->ring->rsp_cons, prod = c->ring->rsp_prod;
		uint32_t avail = prod - cons, n = 0;

		mb(); /* the index before the bytes it covers */
		if (avail > XS_RING_SIZE) {
			c->dead = true;
			return KEEL_EIO;
		}
		if (avail == 0) {
			c->notify(c->ctx);
			if (!wait_turn(c, turns))
				return KEEL_ETIMEDOUT;
			continue;
		}
		while (n < avail && n < len) {
			char ch = c->ring->rsp[(cons + n) % XS_RING_SIZE];

			if (p)
				*p++ = ch;
			n++;
		}
		mb();
		c->ring->rsp_cons = cons + n;
		len -= n;
	}
	c->notify(c->ctx);
	return KEEL_OK;
}

static size_t length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool same(const char *a, size_t alen, const char *b)
{
	size_t blen = length(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/*
 * One request: `type` with the payload of n parts, each with its NUL
 * when `nul[i]`; the reply's payload into reply (reply_size bytes; the
 * payload must fit) and its length into *reply_len.
 */
static int transact(struct xs_conn *c, uint32_t type, const char *const *parts,
                    const bool *nul, unsigned n, char *reply, size_t reply_size,
                    size_t *reply_len)
{
	struct xs_header h = { .type = type, .req_id = c->next_req_id++ };
	unsigned turns = 0;
	int rc;

	if (c->dead)
		return KEEL_EIO;
	for (unsigned i = 0; i < n; i++) {
		size_t l = length(parts[i]) + (nul[i] ? 1 : 0);

		if (l > XS_PAYLOAD_MAX - h.len)
			return KEEL_EINVAL;
		h.len += (uint32_t)l;
	}
	if ((rc = put(c, &h, sizeof(h), &turns)) < 0)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if ((rc = put(c, parts[i], length(parts[i]) + (nul[i] ? 1 : 0), &turns)) < 0)
			return rc;
	}
	c->notify(c->ctx);

	for (unsigned skipped = 0;; skipped++) {
		struct xs_header r;

		if ((rc = get(c, &r, sizeof(r), &turns)) < 0)
			return rc;
		if (r.len > XS_PAYLOAD_MAX) {
			c->dead = true;
			return KEEL_EIO;
		}
		if (r.req_id != h.req_id || r.type == XS_WATCH_EVENT) {
			/* Not ours: skip its payload, a bounded number of times. */
			if (skipped == SKIP_MAX) {
				c->dead = true;
				return KEEL_EIO;
			}
			if (r.type == XS_WATCH_EVENT)
				c->skipped_events++;
			if ((rc = get(c, NULL, r.len, &turns)) < 0)
				return rc;
			continue;
		}
		if (r.type == XS_ERROR) {
			char err[32];
			size_t take = r.len < sizeof(err) ? r.len : sizeof(err);

			if ((rc = get(c, err, take, &turns)) < 0 ||
			    (rc = get(c, NULL, r.len - take, &turns)) < 0)
				return rc;
			/* "ENOENT" with its NUL, or without. */
			if (take > 0 && err[take - 1] == '\0')
				take--;
			return same(err, take, "ENOENT") ? KEEL_ENOENT : KEEL_EIO;
		}
		if (r.type != type) {
			c->dead = true;
			return KEEL_EIO;
		}
		if (r.len > reply_size) {
			if ((rc = get(c, NULL, r.len, &turns)) < 0)
				return rc;
			return KEEL_ERANGE;
		}
		if ((rc = get(c, reply, r.len, &turns)) < 0)
			return rc;
		*reply_len = r.len;
		return KEEL_OK;
	}
}

static bool valid_path(const char *path)
{
	size_t n = 0;

	if (!path || !path[0])
		return false;
	for (; path[n]; n++) {
		char ch = path[n];

		if (n >= XS_PAYLOAD_MAX / 2 || ch < 0x21 || ch > 0x7e)
			return false;
	}
	return true;
}

int xs_read(struct xs_conn *c, const char *path, char *buf, size_t size, size_t *len)
{
	const char *parts[1] = { path };
	const bool nul[1] = { true };
	size_t got = 0;
	int rc;

	if (!valid_path(path) || size == 0)
		return KEEL_EINVAL;
	if ((rc = transact(c, XS_READ, parts, nul, 1, buf, size - 1, &got)) < 0)
		return rc;
	for (size_t i = 0; i < got; i++) {
		if (buf[i] == '\0')
			return KEEL_ERANGE;
	}
	buf[got] = '\0';
	*len = got;
	return KEEL_OK;
}

int xs_write(struct xs_conn *c, const char *path, const char *value)
{
	const char *parts[2] = { path, value };
	const bool nul[2] = { true, false };
	char reply[8];
	size_t got = 0;
	int rc;

	if (!valid_path(path) || !value)
		return KEEL_EINVAL;
	if ((rc = transact(c, XS_WRITE, parts, nul, 2, reply, sizeof(reply), &got)) < 0)
		return rc;
	/* xenstored answers "OK" (with its NUL). */
	if (got > 0 && reply[got - 1] == '\0')
		got--;
	return same(reply, got, "OK") ? KEEL_OK : KEEL_EIO;
}

int xs_directory(struct xs_conn *c, const char *path, char *buf, size_t size, size_t *count)
{
	const char *parts[1] = { path };
	const bool nul[1] = { true };
	size_t got = 0, n = 0;
	int rc;

	if (!valid_path(path) || size == 0)
		return KEEL_EINVAL;
	if ((rc = transact(c, XS_DIRECTORY, parts, nul, 1, buf, size, &got)) < 0)
		return rc;
	/* Names, each ended by a NUL; an empty directory is no bytes. */
	if (got > 0 && buf[got - 1] != '\0')
		return KEEL_EIO;
	for (size_t i = 0; i < got; i++) {
		if (buf[i] == '\0') {
			if (i == 0 || buf[i - 1] == '\0')
				return KEEL_EIO; /* an empty name */
			n++;
		}
	}
	*count = n;
	return KEEL_OK;
}
