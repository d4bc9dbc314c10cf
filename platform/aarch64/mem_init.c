/*
 * mem_init.c — the final page tables, over the pool and the heap that
 * platform/common/mem_heap.c places.
 *
 *   .text                            read-only, executable
 *   notes, .rodata                   read-only, never executable
 *   .data, .bss                      read-write, never executable
 *   guard pages under both stacks    invalid, marked PTE_GUARD
 *   page-table pool (after image)    read-write, never executable
 *   the heap                         read-write, never executable
 *   device registers (from dt)       Device-nGnRnE, never executable
 *
 * Everything else faults: page 0 and the whole first GiB but the device
 * pages named, the RAM below the image (where QEMU puts the device tree,
 * already read), RAM the image does not use. SCTLR_EL1.WXN is set too,
 * so the MMU itself refuses to execute anything writable.
 *
 * The tables are built in pages taken right after the image while the
 * boot table (boot.S) is live, then switched to with one TTBR0 write.
 */
#include "platform_impl.h"

#define POOL_SPARE 32
#define POOL_SPLIT_MAX 2048
#define GICD_SIZE 0x10000
#define GICC_SIZE 0x2000
#define GICR_SIZE 0x20000 /* RD_base and SGI_base frames of one CPU */

static uint64_t pool_pages(uint64_t heap_end, uint64_t heap_size)
{
	uint64_t split = (heap_size >> 21) + 1;

	return 1 + (heap_end >> 30) + 1 + ((uint64_t)(uintptr_t)__image_end >> 30) + 1 +
	       (((uint64_t)(uintptr_t)__image_end - (uint64_t)(uintptr_t)__image_start) >> 21) + 4 +
	       (split < POOL_SPLIT_MAX ? split : POOL_SPLIT_MAX) + POOL_SPARE;
}

static void fail_map(void)
{
	platform_fail("internal error: the page-table pool is too small", NULL);
}

static void map(uint64_t start, uint64_t end, uint64_t flags)
{
	if (!mem_map_range(start, end, flags))
		fail_map();
}

static void map_ptr(const void *start, const void *end, uint64_t flags)
{
	map((uint64_t)(uintptr_t)start, (uint64_t)(uintptr_t)end, flags);
}

static void guard(const void *page)
{
	uint64_t va = (uint64_t)(uintptr_t)page;
	uint64_t *pte = mem_pte(va, true);

	if (!pte)
		fail_map();
	*pte = va | PTE_GUARD;
}

static void map_device(uint64_t addr, uint64_t size)
{
	uint64_t start = addr & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (addr + size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

	if (!addr)
		return;
	if (end >= VA_LIMIT || end < start)
		platform_fail("a device's registers lie beyond the addresses mapped (512 GiB)", NULL);
	map(start, end, MAP_DEVICE);
}

void mem_init(uintptr_t *heap_start, size_t *heap_size)
{
	uint64_t image_end = (uint64_t)(uintptr_t)__image_end;
	uint64_t pool_end = mem_place(dt.ram, dt.nram, VA_LIMIT, 4ull << 30, pool_pages);
	uint64_t *root;

	mem_pool_init((uintptr_t)image_end, (uintptr_t)pool_end);
	root = mem_new_table();
	mem_set_root(root);
	map_ptr(__text_start, __text_end, MAP_RX);
	map_ptr(__text_end, __data_start, MAP_RO);
	map_ptr(__data_start, __image_end, MAP_RW);
	guard(__boot_stack_guard);
	guard(__exception_stack_guard);
	map(image_end, pool_end, MAP_RW);
	map(mem_heap_start, mem_heap_end, MAP_RW);
	map_device(dt.uart, PAGE_SIZE);
	map_device(dt.rtc, PAGE_SIZE);
	map_device(dt.gicd, GICD_SIZE);
	map_device(dt.gicc, GICC_SIZE);
	map_device(dt.gicr, GICR_SIZE);
	for (unsigned i = 0; i < dt.nmmio; i++)
		map_device(dt.mmio[i].addr, dt.mmio[i].size);

	__asm__ volatile(
	    "dsb ish\n\tmsr ttbr0_el1, %0\n\tisb\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::"r"(
	        (uint64_t)(uintptr_t)root)
	    : "memory");
	sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | SCTLR_WXN);
	__asm__ volatile("isb\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");

	*heap_start = mem_heap_start;
	*heap_size = mem_heap_end - mem_heap_start;
}
