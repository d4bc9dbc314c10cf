/*
 * blkfront.c — kp_block_* on a Xen virtual disk (Xen's public
 * io/blkif.h and io/ring.h): the front half of the split block driver,
 * whose back half (blkback) runs in the backend's domain.
 *
 * A shared ring and SEGMENTS data pages, all granted to the backend
 * for good when the device starts. The ring is one page, or 2^order
 * pages (order at most MAX_RING_ORDER) when the backend offers
 * max-ring-page-order: then ring-page-order and ring-ref0..N-1 are
 * written instead of ring-ref, and the entries are what the pages hold
 * (a power of two, as io/ring.h sizes them). One request at a time,
 * synchronously: a transfer is cut into requests of at most SEGMENTS
 * pages (BLKIF_MAX_SEGMENTS_PER_REQUEST, 44 KiB), each page one segment
 * of whole 512-byte sectors; written data is copied into the pages
 * first, read data out of them after. The call sleeps (intr_wait)
 * until the backend answers, woken by the event channel.
 *
 * Flush: BLKIF_OP_FLUSH_DISKCACHE when the backend offers
 * feature-flush-cache; without it the backend has no volatile cache
 * and kp_block_flush succeeds at once.
 *
 * Everything the backend writes is checked: its disk size (sectors, a
 * sector size that is a power of two from 512 to 4096), its ring order
 * (malformed stops the attach; above MAX_RING_ORDER, clamped), the response
 * producer (never ahead of the one request made), the response's id
 * and operation (those of the request), its status (one of the three
 * blkif defines). A backend that breaks these, or does not answer
 * within REQUEST_TIMEOUT, stops the device: one console line says why
 * and every later call returns KEEL_EIO (the pages may still be in its
 * hands, so it is never given another request).
 */
#include "xen_impl.h"

#define RING_HEADER 64
#define RING_ENTRY 112
#define MAX_RING_ORDER 2 /* 4 pages, 128 entries */
#define MAX_RING_PAGES (1u << MAX_RING_ORDER)
#define SEGMENTS 11     /* BLKIF_MAX_SEGMENTS_PER_REQUEST */
#define SECTOR 512
#define SECTORS_PER_PAGE (PAGE_SIZE / SECTOR)
#define REQUEST_TIMEOUT (30 * 1000000000ull)

#define OP_READ 0
#define OP_WRITE 1
#define OP_FLUSH_DISKCACHE 3
#define STATUS_OKAY 0
#define STATUS_ERROR (-1)
#define STATUS_EOPNOTSUPP (-2)

struct ring_header {
	uint32_t req_prod, req_event;
	uint32_t rsp_prod, rsp_event;
	uint8_t pad[RING_HEADER - 16];
};

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
_Static_assert(sizeof(struct ring_header) == RING_HEADER, "ring header layout");

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

struct blk {
	struct xenbus_front x;
	volatile struct ring *ring;
	uint32_t entries; /* a power of two */
	unsigned ring_order;
	uint32_t prod, cons;
	uint8_t *pages;
	uint32_t gref[SEGMENTS];
	uint16_t vdev;
	uint32_t port;
	uint64_t next_id;
	bool broken, flush;
	struct kp_block_info info;
};

static struct blk *lookup(kp_handle h)
{
	if (h >= devices_count || devices[h].kind != KEEL_NOTE_BLOCK)
		return NULL;
	return devices[h].driver;
}

static int broken(struct blk *b, const char *why)
{
	if (!b->broken) {
		print_str("keel: block device '");
		print_str(b->x.name);
		print_str("': its backend ");
		print_str(why);
		print_str("; the device is stopped\n");
		b->broken = true;
	}
	return KEEL_EIO;
}

/* The upcall itself ends intr_wait; submit then reads the ring. */
static void blk_event(void *arg)
{
}

/*
 * Sends the request the caller filled at the producer slot and waits for
 * its answer. KEEL_OK, KEEL_EIO (an error status, or a broken backend),
 * KEEL_ENOTSUP (the backend does not do this operation).
 */
