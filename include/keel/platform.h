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
 * and returns. MUST NOT busy-wait where the hardware or host can sleep,
 * with one bounded exception: right after a call that returned input, the
 * next call that waits MAY first poll for a short window before sleeping
 * (the linux target polls with zero-timeout ppoll calls for up to 50 us,
 * KEEL_POLL_US, or to the deadline if sooner). Why: a host CPU that went
 * idle can take tens of microseconds to wake (in a VM, for one), and a
 * peer doing request and response would wait for it on every request;
 * hypervisors do the same before they let a halted guest CPU sleep (KVM's
 * halt polling). The price is CPU time, within these bounds: one call
 * with input buys at most one window; when the window found nothing, the
 * calls after it sleep at once until input comes again, so an idle image
 * never polls. A deadline in the past MUST poll and return
 * at once (a look, not a wait: it leaves the window to the next wait).
 * MAY return early with *ready == 0 (spurious wake-up).
 */
void kp_yield(kp_time deadline, kp_handle_set *ready);

/* ---- Network ------------------------------------------------------------- */

/*
 * Offloads a net device MAY offer (kp_net_info.offloads). The platform
 * offers only what the device really does; the stack uses only what is
 * offered, per frame, through struct kp_net_meta of kp_net_send() and
 * kp_net_recv(). A device offering nothing gets and gives whole frames
 * with complete checksums, exactly as kp_net_write()/kp_net_read().
 */
enum kp_net_offload {
	/* Received frames MAY carry KP_NET_F_CSUM_OK. */
	KP_NET_OFF_RX_CSUM = 1 << 0,
	/* kp_net_send() takes KP_NET_F_CSUM_PARTIAL. */
	KP_NET_OFF_TX_CSUM = 1 << 1,
	/* kp_net_send() takes KP_NET_F_TSO4 frames (requires TX_CSUM). */
	KP_NET_OFF_TX_TSO4 = 1 << 2,
	/* kp_net_recv() MAY hand over KP_NET_F_GSO4 frames (requires
	 * RX_CSUM); the caller's buffers must then hold KP_NET_GSO_FRAME_MAX. */
	KP_NET_OFF_RX_GSO4 = 1 << 3,
};

/* The largest frame with KP_NET_F_TSO4 or KP_NET_F_GSO4: an IPv4 datagram
 * of 65535 bytes behind its Ethernet header. */
#define KP_NET_GSO_FRAME_MAX (65535 + 14)
/* The most pieces one kp_net_send() or kp_net_recv() takes. */
#define KP_NET_FRAGS_MAX 64

struct kp_net_info {
	uint8_t mac[6];  /* the image's own Ethernet address */
	size_t mtu;      /* largest payload of a frame, without the 14-byte header */
	uint32_t offloads; /* enum kp_net_offload; 0: none */
};

/*
 * What one frame is, beyond its bytes. Offsets count from the first byte
 * of the Ethernet header.
 */
enum kp_net_frame_flags {
	/*
	 * Receive: the device vouches for the TCP or UDP checksum of this
	 * frame, so the stack need not verify it: the device verified it, or
	 * the frame comes from the host itself and never crossed a wire (its
	 * checksum field MAY then hold only the pseudo-header sum). Never set
	 * unless KP_NET_OFF_RX_CSUM is offered; the platform MUST NOT set it
	 * on a frame whose checksum it has not verified or been told is good.
	 */
	KP_NET_F_CSUM_OK = 1 << 0,
	/*
	 * Send: the device fills in the 16-bit one's-complement checksum at
	 * csum_start + csum_offset, summing from csum_start to the end of the
	 * frame (for KP_NET_F_TSO4: of each segment it cuts); the field holds
	 * the folded, uncomplemented sum of the IPv4 pseudo-header, whose
	 * length is that of the whole L4 part as sent.
	 */
	KP_NET_F_CSUM_PARTIAL = 1 << 1,
	/*
	 * Send: a TCP/IPv4 segment (no IP options) larger than the MTU, up
	 * to KP_NET_GSO_FRAME_MAX, with KP_NET_F_CSUM_PARTIAL. The device
	 * cuts it into segments of gso_size payload bytes each (the last MAY
	 * be shorter), each with the headers of the first, the sequence
	 * number and IPv4 length and identification advanced, FIN and PSH
	 * only on the last, and whole checksums.
	 */
	KP_NET_F_TSO4 = 1 << 2,
	/*
	 * Receive: a TCP/IPv4 segment larger than the MTU, as the host made
	 * it before cutting (or after merging) it; gso_size is the payload of
	 * the segments it stands for. Only with KP_NET_OFF_RX_GSO4 and with
	 * KP_NET_F_CSUM_OK. The stack MUST still check every header.
	 */
	KP_NET_F_GSO4 = 1 << 3,
};

