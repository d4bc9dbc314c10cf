/*
 * mem_heap.c — where the page-table pool and the heap go, and the
 * boot-time memory taken off the heap's top (mem_take): the same on
 * every hypervisor target; how RAM is found (the boot information, the
 * device tree) and how the tables are built are each target's mem_init.c.
 *
 * The pool starts right after the image, in the RAM range that holds it;
 * the heap is the largest usable range above the image (what the pool
 * leaves of it when that is the same range). Everything here is before
 * main: what cannot be placed refuses to boot, saying why.
 */
#include "platform_impl.h"

uintptr_t mem_heap_start, mem_heap_end;

static const char *kib(char buf[PLATFORM_NUM_BUF], uint64_t bytes)
{
	return platform_num(buf, bytes >> 10);
}

uint64_t mem_place(const struct mem_range *ram, unsigned nram, uint64_t va_limit,
                   uint64_t pool_limit, uint64_t (*pool_pages)(uint64_t heap_end, uint64_t size))
{
	uint64_t image_start = (uint64_t)(uintptr_t)__image_start;
	uint64_t image_end = (uint64_t)(uintptr_t)__image_end;
	const struct mem_range *home = NULL, *best = NULL;
	uint64_t start = 0, size = 0, pool_end;
	char num[PLATFORM_NUM_BUF];

	for (unsigned i = 0; i < nram; i++) {
		const struct mem_range *r = &ram[i];
		uint64_t s = r->start > image_end ? r->start : image_end;
		uint64_t e = r->end < va_limit ? r->end : va_limit; /* what can be mapped */

		if (r->start <= image_start && image_end <= r->end)
			home = r;
		if (s < e && e - s > size) {
			best = r;
			start = s;
			size = e - s;
		}
	}
	if (!home)
		platform_fail("the memory map has no usable RAM where the image is loaded", NULL);

	pool_end = image_end + pool_pages(start + size, size) * PAGE_SIZE;
	if (pool_end > pool_limit)
		platform_fail("internal error: the page-table pool would end beyond the memory "
		              "mapped at boot",
		              NULL);
	if (pool_end > home->end)
		platform_fail("too little memory for the page tables: ",
		              kib(num, home->end - image_end), " KiB after the image", NULL);
	if (best == home) {
		uint64_t end = start + size;

		start = pool_end;
		size = end > pool_end ? end - pool_end : 0;
	}
	if (!best || size < MEM_HEAP_MIN)
		platform_fail("only ", kib(num, size),
		              " KiB of memory are left for the heap; Keel needs at least 512 KiB "
		              "(give the machine more memory)",
		              NULL);
	mem_heap_start = (uintptr_t)start;
	mem_heap_end = (uintptr_t)(start + size);
	return pool_end;
}

void *mem_take(size_t size)
{
	uint64_t bytes = ((uint64_t)size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	char num[PLATFORM_NUM_BUF];
	void *p;

	if (bytes > mem_heap_end - mem_heap_start ||
	    mem_heap_end - mem_heap_start - bytes < MEM_HEAP_MIN)
		platform_fail("too little memory for the devices' buffers: they need ",
		              kib(num, bytes), " KiB more (give the machine more memory)", NULL);
	mem_heap_end -= (uintptr_t)bytes;
	p = (void *)mem_heap_end;
	__builtin_memset(p, 0, (size_t)bytes);
	return p;
}
