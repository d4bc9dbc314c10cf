/*
 * blkfront_test.c — platform/xen/blkfront.c on the host (ASan+UBSan)
 * against a fake blkback (tests/xen/frontend_stubs.h) serving a disk in
 * memory through the granted pages: the handshake, transfers of many
 * sectors and pages cut into requests of at most 11 segments, up to 4
 * in flight (answered in order, in reverse, one failing), flush
 * when offered; bad requests refused; and a backend that misbehaves —
 * an error status (KEEL_EIO, the device goes on), then a wrong id, a
 * wrong operation, an unknown status, more responses than requests,
 * silence (the device stopped with one clear line, KEEL_EIO after).
 * And the attach refusing a malformed size or sector size. The ring:
 * one page and ring-ref without max-ring-page-order; 2^order pages,
 * ring-page-order and ring-ref0..N-1 when it is offered (order clamped
 * to MAX_RING_ORDER, a malformed one refused), requests wrapping the
 * larger ring many times.
 */
#include "../../platform/xen/blkfront.c"

#include "frontend_stubs.h"

#define FRONT "device/vbd/51712"
#define BACK "/local/domain/0/backend/vbd/1/51712"
#define DISK_SECTORS 400

static struct blk *b;
static uint8_t disk[DISK_SECTORS * SECTOR];
static uint32_t back_cons;
static unsigned requests, max_segments, flushes, max_inflight, fail_nth;

static enum {
	GOOD,
	ERROR_STATUS,
	WRONG_ID,
	WRONG_OP,
	ODD_STATUS,
	TOO_MANY,
	SILENT,
	REVERSE,  /* answers what was published last first */
	FAIL_NTH, /* an error status for request number fail_nth only */
} mode;

/* Serves every request published, as blkback would (checking what the
 * front end sent: a well-formed request, segments within their page). */
static void serve(void)
{
	struct {
		uint64_t id;
		uint8_t op;
	} got[128];
	unsigned ngot = 0;

	if (b->ring->h.req_prod - b->ring->h.rsp_prod > max_inflight)
		max_inflight = b->ring->h.req_prod - b->ring->h.rsp_prod;
	while (back_cons != b->ring->h.req_prod) {
		volatile union entry *e = &b->ring->e[back_cons & (b->entries - 1)];
		struct request r = *(struct request *)(uintptr_t)&e->req;
		uint64_t sector = r.sector_number;
		int16_t status = STATUS_OKAY;

		CHECK(back_cons - b->cons < b->entries); /* a free slot was used */
		back_cons++;
		requests++;
		CHECK(r.handle == 51712);
		CHECK(r.nr_segments <= SEGMENTS);
		if (r.nr_segments > max_segments)
			max_segments = r.nr_segments;
		if (r.operation == OP_FLUSH_DISKCACHE) {
			CHECK(r.nr_segments == 0);
			flushes++;
		} else {
			CHECK(r.operation == OP_READ || r.operation == OP_WRITE);
			CHECK(r.nr_segments > 0);
		}
		for (unsigned i = 0; i < r.nr_segments; i++) {
			uint8_t *page = grant_page_of(r.seg[i].gref);
			size_t n = (size_t)(r.seg[i].last_sect - r.seg[i].first_sect + 1) * SECTOR;

			CHECK(r.seg[i].first_sect <= r.seg[i].last_sect && r.seg[i].last_sect < 8);
			CHECK(sector * SECTOR + n <= sizeof(disk));
			page += r.seg[i].first_sect * SECTOR;
			if (r.operation == OP_READ)
				memcpy(page, disk + sector * SECTOR, n);
			else
				memcpy(disk + sector * SECTOR, page, n);
			sector += n / SECTOR;
		}
		if (mode == SILENT)
			continue;
		if (mode == REVERSE) {
			CHECK(ngot < 128);
			got[ngot].id = r.id;
			got[ngot++].op = r.operation;
			continue;
		}
		e->rsp.id = mode == WRONG_ID ? r.id + 1 : r.id;
		e->rsp.operation = mode == WRONG_OP ? (uint8_t)(r.operation ^ 1) : r.operation;
		if (mode == ERROR_STATUS || (mode == FAIL_NTH && requests == fail_nth))
			status = STATUS_ERROR;
		if (mode == ODD_STATUS)
			status = 5;
		e->rsp.status = status;
		b->ring->h.rsp_prod = back_cons + (mode == TOO_MANY ? 2 : 0);
		raise_event();
	}
	/* REVERSE: every request taken, then answered last first. */
	for (unsigned i = 0; i < ngot; i++) {
		uint32_t at = b->ring->h.rsp_prod;
		volatile union entry *e = &b->ring->e[at & (b->entries - 1)];

		e->rsp.id = got[ngot - 1 - i].id;
		e->rsp.operation = got[ngot - 1 - i].op;
		e->rsp.status = STATUS_OKAY;
		b->ring->h.rsp_prod = at + 1;
	}
	if (ngot)
		raise_event();
}

