/*
 * mem.c — the page tables: walking them, mapping ranges, and the pool of
 * pages new tables come from.
 *
 * Memory is identity-mapped (a virtual address is the physical address),
 * so a table entry's address field can be dereferenced as it is. The root
 * is boot.S's boot_pml4 for the whole life of the image; mem_init.c
 * rewrites what it points to before main.
 *
 * Ranges are mapped with 2 MiB pages where they cover whole aligned 2 MiB
 * blocks and with 4 KiB pages elsewhere. A 2 MiB page is split into 512
 * small ones on demand (kp_page_guard under a fiber stack, a device
 * register page); the table for that comes from the pool, which
 * mem_init.c sizes at boot so that splitting every 2 MiB page of the heap
 * cannot run out. Nothing here allocates from the heap.
 */
#include "platform_impl.h"

static uintptr_t pool_next, pool_end;

void mem_pool_init(uintptr_t start, uintptr_t end)
{
	pool_next = start;
	pool_end = end;
}

/* A zeroed page for a table, or NULL when the pool is used up. */
static uint64_t *table_alloc(void)
{
	uint64_t *t, *p;
	size_t count = PAGE_SIZE / 8;

	if (pool_next >= pool_end)
		return NULL;
	t = p = (uint64_t *)pool_next;
	pool_next += PAGE_SIZE;
	/* One string instruction rather than a loop of 512 stores: boot cost
	 * under emulation is counted in instructions. */
	__asm__ volatile("rep stosq" : "+D"(p), "+c"(count) : "a"(0ull) : "memory");
	return t;
}

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

/* Addresses the tables can map: canonical, below 2^47 (the lower half;
 * physical addresses are never in the upper one). */
static bool mappable(uint64_t va)
{
	return va < (1ull << 47);
}

/*
 * Replaces the 2 MiB page `*pde` maps with a table of 512 small pages
 * with the same rights, so one of them can change. false: pool empty.
 */
static bool split_large(uint64_t *pde)
{
	uint64_t *pt = table_alloc();
	uint64_t base = *pde & PTE_ADDR & ~(uint64_t)(LARGE_PAGE_SIZE - 1);
	uint64_t flags = *pde & (PTE_P | PTE_W | PTE_PWT | PTE_PCD | PTE_NX);

	if (!pt)
		return false;
	for (unsigned i = 0; i < 512; i++)
		pt[i] = (base + (uint64_t)i * PAGE_SIZE) | flags;
	/* Directory entries keep the widest rights; the page entries say
	 * what is allowed. */
	*pde = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W;
	return true;
}

/*
 * The entry of the next level that `*entry` points to, for index `i`; with
 * `create`, makes that level (an empty table) if there is none. NULL when
 * it does not exist (or the pool is empty).
 */
static uint64_t *next_level(uint64_t *entry, unsigned i, bool create)
{
	if (!(*entry & PTE_P)) {
		uint64_t *t;

		if (!create || !(t = table_alloc()))
			return NULL;
		*entry = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
	}
	return &table_at(*entry)[i];
}

/* The root of the final tables, which mem_pde and mem_pte work on; set
 * by mem_init.c before it builds them (boot.S's tables are never
 * changed, only replaced). */
static uint64_t *root;

void mem_set_root(uint64_t *pml4)
{
	root = pml4;
}

uint64_t *mem_new_table(void)
{
	return table_alloc();
}

/*
 * The page-directory entry for `va` (which maps 2 MiB, or points to a
 * page table). With `create`, missing levels above it are made. NULL when
 * a level is missing.
 */
uint64_t *mem_pde(uint64_t va, bool create)
{
	uint64_t *e;

	if (!mappable(va))
		return NULL;
	e = &root[(va >> 39) & 511];
	if (!(e = next_level(e, (va >> 30) & 511, create)))
		return NULL;
	return next_level(e, (va >> 21) & 511, create);
}

/*
 * The 4 KiB page-table entry for `va`, splitting a 2 MiB page (and, with
 * `create`, making missing levels) to get one. NULL when there is none.
 */
uint64_t *mem_pte(uint64_t va, bool create)
{
	uint64_t *pde = mem_pde(va, create);

	if (!pde)
		return NULL;
	if ((*pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS) && !split_large(pde))
		return NULL;
	return next_level(pde, (va >> 12) & 511, create);
}

/*
 * Maps [start, end) (page-aligned) to itself with `flags`, using 2 MiB
 * pages for whole aligned blocks whose directory entry is still empty.
 * Small pages are filled a table at a time (consecutive entries), not
 * walked down to one by one. Boot only: no TLB flush (mem_init.c reloads
 * CR3 when done). false: the pool ran out.
 */
bool mem_map_range(uint64_t start, uint64_t end, uint64_t flags)
{
	uint64_t va = start;

	while (va < end) {
		uint64_t *pde, *pte, stop;

		if (!(va & (LARGE_PAGE_SIZE - 1)) && end - va >= LARGE_PAGE_SIZE) {
			if (!(pde = mem_pde(va, true)))
				return false;
			if (!(*pde & PTE_P)) {
				*pde = va | flags | PTE_PS;
				va += LARGE_PAGE_SIZE;
				continue;
			}
		}
		if (!(pte = mem_pte(va, true)))
			return false;
		stop = (va | (LARGE_PAGE_SIZE - 1)) + 1;
		if (stop > end)
			stop = end;
		for (; va < stop; va += PAGE_SIZE)
			*pte++ = va | flags;
	}
	return true;
}

bool mem_map_mmio(uint64_t phys, uint64_t len)
{
	uint64_t start = phys & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (phys + len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t *pte = mem_pte(va, true);

		if (!pte)
			return false;
		/* Uncached (PCD, PWT): device registers must see every access,
		 * in order. Never executable. */
		*pte = va | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX;
		cpu_invlpg((uintptr_t)va);
	}
	return true;
}

/*
 * The entry that decides about `va` in the tables the CPU is using: a
 * 4 KiB page entry, a 2 MiB directory entry, or the first entry on the
 * way down that is not present. NULL for an address the tables cannot map.
 */
static const uint64_t *leaf_entry(uint64_t va)
{
	const uint64_t *table = table_at(cpu_read_cr3());

	if (!mappable(va))
		return NULL;
	for (unsigned shift = 39;; shift -= 9) {
		const uint64_t *e = &table[(va >> shift) & 511];

		if (shift == 12 || !(*e & PTE_P) || (shift == 21 && (*e & PTE_PS)))
			return e;
		table = table_at(*e);
	}
}

bool mem_is_mapped(uintptr_t addr, size_t len)
{
	uint64_t va = addr & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (uint64_t)addr + len;

	if (len == 0 || end < addr)
		return false;
	for (; va < end; va += PAGE_SIZE) {
		const uint64_t *e = leaf_entry(va);

		if (!e || !(*e & PTE_P))
			return false;
	}
	return true;
}

bool mem_is_guard(uintptr_t addr)
{
	const uint64_t *e = leaf_entry(addr);

	return e && !(*e & PTE_P) && (*e & PTE_GUARD);
}
