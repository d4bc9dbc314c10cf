/*
 * netfront.c — kp_net_* on a Xen vif (Xen's public io/netif.h and
 * io/ring.h): the front half of the split network driver, whose back
 * half (netback) runs in the backend's domain, usually dom0.
 *
 * Two shared rings, one page each, granted to the backend: on the
 * transmit ring the image posts requests (a granted page, an offset,
 * a length) and the backend answers with a status; on the receive ring
 * the image posts empty granted pages and the backend copies a frame
 * into one (feature-rx-copy, required) and answers with its id,
 * offset and length. One event channel serves both.
 *
 * Buffers: TX_BUFS and RX_BUFS pages, each granted for good when the
 * device starts (transmit pages read-only). kp_net_send copies the
 * frame into a free transmit page (one copy); kp_net_recv copies it out
 * of the receive page and posts the page again at once. Nothing is
 * allocated after boot; grant references stay the same.
 *
 * Offloads: the stack may send frames whose TCP/UDP checksum holds
 * only the pseudo-header sum (NETTXF_csum_blank: netback finds the
 * checksum field itself and completes it). Received frames come with
 * whole checksums: the front end writes feature-no-csum-offload, so the
 * backend completes partial ones; a frame it says it validated
 * (NETRXF_data_validated) becomes KP_NET_F_CSUM_OK. No scatter-gather,
 * no GSO, one queue.
 *
 * Everything the backend writes is checked before use: the response
 * producer may never run more than a ring ahead of what was consumed, a
 * response's id must name a buffer the backend holds, a receive length
 * must fit its page from its offset and the MTU, flags must be ones the
 * front end negotiated. A backend that breaks these stops the device:
 * one line on the console says why, and every later call returns
 * KEEL_EIO; nothing is read or written outside the rings and buffers.
 */
#include "ring.h"

#define TX_RING 256 /* entries: (4096 - 64) / 12 rounded down to a power of 2 */
#define RX_RING 256 /* (4096 - 64) / 8, likewise */
#define TX_BUFS 64
#define RX_BUFS 64

#define ETH_HEADER 14
#define MTU 1500

#define NETTXF_CSUM_BLANK (1u << 0)
#define NETTXF_DATA_VALIDATED (1u << 1)
#define NETRXF_DATA_VALIDATED (1u << 0)
#define NETRXF_CSUM_BLANK (1u << 1)
#define NETIF_RSP_NULL 1

struct tx_request {
	uint32_t gref;
	uint16_t offset, flags, id, size;
};
struct tx_response {
	uint16_t id;
	int16_t status;
};
union tx_entry {
	struct tx_request req;
	struct tx_response rsp;
};

struct rx_request {
	uint16_t id, pad;
	uint32_t gref;
};
struct rx_response {
	uint16_t id, offset, flags;
	int16_t status; /* > 0: the frame's length; <= 0: an error */
};
union rx_entry {
	struct rx_request req;
	struct rx_response rsp;
};

struct tx_ring {
	struct ring_header h;
	union tx_entry e[TX_RING];
};
struct rx_ring {
	struct ring_header h;
	union rx_entry e[RX_RING];
};

_Static_assert(sizeof(union tx_entry) == 12, "netif tx entry layout");
_Static_assert(sizeof(union rx_entry) == 8, "netif rx entry layout");
_Static_assert(sizeof(struct tx_ring) <= PAGE_SIZE && sizeof(struct rx_ring) <= PAGE_SIZE,
               "rings fit a page");
_Static_assert(TX_BUFS <= TX_RING && RX_BUFS <= RX_RING, "buffers fit the rings");

struct net {
	struct xenbus_front x;
	volatile struct tx_ring *tx;
	volatile struct rx_ring *rx;
	uint32_t tx_prod, tx_cons; /* our request producer, response consumer */
	uint32_t rx_prod, rx_cons;
	uint8_t *tx_bufs, *rx_bufs; /* one page per buffer */
	uint32_t tx_gref[TX_BUFS], rx_gref[RX_BUFS];
	bool tx_held[TX_BUFS]; /* in the backend's hands */
	bool rx_held[RX_BUFS];
	uint16_t tx_free[TX_BUFS];
	unsigned tx_nfree;
	uint32_t port;
	kp_handle_set bit;
	struct kp_net_info info;
};

/* The backend broke the protocol: the device stops (ring_broken), and
 * its handle is never ready again. */
static int broken(struct net *n, const char *why)
{
	intr_ready &= ~n->bit;
	return ring_broken(&n->x, why);
}

/* Frames are waiting: keep the handle ready until they are read. */
static void net_event(void *arg)
{
	struct net *n = arg;

	if (!n->x.broken && n->rx->h.rsp_prod != n->rx_cons)
		intr_ready |= n->bit;
}

