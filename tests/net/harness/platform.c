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
int h_write_error = KEEL_OK;
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
	return rx.count;
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
	*ready = rx.count ? (kp_handle_set)1 << H_HANDLE : 0;
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
