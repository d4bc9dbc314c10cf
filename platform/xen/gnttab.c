/*
 * gnttab.c — grant tables (version 1): giving another domain access to
 * one of the image's pages, the base netfront and blkfront build on.
 *
 * A PVH guest places its grant table frames in its own physical memory
 * (XENMEM_add_to_physmap, space XENMAPSPACE_grant_table): here one frame
 * (512 entries) over a .bss page, mapped the first time a grant is made.
 * An entry is filled in the order Xen requires: domain and frame first,
 * the flags that make it valid last. Ending a grant checks the flags Xen
 * sets while the other domain uses the page (GTF_reading, GTF_writing):
 * a grant still in use is not taken back (KEEL_EAGAIN), and the flags
 * are cleared with compare-and-swap so that a use starting meanwhile is
 * not missed. References are bounded by the one frame; the first
 * GNTTAB_RESERVED are left to the toolstack, as is conventional.
 */
#include "xen_impl.h"

#define XEN_HC_GRANT_TABLE_OP 20
#define XENMEM_ADD_TO_PHYSMAP 7
#define XENMAPSPACE_GRANT_TABLE 1
#define GTF_PERMIT_ACCESS 1u
#define GTF_READONLY (1u << 2)
#define GTF_READING (1u << 3)
#define GTF_WRITING (1u << 4)
#define GNTTAB_RESERVED 8

struct grant_entry_v1 {
	uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};

struct xen_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

static struct grant_entry_v1 table[GNTTAB_ENTRIES]
    __attribute__((section(".bss.page_aligned"), aligned(PAGE_SIZE)));
static bool mapped, in_use[GNTTAB_ENTRIES];

long gnttab_op(unsigned cmd, void *uop, unsigned count)
{
	return xen_hypercall(XEN_HC_GRANT_TABLE_OP, cmd, (uint64_t)(uintptr_t)uop, count);
}

static int map_table(void)
{
	struct xen_add_to_physmap map = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_GRANT_TABLE,
		.idx = 0,
		.gpfn = (uint64_t)(uintptr_t)table / PAGE_SIZE,
	};

	if (xen_memory_op(XENMEM_ADD_TO_PHYSMAP, &map) < 0)
		return KEEL_EIO;
	mapped = true;
	return KEEL_OK;
}

int gnttab_grant(uint16_t domid, uint64_t pfn, bool readonly, uint32_t *ref)
{
	volatile struct grant_entry_v1 *e;
	uint32_t r;
	int rc;

	if (pfn > UINT32_MAX || domid >= DOMID_SELF)
		return KEEL_EINVAL;
	if (!mapped && (rc = map_table()) < 0)
		return rc;
	for (r = GNTTAB_RESERVED; r < GNTTAB_ENTRIES && in_use[r]; r++)
		;
	if (r == GNTTAB_ENTRIES)
		return KEEL_ENOMEM;
	e = &table[r];
	e->domid = domid;
	e->frame = (uint32_t)pfn;
	cpu_wmb();
	e->flags = (uint16_t)(GTF_PERMIT_ACCESS | (readonly ? GTF_READONLY : 0));
	in_use[r] = true;
	*ref = r;
	return KEEL_OK;
}

int gnttab_end(uint32_t ref)
{
	volatile uint16_t *flags;
	uint16_t old;

	if (ref < GNTTAB_RESERVED || ref >= GNTTAB_ENTRIES || !in_use[ref])
		return KEEL_EINVAL;
	flags = &table[ref].flags;
	old = *flags;
	for (;;) {
		uint16_t seen;

		if (old & (GTF_READING | GTF_WRITING))
			return KEEL_EAGAIN;
		seen = __sync_val_compare_and_swap(flags, old, 0);
		if (seen == old)
			break;
		old = seen;
	}
	in_use[ref] = false;
	return KEEL_OK;
}
