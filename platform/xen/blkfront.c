/*
 * blkfront.c — kp_block_* on a Xen virtual disk (Xen's public
 * io/blkif.h and io/ring.h): the front half of the split block driver,
 * whose back half (blkback) runs in the backend's domain.
 *
 * A shared ring and SLOTS x SEGMENTS data pages, all granted to the backend
 * for good when the device starts. The ring is one page, or 2^order
 * pages (order at most MAX_RING_ORDER) when the backend offers
 * max-ring-page-order: then ring-page-order and ring-ref0..N-1 are
 * written instead of ring-ref, and the entries are what the pages hold
 * (a power of two, as io/ring.h sizes them). A transfer is cut into
 * requests of at most SEGMENTS pages (BLKIF_MAX_SEGMENTS_PER_REQUEST,
 * 44 KiB), each page one segment of whole 512-byte sectors, up to
 * SLOTS of them in flight, each in its own slot of pages: written data
 * is copied into the slot's pages first, read data out of them once
 * answered. The call sleeps (intr_wait) until the backend answers,
 * woken by the event channel, and takes answers in any order.
 *
 * Flush: BLKIF_OP_FLUSH_DISKCACHE when the backend offers
 * feature-flush-cache; without it the backend has no volatile cache
 * and kp_block_flush succeeds at once.
 *
 * Everything the backend writes is checked: its disk size (sectors, a
 * sector size that is a power of two from 512 to 4096), its ring order
 * (malformed stops the attach; above MAX_RING_ORDER, clamped), the response
 * producer (never ahead of the requests made), the response's id
 * and operation (those of a request in flight), its status (one of the three
 * blkif defines). A backend that breaks these, or does not answer
 * within REQUEST_TIMEOUT, stops the device: one console line says why
 * and every later call returns KEEL_EIO (the pages may still be in its
 * hands, so it is never given another request).
 */
#include "ring.h"

#define RING_ENTRY 112
#define MAX_RING_ORDER 2 /* 4 pages, 128 entries */
#define MAX_RING_PAGES (1u << MAX_RING_ORDER)
#define SEGMENTS 11 /* BLKIF_MAX_SEGMENTS_PER_REQUEST */
#define SLOTS 4     /* requests in flight at most, SEGMENTS pages each */
#define SECTOR 512
#define SECTORS_PER_PAGE (PAGE_SIZE / SECTOR)
#define REQUEST_TIMEOUT (30 * 1000000000ull)

#define OP_READ 0
#define OP_WRITE 1
#define OP_FLUSH_DISKCACHE 3
#define STATUS_OKAY 0
#define STATUS_ERROR (-1)
#define STATUS_EOPNOTSUPP (-2)

struct segment {
	uint32_t gref;
	uint8_t first_sect, last_sect; /* sectors within the page, inclusive */
	uint16_t pad;
};

struct request {
	uint8_t operation;
	uint8_t nr_segments;
	uint16_t handle;
	uint32_t pad;
	uint64_t id;
	uint64_t sector_number; /* 512-byte sectors, whatever the sector size */
	struct segment seg[SEGMENTS];
};

struct response {
	uint64_t id;
	uint8_t operation;
	uint8_t pad;
	int16_t status;
	uint32_t pad2;
};

union entry {
	struct request req;
	struct response rsp;
};

/* 2^order pages: the header, then ring_entries(pages) entries. */
struct ring {
	struct ring_header h;
	union entry e[];
};

_Static_assert(sizeof(struct request) == RING_ENTRY, "blkif request layout");
_Static_assert(sizeof(union entry) == RING_ENTRY, "blkif entry layout");
_Static_assert(MAX_RING_PAGES <= 10, "ring-ref0..N-1 take one digit");

/* The entries `pages` ring pages hold: as many as fit after the
 * header, rounded down to a power of two (32 for one page). */
static uint32_t ring_entries(unsigned pages)
{
	uint32_t fit = (uint32_t)(((size_t)pages * PAGE_SIZE - RING_HEADER) / RING_ENTRY);
	uint32_t n = 1;

	while (n * 2 <= fit)
		n *= 2;
	return n;
}

/* A request in flight: its id, operation, and where read data goes. */
struct slot {
	uint64_t id;
	uint8_t op;
	bool busy;
	uint8_t *buf;
	size_t len;
};

