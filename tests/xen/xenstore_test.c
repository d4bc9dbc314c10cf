/*
 * Unit tests of platform/xen's xenstore client against a fake xenstored
 * on the same ring: well-behaved answers (read, write, directory, a value
 * longer than the ring, a watch event in the way) and a misbehaving one
 * (oversized lengths, indices that jump, wrong types, foreign request
 * ids without end, no answer at all, values with NULs or too long for
 * the caller). The client must return the right error every time, stay
 * inside the ring, and never wait without bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../platform/xen/xenstore.h"

static int failures;

#define CHECK(cond)                                                                         \
	do {                                                                                \
		if (!(cond)) {                                                              \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);              \
			failures++;                                                         \
		}                                                                           \
	} while (0)

enum mode {
	GOOD,        /* answer as xenstored does */
	WATCH_FIRST, /* a watch event before each answer */
	HUGE_LEN,    /* an answer claiming 5000 bytes */
	JUMP,        /* rsp_prod moved 5000 ahead */
	WRONG_TYPE,  /* an answer of another type */
	FOREIGN,     /* answers with other request ids, forever */
	SILENT,      /* never answers */
	NUL_VALUE,   /* a value with a NUL inside */
	ERROR_EACCES,
};

struct fake {
	struct xs_ring ring;
	enum mode mode;
	char req[8192];
	size_t req_len;
	char out[16384]; /* answer bytes not yet on the ring */
	size_t out_len, out_off;
	unsigned waits;
	char big[3000];
};

static void notify(void *ctx)
{
	(void)ctx;
}

static void queue(struct fake *f, uint32_t type, uint32_t id, const void *data, uint32_t len,
                  uint32_t claim)
{
	struct xs_header h = { type, id, 0, claim };

	memcpy(f->out + f->out_len, &h, sizeof(h));
	f->out_len += sizeof(h);
	memcpy(f->out + f->out_len, data, len);
	f->out_len += len;
}

static void answer(struct fake *f, const struct xs_header *h, const char *payload)
{
	static const char dir[] = "0\0" "1\0";
	const char *value = NULL;
	uint32_t vlen = 0;

	if (f->mode == WATCH_FIRST)
		queue(f, XS_WATCH_EVENT, 0, "a\0tok", 6, 6);
	switch (f->mode) {
	case SILENT:
		return;
	case HUGE_LEN:
		queue(f, h->type, h->req_id, "x", 1, 5000);
		return;
	case JUMP:
		f->ring.rsp_prod += 5000;
		return;
	case WRONG_TYPE:
		queue(f, XS_DIRECTORY + 40, h->req_id, "", 0, 0);
		return;
	case FOREIGN:
		for (unsigned i = 0; i < 100; i++)
			queue(f, h->type, h->req_id + 1000, "zz", 2, 2);
		return;
	case ERROR_EACCES:
		queue(f, XS_ERROR, h->req_id, "EACCES", 7, 7);
		return;
	default:
		break;
	}
	if (h->type == XS_WRITE) {
		queue(f, XS_WRITE, h->req_id, "OK", 3, 3);
		return;
	}
	if (h->type == XS_DIRECTORY) {
		queue(f, XS_DIRECTORY, h->req_id, dir, sizeof(dir) - 1, sizeof(dir) - 1);
		return;
	}
	if (!strcmp(payload, "device/vif/0/backend")) {
		value = "/local/domain/0/backend/vif/1/0";
		vlen = (uint32_t)strlen(value);
	} else if (!strcmp(payload, "big")) {
		value = f->big;
		vlen = sizeof(f->big);
	}
	if (f->mode == NUL_VALUE) {
		value = "ab\0cd";
		vlen = 5;
	}
	if (!value)
		queue(f, XS_ERROR, h->req_id, "ENOENT", 7, 7);
	else
		queue(f, XS_READ, h->req_id, value, vlen, vlen);
}

/* One turn of the fake: take request bytes, answer whole requests, put
 * as much of the answers on the ring as fits. */
