/*
 * shared_info.c — the shared info page: vCPU 0's event and time fields,
 * the event-channel bitmaps and the wall clock.
 *
 * A PVH guest chooses where the page appears in its physical memory
 * (XENMEM_add_to_physmap, space XENMAPSPACE_shared_info): here, over a
 * page of the image's own .bss, which the image's page tables already
 * map read-write and no-execute. The RAM page that was there goes back
 * to Xen. Everything read from the page is Xen's to change at any time:
 * readers use volatile accesses and check what they read (clock.c,
 * evtchn.c).
 */
#include "xen_impl.h"

#define XENMEM_ADD_TO_PHYSMAP 7
#define XENMAPSPACE_SHARED_INFO 0

struct xen_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

static char page[PAGE_SIZE] __attribute__((section(".bss.page_aligned"), aligned(PAGE_SIZE)));

volatile struct xen_shared_info *xen_shared;
volatile struct xen_vcpu_info *xen_vcpu;

void shared_info_map(void)
{
	struct xen_add_to_physmap map = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_SHARED_INFO,
		.idx = 0,
		.gpfn = (uint64_t)(uintptr_t)page / PAGE_SIZE,
	};
	long rc = xen_memory_op(XENMEM_ADD_TO_PHYSMAP, &map);
	char num[PLATFORM_NUM_BUF];

	if (rc < 0)
		platform_fail("Xen refused to map the shared info page (XENMEM_add_to_physmap: error ",
		         platform_num(num, (uint64_t)-rc), ")", NULL);
	xen_shared = (volatile struct xen_shared_info *)page;
	xen_vcpu = &xen_shared->vcpu_info[0];
}
