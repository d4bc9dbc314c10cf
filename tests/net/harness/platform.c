/*
 * A fake platform for the host tests of lib/net (see harness.h): one net
 * device made of two frame queues, a clock that moves only when the loop
 * sleeps, deterministic randomness.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <keel/heap.h>

#include "harness.h"

#define QUEUE_FRAMES 8192

const uint8_t h_stack_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
const uint8_t h_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
size_t h_mtu = 1500;
uint32_t h_offloads;
int h_write_error = KEEL_OK;
unsigned long h_tso_frames, h_partial_frames;
unsigned long h_rx_reads;
unsigned h_rx_last_nbufs;
size_t h_rx_last_room;
static struct kp_net_meta big_meta;
static uint8_t *big_frame;
static size_t big_len;
kp_time h_clock = 1000;
size_t h_heap_free = 64u << 20;

/* The tests allocate with the host's malloc; lib/net asks the image's
 * heap how much is free only to size a pool left to it. */
void keel_heap_stats(struct keel_heap_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->size = h_heap_free;
	out->free_bytes = h_heap_free;
	out->largest_free = h_heap_free;
}

/* A ring of frames. */
struct queue {
	struct h_frame *frame;
	size_t head, count;
};

static struct queue rx, tx;
static unsigned long tx_total;

static void queue_push(struct queue *q, const void *data, size_t len, const char *what)
{
	struct h_frame *f;

	if (!q->frame) {
		q->frame = calloc(QUEUE_FRAMES, sizeof(struct h_frame));
		if (!q->frame)
			abort();
	}
	if (q->count == QUEUE_FRAMES || len > H_FRAME_MAX) {
		fprintf(stderr, "harness: %s queue overflow (or frame of %zu bytes)\n", what, len);
		abort();
	}
	f = &q->frame[(q->head + q->count) % QUEUE_FRAMES];
	f->len = len;
	f->meta = (struct kp_net_meta){ 0 };
	memcpy(f->data, data, len);
	q->count++;
}

static struct h_frame *queue_peek(struct queue *q)
{
	return q->count ? &q->frame[q->head] : NULL;
}

static void queue_drop(struct queue *q)
{
	q->head = (q->head + 1) % QUEUE_FRAMES;
	q->count--;
}

void h_inject(const void *frame, size_t len)
{
	queue_push(&rx, frame, len, "injected-frame");
}

size_t h_rx_pending(void)
{
	return rx.count + (big_frame ? 1 : 0);
}

size_t h_tx_pending(void)
{
	return tx.count;
}

unsigned long h_tx_total(void)
{
	return tx_total;
}

bool h_pop(struct h_frame *f)
{
	struct h_frame *q = queue_peek(&tx);

	if (!q)
		return false;
	f->len = q->len;
	memcpy(f->data, q->data, q->len);
	queue_drop(&tx);
	return true;
}

void h_tx_clear(void)
{
	tx.head = tx.count = 0;
}

/* ---- The platform interface ---------------------------------------------- */

void kp_console_write(const char *buf, size_t len)
{
	fflush(stdout);
	while (len > 0) {
		ssize_t n = write(1, buf, len);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

kp_time kp_clock_monotonic(void)
{
	return h_clock;
}

uint64_t kp_clock_wall(void)
{
	return 1700000000ull * 1000000000ull + h_clock;
}

void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	*ready = rx.count || big_frame ? (kp_handle_set)1 << H_HANDLE : 0;
	if (*ready)
		return;
	if (deadline == KP_TIME_MAX) {
		fprintf(stderr, "harness: the loop would sleep forever (nothing to wake it)\n");
		abort();
	}
	if (deadline > h_clock)
		h_clock = deadline;
}

int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info)
{
	if (strcmp(name, H_DEVICE) != 0)
		return KEEL_ENODEV;
	*handle = H_HANDLE;
	memcpy(info->mac, h_stack_mac, 6);
	info->mtu = h_mtu;
	info->offloads = h_offloads;
	if (getenv("H_OFFLOADS"))
		info->offloads = (uint32_t)strtoul(getenv("H_OFFLOADS"), NULL, 0);
	h_offloads = info->offloads;
	return KEEL_OK;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	if (handle != H_HANDLE || len < 14 || len > h_mtu + 14)
		return KEEL_EINVAL;
	if (h_write_error != KEEL_OK)
		return h_write_error;
	queue_push(&tx, buf, len, "sent-frame");
	tx_total++;
	return KEEL_OK;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	struct h_frame *f = queue_peek(&rx);

	if (handle != H_HANDLE || size < h_mtu + 14)
		return KEEL_EINVAL;
	if (!f)
		return KEEL_EAGAIN;
	/* As the linux platform does: too large or too short is dropped. */
	if (f->len > h_mtu + 14 || f->len < 14) {
		queue_drop(&rx);
		return KEEL_EAGAIN;
	}
	memcpy(buf, f->data, f->len);
	*len = f->len;
	queue_drop(&rx);
	return KEEL_OK;
}

