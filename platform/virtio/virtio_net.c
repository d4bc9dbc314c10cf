/*
 * virtio_net.c — kp_net_* on a virtio-net device (virtio 1.x, 5.1).
 *
 * One receive queue, kept full: each of its descriptors owns one 2 KiB
 * buffer for good, holding the virtio-net header and a whole frame (no
 * mergeable buffers: an MTU of 1500 fits). kp_net_read copies the frame
 * out and gives the buffer straight back. One transmit queue, likewise
 * with a buffer per descriptor: kp_net_write copies the frame in behind a
 * zeroed header; buffers the device is done with are taken back on the
 * next write. So a frame is copied once each way, and nothing is
 * allocated after boot.
 *
 * Notifications: the device is told about new buffers only when it asks
 * to be (VIRTQ_USED_F_NO_NOTIFY clear), so a burst of frames costs one
 * notification or none. Transmit completions raise no interrupt. Receive
 * interrupts are switched off (VIRTQ_AVAIL_F_NO_INTERRUPT) from the
 * interrupt that says frames are waiting until a kp_net_read finds the
 * queue empty; meanwhile the handle's bit stays in intr_ready, so
 * kp_yield reports it even when the reader stopped before the queue was
 * empty (lib/net reads at most 64 frames per wake-up).
 *
 * Features: VERSION_1 (modern), MAC (the device's address; else a random
 * locally administered one), MTU (a smaller MTU the device states is
 * used); ANY_LAYOUT on legacy devices. No checksum or segmentation
 * offload is negotiated: platform.h has no way to tell the stack that a
 * frame's checksum was not verified, or to ask the device to compute one,
 * so every frame in and out carries complete checksums.
 */
#include "platform_impl.h"

#define NET_F_MTU (1ull << 3)
#define NET_F_MAC (1ull << 5)

#define CFG_MAC 0
#define CFG_MTU 10

#define QUEUE_RX 0
#define QUEUE_TX 1
#define RX_ENTRIES 256
#define TX_ENTRIES 256
#define BUF_SIZE 2048

#define ETH_HEADER 14
#define MTU 1500
#define MTU_MIN 68 /* IPv4's minimum */

/* The header is 12 bytes with VERSION_1 (num_buffers always there),
 * 10 on a legacy device without mergeable buffers. */
#define HDR_MODERN 12
#define HDR_LEGACY 10

struct net {
	struct virtq rx, tx;
	uint8_t *rx_bufs, *tx_bufs;
	kp_handle_set bit; /* the handle, as a set */
	unsigned hdr_len;
	struct kp_net_info info;
	unsigned tx_nfree;
	uint16_t tx_free[TX_ENTRIES]; /* descriptors not in the device's hands */
};

static struct net *lookup(kp_handle h)
{
	if (h >= devices_count || devices[h].kind != KEEL_NOTE_NET)
		return NULL;
	return devices[h].driver;
}

/* Frames are waiting: no more interrupts until they are read. */
static void rx_interrupt(struct virtio_dev *d, void *arg)
{
	struct net *n = arg;

	n->rx.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	intr_ready |= n->bit;
}

/*
 * After a read: while frames wait, keep the handle ready; once the queue
 * is empty, turn interrupts back on and look again, since a frame that
 * came in before they were on raised none. true: frames are waiting.
 */
static bool rx_pending(struct net *n)
{
	if (!virtq_has_used(&n->rx)) {
		n->rx.avail->flags = 0;
		cpu_mb();
		if (!virtq_has_used(&n->rx)) {
			intr_ready &= ~n->bit;
			return false;
		}
	}
	intr_ready |= n->bit;
	return true;
}