static int submit(struct blk *b, uint8_t op)
{
	volatile struct request *r = &b->ring->e[b->prod & (b->entries - 1)].req;
	kp_time deadline = kp_clock_monotonic() + REQUEST_TIMEOUT;
	uint64_t id = ++b->next_id;
	uint32_t old = b->ring->h.req_prod;

	r->id = id;
	r->operation = op;
	r->handle = b->vdev;
	b->prod++;
	cpu_wmb();
	b->ring->h.req_prod = b->prod;
	cpu_mb();
	if ((uint32_t)(b->prod - b->ring->h.req_event) < (uint32_t)(b->prod - old))
		evtchn_notify(b->port);
	for (;;) {
		uint32_t prod = b->ring->h.rsp_prod;
		volatile struct response *s;
		uint8_t rop;
		int16_t status;

		cpu_rmb();
		if ((uint32_t)(prod - b->cons) > (uint32_t)(b->prod - b->cons))
			return broken(b, "published more responses than there were requests");
		if (prod == b->cons) {
			b->ring->h.rsp_event = b->cons + 1;
			cpu_mb();
			if (b->ring->h.rsp_prod != b->cons)
				continue;
			if (kp_clock_monotonic() >= deadline)
				return broken(b, "did not answer a request within 30 s");
			intr_wait(deadline);
			continue;
		}
		s = &b->ring->e[b->cons & (b->entries - 1)].rsp;
		rop = s->operation;
		status = s->status;
		if (s->id != id || rop != op)
			return broken(b, "answered a request it was not given");
		b->cons++;
		if (status == STATUS_OKAY)
			return KEEL_OK;
		if (status == STATUS_EOPNOTSUPP)
			return KEEL_ENOTSUP;
		if (status == STATUS_ERROR)
			return KEEL_EIO;
		return broken(b, "answered with a status blkif does not define");
	}
}

/* Moves len bytes (a multiple of 512, at most SEGMENTS pages) at byte
 * offset `offset` between buf and the disk. */
static int transfer(struct blk *b, uint8_t op, uint64_t offset, uint8_t *buf, size_t len)
{
	volatile struct request *r = &b->ring->e[b->prod & (b->entries - 1)].req;
	unsigned nseg = (unsigned)((len + PAGE_SIZE - 1) / PAGE_SIZE);
	int rc;

	if (op == OP_WRITE)
		__builtin_memcpy(b->pages, buf, len);
	r->nr_segments = (uint8_t)nseg;
	r->sector_number = offset / SECTOR;
	for (unsigned i = 0; i < nseg; i++) {
		size_t in_page = len - (size_t)i * PAGE_SIZE;

		if (in_page > PAGE_SIZE)
			in_page = PAGE_SIZE;
		r->seg[i].gref = b->gref[i];
		r->seg[i].first_sect = 0;
		r->seg[i].last_sect = (uint8_t)(in_page / SECTOR - 1);
	}
	rc = submit(b, op);
	if (rc == KEEL_OK && op == OP_READ)
		__builtin_memcpy(buf, b->pages, len);
	return rc == KEEL_ENOTSUP ? KEEL_EIO : rc;
}

static int rw(kp_handle handle, uint8_t op, uint64_t offset, uint8_t *buf, size_t len)
{
	struct blk *b = lookup(handle);
	const size_t chunk = (size_t)SEGMENTS * PAGE_SIZE;

	if (!b || len == 0 || offset % b->info.block_size || len % b->info.block_size ||
	    offset > b->info.capacity || len > b->info.capacity - offset)
		return KEEL_EINVAL;
	if (b->broken)
		return KEEL_EIO;
	while (len > 0) {
		size_t k = len < chunk ? len : chunk;
		int rc = transfer(b, op, offset, buf, k);

		if (rc < 0)
			return rc;
		offset += k;
		buf += k;
		len -= k;
	}
	return KEEL_OK;
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
	struct blk *b = lookup(handle);
	int rc;

	if (!b)
		return KEEL_EINVAL;
	if (b->broken)
		return KEEL_EIO;
	if (!b->flush)
		return KEEL_OK;
	b->ring->e[b->prod & (b->entries - 1)].req.nr_segments = 0;
	b->ring->e[b->prod & (b->entries - 1)].req.sector_number = 0;
	rc = submit(b, OP_FLUSH_DISKCACHE);
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
	b->ring->h.req_event = b->ring->h.rsp_event = 1;
	for (unsigned i = 0; i < pages; i++) {
		if (gnttab_grant(b->x.backend_id, (uintptr_t)b->ring / PAGE_SIZE + i, false,
		                 &ref[i]) < 0)
			platform_fail("block device '", dev->name, "': cannot grant its ring",
			              NULL);
	}
	b->pages = mem_take((size_t)SEGMENTS * PAGE_SIZE);
	for (unsigned i = 0; i < SEGMENTS; i++) {
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