void h_inject_meta(const void *frame, size_t len, const struct kp_net_meta *meta)
{
	if (len > H_FRAME_MAX) {
		/* One large frame at a time, ahead of the queue. */
		free(big_frame);
		big_frame = malloc(len);
		if (!big_frame)
			abort();
		memcpy(big_frame, frame, len);
		big_len = len;
		big_meta = *meta;
	} else {
		h_inject(frame, len);
		rx.frame[(rx.head + rx.count - 1) % QUEUE_FRAMES].meta = *meta;
	}
}

/* What a device does with a partial checksum: checks the field holds
 * the pseudo-header sum the contract asks for, then completes it. */
static bool complete_csum(uint8_t *f, size_t len, const struct kp_net_meta *m)
{
	const uint8_t *ip = f + 14;
	uint32_t src, dst;
	uint16_t l4_len, want, c;

	if (m->csum_start != 14 + (ip[0] & 0x0f) * 4 || m->csum_offset != 16 || ip[9] != 6 ||
	    (size_t)m->csum_start + 18 > len)
		return false;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	l4_len = (uint16_t)(net_get16(ip + 2) - (ip[0] & 0x0f) * 4);
	want = (uint16_t)~inet_fold(inet_pseudo_sum(src, dst, IP_PROTO_TCP, l4_len));
	memcpy(&c, f + m->csum_start + 16, 2);
	if (c != want)
		return false;
	c = inet_fold(inet_sum(f + m->csum_start, len - m->csum_start, 0));
	memcpy(f + m->csum_start + 16, &c, 2);
	return true;
}

/* Cuts a TSO frame as a device would, queueing each segment. */
static bool segment(const uint8_t *f, size_t len, const struct kp_net_meta *m)
{
	const uint8_t *ip = f + 14;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4, thl, hlen;
	uint32_t seq, src, dst;
	uint16_t id;

	if (ihl != 20 || ip[9] != 6 || m->csum_start != 34 || m->gso_size == 0 ||
	    net_get16(ip + 2) != len - 14)
		return false;
	thl = (size_t)(f[34 + 12] >> 4) * 4;
	hlen = 34 + thl;
	if (hlen >= len)
		return false;
	seq = net_get32(f + 34 + 4);
	id = net_get16(ip + 4);
	for (size_t off = hlen; off < len; off += m->gso_size) {
		uint8_t seg[H_FRAME_MAX];
		size_t n = len - off < m->gso_size ? len - off : m->gso_size;
		bool last = off + n == len;
		uint16_t pseudo;

		if (hlen + n > h_mtu + 14)
			return false;
		memcpy(seg, f, hlen);
		memcpy(seg + hlen, f + off, n);
		net_put16(seg + 14 + 2, (uint16_t)(20 + thl + n));
		net_put16(seg + 14 + 4, id++);
		seg[14 + 10] = seg[14 + 11] = 0;
		pseudo = inet_fold(inet_sum(seg + 14, 20, 0));
		memcpy(seg + 14 + 10, &pseudo, 2);
		net_put32(seg + 34 + 4, seq);
		if (!last)
			seg[34 + 13] &= (uint8_t)~0x09; /* FIN, PSH */
		memcpy(&src, ip + 12, 4);
		memcpy(&dst, ip + 16, 4);
		pseudo = (uint16_t)~inet_fold(
		    inet_pseudo_sum(src, dst, IP_PROTO_TCP, (uint16_t)(thl + n)));
		memcpy(seg + 34 + 16, &pseudo, 2);
		{
			struct kp_net_meta one = { KP_NET_F_CSUM_PARTIAL, 34, 16, 0 };

			if (!complete_csum(seg, hlen + n, &one))
				return false;
		}
		queue_push(&tx, seg, hlen + n, "sent-frame");
		tx_total++;
		seq += (uint32_t)n;
	}
	return true;
}

