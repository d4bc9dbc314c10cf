/*
 * keel/platform.h — the platform interface: the only thing a new target
 * implements (platform/<target>/). Everything above it — libc, runtime,
 * network stack, applications — reaches the machine only through these
 * calls, so no library ever learns which target it runs on.
 *
 * Conventions. "MUST" is a requirement on the platform; "MAY" is a
 * freedom it has. All calls are made from the one CPU the image runs on;
 * none is re-entrant and none is called from interrupt context. No call
 * blocks except kp_yield(). Errors are negative `enum keel_err` values.
 *
 * Devices are *named* (a net device "service", a block device "storage").
 * The application declares the ones it needs in its manifest (keel/manifest.h);
 * the platform MUST refuse to start (clear message, non-zero exit, before
 * main) when a declared device is not attached, and MUST NOT give access to
 * any device that is not declared.
 */
#ifndef KEEL_PLATFORM_H
#define KEEL_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/err.h>

/* Nanoseconds. Monotonic time starts near 0 at boot and never goes back. */
typedef uint64_t kp_time;
#define KP_TIME_MAX UINT64_MAX

/* A device handle: a small integer, 0 <= handle < KP_HANDLE_MAX. */
typedef unsigned kp_handle;
#define KP_HANDLE_MAX 64
/* A set of handles: bit h is set when handle h is in the set. */
typedef uint64_t kp_handle_set;

/* ---- Start --------------------------------------------------------------- */

/* What the platform hands the runtime when the machine is ready. */
struct kp_start_info {
	int argc;       /* arguments for main(); argv[0] is the image name */
	char **argv;    /* argv[argc] is NULL; owned by the platform, lives forever */
	uintptr_t heap_start; /* one contiguous read-write region for the heap */
	size_t heap_size;     /* in bytes; MUST be at least 512 KiB */
};

/*
 * Implemented by the runtime (lib/core), called once by the platform after
 * it has set up a stack, the console, clocks, the heap region and the
 * devices of the manifest (and, where it can, sealed the image). It runs
 * main() and never returns: it ends with kp_exit().
 */
void keel_start(const struct kp_start_info *si) __attribute__((noreturn));

/* ---- Console ------------------------------------------------------------- */

/* Writes `len` bytes to the console. MUST write all of them before
 * returning (or drop them if the console is gone). MAY buffer. */
void kp_console_write(const char *buf, size_t len);

/* ---- Clocks -------------------------------------------------------------- */

/* Monotonic time in ns since an arbitrary point near boot. */
kp_time kp_clock_monotonic(void);

/* Wall-clock time in ns since 1970-01-01T00:00:00Z. MAY jump. */
uint64_t kp_clock_wall(void);

/* ---- Waiting ------------------------------------------------------------- */

/*
 * Waits until at least one device has input or monotonic time reaches
 * `deadline` (KP_TIME_MAX: no deadline), whichever comes first. Stores in
 * *ready the set of handles that have input (0 when the deadline passed)
 * and returns. MUST NOT busy-wait where the hardware or host can sleep.
 * MAY return early with *ready == 0 (spurious wake-up). A deadline in
 * the past MUST poll and return at once.
 */
void kp_yield(kp_time deadline, kp_handle_set *ready);

/* ---- Network ------------------------------------------------------------- */

struct kp_net_info {
	uint8_t mac[6];  /* the image's own Ethernet address */
	size_t mtu;      /* largest payload of a frame, without the 14-byte header */
};

/*
 * Looks up the net device `name` declared in the manifest. On success
 * stores its handle and info and returns KEEL_OK. KEEL_ENODEV: not
 * declared or not attached.
 */
int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info);

/*
 * Sends one whole Ethernet frame (header included, no FCS), 14 <= len <=
 * mtu + 14. MUST NOT keep a reference to `buf` after returning.
 * KEEL_EINVAL: bad handle or length. KEEL_EAGAIN: the device cannot take
 * it now (the frame is dropped, as a wire would). KEEL_EIO: device error.
 */
int kp_net_write(kp_handle handle, const void *buf, size_t len);

/*
 * Receives one whole Ethernet frame into `buf` (`size` >= mtu + 14) and
 * stores its length in *len. KEEL_EAGAIN: no frame is waiting.
 * KEEL_EINVAL: bad handle or buffer too small.
 */
int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len);

/* ---- Block --------------------------------------------------------------- */

struct kp_block_info {
	uint64_t capacity;   /* bytes; a multiple of block_size */
	uint32_t block_size; /* bytes, a power of two >= 512 */
};

/* Looks up the block device `name` declared in the manifest; as
 * kp_net_acquire(). */
int kp_block_acquire(const char *name, kp_handle *handle, struct kp_block_info *info);

/*
 * Reads or writes `len` bytes at byte `offset`. Both MUST be multiples of
 * block_size, len > 0, and offset + len <= capacity (else KEEL_EINVAL).
 * When kp_block_write() returns KEEL_OK the data is visible to later reads
 * but MAY still be lost by a crash of the host; it is durable only after a
 * later kp_block_flush() returns KEEL_OK. KEEL_EIO: device error.
 */
int kp_block_read(kp_handle handle, uint64_t offset, void *buf, size_t len);
int kp_block_write(kp_handle handle, uint64_t offset, const void *buf, size_t len);
int kp_block_flush(kp_handle handle);

/* ---- Entropy, memory, exit ---------------------------------------------- */

/*
 * Fills `buf` with `len` bytes from the best entropy source the platform
 * has. KEEL_EIO when it has none that it trusts (the buffer is then
 * unspecified).
 */
int kp_random(void *buf, size_t len);

/*
 * Makes the page-aligned range [addr, addr + len) inaccessible (guard =
 * true) or read-write again (guard = false). Used for guard pages under
 * stacks. MAY return KEEL_ENOTSUP on platforms without paging.
 */
int kp_page_guard(void *addr, size_t len, bool guard);

/* Ends the image with `status` (0..255). */
void kp_exit(int status) __attribute__((noreturn));

/* Ends the image abnormally, as a crash (on linux: killed by SIGABRT). */
void kp_abort(void) __attribute__((noreturn));

/* The target's name: "linux", "x86_64", ... */
const char *kp_target(void);

#endif
