/*
 * A fake platform for the host unit tests of lib/core (see mock_platform.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <keel/heap.h>

#include "mock_platform.h"

kp_time mock_now = 1000;
kp_handle_set mock_ready;
unsigned long mock_yields;
kp_time mock_last_deadline;
bool mock_guard_pages = true;
long mock_guards_live;

static bool capturing;
static char captured[1 << 16];
static size_t captured_len;

void mock_console_capture(bool on)
{
	capturing = on;
}

const char *mock_console_text(void)
{
	captured[captured_len < sizeof(captured) ? captured_len : sizeof(captured) - 1] = 0;
	return captured;
}

size_t mock_console_len(void)
{
	return captured_len;
}

void mock_console_clear(void)
{
	captured_len = 0;
	captured[0] = 0;
}

void kp_console_write(const char *buf, size_t len)
{
	if (capturing) {
		size_t room = sizeof(captured) - 1 - captured_len;

		if (len > room)
			len = room;
		memcpy(captured + captured_len, buf, len);
		captured_len += len;
		return;
	}
	/* Straight to the file descriptor: a test that aborts must not lose
	 * what is still in a stdio buffer. */
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
	return mock_now;
}

uint64_t kp_clock_wall(void)
{
	return 1700000000ull * 1000000000ull + mock_now;
}

/* Sleeping is instant: the clock jumps to the deadline. */
void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	mock_yields++;
	mock_last_deadline = deadline;
	*ready = mock_ready;
	mock_ready = 0;
	if (*ready)
		return;
	if (deadline == KP_TIME_MAX) {
		fprintf(stderr, "mock kp_yield: asked to sleep forever with no device input\n");
		abort();
	}
	if (deadline > mock_now)
		mock_now = deadline;
}

int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info)
{
	return KEEL_ENODEV;
}

int kp_net_write(kp_handle handle, const void *buf, size_t len)
{
	return KEEL_EINVAL;
}

int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len)
{
	return KEEL_EINVAL;
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
	memset(buf, 0x5a, len);
	return KEEL_OK;
}

int kp_page_guard(void *addr, size_t len, bool guard)
{
	if (!mock_guard_pages)
		return KEEL_ENOTSUP;
	if (mprotect(addr, len, guard ? PROT_NONE : PROT_READ | PROT_WRITE) != 0)
		return KEEL_EIO;
	mock_guards_live += guard ? 1 : -1;
	return KEEL_OK;
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
	return "mock";
}

/* On the host the allocator is the host's; keel_start's call is recorded. */
void *mock_heap_base;
size_t mock_heap_size;

void keel_heap_init(void *base, size_t size)
{
	mock_heap_base = base;
	mock_heap_size = size;
}

/*
 * lib/core keeps the stacks of ended fibers, guard pages set, for reuse.
 * LeakSanitizer scans every reachable block at exit and would fault on
 * those pages: give them back first (atexit runs this before its check,
 * which was registered earlier).
 */
void keel__stack_cache_drain(void);

__attribute__((constructor)) static void drain_stacks_at_exit(void)
{
	atexit(keel__stack_cache_drain);
}
