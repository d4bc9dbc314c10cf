/*
 * evtchn.c — event channels: how Xen wakes the image.
 *
 * Xen marks an event by setting the port's bit in the shared info
 * page's evtchn_pending bitmap, the bit of its 64-port word in vCPU 0's
 * evtchn_pending_sel, and evtchn_upcall_pending; then it raises the
 * upcall. On a PVH guest the upcall is an interrupt vector of the
 * guest's choice (HVM_PARAM_CALLBACK_IRQ, type "vector"): Xen injects it
 * whenever evtchn_upcall_pending is set and the guest has interrupts on,
 * which here is only inside kp_yield's `sti; hlt` (yield.c). It comes
 * straight from Xen, not through the local APIC, so it needs no EOI;
 * the handler clears evtchn_upcall_pending itself, or Xen would inject
 * it again.
 *
 * The handler (upcall) collects the pending, unmasked ports, clearing
 * each bit with an atomic instruction (Xen sets bits concurrently from
 * other physical CPUs). The only port bound so far is VIRQ_TIMER, fired
 * by vCPU 0's one-shot timer, whose one job is to end the wait; the
 * drivers' ports (netfront, blkfront: allocated with evtchn_alloc, for
 * their backend to bind) call the handler their driver gave; a port
 * nobody bound is counted and dropped. Every index is bounded by the
 * 2-level ABI's 64 x 64 ports, whatever the page says.
 */
#include "xen_impl.h"

#define EVTCHNOP_BIND_VIRQ 1
#define EVTCHNOP_SEND 4
#define EVTCHNOP_ALLOC_UNBOUND 6
#define EVTCHNOP_UNMASK 9
#define HVMOP_SET_PARAM 0
#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_CALLBACK_TYPE_VECTOR 2ull
#define VCPUOP_SET_SINGLESHOT_TIMER 8
#define VCPUOP_STOP_SINGLESHOT_TIMER 9
#define VCPUOP_STOP_PERIODIC_TIMER 7

struct evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	uint32_t port; /* out */
};

struct evtchn_port {
	uint32_t port;
};

struct evtchn_alloc_unbound {
	uint16_t dom, remote_dom;
	uint32_t port; /* out */
};

/* The drivers' ports and what to call when they fire. */
static struct {
	uint32_t port;
	void (*fn)(void *arg);
	void *arg;
} bound[EVTCHN_BOUND_MAX];
static unsigned nbound;

struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};

struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags;
	uint32_t pad;
};

uint32_t evtchn_timer_port;
uint64_t evtchn_upcalls, evtchn_timer_events, evtchn_strays;

static uint64_t xchg64(volatile uint64_t *p, uint64_t v)
{
	__asm__ volatile("xchg %0, %1" : "+r"(v), "+m"(*p)::"memory");
	return v;
}

/* Atomically clears bit `bit` of *word (Xen sets others meanwhile). */
static void clear_bit(volatile uint64_t *word, unsigned bit)
{
	__asm__ volatile("lock btrq %1, %0" : "+m"(*word) : "r"((uint64_t)bit) : "memory", "cc");
}

static void dispatch(uint32_t port)
{
	for (unsigned i = 0; i < nbound; i++) {
		if (bound[i].port == port) {
			bound[i].fn(bound[i].arg);
			return;
		}
	}
	evtchn_strays++;
}

static void upcall(unsigned vector, void *arg)
{
	volatile struct xen_shared_info *s = xen_shared;
	uint64_t sel;

	evtchn_upcalls++;
	xen_vcpu->evtchn_upcall_pending = 0;
	cpu_mb();
	sel = xchg64(&xen_vcpu->evtchn_pending_sel, 0);
	while (sel) {
		unsigned w = (unsigned)__builtin_ctzll(sel);
		uint64_t pending;

		sel &= sel - 1;
		if (w >= XEN_EVTCHN_WORDS)
			break;
		pending = s->evtchn_pending[w] & ~s->evtchn_mask[w];
		while (pending) {
			unsigned b = (unsigned)__builtin_ctzll(pending);
			uint32_t port = w * 64 + b;

			pending &= pending - 1;
			clear_bit(&s->evtchn_pending[w], b);
			if (port == evtchn_timer_port)
				evtchn_timer_events++;
			else
				dispatch(port);
		}
	}
}