int kp_net_send(kp_handle handle, const struct kp_net_frag *frags, unsigned nfrags,
                const struct kp_net_meta *meta)
{
	static uint8_t f[KP_NET_GSO_FRAME_MAX];
	struct kp_net_meta none = { 0 };
	size_t len = 0;

	if (!meta)
		meta = &none;
	if (handle != H_HANDLE || nfrags == 0 || nfrags > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	for (unsigned i = 0; i < nfrags; i++) {
		if (frags[i].len > sizeof(f) - len)
			return KEEL_EINVAL;
		memcpy(f + len, frags[i].base, frags[i].len);
		len += frags[i].len;
	}
	/* The contract, checked strictly: a test fails on any breach. */
	if (meta->flags & ~(KP_NET_F_CSUM_PARTIAL | KP_NET_F_TSO4))
		h_fail(__FILE__, __LINE__, "kp_net_send: unknown flags");
	if ((meta->flags & KP_NET_F_CSUM_PARTIAL) && !(h_offloads & KP_NET_OFF_TX_CSUM))
		h_fail(__FILE__, __LINE__, "kp_net_send: partial checksum not offered");
	if ((meta->flags & KP_NET_F_TSO4) &&
	    (!(h_offloads & KP_NET_OFF_TX_TSO4) || !(meta->flags & KP_NET_F_CSUM_PARTIAL)))
		h_fail(__FILE__, __LINE__, "kp_net_send: TSO not offered or without checksum");
	if (len < 14 || (!(meta->flags & KP_NET_F_TSO4) && len > h_mtu + 14))
		return KEEL_EINVAL;
	if (h_write_error != KEEL_OK)
		return h_write_error;
	if (meta->flags & KP_NET_F_TSO4) {
		h_tso_frames++;
		if (!segment(f, len, meta))
			h_fail(__FILE__, __LINE__,
			       "kp_net_send: a TSO frame the device cannot cut");
		return KEEL_OK;
	}
	if (meta->flags & KP_NET_F_CSUM_PARTIAL) {
		h_partial_frames++;
		if (!complete_csum(f, len, meta))
			h_fail(__FILE__, __LINE__, "kp_net_send: bad partial checksum");
	}
	queue_push(&tx, f, len, "sent-frame");
	tx_total++;
	return KEEL_OK;
}

int kp_net_recv(kp_handle handle, const struct kp_net_buf *bufs, unsigned nbufs, size_t *len,
                struct kp_net_meta *meta)
{
	struct h_frame *q = queue_peek(&rx);
	const uint8_t *data = big_frame ? big_frame : q ? q->data : NULL;
	size_t flen = big_frame ? big_len : q ? q->len : 0, room = 0, done = 0;

	h_rx_reads++;
	if (handle != H_HANDLE || nbufs == 0 || nbufs > KP_NET_FRAGS_MAX)
		return KEEL_EINVAL;
	for (unsigned i = 0; i < nbufs; i++)
		room += bufs[i].len;
	h_rx_last_nbufs = nbufs;
	h_rx_last_room = room;
	if (room < h_mtu + 14)
		return KEEL_EINVAL;
	if (!data)
		return KEEL_EAGAIN;
	*meta = big_frame ? big_meta : q->meta;
	if (flen > room || flen < 14 || (flen > h_mtu + 14 && !(meta->flags & KP_NET_F_GSO4))) {
		/* Dropped, as the platforms do. */
		if (big_frame) {
			free(big_frame);
			big_frame = NULL;
		} else {
			queue_drop(&rx);
		}
		return KEEL_EAGAIN;
	}
	for (unsigned i = 0; i < nbufs && done < flen; i++) {
		size_t n = flen - done < bufs[i].len ? flen - done : bufs[i].len;

		memcpy(bufs[i].base, data + done, n);
		done += n;
	}
	*len = flen;
	if (big_frame) {
		free(big_frame);
		big_frame = NULL;
	} else {
		queue_drop(&rx);
	}
	return KEEL_OK;
}

int kp_block_acquire(const char *name, kp_handle *handle, struct kp_block_info *info)
{
	return KEEL_ENODEV;
}

int kp_block_read(kp_handle handle, uint64_t offset, void *buf, size_t len)
{
	return KEEL_EINVAL;
}

int kp_block_write(kp_handle handle, uint64_t offset, const void *buf, size_t len)
{
	return KEEL_EINVAL;
}

int kp_block_flush(kp_handle handle)
{
	return KEEL_EINVAL;
}

int kp_random(void *buf, size_t len)
{
	static uint64_t s = 0x2545f4914f6cdd1dull;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[i] = (uint8_t)s;
	}
	return KEEL_OK;
}

/* No guard pages: a test ends with exit() from a fiber, and LeakSanitizer
 * then scans every fiber stack, guard page included. */
int kp_page_guard(void *addr, size_t len, bool guard)
{
	return KEEL_ENOTSUP;
}

void kp_exit(int status)
{
	fflush(stdout);
	_exit(status & 0xff);
}

void kp_abort(void)
{
	fflush(stdout);
	signal(SIGABRT, SIG_DFL);
	abort();
}

const char *kp_target(void)
{
	return "net-harness";
}
