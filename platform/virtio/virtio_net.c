/*
 * virtio_net.c — kp_net_* on a virtio-net device (virtio 1.x, 5.1).
 *
 * One receive queue, kept full: each of its descriptors owns one 2 KiB
 * buffer for good, holding the virtio-net header and a whole frame of
 * MTU 1500 (or, with MRG_RXBUF, a piece of a larger one: below).
 * kp_net_read copies the frame out and gives the buffer straight back. One transmit queue, likewise
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
 * used); ANY_LAYOUT on legacy devices; CSUM and GUEST_CSUM, the checksum
 * offloads of platform.h: the stack may send frames whose TCP checksum
 * the device completes (kp_net_send with KP_NET_F_CSUM_PARTIAL), and the
 * device may mark what it hands over as checked (DATA_VALID) or, for
 * frames from its own host, as partial (NEEDS_CSUM): both become
 * KP_NET_F_CSUM_OK, after the header is checked (flags it may not set,
 * a checksum range outside the frame, any GSO type: dropped).
 * kp_net_read() completes a partial checksum itself, so its callers get
 * whole frames.
 *
 * HOST_TSO4 (with CSUM): kp_net_send takes TCP/IPv4 segments of up to
 * 64 KiB (KP_NET_F_TSO4), which the device (or the host behind it) cuts
 * into MTU-sized ones; the stack then builds and hands over one frame
 * where it would build forty. Such a frame is copied into one of a few
 * large transmit buffers (TSO_BUFS of TSO_BUF_SIZE, only when memory
 * allows: see tso_buffers()), which the descriptor points at until the
 * device hands it back.
 *
 * MRG_RXBUF and GUEST_TSO4 (with GUEST_CSUM): the device may hand over
 * TCP/IPv4 segments of up to 64 KiB (the host's GSO or GRO frames,
 * KP_NET_F_GSO4), spread over as many receive buffers as they need; the
 * first buffer's header says how many. kp_net_recv gathers them into
 * the caller's pieces (lib/net gives KP_NET_GSO_FRAME_MAX of room when
 * KP_NET_OFF_RX_GSO4 is offered); kp_net_read, whose callers take whole
 * MTU-sized frames, drops such frames. GUEST_TSO4 is asked for only
 * with a receive ring of 128 entries or more (a 64 KiB frame takes 33).
 */
#include "platform_impl.h"

#define NET_F_CSUM (1ull << 0)       /* the device takes partial checksums */
#define NET_F_GUEST_CSUM (1ull << 1) /* it may hand over partial or checked ones */
#define NET_F_MTU (1ull << 3)
#define NET_F_MAC (1ull << 5)
#define NET_F_GUEST_TSO4 (1ull << 7) /* it may hand over TCPv4 segments it merged */
#define NET_F_HOST_TSO4 (1ull << 11) /* the device takes TCPv4 segments to cut */
#define NET_F_MRG_RXBUF (1ull << 15) /* a frame may span several receive buffers */

#define CFG_MAC 0
#define CFG_MTU 10

#define QUEUE_RX 0
#define QUEUE_TX 1
#define RX_ENTRIES 256
#define TX_ENTRIES 256
#define BUF_SIZE 2048
#define TSO_BUFS 16
/* The header and a frame of KP_NET_GSO_FRAME_MAX, in whole pages. */
#define TSO_BUF_SIZE (68u << 10)

#define ETH_HEADER 14
#define MTU 1500
#define MTU_MIN 68 /* IPv4's minimum */

/* The header is 12 bytes with VERSION_1 or MRG_RXBUF (num_buffers
 * there), 10 on a legacy device without mergeable buffers. */
#define HDR_MODERN 12
#define HDR_LEGACY 10

/* The header's fields (virtio 1.x, 5.1.6), little-endian. */
#define HDR_FLAGS 0
#define HDR_GSO_TYPE 1
#define HDR_HDR_LEN 2
#define HDR_GSO_SIZE 4
#define HDR_CSUM_START 6
#define HDR_CSUM_OFFSET 8
#define HDR_NUM_BUFFERS 10
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define HDR_GSO_TCPV4 1