/*
 * x86_64's intr.c acknowledges an unexpected interrupt at the local
 * APIC. On Xen nothing arrives through it: the image never enables it
 * (its spurious-vector register keeps the reset value, software
 * disabled) and the upcall vector bypasses it. So there is nothing to
 * acknowledge.
 */
void lapic_eoi(void)
{
}

void evtchn_unmask(uint32_t port)
{
	struct evtchn_port p = { port };

	/* EVTCHNOP_unmask rather than clearing the bit by hand: Xen then
	 * re-raises the upcall for an event that came while masked. */
	if (port < XEN_EVTCHN_PORTS)
		xen_evtchn_op(EVTCHNOP_UNMASK, &p);
}

int evtchn_alloc(uint16_t remote, void (*fn)(void *arg), void *arg, uint32_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };

	if (nbound == EVTCHN_BOUND_MAX)
		return KEEL_ENOMEM;
	if (xen_evtchn_op(EVTCHNOP_ALLOC_UNBOUND, &a) < 0)
		return KEEL_EIO;
	if (a.port == 0 || a.port >= XEN_EVTCHN_PORTS)
		return KEEL_EIO;
	bound[nbound].port = a.port;
	bound[nbound].fn = fn;
	bound[nbound].arg = arg;
	nbound++;
	evtchn_unmask(a.port);
	*port = a.port;
	return KEEL_OK;
}

void evtchn_notify(uint32_t port)
{
	struct evtchn_port p = { port };

	xen_evtchn_op(EVTCHNOP_SEND, &p);
}

void xen_timer_set(uint64_t xen_ns)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = xen_ns };

	/* No VCPU_SSHOTTMR_future flag: a time already past fires at once,
	 * which is what a deadline that just passed wants. */
	if (xen_ns == 0)
		xen_vcpu_op(VCPUOP_STOP_SINGLESHOT_TIMER, 0, NULL);
	else
		xen_vcpu_op(VCPUOP_SET_SINGLESHOT_TIMER, 0, &t);
}

void evtchn_init(void)
{
	volatile struct xen_shared_info *s = xen_shared;
	struct evtchn_bind_virq bind = { .virq = XEN_VIRQ_TIMER, .vcpu = 0 };
	struct xen_hvm_param cb = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ };
	unsigned vector = intr_alloc_vector();
	char num[PLATFORM_NUM_BUF];
	long rc;

	/* Nothing is delivered until a port is unmasked on purpose. */
	for (unsigned w = 0; w < XEN_EVTCHN_WORDS; w++)
		s->evtchn_mask[w] = ~0ull;
	xen_vcpu->evtchn_upcall_mask = 0;

	intr_set_handler(vector, upcall, NULL);
	cb.value = HVM_CALLBACK_TYPE_VECTOR << 56 | vector;
	if ((rc = xen_hvm_op(HVMOP_SET_PARAM, &cb)) < 0)
		platform_fail("Xen refused the event upcall vector (HVM_PARAM_CALLBACK_IRQ: error ",
		         platform_num(num, (uint64_t)-rc), ")", NULL);

	/* Only the one-shot timer wakes the image; a periodic tick (Xen
	 * may start one) would only cost wake-ups. */
	xen_vcpu_op(VCPUOP_STOP_PERIODIC_TIMER, 0, NULL);
	if ((rc = xen_evtchn_op(EVTCHNOP_BIND_VIRQ, &bind)) < 0)
		platform_fail("Xen refused to bind VIRQ_TIMER (error ", platform_num(num, (uint64_t)-rc), ")",
		         NULL);
	if (bind.port == 0 || bind.port >= XEN_EVTCHN_PORTS)
		platform_fail("Xen bound VIRQ_TIMER to port ", platform_num(num, bind.port),
		         ", outside the 2-level event channel range", NULL);
	evtchn_timer_port = bind.port;
	evtchn_unmask(evtchn_timer_port);
}
