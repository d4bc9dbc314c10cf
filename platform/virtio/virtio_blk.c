/*
 * virtio_blk.c — kp_block_* on a virtio-blk device (virtio 1.x, 5.2).
 *
 * Each request goes to the device as a chain of three descriptors
 * (header, the caller's buffer, status byte); the caller's buffer is
 * given to the device as it is (memory is identity-mapped), so data is
 * never copied. A transfer is cut into requests of at most MAX_CHUNK
 * bytes (or the device's size_max) and as many of them as the queue has
 * slots for (SLOTS_MAX; four descriptors each) are in the device's hands
 * at once, so it can work on them in parallel; the call sleeps (the
 * platform's intr_wait) until they come back, woken by the queue's
 * interrupt, and puts the next ones in as slots free. The calls stay
 * synchronous (platform.h): when one returns, all of its requests are
 * done. A request that fails stops the transfer: no more are started,
 * those in flight are waited for, and the call returns KEEL_EIO.
 *
 * A device that does not answer within REQUEST_TIMEOUT is taken as
 * broken: that call and every later one return KEEL_EIO. (Requests may
 * still be in its hands, so it is never given another.) So is one that
 * hands back a descriptor it was not given.
 *
 * Features: FLUSH (kp_block_flush sends a flush request; without it the
 * device has no volatile cache to flush and the call succeeds at once),
 * BLK_SIZE (a logical block size above 512 becomes block_size), SIZE_MAX,
 * RO (writes then fail with KEEL_EIO).
 */
#include "platform_impl.h"

#define BLK_F_SIZE_MAX (1ull << 1)
#define BLK_F_RO (1ull << 5)
#define BLK_F_BLK_SIZE (1ull << 6)
#define BLK_F_FLUSH (1ull << 9)

#define CFG_CAPACITY 0 /* 512-byte sectors */
#define CFG_SIZE_MAX 8
#define CFG_BLK_SIZE 20

#define REQ_IN 0
#define REQ_OUT 1
#define REQ_FLUSH 4
#define STATUS_OK 0

#define SECTOR 512
/* Request slot i owns descriptors 4i..4i+2 (the fourth is unused, so the
 * slot is found from the chain's head by a shift). */
#define DESC_PER_SLOT 4
#define SLOTS_MAX 16
#define ENTRIES (SLOTS_MAX * DESC_PER_SLOT)
#define MAX_CHUNK (128u << 10)
#define REQUEST_TIMEOUT (30 * 1000000000ull) /* ns */

struct blk_request {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status; /* written by the device */
};

struct blk {
	struct virtq vq;
	struct blk_request *req; /* one per slot */
	unsigned slots;          /* usable slots: the queue's size / DESC_PER_SLOT */
	uint32_t busy;           /* bit i: slot i is in the device's hands */
	uint64_t capacity;
	uint32_t block_size;
	uint32_t chunk; /* bytes per request at most, a multiple of block_size */
	bool flush, read_only, broken;
};

static struct blk *lookup(kp_handle h)
{
	if (h >= devices_count || devices[h].kind != KEEL_NOTE_BLOCK)
		return NULL;
	return devices[h].driver;
}

/* The handler has nothing to record: the waiting call looks at the
 * queue itself. */
static void blk_interrupt(struct virtio_dev *d, void *arg)
{
}

/* Puts one request in free slot `slot`; `data` may be NULL (flush).
 * The device is not notified yet (start() does, once for all). */
static void submit(struct blk *b, unsigned slot, uint32_t type, uint64_t sector, void *data,
                   uint32_t len)
{
	uint16_t head = (uint16_t)(slot * DESC_PER_SLOT);
	volatile struct virtq_desc *desc = b->vq.desc + head;
	struct blk_request *req = &b->req[slot];

	req->type = type;
	req->reserved = 0;
	req->sector = sector;
	req->status = 0xff;
	desc[0].addr = (uintptr_t)req;
	desc[0].len = 16;
	desc[0].flags = VIRTQ_DESC_F_NEXT;
	desc[0].next = (uint16_t)(head + (data ? 1 : 2));
	if (data) {
		desc[1].addr = (uintptr_t)data;
		desc[1].len = len;
		desc[1].flags = VIRTQ_DESC_F_NEXT | (type == REQ_IN ? VIRTQ_DESC_F_WRITE : 0);
		desc[1].next = (uint16_t)(head + 2);
	}
	desc[2].addr = (uintptr_t)&req->status;
	desc[2].len = 1;
	desc[2].flags = VIRTQ_DESC_F_WRITE;
	b->busy |= 1u << slot;
	virtq_push(&b->vq, head);
}

/* Sleeps until the device hands back at least one request and takes
 * all it has handed back. KEEL_OK, KEEL_EIO when one of them failed, or
 * KEEL_EIO with the device marked broken (silence, a bad descriptor). */
static int reap(struct blk *b)
{
	int err = KEEL_OK;

	if (!virtq_wait(&b->vq, REQUEST_TIMEOUT)) {
		b->broken = true;
		return KEEL_EIO;
	}
	while (virtq_has_used(&b->vq)) {
		struct virtq_used_elem e = virtq_take(&b->vq);
		uint32_t slot = e.id / DESC_PER_SLOT;

		if (e.id % DESC_PER_SLOT || slot >= b->slots || !(b->busy & (1u << slot))) {
			b->broken = true;
			return KEEL_EIO;
		}
		b->busy &= ~(1u << slot);
		cpu_rmb();
		if (b->req[slot].status != STATUS_OK)
			err = KEEL_EIO;
	}
	return err;
}