struct blk {
	struct xenbus_front x;
	volatile struct ring *ring;
	uint32_t entries; /* a power of two */
	unsigned ring_order;
	uint32_t prod, cons;
	uint8_t *pages; /* SEGMENTS pages per slot */
	uint32_t gref[SLOTS * SEGMENTS];
	struct slot slot[SLOTS];
	unsigned slots, inflight; /* slots: SLOTS, at most the ring's entries */
	uint16_t vdev;
	uint32_t port;
	uint64_t next_id;
	bool flush;
	struct kp_block_info info;
};

/* The upcall itself ends intr_wait; reap then reads the ring. */
static void blk_event(void *arg)
{
}

/* Fills a request at the producer slot with slot k's pages (len bytes,
 * a multiple of 512, at most SEGMENTS pages; none for a flush), copying
 * written data in, and takes the slot. Published by ring_push. */
static void post(struct blk *b, unsigned k, uint8_t op, uint64_t offset, uint8_t *buf, size_t len)
{
	volatile struct request *r = &b->ring->e[b->prod & (b->entries - 1)].req;
	unsigned nseg = (unsigned)((len + PAGE_SIZE - 1) / PAGE_SIZE);
	struct slot *s = &b->slot[k];
	uint8_t *pages = b->pages + (size_t)k * SEGMENTS * PAGE_SIZE;

	if (op == OP_WRITE)
		__builtin_memcpy(pages, buf, len);
	s->id = ++b->next_id;
	s->op = op;
	s->buf = buf;
	s->len = len;
	s->busy = true;
	b->inflight++;
	r->id = s->id;
	r->operation = op;
	r->handle = b->vdev;
	r->nr_segments = (uint8_t)nseg;
	r->sector_number = offset / SECTOR;
	for (unsigned i = 0; i < nseg; i++) {
		size_t in_page = len - (size_t)i * PAGE_SIZE;

		if (in_page > PAGE_SIZE)
			in_page = PAGE_SIZE;
		r->seg[i].gref = b->gref[k * SEGMENTS + i];
		r->seg[i].first_sect = 0;
		r->seg[i].last_sect = (uint8_t)(in_page / SECTOR - 1);
	}
	b->prod++;
}

/*
 * Waits for at least one response and takes every one there is, in
 * any order: each frees its slot (read data copied out when it
 * succeeded); the first failure is kept in *err (KEEL_EIO, or
 * KEEL_ENOTSUP: the backend does not do the operation). KEEL_OK, or
 * KEEL_EIO when the backend broke the protocol (the device stops).
 */
static int reap(struct blk *b, int *err)
{
	kp_time deadline = kp_clock_monotonic() + REQUEST_TIMEOUT;
	bool got = false;

	for (;;) {
		volatile struct response *r;
		struct slot *s = NULL;
		uint32_t avail;
		uint64_t id;
		uint8_t rop;
		int16_t status;
		int rc;

		if (ring_final_check(&b->x, &b->ring->h, b->cons, b->prod, &avail) < 0)
			return KEEL_EIO;
		if (avail == 0) {
			if (got)
				return KEEL_OK;
			if (kp_clock_monotonic() >= deadline)
				return ring_broken(&b->x, "did not answer a request within 30 s");
			intr_wait(deadline);
			continue;
		}
		r = &b->ring->e[b->cons & (b->entries - 1)].rsp;
		id = r->id;
		rop = r->operation;
		status = r->status;
		for (unsigned k = 0; k < b->slots; k++) {
			if (b->slot[k].busy && b->slot[k].id == id)
				s = &b->slot[k];
		}
		if (!s || rop != s->op)
			return ring_broken(&b->x, "answered a request it was not given");
		if (status == STATUS_OKAY)
			rc = KEEL_OK;
		else if (status == STATUS_EOPNOTSUPP)
			rc = KEEL_ENOTSUP;
		else if (status == STATUS_ERROR)
			rc = KEEL_EIO;
		else
			return ring_broken(&b->x, "answered with a status blkif does not define");
		b->cons++;
		s->busy = false;
		b->inflight--;
		got = true;
		if (rc == KEEL_OK && s->op == OP_READ)
			__builtin_memcpy(s->buf,
			                 b->pages + (size_t)(s - b->slot) * SEGMENTS * PAGE_SIZE,
			                 s->len);
		if (rc < 0 && *err == KEEL_OK)
			*err = rc;
	}
}

/*
 * Moves len bytes at byte offset `offset` between buf and the disk (op
 * a read or a write), or flushes (len 0): requests of at most SEGMENTS
 * pages, as many in flight as there are slots. After a failure no new
 * request is made, and the call returns once those in flight are
 * answered (their pages are the backend's until then).
 */