int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info)
{
	int h = devices_find(name, KEEL_NOTE_NET);

	if (h < 0)
		return KEEL_ENODEV;
	*handle = (kp_handle)h;
	*info = ((struct net *)devices[h].driver)->info;
	return KEEL_OK;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	struct net *n = lookup(handle);

	if (!n || size < n->info.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	while (rx_pending(n)) {
		struct virtq_used_elem e = virtq_take(&n->rx);
		const uint8_t *frame;
		size_t frame_len;
		bool good;

		if (e.id >= n->rx.size)
			continue; /* not a buffer of ours: nothing to give back */
		frame = n->rx_bufs + (size_t)e.id * BUF_SIZE + n->hdr_len;
		frame_len = e.len - n->hdr_len;
		good = e.len >= n->hdr_len + ETH_HEADER && frame_len <= n->info.mtu + ETH_HEADER;
		if (good)
			__builtin_memcpy(buf, frame, frame_len);
		virtq_push(&n->rx, (uint16_t)e.id);
		virtq_kick(&n->rx);
		if (good) {
			*len = frame_len;
			rx_pending(n);
			return KEEL_OK;
		}
	}
	return KEEL_EAGAIN;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	struct net *n = lookup(handle);
	uint16_t id;
	uint8_t *p;

	if (!n || len < ETH_HEADER || len > n->info.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	while (virtq_has_used(&n->tx)) {
		struct virtq_used_elem e = virtq_take(&n->tx);

		if (e.id < n->tx.size && n->tx_nfree < n->tx.size)
			n->tx_free[n->tx_nfree++] = (uint16_t)e.id;
	}
	if (n->tx_nfree == 0)
		return KEEL_EAGAIN; /* the device is behind: dropped, as on a wire */
	id = n->tx_free[--n->tx_nfree];
	p = n->tx_bufs + (size_t)id * BUF_SIZE;
	__builtin_memset(p, 0, n->hdr_len);
	__builtin_memcpy(p + n->hdr_len, buf, len);
	n->tx.desc[id].len = (uint32_t)(n->hdr_len + len);
	virtq_push(&n->tx, id);
	virtq_kick(&n->tx);
	return KEEL_OK;
}

static void read_mac(struct net *n, struct virtio_dev *d, bool offered)
{
	uint64_t r;

	if (offered) {
		for (unsigned i = 0; i < 6; i++)
			n->info.mac[i] = (uint8_t)d->ops->config(d, CFG_MAC + i, 1);
		return;
	}
	if (kp_random(&r, sizeof(r)) != KEEL_OK)
		r = kp_clock_monotonic() * 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < 6; i++, r >>= 8)
		n->info.mac[i] = (uint8_t)r;
	/* Locally administered, unicast. */
	n->info.mac[0] = (uint8_t)((n->info.mac[0] & 0xfc) | 0x02);
}

/* Ring entries per queue: as many as the device offers up to
 * RX_ENTRIES, halved (down to 32) until the two queues' buffers take at
 * most an eighth of the memory left, so a small machine keeps its heap
 * for the application (www serves from 4 MiB). */
static unsigned net_entries(void)
{
	size_t left = (size_t)(mem_heap_end - mem_heap_start);
	unsigned e = RX_ENTRIES;

	while (e > 32 && 2 * (size_t)e * BUF_SIZE > left / 8)
		e /= 2;
	return e;
}

void virtio_net_attach(struct device *dev, kp_handle h)
{
	struct virtio_dev *d = dev->vdev;
	struct net *n = mem_take(sizeof(*n));
	uint64_t wanted = NET_F_MAC | NET_F_MTU | (d->legacy ? VIRTIO_F_ANY_LAYOUT : 0);
	uint64_t f = virtio_negotiate(d, wanted);
	unsigned entries;

	if (d->legacy && !(f & VIRTIO_F_ANY_LAYOUT))
		virtio_fail(d, "a legacy virtio-net device without ANY_LAYOUT");
	n->bit = (kp_handle_set)1 << h;
	n->hdr_len = d->legacy ? HDR_LEGACY : HDR_MODERN;
	n->info.mtu = MTU;
	if (f & NET_F_MTU) {
		uint32_t mtu = d->ops->config(d, CFG_MTU, 2);

		if (mtu >= MTU_MIN && mtu < MTU)
			n->info.mtu = mtu;
	}
	read_mac(n, d, f & NET_F_MAC);

	virtio_irq(d, rx_interrupt, n);
	entries = net_entries();
	virtio_queue(d, &n->rx, QUEUE_RX, entries, true);
	virtio_queue(d, &n->tx, QUEUE_TX, entries, false);
	n->rx_bufs = mem_take((size_t)n->rx.size * BUF_SIZE);
	n->tx_bufs = mem_take((size_t)n->tx.size * BUF_SIZE);
	for (uint16_t i = 0; i < n->rx.size; i++) {
		n->rx.desc[i].addr = (uintptr_t)(n->rx_bufs + (size_t)i * BUF_SIZE);
		n->rx.desc[i].len = BUF_SIZE;
		n->rx.desc[i].flags = VIRTQ_DESC_F_WRITE;
		virtq_push(&n->rx, i);
	}
	for (uint16_t i = 0; i < n->tx.size; i++) {
		n->tx.desc[i].addr = (uintptr_t)(n->tx_bufs + (size_t)i * BUF_SIZE);
		n->tx_free[n->tx_nfree++] = i;
	}
	virtio_ready(d);
	virtq_kick(&n->rx);
	dev->driver = n;
}