struct net {
	struct virtq rx, tx;
	uint8_t *rx_bufs, *tx_bufs;
	kp_handle_set bit; /* the handle, as a set */
	unsigned hdr_len;
	bool mergeable; /* MRG_RXBUF: a frame may span several receive buffers */
	struct kp_net_info info;
	unsigned tx_nfree;
	uint16_t tx_free[TX_ENTRIES]; /* descriptors not in the device's hands */
	/* Large transmit buffers (HOST_TSO4): tso_bufs of TSO_BUF_SIZE. */
	uint8_t *tso_mem;
	unsigned tso_nfree;
	uint8_t tso_free[TSO_BUFS]; /* large buffers not in use */
	uint8_t tx_tso[TX_ENTRIES]; /* descriptor i holds large buffer tx_tso[i] - 1; 0: its own */
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

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/*
 * What the device's header says of a frame of `len` bytes, checked;
 * false: drop it. *partial: the checksum at meta's csum_start +
 * csum_offset is only partial.
 */
static bool header_in(const struct net *n, const uint8_t *h, size_t len, struct kp_net_meta *meta,
                      bool *partial)
{
	uint8_t flags = h[HDR_FLAGS], gso = h[HDR_GSO_TYPE];

	*meta = (struct kp_net_meta){ 0 };
	*partial = false;
	if (flags & ~(HDR_F_NEEDS_CSUM | HDR_F_DATA_VALID))
		return false;
	if (flags && !(n->info.offloads & KP_NET_OFF_RX_CSUM))
		return false;
	if (flags & HDR_F_NEEDS_CSUM) {
		uint16_t start = get_le16(h + HDR_CSUM_START), off = get_le16(h + HDR_CSUM_OFFSET);

		if (start < ETH_HEADER || (size_t)start + off + 2 > len)
			return false;
		meta->csum_start = start;
		meta->csum_offset = off;
		*partial = true;
	}
	if (flags)
		meta->flags = KP_NET_F_CSUM_OK;
	if (gso == 0)
		return len <= n->info.mtu + ETH_HEADER;
	/* Only TCPv4 (no ECN bit) was asked for, and only with a checksum
	 * the device vouches for. */
	if (gso != HDR_GSO_TCPV4 || !(n->info.offloads & KP_NET_OFF_RX_GSO4) || !flags ||
	    get_le16(h + HDR_GSO_SIZE) == 0 || len > KP_NET_GSO_FRAME_MAX)
		return false;
	meta->flags |= KP_NET_F_GSO4;
	meta->gso_size = get_le16(h + HDR_GSO_SIZE);
	return true;
}

/* Copies src[0..len) to byte `at` of the pieces bufs; false when it
 * does not fit. */
static bool copy_out(const struct kp_net_buf *bufs, unsigned nbufs, size_t at, const uint8_t *src,
                     size_t len)
{
	for (unsigned i = 0; i < nbufs && len > 0; i++) {
		size_t k;

		if (at >= bufs[i].len) {
			at -= bufs[i].len;
			continue;
		}
		k = bufs[i].len - at < len ? bufs[i].len - at : len;
		__builtin_memcpy((uint8_t *)bufs[i].base + at, src, k);
		src += k;
		len -= k;
		at = 0;
	}
	return len == 0;
}

/* Gives receive buffer `id` back to the device. */
static void rx_give_back(struct net *n, uint32_t id)
{
	virtq_push(&n->rx, (uint16_t)id);
}

/*
 * Takes the next good frame into bufs (as kp_net_recv), plus *partial;
 * a GSO4 frame only when `large` (kp_net_recv: its caller asked for
 * them), else such frames are dropped. With mergeable buffers the first
 * buffer's header says how many buffers the frame spans; the device has
 * put them all in the used ring before showing the first.
 */
static int take_frame(struct net *n, const struct kp_net_buf *bufs, unsigned nbufs, size_t *len,
                      struct kp_net_meta *meta, bool *partial, bool large)
{
	size_t room = 0;

