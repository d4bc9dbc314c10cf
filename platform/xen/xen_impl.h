/*
 * xen_impl.h — private to platform/xen: the parts of Xen's guest ABI the
 * platform uses, and what its files share. Every .c file of platform/xen
 * includes this header and nothing else of the platform (the split
 * drivers and ring.c include it through ring.h, their shared ring).
 *
 * platform/xen is platform/x86_64 on Xen's PVH entry: boot.S, the boot
 * information, paging with W^X, the CPU tables, the fault report, the
 * command line and the manifest are x86_64's own files, compiled into
 * this platform by build.mk (they include x86_64's platform_impl.h,
 * which this header includes too). What Xen changes lives here: the
 * hypercall page, the shared info page, event channels, the console
 * (HYPERVISOR_console_io, or the PV console ring), the PV clock, idle,
 * the end of the domain (SCHEDOP_shutdown), and the devices: grant
 * tables, xenstore, and the split drivers netfront and blkfront.
 *
 * The structures below are written from Xen's public interface headers
 * (xen/include/public: xen.h, vcpu.h, event_channel.h, sched.h,
 * memory.h, hvm/params.h, hvm/hvm_op.h, io/console.h), x86_64 layout.
 */
#ifndef KEEL_XEN_IMPL_H
#define KEEL_XEN_IMPL_H

#include "../x86_64/platform_impl.h"
#include "xenstore.h"

/* ---- Hypercalls (hypercall.c, hypercall_page.S) ---------------------------- */

#define XEN_HC_MEMORY_OP 12
#define XEN_HC_XEN_VERSION 17
#define XEN_HC_CONSOLE_IO 18
#define XEN_HC_VCPU_OP 24
#define XEN_HC_SCHED_OP 29
#define XEN_HC_EVENT_CHANNEL_OP 32
#define XEN_HC_HVM_OP 34

/* Error values hypercalls return (negated Linux errno numbers). */
#define XEN_EPERM 1
#define XEN_ENOSYS 38

/* The page Xen fills with one 32-byte stub per hypercall (vmcall or
 * vmmcall, whichever this CPU has: Xen knows, the image need not). */
extern char xen_hypercall_page[];

/*
 * Finds Xen through CPUID (the "XenVMMXenVMM" signature in a leaf
 * 0x40000000 + 0x100 * i) and has it fill the hypercall page (the MSR
 * its leaf + 2 names). False when not on Xen, or Xen offers no page.
 */
bool xen_hypercall_init(void);

/* Xen's version (major << 16 | minor), from CPUID. */
extern uint32_t xen_version;

long xen_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3);

static inline long xen_sched_op(unsigned cmd, void *arg)
{
	return xen_hypercall(XEN_HC_SCHED_OP, cmd, (uint64_t)(uintptr_t)arg, 0);
}

static inline long xen_evtchn_op(unsigned cmd, void *arg)
{
	return xen_hypercall(XEN_HC_EVENT_CHANNEL_OP, cmd, (uint64_t)(uintptr_t)arg, 0);
}

static inline long xen_hvm_op(unsigned cmd, void *arg)
{
	return xen_hypercall(XEN_HC_HVM_OP, cmd, (uint64_t)(uintptr_t)arg, 0);
}

static inline long xen_memory_op(unsigned cmd, void *arg)
{
	return xen_hypercall(XEN_HC_MEMORY_OP, cmd, (uint64_t)(uintptr_t)arg, 0);
}

static inline long xen_vcpu_op(unsigned cmd, unsigned vcpu, void *arg)
{
	return xen_hypercall(XEN_HC_VCPU_OP, cmd, vcpu, (uint64_t)(uintptr_t)arg);
}

/* ---- The shared info page (shared_info.c) ---------------------------------- */

#define DOMID_SELF 0x7ff0

struct xen_vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	uint64_t evtchn_pending_sel; /* bit i: word i of evtchn_pending has news */
	uint64_t arch_cr2, arch_pad;
	struct pvclock_info time; /* vcpu_time_info (platform_impl.h) */
};

#define XEN_LEGACY_MAX_VCPUS 32
#define XEN_EVTCHN_WORDS 64 /* 2-level event channels: 64 x 64 ports */
#define XEN_EVTCHN_PORTS (XEN_EVTCHN_WORDS * 64)

