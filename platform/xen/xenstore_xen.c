/*
 * xenstore_xen.c — the xenstore client (xenstore.c) on Xen's ring: the
 * page and event channel Xen names in HVM_PARAM_STORE_PFN and _EVTCHN,
 * checked like the console's (console.c) before the page is mapped.
 *
 * A wait is one short sleep (WAIT_NS) that the store's event ends
 * early; xenstore.c bounds the number of waits, so a silent xenstored
 * costs at most that many sleeps. The initial domain of the PVH-domain
 * lane has no xenstore (no xenstored runs): KEEL_ENODEV.
 */
#include "xen_impl.h"

#define HVMOP_GET_PARAM 1
#define HVM_PARAM_STORE_PFN 1
#define HVM_PARAM_STORE_EVTCHN 2
#define PFN_MAX (1ull << 40)
#define WAIT_NS 5000000ull /* 5 ms */

struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};

static uint32_t store_port;

static bool get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (xen_hvm_op(HVMOP_GET_PARAM, &p) < 0)
		return false;
	*value = p.value;
	return true;
}

static bool in_ram(uint64_t pfn)
{
	uint64_t a = pfn * PAGE_SIZE;

	if (a < (uintptr_t)__image_end && a + PAGE_SIZE > (uintptr_t)__image_start)
		return true;
	for (unsigned i = 0; i < boot_info.nram; i++) {
		if (a < boot_info.ram[i].end && a + PAGE_SIZE > boot_info.ram[i].start)
			return true;
	}
	return false;
}

static void notify(void *ctx)
{
	evtchn_notify(store_port);
}

static bool wait(void *ctx)
{
	kp_handle_set ready;

	kp_yield(kp_clock_monotonic() + WAIT_NS, &ready);
	return true;
}

int xen_xenstore_open(struct xs_conn *c)
{
	uint64_t pfn, port;

	if (!get_param(HVM_PARAM_STORE_PFN, &pfn) || !get_param(HVM_PARAM_STORE_EVTCHN, &port) ||
	    pfn == 0)
		return KEEL_ENODEV;
	if (pfn >= PFN_MAX || in_ram(pfn) || port == 0 || port >= XEN_EVTCHN_PORTS)
		return KEEL_EIO;
	if (!mem_map_range(pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE, MAP_RW))
		return KEEL_ENOMEM;
	cpu_invlpg((uintptr_t)(pfn * PAGE_SIZE));
	store_port = (uint32_t)port;
	evtchn_unmask(store_port);
	return xs_open(c, (volatile struct xs_ring *)(uintptr_t)(pfn * PAGE_SIZE), notify, wait,
	               NULL);
}