	for (unsigned i = 0; i < nbufs; i++)
		room += bufs[i].len;
	if (room < n->info.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	while (rx_pending(n)) {
		struct virtq_used_elem e = virtq_take(&n->rx);
		const uint8_t *hdr;
		size_t frame_len;
		unsigned pieces = 1;
		bool good;

		if (e.id >= n->rx.size)
			continue; /* not a buffer of ours: nothing to give back */
		hdr = n->rx_bufs + (size_t)e.id * BUF_SIZE;
		good = e.len >= n->hdr_len + ETH_HEADER && e.len <= BUF_SIZE;
		frame_len = good ? e.len - n->hdr_len : 0;
		good = good && copy_out(bufs, nbufs, 0, hdr + n->hdr_len, frame_len);
		if (n->mergeable) {
			pieces = get_le16(hdr + HDR_NUM_BUFFERS);
			if (pieces == 0 || pieces > n->rx.size) {
				good = false; /* nonsense: drop this buffer alone */
				pieces = 1;
			}
		}
		/* The rest of the frame, each in a buffer without a header;
		 * taken (and given back) even when the frame is dropped. */
		for (unsigned k = 1; k < pieces; k++) {
			struct virtq_used_elem c;

			if (!virtq_has_used(&n->rx)) {
				good = false; /* the device said more than it gave */
				break;
			}
			c = virtq_take(&n->rx);
			if (c.id >= n->rx.size) {
				good = false;
				continue;
			}
			good = good && c.len <= BUF_SIZE &&
			       copy_out(bufs, nbufs, frame_len,
			                n->rx_bufs + (size_t)c.id * BUF_SIZE, c.len);
			frame_len += c.len;
			rx_give_back(n, c.id);
		}
		good = good && header_in(n, hdr, frame_len, meta, partial) &&
		       (large || !(meta->flags & KP_NET_F_GSO4));
		rx_give_back(n, e.id);
		virtq_kick(&n->rx);
		if (good) {
			*len = frame_len;
			rx_pending(n);
			return KEEL_OK;
		}
	}
	return KEEL_EAGAIN;
}

int kp_net_recv(kp_handle handle, const struct kp_net_buf *bufs, unsigned nbufs, size_t *len,
                struct kp_net_meta *meta)
{
	struct net *n = lookup(handle);
	bool partial;