struct xen_shared_info {
	struct xen_vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	uint64_t evtchn_pending[XEN_EVTCHN_WORDS];
	uint64_t evtchn_mask[XEN_EVTCHN_WORDS];
	uint32_t wc_version; /* odd while Xen updates the wall clock */
	uint32_t wc_sec;     /* wall-clock time at system time 0 */
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	/* struct arch_shared_info follows; unused here. */
};

/* The page, mapped by XENMEM_add_to_physmap over a page of the image's
 * own .bss (the page that was there is given back to Xen). */
extern volatile struct xen_shared_info *xen_shared;
/* vCPU 0's slot in it: the image runs on vCPU 0 only. */
extern volatile struct xen_vcpu_info *xen_vcpu;

/* Maps the shared info page; refuses to boot when Xen will not. */
void shared_info_map(void);

/* ---- Event channels (evtchn.c) --------------------------------------------- */

#define XEN_VIRQ_TIMER 0

/*
 * Masks every port, routes event upcalls to an interrupt vector of our
 * own (HVM_PARAM_CALLBACK_IRQ, type "vector") and binds VIRQ_TIMER.
 * Refuses to boot when Xen refuses any of it.
 */
void evtchn_init(void);
/* The port VIRQ_TIMER is bound to. */
extern uint32_t evtchn_timer_port;
/* Unmasks `port` (the port must be < XEN_EVTCHN_PORTS). */
void evtchn_unmask(uint32_t port);
/*
 * Allocates a port for domain `remote` to bind (EVTCHNOP_alloc_unbound),
 * unmasked, whose events call fn(arg) from the upcall (interrupts off,
 * inside kp_yield). KEEL_ENOMEM: EVTCHN_BOUND_MAX ports taken already
 * (one a device, so not reached by an image's own devices); KEEL_EIO:
 * Xen refused, or named a port outside the 2-level range.
 */
#define EVTCHN_BOUND_MAX KEEL_MANIFEST_MAX
int evtchn_alloc(uint16_t remote, void (*fn)(void *arg), void *arg, uint32_t *port);
/* Notifies the other end of `port` (EVTCHNOP_send). */
void evtchn_notify(uint32_t port);
/* Upcalls handled so far, and the timer events among them (the tests
 * print these: evidence that the vector and the VIRQ work). */
extern uint64_t evtchn_upcalls, evtchn_timer_events;
/* Events on ports nobody bound (counted, then dropped). */
extern uint64_t evtchn_strays;

/* Arms vCPU 0's one-shot timer for Xen system time `xen_ns`; 0 stops it. */
void xen_timer_set(uint64_t xen_ns);

/* ---- Grant tables (gnttab.c) ---------------------------------------------- */

#define GNTTAB_ENTRIES (PAGE_SIZE / 8) /* one frame of version-1 entries */

/* Lets domain `domid` access page `pfn` (read-only or not); *ref is the
 * grant reference to give it. KEEL_ENOMEM: no free entry; KEEL_EINVAL:
 * a bad domain or frame; KEEL_EIO: Xen would not map the table. */
int gnttab_grant(uint16_t domid, uint64_t pfn, bool readonly, uint32_t *ref);
/* Takes grant `ref` back. KEEL_EAGAIN: the other domain is still using
 * the page (try later); KEEL_EINVAL: not a grant of ours. */
int gnttab_end(uint32_t ref);
/* GNTTABOP_* with `count` operations at uop. */
long gnttab_op(unsigned cmd, void *uop, unsigned count);

/* ---- xenstore on Xen's ring (xenstore_xen.c) ------------------------------ */

/* Opens the domain's xenstore connection. KEEL_ENODEV: the domain has
 * none (the initial domain without xenstored); KEEL_EIO: Xen names a
 * page or port that cannot be right; KEEL_ENOMEM: no page table left. */
int xen_xenstore_open(struct xs_conn *c);

/* ---- Time (clock.c) -------------------------------------------------------- */

/* Checks the PV clock, takes the boot time; refuses to boot on a clock
 * whose scale is implausible. */