static int run(struct blk *b, uint8_t op, uint64_t offset, uint8_t *buf, size_t len)
{
	const size_t chunk = (size_t)SEGMENTS * PAGE_SIZE;
	bool flush = op == OP_FLUSH_DISKCACHE;
	int err = KEEL_OK;

	while (((len > 0 || flush) && err == KEEL_OK) || b->inflight > 0) {
		bool posted = false;
		int rc;

		while ((len > 0 || flush) && err == KEEL_OK && b->inflight < b->slots) {
			size_t n = len < chunk ? len : chunk;
			unsigned k = 0;

			while (b->slot[k].busy)
				k++;
			post(b, k, op, offset, buf, n);
			posted = true;
			flush = false;
			offset += n;
			buf += n;
			len -= n;
		}
		if (posted && ring_push(&b->ring->h, b->prod))
			evtchn_notify(b->port);
		rc = reap(b, &err);
		if (rc < 0)
			return rc;
	}
	return err;
}

static int rw(kp_handle handle, uint8_t op, uint64_t offset, uint8_t *buf, size_t len)
{
	struct blk *b = ring_driver(handle, KEEL_NOTE_BLOCK);
	int rc;

	if (!b || len == 0 || offset % b->info.block_size || len % b->info.block_size ||
	    offset > b->info.capacity || len > b->info.capacity - offset)
		return KEEL_EINVAL;
	if (b->x.broken)
		return KEEL_EIO;
	rc = run(b, op, offset, buf, len);
	return rc == KEEL_ENOTSUP ? KEEL_EIO : rc;
}

int kp_block_acquire(const char *name, kp_handle *handle, struct kp_block_info *info)
{
	int h = devices_find(name, KEEL_NOTE_BLOCK);

	if (h < 0)
		return KEEL_ENODEV;
	*handle = (kp_handle)h;
	*info = ((struct blk *)devices[h].driver)->info;
	return KEEL_OK;
}

int kp_block_read(kp_handle handle, uint64_t offset, void *buf, size_t len)
{
	return rw(handle, OP_READ, offset, buf, len);
}

int kp_block_write(kp_handle handle, uint64_t offset, const void *buf, size_t len)
{
	/* rw only reads from buf for a write. */
	return rw(handle, OP_WRITE, offset, (uint8_t *)(uintptr_t)buf, len);
}

int kp_block_flush(kp_handle handle)
{
	struct blk *b = ring_driver(handle, KEEL_NOTE_BLOCK);
	int rc;

	if (!b)
		return KEEL_EINVAL;
	if (b->x.broken)
		return KEEL_EIO;
	if (!b->flush)
		return KEEL_OK;
	rc = run(b, OP_FLUSH_DISKCACHE, 0, NULL, 0);
	if (rc == KEEL_ENOTSUP) {
		/* The backend withdrew the feature (its disk lost its cache). */
		b->flush = false;
		return KEEL_OK;
	}
	return rc;
}

static void write_key(struct blk *b, const char *key, const char *value)
{
	if (xenbus_write(b->x.front, key, value) < 0)
		platform_fail("block device '", b->x.name, "': cannot write ", b->x.front, "/", key,
		              NULL);
}

/* What the backend says of the disk, checked. */
static void read_disk(struct blk *b)
{
	uint64_t sectors, size = SECTOR, flush = 0;

	if (xenbus_read_u64(b->x.back, "sectors", UINT64_MAX / SECTOR, &sectors) < 0)
		platform_fail("block device '", b->x.name, "': its backend ", b->x.back,
		              "/sectors is missing or malformed", NULL);
	if (xenbus_read_u64(b->x.back, "sector-size", PAGE_SIZE, &size) == KEEL_EINVAL ||
	    size < SECTOR || (size & (size - 1)))
		platform_fail("block device '", b->x.name,
		              "': its backend's sector-size is not a "
		              "power of two from 512 to 4096",
		              NULL);
	b->info.block_size = (uint32_t)size;
	b->info.capacity = sectors * SECTOR / size * size;
	if (b->info.capacity == 0)
		platform_fail("block device '", b->x.name, "': the disk is empty", NULL);
	xenbus_read_u64(b->x.back, "feature-flush-cache", 1, &flush);
	b->flush = flush == 1;
}