	if (!n || nbufs == 0 || nbufs > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	return take_frame(n, bufs, nbufs, len, meta, &partial, true);
}

/* The folded one's-complement sum of p[0..len), words taken
 * little-endian (and stored back the same way). */
static uint16_t fold_sum(const uint8_t *p, size_t len)
{
	uint64_t acc = 0;

	for (; len >= 2; p += 2, len -= 2)
		acc += get_le16(p);
	if (len)
		acc += p[0];
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	struct net *n = lookup(handle);
	struct kp_net_buf b = { buf, size };
	struct kp_net_meta meta;
	bool partial;
	int err;

	if (!n || size < n->info.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	err = take_frame(n, &b, 1, len, &meta, &partial, false);
	if (err == KEEL_OK && partial) {
		uint8_t *f = buf;

		put_le16(f + meta.csum_start + meta.csum_offset,
		         (uint16_t)~fold_sum(f + meta.csum_start, *len - meta.csum_start));
	}
	return err;
}

/* Byte `at` of the frame in frags, or -1 beyond it. */
static int frag_byte(const struct kp_net_frag *frags, unsigned nfrags, size_t at)
{
	for (unsigned i = 0; i < nfrags; i++) {
		if (at < frags[i].len)
			return ((const uint8_t *)frags[i].base)[at];
		at -= frags[i].len;
	}
	return -1;
}

/*
 * Checks `meta` against the frame (`len` bytes in frags) and what the
 * device offers (platform.h, kp_net_send), and fills the device's header
 * `h` (zeroed) to match. false: KEEL_EINVAL.
 */
static bool header_out(const struct net *n, const struct kp_net_frag *frags, unsigned nfrags,
                       size_t len, const struct kp_net_meta *meta, uint8_t *h)
{
	int doff;
	size_t hdr_len;

	if (!meta || meta->flags == 0)
		return len <= n->info.mtu + ETH_HEADER;
	if ((meta->flags & ~(KP_NET_F_CSUM_PARTIAL | KP_NET_F_TSO4)) ||
	    !(meta->flags & KP_NET_F_CSUM_PARTIAL) || !(n->info.offloads & KP_NET_OFF_TX_CSUM) ||
	    meta->csum_start < ETH_HEADER || (size_t)meta->csum_start + meta->csum_offset + 2 > len)
		return false;
	h[HDR_FLAGS] = HDR_F_NEEDS_CSUM;
	put_le16(h + HDR_CSUM_START, meta->csum_start);
	put_le16(h + HDR_CSUM_OFFSET, meta->csum_offset);
	if (!(meta->flags & KP_NET_F_TSO4))
		return len <= n->info.mtu + ETH_HEADER;
	/* The headers the device copies into every segment end with TCP's,
	 * whose length is in its data-offset field. */
	doff = frag_byte(frags, nfrags, (size_t)meta->csum_start + 12);
	if (!(n->info.offloads & KP_NET_OFF_TX_TSO4) || meta->gso_size == 0 ||
	    meta->csum_offset != 16 || len > KP_NET_GSO_FRAME_MAX || doff < 0 || (doff >> 4) < 5)
		return false;
	hdr_len = (size_t)meta->csum_start + (size_t)(doff >> 4) * 4;
	if (hdr_len >= len)
		return false;
	h[HDR_GSO_TYPE] = HDR_GSO_TCPV4;
	put_le16(h + HDR_HDR_LEN, (uint16_t)hdr_len);
	put_le16(h + HDR_GSO_SIZE, meta->gso_size);
	return true;
}

/* Takes back the transmit descriptors the device is done with (and the
 * large buffers they held). */
static void tx_reclaim(struct net *n)
{
	while (virtq_has_used(&n->tx)) {
		struct virtq_used_elem e = virtq_take(&n->tx);

		if (e.id >= n->tx.size || n->tx_nfree >= n->tx.size)
			continue; /* not one of ours, or handed back twice */
		if (n->tx_tso[e.id]) {
			n->tso_free[n->tso_nfree++] = (uint8_t)(n->tx_tso[e.id] - 1);
			n->tx_tso[e.id] = 0;
			n->tx.desc[e.id].addr = (uintptr_t)(n->tx_bufs + (size_t)e.id * BUF_SIZE);
		}
		n->tx_free[n->tx_nfree++] = (uint16_t)e.id;
	}
}

int kp_net_send(kp_handle handle, const struct kp_net_frag *frags, unsigned nfrags,
                const struct kp_net_meta *meta)
{
	struct net *n = lookup(handle);
	uint8_t hdr[HDR_MODERN] = { 0 };
	bool large;
	size_t len = 0;
	uint16_t id;
	uint8_t *p;

	if (!n || nfrags == 0 || nfrags > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	for (unsigned i = 0; i < nfrags; i++) {
		if (frags[i].len > KP_NET_GSO_FRAME_MAX)
			return KEEL_EINVAL;
		len += frags[i].len;
	}
	if (len < ETH_HEADER || !header_out(n, frags, nfrags, len, meta, hdr))
		return KEEL_EINVAL;
	large = len > BUF_SIZE - n->hdr_len;
	tx_reclaim(n);
	if (n->tx_nfree == 0 || (large && n->tso_nfree == 0))
		return KEEL_EAGAIN; /* the device is behind: dropped, as on a wire */
	id = n->tx_free[--n->tx_nfree];
	if (large) {
		uint8_t b = n->tso_free[--n->tso_nfree];

		n->tx_tso[id] = (uint8_t)(b + 1);
		p = n->tso_mem + (size_t)b * TSO_BUF_SIZE;
		n->tx.desc[id].addr = (uintptr_t)p;
	} else {
		p = n->tx_bufs + (size_t)id * BUF_SIZE;
	}
	__builtin_memcpy(p, hdr, n->hdr_len);
	len = n->hdr_len;
	for (unsigned i = 0; i < nfrags; i++) {
		__builtin_memcpy(p + len, frags[i].base, frags[i].len);
		len += frags[i].len;
	}
	n->tx.desc[id].len = (uint32_t)len;
	virtq_push(&n->tx, id);
	virtq_kick(&n->tx);
	return KEEL_OK;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	struct kp_net_frag f = { buf, len };

	return kp_net_send(handle, &f, 1, NULL);
}

void virtio_net_drain(struct device *dev, kp_time deadline)
{
	struct net *n = dev->driver;

	/* Transmit completions raise no interrupt: the used index is
	 * watched. The device was told of every frame already; telling it
	 * again costs nothing here and covers a notification it missed. */
	virtq_kick(&n->tx);
	while (n->tx.used->idx != n->tx.next_avail && kp_clock_monotonic() < deadline)
		cpu_relax();
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

/* Large transmit buffers for HOST_TSO4: TSO_BUFS, fewer (down to 4)
 * while they would take more than an eighth of the memory left, or none
 * (no TSO) on a machine too small for 4. Decided after the rings. */
static unsigned tso_buffers(void)
{
	size_t left = (size_t)(mem_heap_end - mem_heap_start);
	unsigned b = TSO_BUFS;

	while (b >= 4 && (size_t)b * TSO_BUF_SIZE > left / 8)
		b /= 2;
	return b >= 4 ? b : 0;
}

/* Features, with their dependencies (virtio 1.x, 5.1.3.1) kept: a
 * segmentation offload without its checksum offload, or GUEST_TSO4
 * without mergeable buffers (frames of 64 KiB in 2 KiB buffers), is
 * negotiated again without it. */
static uint64_t negotiate(struct virtio_dev *d, uint64_t wanted)
{
	uint64_t f = virtio_negotiate(d, wanted), drop = 0;

	if ((f & NET_F_HOST_TSO4) && !(f & NET_F_CSUM))
		drop |= NET_F_HOST_TSO4;
	if ((f & NET_F_GUEST_TSO4) && (!(f & NET_F_GUEST_CSUM) || !(f & NET_F_MRG_RXBUF)))
		drop |= NET_F_GUEST_TSO4;
	return drop ? virtio_negotiate(d, wanted & ~drop) : f;
}

void virtio_net_attach(struct device *dev, kp_handle h)
{
	struct virtio_dev *d = dev->vdev;
	struct net *n = mem_take(sizeof(*n));
	unsigned entries = net_entries();
	/* HOST_TSO4 costs nothing until a large frame is sent, which only
	 * happens when the stack is told it may (KP_NET_OFF_TX_TSO4: below,
	 * when the large buffers fit). GUEST_TSO4 makes the device hand over
	 * frames of up to 64 KiB, 33 receive buffers each: asked for only
	 * when the ring holds several of them. */
	uint64_t wanted = NET_F_MAC | NET_F_MTU | NET_F_CSUM | NET_F_GUEST_CSUM | NET_F_HOST_TSO4 |
	                  NET_F_MRG_RXBUF | (entries >= 128 ? NET_F_GUEST_TSO4 : 0) |
	                  (d->legacy ? VIRTIO_F_ANY_LAYOUT : 0);
	uint64_t f = negotiate(d, wanted);

	if (d->legacy && !(f & VIRTIO_F_ANY_LAYOUT))
		virtio_fail(d, "a legacy virtio-net device without ANY_LAYOUT");
	n->bit = (kp_handle_set)1 << h;
	n->mergeable = f & NET_F_MRG_RXBUF;
	n->hdr_len = d->legacy && !n->mergeable ? HDR_LEGACY : HDR_MODERN;
	n->info.mtu = MTU;
	if (f & NET_F_MTU) {
		uint32_t mtu = d->ops->config(d, CFG_MTU, 2);

		if (mtu >= MTU_MIN && mtu < MTU)
			n->info.mtu = mtu;
	}
	read_mac(n, d, f & NET_F_MAC);
	if (f & NET_F_CSUM)
		n->info.offloads |= KP_NET_OFF_TX_CSUM;
	if (f & NET_F_GUEST_CSUM)
		n->info.offloads |= KP_NET_OFF_RX_CSUM;
	if (f & NET_F_GUEST_TSO4)
		n->info.offloads |= KP_NET_OFF_RX_GSO4;

	virtio_irq(d, rx_interrupt, n);
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
	if (f & NET_F_HOST_TSO4) {
		unsigned b = tso_buffers();

		if (b) {
			n->tso_mem = mem_take((size_t)b * TSO_BUF_SIZE);
			for (unsigned i = 0; i < b; i++)
				n->tso_free[n->tso_nfree++] = (uint8_t)i;
			n->info.offloads |= KP_NET_OFF_TX_TSO4;
		}
	}
	virtio_ready(d);
	virtq_kick(&n->rx);
	dev->driver = n;
}