void clock_init(void);
/* Xen system time (ns since Xen booted) now, from the PV clock. */
uint64_t clock_xen_now(void);
/* Xen system time of monotonic time `t` (saturating). */
uint64_t clock_xen_at(kp_time t);

/* ---- Console (console.c) --------------------------------------------------- */

/* Where the console goes: HYPERVISOR_console_io (Xen's own console: the
 * initial domain, or Xen built to let any domain use it), else the PV
 * console ring once console_ring_init has found it. */
void console_init(void);
void console_ring_init(void);
/* True when nothing is buffered and the last byte out was a newline. */
bool console_at_line_start(void);

/* ---- The split-driver handshake (xenbus.c) ---------------------------------- */

#define XENBUS_STATE_INITIALISING 1
#define XENBUS_STATE_INITWAIT 2
#define XENBUS_STATE_INITIALISED 3
#define XENBUS_STATE_CONNECTED 4
#define XENBUS_STATE_CLOSING 5
#define XENBUS_STATE_CLOSED 6

#define XENBUS_PATH_MAX 128
/* How long a front end waits for its backend at boot (dom0 may be
 * slow: under QEMU's TCG its hotplug scripts take seconds). */
#define XENBUS_WAIT_NS 60000000000ull

/* The domain's xenstore connection, opened by devices_attach. */
extern struct xs_conn xenbus_xs;

/* A front end: its directory, its backend's, the backend's domain. */
struct xenbus_front {
	const char *kind; /* "net", "block": for messages */
	const char *name; /* the manifest's name of the device */
	char front[32];   /* device/vif/ID, relative to the domain's home */
	char back[XENBUS_PATH_MAX];
	uint16_t backend_id;
	bool broken; /* the backend broke the protocol: stopped (ring.h) */
};

/* Reads front/backend and front/backend-id, checked; refuses to boot
 * (naming the device) when they are missing or malformed. */
void xenbus_front_init(struct xenbus_front *x, const char *kind, const char *front,
                       const char *name);
/* Waits for the backend to reach InitWait; refuses to boot otherwise. */
void xenbus_wait_backend(struct xenbus_front *x);
/* Writes our state Connected and waits for the backend's; refuses to
 * boot when it does not follow within XENBUS_WAIT_NS. */
void xenbus_connect(struct xenbus_front *x);

/* dir/key as a string; errors as xs_read. */
int xenbus_read(const char *dir, const char *key, char *buf, size_t size);
/* dir/key as a decimal <= max; KEEL_EINVAL when it is not one. */
int xenbus_read_u64(const char *dir, const char *key, uint64_t max, uint64_t *value);
int xenbus_write(const char *dir, const char *key, const char *value);
int xenbus_write_u64(const char *dir, const char *key, uint64_t value);
/* Plain decimal digits (no sign, no space), at most max. */
bool xenbus_parse_u64(const char *s, uint64_t max, uint64_t *value);
/* Reads dir/state until it is `want` (KEEL_OK), Closing or Closed
 * (KEEL_ECLOSED) or `timeout` ns pass (KEEL_ETIMEDOUT); the last state
 * read in *seen (0: none). */
int xenbus_wait_state(const char *dir, unsigned want, kp_time timeout, unsigned *seen);
const char *xenbus_state_name(unsigned state);

/* ---- Devices (devices.c, netfront.c, blkfront.c) ----------------------------- */

/*
 * Matches the manifest's devices to the domain's front-end directories
 * in xenstore (the i-th declared net device to the i-th vif by id, the
 * i-th block device to the i-th vbd) and starts their drivers when the
 * image links them. Refuses to boot, naming the device, when one is
 * missing or its backend does not connect.
 */
void devices_attach(void);
void netfront_attach(struct device *dev, kp_handle h, const char *front);
void blkfront_attach(struct device *dev, kp_handle h, const char *front);

/* ---- Exit (exit.c) --------------------------------------------------------- */

/* Statuses from 128 + 1 to 128 + 31 are the crash statuses (faults,
 * abort); the domain is shut down as crashed for those. */
#define XEN_CRASH_STATUS_MIN 129
#define XEN_CRASH_STATUS_MAX 159

#endif
