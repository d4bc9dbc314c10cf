/*
 * mem_init.c — the final page tables, over the pool and the heap that
 * platform/common/mem_heap.c places.
 *
 * What is mapped, and how (everything else faults):
 *
 *   image headers, notes, .rodata    read-only, no-execute
 *   .text                            read-only, executable
 *   .data, .bss                      read-write, no-execute
 *   GDT, TSS, IDT                    read-only once loaded (cpu_tables.c)
 *   guard pages under the stacks     not present, marked PTE_GUARD
 *   page-table pool (after image)    read-write, no-execute
 *   the heap                         read-write, no-execute
 *   device registers                 uncached, when a driver maps them
 *   device rings and buffers         read-write, no-execute: taken off
 *                                    the top of the heap (mem_take)
 *
 * Page 0 and all of memory below the image (1 MiB) stay unmapped, so a
 * null pointer plus any offset below 1 MiB faults; so does RAM the image
 * does not use.
 *
 * The new tables are built from scratch in pages taken just after the
 * image, then switched to with one CR3 load: the boot tables (boot.S)
 * stay valid until that instant, so nothing runs on half-built tables.
 */
#include "platform_impl.h"

/* Tables for device registers: the local APIC, the IOAPICs, and the
 * virtio devices' register windows (PCI: up to two BARs per device; a
 * window in a 2 MiB block of its own costs a table, one in a GiB of its
 * own a directory too). 32 pages cover a machine full of devices; a
 * mapping that still fails is refused with a message, never a fault. */
#define POOL_SPARE 32
/* At most this many tables are kept for splitting heap pages (8 MiB,
 * enough for guard pages all over 4 GiB of heap). Past it kp_page_guard
 * fails and lib/core goes without the guard page; the pool stays well
 * inside the first GiB, the only memory mapped while it is filled. */
#define POOL_SPLIT_MAX 2048
#define BOOT_MAPPED_END (1ull << 30)

/*
 * Pages the pool needs so that no mapping can fail for lack of tables:
 * the root; a PDPT per 512 GiB and a directory per GiB up to the heap's
 * end; tables for the image's 2 MiB blocks and the pool behind it, and
 * for the heap's unaligned ends; one per 2 MiB of heap (up to
 * POOL_SPLIT_MAX), for splitting each into small pages (guard pages under
 * fiber stacks); the spare.
 */
static uint64_t pool_pages(uint64_t heap_end, uint64_t heap_size)
{
	uint64_t n = 1;
	uint64_t split = (heap_size >> 21) + 1;

	n += (heap_end >> 39) + 1;
	n += (heap_end >> 30) + 1;
	n += ((uint64_t)(uintptr_t)__image_end >> 21) + 2;
	n += 2;
	n += split < POOL_SPLIT_MAX ? split : POOL_SPLIT_MAX;
	return n + POOL_SPARE;
}

static void fail_map(void)
{
	platform_fail("internal error: the page-table pool is too small", NULL);
}

static void map(const void *start, const void *end, uint64_t flags)
{
	if (!mem_map_range((uint64_t)(uintptr_t)start, (uint64_t)(uintptr_t)end, flags))
		fail_map();
}

static void guard(const void *page)
{
	uint64_t va = (uint64_t)(uintptr_t)page;
	uint64_t *pte = mem_pte(va, true);

	if (!pte)
		fail_map();
	/* Not present; the address is kept so the entry still says which
	 * page it was. */
	*pte = va | PTE_GUARD;
}

static void map_image(void)
{
	map(__image_start, __text_start, MAP_RO);
	map(__text_start, __text_end, MAP_RX);
	map(__data_start, __tables_start, MAP_RW);
	map(__tables_start, __tables_end, MAP_RO);
	map(__tables_end, __image_end, MAP_RW);
	guard(__boot_stack_guard);
	guard(__ist_df_guard);
	guard(__ist_nmi_guard);
	guard(__ist_pf_guard);
}

void mem_init(uintptr_t *heap_start, size_t *heap_size)
{
	uint64_t image_end = (uint64_t)(uintptr_t)__image_end;
	uint64_t pool_end =
	    mem_place(boot_info.ram, boot_info.nram, 1ull << 47, BOOT_MAPPED_END, pool_pages);
	uint64_t *root;

	mem_pool_init((uintptr_t)image_end, (uintptr_t)pool_end);
	root = mem_new_table();
	mem_set_root(root);
	map_image();
	map((void *)(uintptr_t)image_end, (void *)(uintptr_t)pool_end, MAP_RW);
	map((void *)mem_heap_start, (void *)mem_heap_end, MAP_RW);
	cpu_write_cr3((uint64_t)(uintptr_t)root);
	*heap_start = mem_heap_start;
	*heap_size = mem_heap_end - mem_heap_start;
}