static void backend_kick(void)
{
	/* blkback answers later, from its own thread: here, while the
	 * front end waits. */
}

static void backend_wait(void)
{
	serve();
}

static void setup_keys(void)
{
	nkeys = 0;
	xs_set(FRONT "/backend-id", "0");
	xs_set(FRONT "/backend", BACK);
	xs_set(BACK "/state", "4");
	xs_set(BACK "/sectors", "400");
	xs_set(BACK "/sector-size", "512");
	xs_set(BACK "/feature-flush-cache", "1");
}

/* Bytes that do not repeat page after page (so a page put in the
 * wrong place shows). */
static uint8_t pattern(size_t i, uint32_t seed)
{
	return (uint8_t)(((uint32_t)i * 2654435761u + seed * 40503u) >> 24);
}

static bool attach(void)
{
	memset(devices, 0, sizeof(devices));
	devices_count = 1;
	devices[0].kind = KEEL_NOTE_BLOCK;
	strcpy(devices[0].name, "storage");
	fail_msg[0] = '\0';
	console[0] = '\0';
	back_cons = 0;
	mode = GOOD;
	if (setjmp(fail_jump))
		return false;
	blkfront_attach(&devices[0], 0, FRONT);
	b = devices[0].driver;
	return true;
}

int main(void)
{
	static uint8_t buf[DISK_SECTORS * SECTOR], back[DISK_SECTORS * SECTOR];
	struct kp_block_info info;
	kp_handle h;

	/* Refusals at attach. */
	setup_keys();
	xs_set(BACK "/sectors", "12x");
	CHECK(!attach() && strstr(fail_msg, "sectors is missing or malformed"));
	setup_keys();
	xs_set(BACK "/sectors", "99999999999999999999999");
	CHECK(!attach() && strstr(fail_msg, "sectors is missing or malformed"));
	setup_keys();
	xs_set(BACK "/sector-size", "1000");
	CHECK(!attach() && strstr(fail_msg, "not a power of two"));
	setup_keys();
	xs_set(BACK "/sector-size", "8192");
	CHECK(!attach() && strstr(fail_msg, "not a power of two"));
	setup_keys();
	xs_set(BACK "/sectors", "0");
	CHECK(!attach() && strstr(fail_msg, "empty"));
	setup_keys();
	xs_set(BACK "/state", "2");
	CHECK(!attach() && strstr(fail_msg, "did not connect"));

	setup_keys();
	CHECK(attach());
	CHECK(strcmp(xs_get(FRONT, "protocol"), "x86_64-abi") == 0);
	CHECK(strcmp(xs_get(FRONT, "state"), "4") == 0);
	CHECK(strcmp(xs_get(FRONT, "event-channel"), "17") == 0);
	CHECK(grant_page_of((uint32_t)atoi(xs_get(FRONT, "ring-ref"))) == (uint8_t *)b->ring);
	CHECK(kp_block_acquire("storage", &h, &info) == KEEL_OK && h == 0);
	CHECK(info.capacity == sizeof(disk) && info.block_size == 512);

	/* Bad requests never reach the backend. */
	CHECK(kp_block_read(0, 100, buf, 512) == KEEL_EINVAL);
	CHECK(kp_block_read(0, 0, buf, 100) == KEEL_EINVAL);
	CHECK(kp_block_read(0, 0, buf, 0) == KEEL_EINVAL);
	CHECK(kp_block_read(0, sizeof(disk) - 512, buf, 1024) == KEEL_EINVAL);
	CHECK(kp_block_read(0, UINT64_MAX - 511, buf, 512) == KEEL_EINVAL);
	CHECK(kp_block_read(1, 0, buf, 512) == KEEL_EINVAL);
	CHECK(requests == 0);

	/* The whole disk in one call (200 KiB: 5 requests of up to 11
	 * pages), and back. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i, 1);
	CHECK(kp_block_write(0, 0, buf, sizeof(buf)) == KEEL_OK);
	CHECK(memcmp(disk, buf, sizeof(disk)) == 0);
	CHECK(requests == 5 && max_segments == SEGMENTS);
	CHECK(max_inflight == SLOTS && b->inflight == 0); /* 4 at once, then 1 */
	CHECK(kp_block_read(0, 0, back, sizeof(back)) == KEEL_OK);
	CHECK(memcmp(back, buf, sizeof(buf)) == 0);
	/* Answered out of order: each answer finds its own request. */
	mode = REVERSE;
	memset(back, 0, sizeof(back));
	CHECK(kp_block_read(0, 0, back, sizeof(back)) == KEEL_OK);
	CHECK(memcmp(back, buf, sizeof(buf)) == 0 && !b->x.broken);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i, 2);
	CHECK(kp_block_write(0, 0, buf, sizeof(buf)) == KEEL_OK &&
	      memcmp(disk, buf, sizeof(disk)) == 0);
	/* One of several in flight fails: the call fails once all are
	 * answered, no request is made after, the device goes on. */
	mode = FAIL_NTH;
	requests = 0;
	fail_nth = 2;
	CHECK(kp_block_read(0, 0, back, sizeof(back)) == KEEL_EIO);
	CHECK(requests == SLOTS && b->inflight == 0 && !b->x.broken && console[0] == '\0');
	mode = GOOD;
	/* A few sectors in the middle, and the last one. */
	memset(buf, 0xee, 3 * 512);
	CHECK(kp_block_write(0, 7 * 512, buf, 3 * 512) == KEEL_OK);
	CHECK(disk[7 * 512] == 0xee && disk[10 * 512 - 1] == 0xee && disk[10 * 512] != 0xee);
	CHECK(kp_block_read(0, sizeof(disk) - 512, back, 512) == KEEL_OK);
	CHECK(memcmp(back, disk + sizeof(disk) - 512, 512) == 0);
	CHECK(kp_block_flush(0) == KEEL_OK && flushes == 1);

	/* An error the backend reports: that call fails, the device goes on. */
	mode = ERROR_STATUS;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_EIO);
	mode = GOOD;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_OK && !b->x.broken && console[0] == '\0');

	/* A backend that breaks the protocol stops the device. */
	mode = WRONG_ID;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_EIO);
	CHECK(strstr(console, "block device 'storage': its backend answered a request it was not "
	                      "given; the device is stopped\n"));
	mode = GOOD;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_EIO && kp_block_flush(0) == KEEL_EIO);

	setup_keys();
	CHECK(attach());
	mode = WRONG_OP;
	CHECK(kp_block_write(0, 0, buf, 512) == KEEL_EIO && strstr(console, "not given"));

	setup_keys();
	CHECK(attach());
	mode = ODD_STATUS;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_EIO && strstr(console, "does not define"));

	setup_keys();
	CHECK(attach());
	mode = TOO_MANY;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_EIO &&
	      strstr(console, "more responses than there were requests"));

	setup_keys();
	CHECK(attach());
	mode = SILENT;
	CHECK(kp_block_read(0, 0, back, 512) == KEEL_EIO &&
	      strstr(console, "did not answer a request within 30 s"));

	/* Without max-ring-page-order: one page, ring-ref, 32 entries. */
	setup_keys();
	CHECK(attach());
	CHECK(b->entries == 32 && xs_get(FRONT, "ring-page-order") == NULL);
	CHECK(xs_get(FRONT, "ring-ref0") == NULL && xs_get(FRONT, "ring-ref"));

	/* Offered order 0: still the one-page form. */
	setup_keys();
	xs_set(BACK "/max-ring-page-order", "0");
	CHECK(attach());
	CHECK(b->entries == 32 && xs_get(FRONT, "ring-page-order") == NULL);
	CHECK(grant_page_of((uint32_t)atoi(xs_get(FRONT, "ring-ref"))) == (uint8_t *)b->ring);

	/* Offered order 1: two pages, 64 entries ((8192 - 64) / 112 = 72). */
	setup_keys();
	xs_set(BACK "/max-ring-page-order", "1");
	CHECK(attach());
	CHECK(b->entries == 64 && strcmp(xs_get(FRONT, "ring-page-order"), "1") == 0);
	CHECK(xs_get(FRONT, "ring-ref") == NULL && xs_get(FRONT, "ring-ref2") == NULL);
	for (unsigned i = 0; i < 2; i++) {
		char key[16];

		snprintf(key, sizeof(key), "ring-ref%u", i);
		CHECK(grant_page_of((uint32_t)atoi(xs_get(FRONT, key))) ==
		      (uint8_t *)b->ring + i * PAGE_SIZE);
	}

	/* Offered more than we take: clamped to MAX_RING_ORDER (4 pages,
	 * 128 entries), each page granted in order. */
	static const char *const big[] = { "3", "31", "4294967296", "18446744073709551615" };
	for (unsigned k = 0; k < sizeof(big) / sizeof(big[0]); k++) {
		setup_keys();
		xs_set(BACK "/max-ring-page-order", big[k]);
		CHECK(attach());
		CHECK(b->entries == 128 && strcmp(xs_get(FRONT, "ring-page-order"), "2") == 0);
		CHECK(xs_get(FRONT, "ring-ref") == NULL && xs_get(FRONT, "ring-ref4") == NULL);
		for (unsigned i = 0; i < MAX_RING_PAGES; i++) {
			char key[16];

			snprintf(key, sizeof(key), "ring-ref%u", i);
			CHECK(grant_page_of((uint32_t)atoi(xs_get(FRONT, key))) ==
			      (uint8_t *)b->ring + i * PAGE_SIZE);
		}
	}
	/* The last entry ends inside the 4 pages. */
	CHECK((uint8_t *)&b->ring->e[b->entries] <=
	      (uint8_t *)b->ring + MAX_RING_PAGES * PAGE_SIZE);

	/* Requests wrap the 128-entry ring (3 x 128 + some), each slot
	 * used in turn: the data stays right. */
	memset(disk, 0, sizeof(disk));
	requests = 0;
	for (unsigned i = 0; i < 3 * 128 + 17; i++) {
		uint64_t sector = (i * 7) % DISK_SECTORS;

		memset(buf, (int)(i & 0xff), 512);
		CHECK(kp_block_write(0, sector * 512, buf, 512) == KEEL_OK);
		CHECK(kp_block_read(0, sector * 512, back, 512) == KEEL_OK);
		CHECK(memcmp(back, buf, 512) == 0 && disk[sector * 512] == (uint8_t)(i & 0xff));
	}
	CHECK(requests == 2 * (3 * 128 + 17) && b->prod == requests && b->cons == requests);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i, 3);
	CHECK(kp_block_write(0, 0, buf, sizeof(buf)) == KEEL_OK);
	CHECK(kp_block_read(0, 0, back, sizeof(back)) == KEEL_OK);
	CHECK(memcmp(back, buf, sizeof(buf)) == 0 && !b->x.broken);

	/* A malformed order is refused, clearly. */
	static const char *const bad[] = { "x", "-1", "", "1x", "99999999999999999999999" };
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		setup_keys();
		xs_set(BACK "/max-ring-page-order", bad[k]);
		CHECK(!attach() &&
		      strstr(fail_msg,
		             "block device 'storage': its backend's max-ring-page-order is "
		             "malformed"));
	}

	/* Without feature-flush-cache there is nothing to flush. */
	setup_keys();
	xs_set(BACK "/feature-flush-cache", "0");
	CHECK(attach());
	requests = 0;
	CHECK(kp_block_flush(0) == KEEL_OK && requests == 0);

	printf("blkfront: ok\n");
	return 0;
}