/*
 * After a read: while responses wait, the handle stays ready; when none
 * do, ask for an event at the next one and look again (one may have
 * come before the request). true: a response waits.
 */
static bool rx_pending(struct net *n)
{
	uint32_t avail;

	if (ring_final_check(&n->x, &n->rx->h, n->rx_cons, n->rx_prod, &avail) < 0 || avail == 0) {
		intr_ready &= ~n->bit;
		return false;
	}
	intr_ready |= n->bit;
	return true;
}

static void rx_post(struct net *n, uint16_t id)
{
	volatile struct rx_request *r = &n->rx->e[n->rx_prod % RX_RING].req;

	r->id = id;
	r->gref = n->rx_gref[id];
	n->rx_held[id] = true;
	n->rx_prod++;
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

int kp_net_recv(kp_handle handle, const struct kp_net_buf *bufs, unsigned nbufs, size_t *len,
                struct kp_net_meta *meta)
{
	struct net *n = ring_driver(handle, KEEL_NOTE_NET);
	size_t room = 0;

	if (!n || nbufs == 0 || nbufs > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	for (unsigned i = 0; i < nbufs; i++)
		room += bufs[i].len;
	if (room < n->info.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	if (n->x.broken)
		return KEEL_EIO;
	while (rx_pending(n)) {
		volatile struct rx_response *r = &n->rx->e[n->rx_cons % RX_RING].rsp;
		uint16_t id = r->id, offset = r->offset, flags = r->flags;
		int16_t status = r->status;
		const uint8_t *frame;
		bool good;

		n->rx_cons++;
		if (id >= RX_BUFS || !n->rx_held[id])
			return broken(n, "answered a receive request it was not given");
		n->rx_held[id] = false;
		good = status >= ETH_HEADER && (size_t)status <= n->info.mtu + ETH_HEADER &&
		       (size_t)offset + (size_t)status <= PAGE_SIZE &&
		       !(flags & ~NETRXF_DATA_VALIDATED);
		frame = n->rx_bufs + (size_t)id * PAGE_SIZE + offset;
		if (good) {
			size_t done = 0;

			for (unsigned i = 0; i < nbufs && done < (size_t)status; i++) {
				size_t k = (size_t)status - done < bufs[i].len
				               ? (size_t)status - done
				               : bufs[i].len;

				__builtin_memcpy(bufs[i].base, frame + done, k);
				done += k;
			}
		}
		rx_post(n, id);
		if (ring_push(&n->rx->h, n->rx_prod))
			evtchn_notify(n->port);
		if (good) {
			*len = (size_t)status;
			*meta = (struct kp_net_meta){ 0 };
			if (flags & NETRXF_DATA_VALIDATED)
				meta->flags = KP_NET_F_CSUM_OK;
			rx_pending(n);
			return KEEL_OK;
		}
	}
	return n->x.broken ? KEEL_EIO : KEEL_EAGAIN;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	struct kp_net_buf b = { buf, size };
	struct kp_net_meta meta;

	/* Frames come whole (the backend completes partial checksums). */
	return kp_net_recv(handle, &b, 1, len, &meta);
}

/* Takes back the transmit buffers the backend is done with. */
static int tx_reap(struct net *n)
{
	uint32_t avail;
	int rc = ring_responses(&n->x, &n->tx->h, n->tx_cons, n->tx_prod, &avail);

	if (rc < 0) {
		intr_ready &= ~n->bit;
		return rc;
	}
	while (avail--) {
		volatile struct tx_response *r = &n->tx->e[n->tx_cons % TX_RING].rsp;
		uint16_t id = r->id;

		n->tx_cons++;
		/* A null response answers an extra-info slot; none are sent. */
		if (r->status == NETIF_RSP_NULL)
			return broken(n, "answered a transmit slot that was never used");
		if (id >= TX_BUFS || !n->tx_held[id])
			return broken(n, "answered a transmit request it was not given");
		n->tx_held[id] = false;
		n->tx_free[n->tx_nfree++] = id;
	}
	return KEEL_OK;
}

int kp_net_send(kp_handle handle, const struct kp_net_frag *frags, unsigned nfrags,
                const struct kp_net_meta *meta)
{
	struct net *n = ring_driver(handle, KEEL_NOTE_NET);
	volatile struct tx_request *r;
	size_t len = 0;
	uint16_t id, flags = 0;
	uint8_t *p;

	if (!n || nfrags == 0 || nfrags > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	for (unsigned i = 0; i < nfrags; i++) {
		if (frags[i].len > n->info.mtu + ETH_HEADER)
			return KEEL_EINVAL;
		len += frags[i].len;
	}
	if (len < ETH_HEADER || len > n->info.mtu + ETH_HEADER)
		return KEEL_EINVAL;
	if (meta && meta->flags) {
		if (meta->flags != KP_NET_F_CSUM_PARTIAL ||
		    !(n->info.offloads & KP_NET_OFF_TX_CSUM) || meta->csum_start < ETH_HEADER ||
		    (size_t)meta->csum_start + meta->csum_offset + 2 > len)
			return KEEL_EINVAL;
		flags = NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED;
	}
	if (n->x.broken || tx_reap(n) < 0)
		return KEEL_EIO;
	if (n->tx_nfree == 0)
		return KEEL_EAGAIN; /* the backend is behind: dropped, as on a wire */
	id = n->tx_free[--n->tx_nfree];
	p = n->tx_bufs + (size_t)id * PAGE_SIZE;
	len = 0;
	for (unsigned i = 0; i < nfrags; i++) {
		__builtin_memcpy(p + len, frags[i].base, frags[i].len);
		len += frags[i].len;
	}
	r = &n->tx->e[n->tx_prod % TX_RING].req;
	r->gref = n->tx_gref[id];
	r->offset = 0;
	r->flags = flags;
	r->id = id;
	r->size = (uint16_t)len;
	n->tx_held[id] = true;
	n->tx_prod++;
	if (ring_push(&n->tx->h, n->tx_prod))
		evtchn_notify(n->port);
	return KEEL_OK;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	struct kp_net_frag f = { buf, len };

	return kp_net_send(handle, &f, 1, NULL);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xx:xx:xx:xx:xx:xx" exactly, a unicast address. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	for (unsigned i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return !(mac[0] & 1);
}

/* A page shared with the backend: zeroed, granted, its reference. */
static void *grant_page(struct net *n, void *page, bool readonly, uint32_t *ref)
{
	if (gnttab_grant(n->x.backend_id, (uintptr_t)page / PAGE_SIZE, readonly, ref) < 0)
		platform_fail("net device '", n->x.name,
		              "': cannot grant its pages to the backend (grant table full?)", NULL);
	return page;
}

static void write_key(struct net *n, const char *key, uint64_t value)
{
	if (xenbus_write_u64(n->x.front, key, value) < 0)
		platform_fail("net device '", n->x.name, "': cannot write ", n->x.front, "/", key,
		              NULL);
}

void netfront_attach(struct device *dev, kp_handle h, const char *front)
{
	struct net *n = mem_take(sizeof(*n));
	char buf[32];
	uint64_t copy;
	uint32_t ref;

	xenbus_front_init(&n->x, "net", front, dev->name);
	n->bit = (kp_handle_set)1 << h;
	n->info.mtu = MTU;
	n->info.offloads = KP_NET_OFF_TX_CSUM | KP_NET_OFF_RX_CSUM;
	if (xenbus_read(front, "mac", buf, sizeof(buf)) < 0 || !parse_mac(buf, n->info.mac))
		platform_fail("net device '", dev->name, "': ", front,
		              "/mac is missing or not a unicast xx:xx:xx:xx:xx:xx address", NULL);
	xenbus_wait_backend(&n->x);
	if (xenbus_read_u64(n->x.back, "feature-rx-copy", 1, &copy) < 0 || copy != 1)
		platform_fail("net device '", dev->name, "': its backend ", n->x.back,
		              " does not offer feature-rx-copy, which this driver requires", NULL);

	n->tx = grant_page(n, mem_take(PAGE_SIZE), false, &ref);
	write_key(n, "tx-ring-ref", ref);
	n->rx = grant_page(n, mem_take(PAGE_SIZE), false, &ref);
	write_key(n, "rx-ring-ref", ref);
	ring_init(&n->tx->h);
	ring_init(&n->rx->h);
	n->tx_bufs = mem_take((size_t)TX_BUFS * PAGE_SIZE);
	n->rx_bufs = mem_take((size_t)RX_BUFS * PAGE_SIZE);
	for (uint16_t i = 0; i < TX_BUFS; i++) {
		grant_page(n, n->tx_bufs + (size_t)i * PAGE_SIZE, true, &n->tx_gref[i]);
		n->tx_free[n->tx_nfree++] = i;
	}
	for (uint16_t i = 0; i < RX_BUFS; i++) {
		grant_page(n, n->rx_bufs + (size_t)i * PAGE_SIZE, false, &n->rx_gref[i]);
		rx_post(n, i);
	}
	ring_push(&n->rx->h, n->rx_prod);
	if (evtchn_alloc(n->x.backend_id, net_event, n, &n->port) < 0)
		platform_fail("net device '", dev->name,
		              "': Xen would not give it an event channel", NULL);
	write_key(n, "event-channel", n->port);
	write_key(n, "request-rx-copy", 1);
	write_key(n, "feature-rx-notify", 1);
	write_key(n, "feature-no-csum-offload", 1);
	write_key(n, "feature-sg", 0);
	write_key(n, "feature-gso-tcpv4", 0);
	xenbus_connect(&n->x);
	evtchn_notify(n->port);
	dev->driver = n;
}