struct kp_net_meta {
	uint16_t flags;       /* enum kp_net_frame_flags */
	uint16_t csum_start;  /* KP_NET_F_CSUM_PARTIAL */
	uint16_t csum_offset; /* KP_NET_F_CSUM_PARTIAL: 16 for TCP, 6 for UDP */
	uint16_t gso_size;    /* KP_NET_F_TSO4, KP_NET_F_GSO4: > 0 */
};

/* One piece of a frame to send, or of the room to receive one in. */
struct kp_net_frag {
	const void *base;
	size_t len;
};
struct kp_net_buf {
	void *base;
	size_t len;
};

/*
 * Looks up the net device `name` declared in the manifest. On success
 * stores its handle and info and returns KEEL_OK. KEEL_ENODEV: not
 * declared or not attached.
 */
int kp_net_acquire(const char *name, kp_handle *handle, struct kp_net_info *info);

/*
 * Sends one whole Ethernet frame (header included, no FCS, checksums
 * complete), 14 <= len <= mtu + 14. MUST NOT keep a reference to `buf` after returning.
 * KEEL_EINVAL: bad handle or length. KEEL_EAGAIN: the device cannot take
 * it now (the frame is dropped, as a wire would). KEEL_EIO: device error.
 */
int kp_net_write(kp_handle handle, const void *buf, size_t len);

/*
 * Receives one whole Ethernet frame into `buf` (`size` >= mtu + 14) and
 * stores its length in *len. KEEL_EAGAIN: no frame is waiting.
 * KEEL_EINVAL: bad handle or buffer too small. Frames come with complete
 * checksums even when the device offers offloads: the platform completes
 * a partial one, and drops a frame larger than mtu + 14.
 */
int kp_net_read(kp_handle handle, void *buf, size_t size, size_t *len);

/*
 * Sends one frame given in `nfrags` pieces (1 <= nfrags <= KP_NET_FRAGS_MAX,
 * concatenated in order), described by `meta` (NULL: no flags). Without
 * KP_NET_F_TSO4 the frame is 14 <= len <= mtu + 14; with it at most
 * KP_NET_GSO_FRAME_MAX. MUST NOT keep a reference to the pieces after
 * returning. KEEL_EINVAL: bad handle, length or pieces, a flag that was
 * not offered, csum_start + csum_offset + 2 beyond the frame (or, with
 * TSO4, below the TCP header), gso_size 0 with TSO4. KEEL_EAGAIN and
 * KEEL_EIO as kp_net_write().
 */
int kp_net_send(kp_handle handle, const struct kp_net_frag *frags, unsigned nfrags,
                const struct kp_net_meta *meta);

/*
 * Receives one frame into the pieces `bufs` (filled in order; 1 <= nbufs
 * <= KP_NET_FRAGS_MAX; together at least mtu + 14 bytes), stores its
 * whole length in *len and what the device says of it in *meta. A frame
 * that does not fit the pieces is dropped, never cut short. The platform
 * MUST check what the host or device says of a frame before passing it
 * on: flags it does not know, a checksum range outside the frame, a
 * GSO4 frame without a gso_size are dropped (or, for a partial checksum
 * the stack did not ask for, completed). Returns as kp_net_read().
 */
int kp_net_recv(kp_handle handle, const struct kp_net_buf *bufs, unsigned nbufs, size_t *len,
                struct kp_net_meta *meta);

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