/* The lowest free slot; b->busy must not be full. */
static unsigned free_slot(const struct blk *b)
{
	unsigned i = 0;

	while (b->busy & (1u << i))
		i++;
	return i;
}

/* `len` bytes from `sector` on as requests of at most b->chunk bytes,
 * up to b->slots of them in flight; returns when all are back. */
static int transfer_chunks(struct blk *b, uint32_t type, uint64_t sector, uint8_t *p, size_t len)
{
	uint32_t all = (1u << b->slots) - 1; /* slots <= SLOTS_MAX < 32 */
	int err = KEEL_OK;

	if (b->broken)
		return KEEL_EIO;
	while (len > 0 || b->busy) {
		bool pushed = false;

		while (len > 0 && err == KEEL_OK && b->busy != all) {
			uint32_t n = len < b->chunk ? (uint32_t)len : b->chunk;

			submit(b, free_slot(b), type, sector, p, n);
			pushed = true;
			p += n;
			sector += n / SECTOR;
			len -= n;
		}
		if (pushed)
			virtq_kick(&b->vq);
		if (!b->busy)
			break;
		int r = reap(b);

		if (r != KEEL_OK) {
			if (b->broken)
				return KEEL_EIO;
			err = r;
			len = 0; /* start nothing more; wait for what is out */
		}
	}
	return err;
}

static int transfer(kp_handle handle, uint32_t type, uint64_t offset, void *buf, size_t len)
{
	struct blk *b = lookup(handle);

	if (!b || len == 0 || (offset | len) & (b->block_size - 1) || offset > b->capacity ||
	    len > b->capacity - offset)
		return KEEL_EINVAL;
	if (type == REQ_OUT && b->read_only)
		return KEEL_EIO;
	return transfer_chunks(b, type, offset / SECTOR, buf, len);
}

int kp_block_acquire(const char *name, kp_handle *handle, struct kp_block_info *info)
{
	int h = devices_find(name, KEEL_NOTE_BLOCK);
	const struct blk *b;

	if (h < 0)
		return KEEL_ENODEV;
	b = devices[h].driver;
	*handle = (kp_handle)h;
	info->capacity = b->capacity;
	info->block_size = b->block_size;
	return KEEL_OK;
}

int kp_block_read(kp_handle handle, uint64_t offset, void *buf, size_t len)
{
	return transfer(handle, REQ_IN, offset, buf, len);
}

int kp_block_write(kp_handle handle, uint64_t offset, const void *buf, size_t len)
{
	/* The device only reads the buffer of a write request. */
	return transfer(handle, REQ_OUT, offset, (void *)(uintptr_t)buf, len);
}

int kp_block_flush(kp_handle handle)
{
	struct blk *b = lookup(handle);

	if (!b)
		return KEEL_EINVAL;
	if (!b->flush)
		return b->broken ? KEEL_EIO : KEEL_OK;
	if (b->broken)
		return KEEL_EIO;
	/* Every write has come back before its call returned, so the flush
	 * covers all of them. */
	submit(b, 0, REQ_FLUSH, 0, NULL, 0);
	virtq_kick(&b->vq);
	return reap(b);
}

void virtio_blk_attach(struct device *dev, kp_handle h)
{
	struct virtio_dev *d = dev->vdev;
	struct blk *b = mem_take(sizeof(*b) + SLOTS_MAX * sizeof(struct blk_request));
	uint64_t f = virtio_negotiate(d, BLK_F_SIZE_MAX | BLK_F_RO | BLK_F_BLK_SIZE | BLK_F_FLUSH);
	uint64_t sectors = virtio_config64(d, CFG_CAPACITY);

	b->req = (struct blk_request *)(b + 1);
	b->block_size = SECTOR;
	if (f & BLK_F_BLK_SIZE) {
		uint32_t size = virtio_config32(d, CFG_BLK_SIZE);

		if (size > SECTOR && size <= 65536 && !(size & (size - 1)))
			b->block_size = size;
	}
	b->chunk = MAX_CHUNK;
	if (f & BLK_F_SIZE_MAX) {
		uint32_t max = virtio_config32(d, CFG_SIZE_MAX);

		if (max >= b->block_size && max < b->chunk)
			b->chunk = max & ~(b->block_size - 1);
	}
	b->capacity = sectors > UINT64_MAX / SECTOR ? 0 : sectors * SECTOR;
	b->capacity &= ~(uint64_t)(b->block_size - 1);
	b->flush = f & BLK_F_FLUSH;
	b->read_only = f & BLK_F_RO;

	virtio_irq(d, blk_interrupt, b);
	virtio_queue(d, &b->vq, 0, ENTRIES, true);
	if (b->vq.size < DESC_PER_SLOT)
		virtio_fail(d, "its queue is too small for a request (3 descriptors)");
	b->slots = b->vq.size / DESC_PER_SLOT;
	virtio_ready(d);
	dev->driver = b;
}
