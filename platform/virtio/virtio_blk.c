/*
 * virtio_blk.c — kp_block_* on a virtio-blk device (virtio 1.x, 5.2).
 *
 * One request at a time, synchronously: the request goes to the device
 * as a chain of three descriptors (header, the caller's buffer, status
 * byte) and the call sleeps (the platform's intr_wait) until the device hands it back,
 * woken by the queue's interrupt. The caller's buffer is given to the
 * device as it is (memory is identity-mapped), so data is never copied.
 * Transfers larger than MAX_CHUNK (or than the device's size_max) are
 * split into several requests, one after the other.
 *
 * A device that does not answer within REQUEST_TIMEOUT is taken as
 * broken: that call and every later one return KEEL_EIO. (The request
 * may still be in its hands, so it is never given another.)
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
#define ENTRIES 8
#define MAX_CHUNK (256u << 10)
#define REQUEST_TIMEOUT (30 * 1000000000ull) /* ns */

struct blk_request {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status; /* written by the device */
};

struct blk {
	struct virtq vq;
	struct blk_request *req;
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

/* One request; `data` may be NULL (flush). */
static int request(struct blk *b, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	volatile struct virtq_desc *desc = b->vq.desc;

	if (b->broken)
		return KEEL_EIO;
	b->req->type = type;
	b->req->reserved = 0;
	b->req->sector = sector;
	b->req->status = 0xff;
	desc[0].addr = (uintptr_t)b->req;
	desc[0].len = 16;
	desc[0].flags = VIRTQ_DESC_F_NEXT;
	desc[0].next = data ? 1 : 2;
	if (data) {
		desc[1].addr = (uintptr_t)data;
		desc[1].len = len;
		desc[1].flags = VIRTQ_DESC_F_NEXT | (type == REQ_IN ? VIRTQ_DESC_F_WRITE : 0);
		desc[1].next = 2;
	}
	desc[2].addr = (uintptr_t)&b->req->status;
	desc[2].len = 1;
	desc[2].flags = VIRTQ_DESC_F_WRITE;
	virtq_push(&b->vq, 0);
	virtq_kick(&b->vq);
	if (!virtq_wait(&b->vq, REQUEST_TIMEOUT)) {
		b->broken = true;
		return KEEL_EIO;
	}
	while (virtq_has_used(&b->vq))
		virtq_take(&b->vq);
	cpu_rmb();
	return b->req->status == STATUS_OK ? KEEL_OK : KEEL_EIO;
}

static int transfer(kp_handle handle, uint32_t type, uint64_t offset, void *buf, size_t len)
{
	struct blk *b = lookup(handle);
	uint8_t *p = buf;

	if (!b || len == 0 || (offset | len) & (b->block_size - 1) || offset > b->capacity ||
	    len > b->capacity - offset)
		return KEEL_EINVAL;
	if (type == REQ_OUT && b->read_only)
		return KEEL_EIO;
	while (len > 0) {
		uint32_t n = len < b->chunk ? (uint32_t)len : b->chunk;
		int err = request(b, type, offset / SECTOR, p, n);

		if (err != KEEL_OK)
			return err;
		p += n;
		offset += n;
		len -= n;
	}
	return KEEL_OK;
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
	return request(b, REQ_FLUSH, 0, NULL, 0);
}

void virtio_blk_attach(struct device *dev, kp_handle h)
{
	struct virtio_dev *d = dev->vdev;
	struct blk *b = mem_take(sizeof(*b) + sizeof(struct blk_request));
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
	if (b->vq.size < 4)
		virtio_fail(d, "its queue is too small for a request (3 descriptors)");
	virtio_ready(d);
	dev->driver = b;
}
