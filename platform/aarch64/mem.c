/*
 * mem.c — the page tables: walking them, mapping ranges, and the pool of
 * pages new tables come from.
 *
 * Identity-mapped through TTBR0 with the 4 KiB granule and 39-bit
 * addresses: three levels, 1 GiB per level-1 entry, 2 MiB per level-2
 * entry (a block, or a table of 512 level-3 pages). A 2 MiB block is
 * split into pages on demand (kp_page_guard, a device register page);
 * the pool is sized by mem_init.c so that splitting every heap block
 * cannot run out. Nothing here allocates from the heap.
 */
#include "platform_impl.h"

static uintptr_t pool_next, pool_end;
static uint64_t *root;

void mem_pool_init(uintptr_t start, uintptr_t end)
{
	pool_next = start;
	pool_end = end;
}

static uint64_t *table_alloc(void)
{
	uint64_t *t;

	if (pool_next >= pool_end)
		return NULL;
	t = (uint64_t *)pool_next;
	pool_next += PAGE_SIZE;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i += 2) {
		t[i] = 0;
		t[i + 1] = 0;
	}
	return t;
}

uint64_t *mem_new_table(void)
{
	return table_alloc();
}

void mem_set_root(uint64_t *r)
{
	root = r;
}

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

void mem_flush_page(uintptr_t va)
{
	__asm__ volatile("dsb ishst\n\ttlbi vaae1is, %0\n\tdsb ish\n\tisb" ::"r"(va >> 12)
	                 : "memory");
}

static void flush_all(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
}

/* The entry `i` of the table `*entry` points to; with `create`, an
 * empty table is made when there is none. NULL: none (or no pool). */
static uint64_t *next_level(uint64_t *entry, unsigned i, bool create)
{
	if (!(*entry & PTE_VALID)) {
		uint64_t *t;

		if (!create || !(t = table_alloc()))
			return NULL;
		*entry = (uint64_t)(uintptr_t)t | PTE_VALID | PTE_TABLE;
	}
	return &table_at(*entry)[i];
}

/* Replaces the 2 MiB block `*pde` maps with a table of 512 pages with
 * the same attributes. Break before make: the entry is invalid, and
 * the TLB flushed, before the table goes in. */
static bool split_block(uint64_t *pde)
{
	uint64_t *pt = table_alloc();
	uint64_t base = *pde & PTE_ADDR & ~(uint64_t)(BLOCK_SIZE - 1);
	uint64_t attrs = *pde & ~PTE_ADDR & ~(PTE_VALID | PTE_TABLE);

	if (!pt)
		return false;
	for (unsigned i = 0; i < 512; i++)
		pt[i] = (base + (uint64_t)i * PAGE_SIZE) | attrs | PTE_VALID | PTE_TABLE;
	*pde = 0;
	flush_all();
	*pde = (uint64_t)(uintptr_t)pt | PTE_VALID | PTE_TABLE;
	flush_all();
	return true;
}

/* The level-2 entry for `va`; NULL when a level is missing. */
static uint64_t *mem_pde(uint64_t va, bool create)
{
	if (va >= VA_LIMIT || !root)
		return NULL;
	return next_level(&root[(va >> 30) & 511], (va >> 21) & 511, create);
}

uint64_t *mem_pte(uint64_t va, bool create)
{
	uint64_t *pde = mem_pde(va, create);

	if (!pde)
		return NULL;
	if ((*pde & (PTE_VALID | PTE_TABLE)) == PTE_VALID && !split_block(pde))
		return NULL;
	return next_level(pde, (va >> 12) & 511, create);
}

bool mem_map_range(uint64_t start, uint64_t end, uint64_t flags)
{
	uint64_t va = start;

	while (va < end) {
		uint64_t *pde, *pte, stop;

		if (!(va & (BLOCK_SIZE - 1)) && end - va >= BLOCK_SIZE) {
			if (!(pde = mem_pde(va, true)))
				return false;
			if (!(*pde & PTE_VALID)) {
				*pde = va | flags | PTE_VALID;
				va += BLOCK_SIZE;
				continue;
			}
		}
		if (!(pte = mem_pte(va, true)))
			return false;
		stop = (va | (BLOCK_SIZE - 1)) + 1;
		if (stop > end)
			stop = end;
		for (; va < stop; va += PAGE_SIZE)
			*pte++ = va | flags | PTE_VALID | PTE_TABLE;
	}
	return true;
}

/* The entry that decides about `va` in the live tables: a page, a
 * block, or the first invalid entry on the way down. */
static const uint64_t *leaf_entry(uint64_t va)
{
	const uint64_t *table = table_at(sysreg_read(ttbr0_el1));

	if (va >= VA_LIMIT)
		return NULL;
	for (unsigned shift = 30;; shift -= 9) {
		const uint64_t *e = &table[(va >> shift) & 511];

		if (shift == 12 || (*e & (PTE_VALID | PTE_TABLE)) != (PTE_VALID | PTE_TABLE))
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

		if (!e || !(*e & PTE_VALID))
			return false;
	}
	return true;
}

bool mem_is_guard(uintptr_t addr)
{
	const uint64_t *e = leaf_entry(addr);

	return e && !(*e & PTE_VALID) && (*e & PTE_GUARD);
}

bool mem_map_mmio(uint64_t phys, uint64_t len)
{
	uint64_t start = phys & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (phys + len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

	if (end > VA_LIMIT || end < start)
		return false;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t *pte = mem_pte(va, true);

		if (!pte)
			return false;
		*pte = va | MAP_DEVICE | PTE_VALID | PTE_TABLE;
		mem_flush_page((uintptr_t)va);
	}
	return true;
}