static bool wait(void *ctx)
{
	struct fake *f = ctx;
	struct xs_ring *r = &f->ring;

	f->waits++;
	while (r->req_cons != r->req_prod)
		f->req[f->req_len++] = r->req[r->req_cons++ % XS_RING_SIZE];
	for (;;) {
		struct xs_header h;

		if (f->req_len < sizeof(h))
			break;
		memcpy(&h, f->req, sizeof(h));
		if (f->req_len < sizeof(h) + h.len)
			break;
		{
			char payload[4200];

			memcpy(payload, f->req + sizeof(h), h.len);
			payload[h.len] = '\0';
			answer(f, &h, payload);
		}
		memmove(f->req, f->req + sizeof(h) + h.len, f->req_len - sizeof(h) - h.len);
		f->req_len -= sizeof(h) + h.len;
	}
	while (f->out_off < f->out_len && r->rsp_prod - r->rsp_cons < XS_RING_SIZE)
		r->rsp[r->rsp_prod++ % XS_RING_SIZE] = f->out[f->out_off++];
	if (f->out_off == f->out_len)
		f->out_off = f->out_len = 0;
	return true;
}

static struct fake *fake_new(enum mode mode, struct xs_conn *c)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->mode = mode;
	for (size_t i = 0; i < sizeof(f->big); i++)
		f->big[i] = (char)('a' + i % 26);
	/* Start the indices near the wrap of 32 bits. */
	f->ring.req_cons = f->ring.req_prod = 0xfffffe00u;
	f->ring.rsp_cons = f->ring.rsp_prod = 0xffffff00u;
	CHECK(xs_open(c, &f->ring, notify, wait, f) == KEEL_OK);
	return f;
}

int main(void)
{
	struct xs_conn c;
	struct fake *f;
	char buf[4096];
	size_t len = 0, count = 0;

	f = fake_new(GOOD, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_OK);
	CHECK(len == 31 && !strcmp(buf, "/local/domain/0/backend/vif/1/0"));
	CHECK(xs_read(&c, "device/none", buf, sizeof(buf), &len) == KEEL_ENOENT);
	CHECK(xs_write(&c, "device/vif/0/state", "4") == KEEL_OK);
	CHECK(xs_directory(&c, "device/vif", buf, sizeof(buf), &count) == KEEL_OK && count == 2);
	/* Longer than the ring: it wraps, more than once. */
	CHECK(xs_read(&c, "big", buf, sizeof(buf), &len) == KEEL_OK && len == 3000);
	CHECK(!memcmp(buf, f->big, 3000) && buf[3000] == '\0');
	/* Too long for the caller: an error, and the connection goes on. */
	CHECK(xs_read(&c, "big", buf, 100, &len) == KEEL_ERANGE);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_OK);
	/* Bad paths never reach the ring. */
	CHECK(xs_read(&c, "", buf, sizeof(buf), &len) == KEEL_EINVAL);
	CHECK(xs_read(&c, "a b", buf, sizeof(buf), &len) == KEEL_EINVAL);
	CHECK(xs_read(&c, NULL, buf, sizeof(buf), &len) == KEEL_EINVAL);
	CHECK(xs_write(&c, "x", NULL) == KEEL_EINVAL);
	free(f);

	f = fake_new(WATCH_FIRST, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_OK);
	CHECK(c.skipped_events == 1);
	free(f);

	f = fake_new(HUGE_LEN, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_EIO);
	CHECK(c.dead);
	CHECK(xs_write(&c, "x", "y") == KEEL_EIO);
	free(f);

	f = fake_new(JUMP, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_EIO);
	free(f);

	f = fake_new(WRONG_TYPE, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_EIO);
	free(f);

	f = fake_new(FOREIGN, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_EIO);
	free(f);

	f = fake_new(SILENT, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_ETIMEDOUT);
	CHECK(f->waits <= 10001);
	free(f);

	f = fake_new(NUL_VALUE, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_ERANGE);
	free(f);

	f = fake_new(ERROR_EACCES, &c);
	CHECK(xs_read(&c, "device/vif/0/backend", buf, sizeof(buf), &len) == KEEL_EIO);
	free(f);

	/* A ring whose indices are inconsistent from the start. */
	{
		static struct xs_ring bad;

		bad.rsp_prod = 5000;
		CHECK(xs_open(&c, &bad, notify, wait, NULL) == KEEL_EIO);
		CHECK(xs_read(&c, "a", buf, sizeof(buf), &len) == KEEL_EIO);
	}

	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("xenstore: all passed\n");
	return 0;
}
