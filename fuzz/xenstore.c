/*
 * fuzz/xenstore.c — libFuzzer target for the xen platform's xenstore
 * client (platform/xen/xenstore.c, the code the images run) against a
 * hostile xenstored whose every move comes from the input.
 *
 * The input is a script read byte by byte. First the ring's starting
 * index (so that positions wrap); then, in turn, a request of the
 * client's (read, write or directory, with a buffer size) and, each time
 * the client waits, what the other end does: put the next bytes on the
 * reply ring, set either ring's index to any value, or say nothing (the
 * wait times out). Requests are consumed as they come. The client must
 * stay inside the ring and the caller's buffer (ASan), end every wait
 * (the script runs out), and keep the promises of xenstore.h.
 */
#include <stdlib.h>
#include <string.h>

#include "../platform/xen/xenstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUESTS_MAX 8

struct script {
	const uint8_t *p;
	size_t left;
	struct xs_ring ring;
};

static uint8_t next(struct script *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static uint32_t next32(struct script *s)
{
	uint32_t v = next(s);

	v |= (uint32_t)next(s) << 8;
	v |= (uint32_t)next(s) << 16;
	return v | (uint32_t)next(s) << 24;
}

static void notify(void *ctx)
{
	(void)ctx;
}

/* The other end's move. */
static bool other_end(void *ctx)
{
	struct script *s = ctx;
	uint8_t move;

	if (!s->left)
		return false; /* the caller's deadline */
	s->ring.req_cons = s->ring.req_prod;
	move = next(s);
	switch (move >> 6) {
	case 0:
	case 1: {
		/* 1 to 128 bytes onto the reply ring, room or not. */
		unsigned n = (move & 0x7f) + 1u;

		for (unsigned i = 0; i < n && s->left; i++)
			s->ring.rsp[(s->ring.rsp_prod + i) % XS_RING_SIZE] = (char)next(s);
		s->ring.rsp_prod += n;
		return true;
	}
	case 2:
		if (move & 1)
			s->ring.req_cons = next32(s);
		else
			s->ring.rsp_prod = next32(s);
		return true;
	default:
		return true; /* nothing this time */
	}
}

static bool known_error(int rc)
{
	return rc == KEEL_EINVAL || rc == KEEL_ENOENT || rc == KEEL_EIO || rc == KEEL_ETIMEDOUT ||
	       rc == KEEL_ERANGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "device/vif/0/backend", "domid", "device/vbd",
		                             "control/shutdown" };
	struct script *s = calloc(1, sizeof(*s));
	struct xs_conn c;
	uint32_t start;

	if (!s)
		abort();
	s->p = data;
	s->left = size;
	start = next32(s);
	s->ring.req_cons = s->ring.req_prod = s->ring.rsp_cons = s->ring.rsp_prod = start;
	if (xs_open(&c, &s->ring, notify, other_end, s) != KEEL_OK)
		abort();
	for (unsigned r = 0; r < REQUESTS_MAX && s->left; r++) {
		uint8_t what = next(s);
		const char *path = paths[what >> 2 & 3];
		size_t bufsize = (size_t)next(s) * 20 + 1; /* 1 to 5101 */
		char *buf = malloc(bufsize);
		bool dead = c.dead;
		size_t len = 0, count = 0;
		int rc;

		if (!buf)
			abort();
		switch (what & 3) {
		case 0:
		case 3:
			rc = xs_read(&c, path, buf, bufsize, &len);
			if (rc == KEEL_OK &&
			    (len >= bufsize || buf[len] != '\0' || strlen(buf) != len))
				abort();
			break;
		case 1:
			rc = xs_write(&c, path, what & 0x80 ? "" : "4");
			break;
		default:
			rc = xs_directory(&c, path, buf, bufsize, &count);
			if (rc == KEEL_OK) {
				size_t names = 0;

				/* count names, each non-empty and NUL-ended, in the buffer */
				for (size_t i = 0; count && i < bufsize; i++) {
					if (buf[i] == '\0' && ++names == count)
						break;
				}
				if (names != count)
					abort();
			}
			break;
		}
		if (rc != KEEL_OK && !known_error(rc))
			abort();
		if (dead && rc != KEEL_EIO)
			abort(); /* a broken connection stays broken */
		free(buf);
	}
	free(s);
	return 0;
}
