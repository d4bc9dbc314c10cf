/*
 * virtio.c — what every virtio device has in common, over any transport
 * (virtio_mmio.c, virtio_pci.c): the start-up handshake and
 * split virtqueues. Finding the devices and routing their interrupts is
 * each platform's (its virtio_find.c and virtio_irq.c); the order it
 * finds them in is the order devices.c matches them to the manifest in.
 *
 * Queues use the split layout of virtio 1.x, 2.7, laid out as legacy
 * devices require (descriptors, driver ring, then the device ring on the
 * next page), which modern devices accept as well. Queue memory and
 * buffers come from mem_take(): identity-mapped RAM, so an address the
 * CPU uses is the address the device is given.
 *
 * Interrupt handlers run only while the platform sleeps for a device or
 * a deadline (its yield.c), at a known point; they acknowledge the
 * device and call the driver's callback, which only records what
 * happened.
 */
#include "platform_impl.h"

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 128

#define RESET_TIMEOUT (1000 * 1000 * 1000ull) /* ns */
#define WAIT_SLICE (10 * 1000 * 1000ull)      /* ns */

struct virtio_dev virtio_devs[VIRTIO_DEV_MAX];
unsigned virtio_ndevs;

struct virtio_dev *virtio_found(void)
{
	if (virtio_ndevs == VIRTIO_DEV_MAX) {
		print_str("keel: warning: too many virtio devices; ignoring the rest\n");
		return NULL;
	}
	return &virtio_devs[virtio_ndevs++];
}

void virtio_fail(struct virtio_dev *d, const char *what)
{
	d->ops->set_status(d, STATUS_FAILED);
	platform_fail(d->where, ": ", what, NULL);
}

uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
	kp_time deadline = kp_clock_monotonic() + RESET_TIMEOUT;
	uint64_t offered, accepted;

	/* Reset: the device reads back 0 once it is done. */
	d->ops->set_status(d, 0);
	while (d->ops->status(d) != 0) {
		if (kp_clock_monotonic() >= deadline)
			virtio_fail(d, "the device does not reset");
		cpu_relax();
	}
	d->ops->set_status(d, STATUS_ACKNOWLEDGE);
	d->ops->set_status(d, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	offered = d->ops->features(d);
	if (d->legacy) {
		accepted = offered & wanted & 0xffffffffu;
		d->ops->set_features(d, accepted);
		return accepted;
	}
	if (!(offered & VIRTIO_F_VERSION_1))
		virtio_fail(d, "a modern transport without VIRTIO_F_VERSION_1");
	accepted = (offered & wanted) | VIRTIO_F_VERSION_1;
	d->ops->set_features(d, accepted);
	d->ops->set_status(d, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
	if (!(d->ops->status(d) & STATUS_FEATURES_OK))
		virtio_fail(d, "the device did not accept the features negotiated");
	return accepted;
}

void virtio_ready(struct virtio_dev *d)
{
	uint8_t status = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK;

	if (!d->legacy)
		status |= STATUS_FEATURES_OK;
	d->ops->set_status(d, status);
}

/* Bytes of a queue of `size` entries in the legacy layout: descriptors
 * and driver ring, then the device ring on a page boundary. */
static size_t ring_offset_used(unsigned size)
{
	size_t driver_end = 16 * (size_t)size + 6 + 2 * (size_t)size;

	return (driver_end + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
}

void virtio_queue(struct virtio_dev *d, struct virtq *vq, unsigned index, unsigned size,
                  bool interrupts)
{
	unsigned max = d->ops->queue_max(d, index);
	uint8_t *mem;

	if (max == 0)
		virtio_fail(d, "a queue the driver needs is missing");
	if (size > max)
		size = max;
	/* Split queues are a power of two (legacy ones must be). */
	while (size & (size - 1))
		size &= size - 1;
	mem = mem_take(ring_offset_used(size) + 6 + 8 * (size_t)size);
	vq->dev = d;
	vq->index = (uint16_t)index;
	vq->size = (uint16_t)size;
	vq->desc = (volatile struct virtq_desc *)mem;
	vq->avail = (volatile struct virtq_avail *)(mem + 16 * (size_t)size);
	vq->used = (volatile struct virtq_used *)(mem + ring_offset_used(size));
	vq->next_avail = 0;
	vq->next_used = 0;
	if (!interrupts)
		vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	if (!d->ops->queue_start(d, vq, interrupts))
		virtio_fail(d, "the device refused a queue");
}

uint32_t virtio_config32(struct virtio_dev *d, unsigned off)
{
	return d->ops->config(d, off, 4);
}

uint64_t virtio_config64(struct virtio_dev *d, unsigned off)
{
	uint32_t gen, lo, hi;

	/* The two halves must come from the same version of the field. */
	do {
		gen = d->ops->config_generation(d);
		lo = d->ops->config(d, off, 4);
		hi = d->ops->config(d, off + 4, 4);
	} while (gen != d->ops->config_generation(d));
	return (uint64_t)hi << 32 | lo;
}

void virtq_push(struct virtq *vq, uint16_t head)
{
	vq->avail->ring[vq->next_avail & (vq->size - 1)] = head;
	vq->next_avail++;
	/* The entry (and the descriptors) before the index that shows it. */
	cpu_wmb();
	vq->avail->idx = vq->next_avail;
}

void virtq_kick(struct virtq *vq)
{
	/* The index store must be visible before the flag is read, or the
	 * device could go idle between the two unnotified. */
	cpu_mb();
	if (!(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		vq->dev->ops->notify(vq->dev, vq);
}

bool virtq_has_used(const struct virtq *vq)
{
	return vq->used->idx != vq->next_used;
}

struct virtq_used_elem virtq_take(struct virtq *vq)
{
	struct virtq_used_elem e;

	/* The entry is read after the index that showed it. */
	cpu_rmb();
	e.id = vq->used->ring[vq->next_used & (vq->size - 1)].id;
	e.len = vq->used->ring[vq->next_used & (vq->size - 1)].len;
	vq->next_used++;
	return e;
}

bool virtq_wait(struct virtq *vq, kp_time timeout)
{
	kp_time deadline = kp_clock_monotonic() + timeout;

	while (!virtq_has_used(vq)) {
		kp_time now = kp_clock_monotonic();

		if (now >= deadline)
			return false;
		/* Woken by the queue's interrupt; the timer only bounds the
		 * wait, should the interrupt be wired elsewhere than the
		 * platform believes (a slower call, not a hang). */
		intr_wait(deadline - now > WAIT_SLICE ? now + WAIT_SLICE : deadline);
	}
	return true;
}