/*
 * The ring order to use: 0 when the backend does not offer
 * max-ring-page-order, else what it offers, at most MAX_RING_ORDER (a
 * backend may take any order up to its maximum). A malformed value
 * stops the attach.
 */
static unsigned ring_order(struct blk *b)
{
	uint64_t order = 0;

	if (xenbus_read_u64(b->x.back, "max-ring-page-order", UINT64_MAX, &order) == KEEL_EINVAL)
		platform_fail("block device '", b->x.name, "': its backend's max-ring-page-order ",
		              "is malformed", NULL);
	return order > MAX_RING_ORDER ? MAX_RING_ORDER : (unsigned)order;
}

/* ring-ref for one page; ring-page-order and ring-ref0..N-1 for more. */
static void write_ring_refs(struct blk *b, const uint32_t *ref, unsigned pages)
{
	char key[16] = "ring-ref";
	int rc;

	if (pages == 1) {
		rc = xenbus_write_u64(b->x.front, "ring-ref", ref[0]);
	} else {
		rc = xenbus_write_u64(b->x.front, "ring-page-order", b->ring_order);
		for (unsigned i = 0; i < pages && rc == 0; i++) {
			key[8] = (char)('0' + i); /* at most 10 pages: one digit */
			key[9] = '\0';
			rc = xenbus_write_u64(b->x.front, key, ref[i]);
		}
	}
	if (rc < 0)
		platform_fail("block device '", b->x.name, "': cannot write its ring to ",
		              b->x.front, NULL);
}

void blkfront_attach(struct device *dev, kp_handle h, const char *front)
{
	struct blk *b = mem_take(sizeof(*b));
	const char *id = front + 11; /* after "device/vbd/" (devices.c) */
	uint64_t vdev;
	unsigned seen, pages;
	uint32_t ref[MAX_RING_PAGES];

	xenbus_front_init(&b->x, "block", front, dev->name);
	if (!xenbus_parse_u64(id, UINT16_MAX, &vdev))
		platform_fail("block device '", dev->name, "': ", front,
		              " does not end in a 16-bit disk number", NULL);
	b->vdev = (uint16_t)vdev;
	xenbus_wait_backend(&b->x);

	b->ring_order = ring_order(b);
	pages = 1u << b->ring_order;
	b->entries = ring_entries(pages);
	b->ring = mem_take((size_t)pages * PAGE_SIZE);
	ring_init(&b->ring->h);
	for (unsigned i = 0; i < pages; i++) {
		if (gnttab_grant(b->x.backend_id, (uintptr_t)b->ring / PAGE_SIZE + i, false,
		                 &ref[i]) < 0)
			platform_fail("block device '", dev->name, "': cannot grant its ring",
			              NULL);
	}
	b->slots = SLOTS < b->entries ? SLOTS : b->entries;
	b->pages = mem_take((size_t)SLOTS * SEGMENTS * PAGE_SIZE);
	for (unsigned i = 0; i < SLOTS * SEGMENTS; i++) {
		if (gnttab_grant(b->x.backend_id,
		                 (uintptr_t)(b->pages + (size_t)i * PAGE_SIZE) / PAGE_SIZE, false,
		                 &b->gref[i]) < 0)
			platform_fail("block device '", dev->name, "': cannot grant its pages",
			              NULL);
	}
	if (evtchn_alloc(b->x.backend_id, blk_event, b, &b->port) < 0)
		platform_fail("block device '", dev->name,
		              "': Xen would not give it an event channel", NULL);
	write_ring_refs(b, ref, pages);
	if (xenbus_write_u64(b->x.front, "event-channel", b->port) < 0)
		platform_fail("block device '", dev->name, "': cannot write to ", front, NULL);
	write_key(b, "protocol", "x86_64-abi");
	if (xenbus_write_u64(b->x.front, "state", XENBUS_STATE_INITIALISED) < 0)
		platform_fail("block device '", dev->name, "': cannot write ", front, "/state",
		              NULL);
	if (xenbus_wait_state(b->x.back, XENBUS_STATE_CONNECTED, XENBUS_WAIT_NS, &seen) < 0)
		platform_fail("block device '", dev->name, "': its backend ", b->x.back,
		              " did not connect (state ", xenbus_state_name(seen), ")", NULL);
	read_disk(b);
	if (xenbus_write_u64(b->x.front, "state", XENBUS_STATE_CONNECTED) < 0)
		platform_fail("block device '", dev->name, "': cannot write ", front, "/state",
		              NULL);
	dev->driver = b;
}
