/*
 * virtio_rng.c — entropy from a virtio-rng device (virtio 1.x, 5.4), for
 * kp_random (random.c), which mixes it with the CPU's generator.
 *
 * The device fills buffers the driver gives it with random bytes from
 * the host (QEMU: the host's /dev/urandom). The caller's buffer is given
 * as it is (memory is identity-mapped), one request at a time, and the
 * call sleeps (the platform's intr_wait) until the device answers. It may answer with fewer
 * bytes than asked; the rest is asked for again. A device that does not
 * answer within REQUEST_TIMEOUT, or keeps answering with nothing, is
 * taken as broken and not used again.
 */
#include "platform_impl.h"

#define ENTRIES 4
#define REQUEST_MAX (64u << 10)
#define EMPTY_MAX 16                        /* empty answers in a row before giving up */
#define REQUEST_TIMEOUT (5 * 1000000000ull) /* ns */

static struct {
	struct virtq vq;
	bool ready, broken;
} rng;

static void rng_interrupt(struct virtio_dev *d, void *arg)
{
}

bool virtio_rng_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	unsigned empty = 0;

	while (len > 0) {
		uint32_t n = len < REQUEST_MAX ? (uint32_t)len : REQUEST_MAX;
		struct virtq_used_elem e;

		if (!rng.ready || rng.broken)
			return false;
		rng.vq.desc[0].addr = (uintptr_t)p;
		rng.vq.desc[0].len = n;
		rng.vq.desc[0].flags = VIRTQ_DESC_F_WRITE;
		virtq_push(&rng.vq, 0);
		virtq_kick(&rng.vq);
		if (!virtq_wait(&rng.vq, REQUEST_TIMEOUT)) {
			rng.broken = true;
			return false;
		}
		e = virtq_take(&rng.vq);
		cpu_rmb();
		if (e.len > n)
			e.len = n;
		if (e.len == 0 && ++empty == EMPTY_MAX) {
			rng.broken = true;
			return false;
		}
		if (e.len)
			empty = 0;
		p += e.len;
		len -= e.len;
	}
	return true;
}

void virtio_rng_attach(struct virtio_dev *d)
{
	virtio_negotiate(d, 0);
	virtio_irq(d, rng_interrupt, NULL);
	virtio_queue(d, &rng.vq, 0, ENTRIES, true);
	virtio_ready(d);
	rng.ready = true;
}
