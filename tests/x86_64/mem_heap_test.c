/*
 * Unit test of platform/common/mem_heap.c on the host, with x86_64's
 * platform header: where mem_place puts the page-table pool and the heap
 * for RAM ranges written here (the image's own range or a larger one
 * above it, a heap cut at the addresses the tables map), and each of its
 * refusals (no range holds the image, a pool past what the boot tables
 * map or past the image's range, a heap under 512 KiB) with the line
 * print.c's platform_fail writes; then mem_take from the top of a real
 * buffer, zeroed, refusing to leave the heap under its minimum. The
 * image's bounds are linker symbols the test's link sets (test.mk).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define IMAGE_START (1 * MIB) /* test.mk's --defsym values */
#define IMAGE_END (3 * MIB / 2)

static jmp_buf refused;
static char console[512];
static uint64_t pages, seen_end, seen_size;

void console_write_now(const char *s, size_t n)
{
	size_t len = strlen(console);

	CHECK(len + n < sizeof(console));
	memcpy(console + len, s, n);
	console[len + n] = '\0';
}

void kp_exit(int status)
{
	CHECK(status == PLATFORM_EXIT_REFUSED);
	longjmp(refused, 1);
}

static uint64_t pool_pages(uint64_t heap_end, uint64_t size)
{
	seen_end = heap_end;
	seen_size = size;
	return pages;
}

/* mem_place on `n` ranges with `pool` pages of tables; false (the line
 * in console) when it refuses to boot. */
static bool place(const struct mem_range *ram, unsigned n, uint64_t va_limit, uint64_t pool_limit,
                  uint64_t pool, uint64_t *pool_end)
{
	pages = pool;
	console[0] = '\0';
	mem_heap_start = mem_heap_end = 0;
	if (setjmp(refused))
		return false;
	*pool_end = mem_place(ram, n, va_limit, pool_limit, pool_pages);
	return true;
}

int main(void)
{
	uint64_t end;
	uint8_t *buf;
	void *p;

	CHECK((uint64_t)(uintptr_t)__image_start == IMAGE_START);
	CHECK((uint64_t)(uintptr_t)__image_end == IMAGE_END);

	/* A larger range above: the heap there, whole; the pool after the
	 * image, sized for that heap. */
	{
		struct mem_range ram[] = { { 0, 640 << 10 },
			                   { MIB, 64 * MIB },
			                   { 4 * GIB, 6 * GIB } };

		CHECK(place(ram, 3, 1ull << 47, GIB, 100, &end));
		CHECK(end == IMAGE_END + 100 * PAGE_SIZE);
		CHECK(mem_heap_start == 4 * GIB && mem_heap_end == 6 * GIB);
		CHECK(seen_end == 6 * GIB && seen_size == 2 * GIB);
	}
	/* The image's range only: the heap is what follows the pool. */
	{
		struct mem_range ram[] = { { MIB, 64 * MIB } };

		CHECK(place(ram, 1, 1ull << 47, GIB, 10, &end));
		CHECK(end == IMAGE_END + 10 * PAGE_SIZE);
		CHECK(mem_heap_start == end && mem_heap_end == 64 * MIB);
		CHECK(seen_end == 64 * MIB && seen_size == 64 * MIB - IMAGE_END);
	}
	/* RAM past what the tables map is left out; wholly past, it is not
	 * the heap. */
	{
		struct mem_range ram[] = { { MIB, 64 * MIB }, { 4 * GIB, 600 * GIB } };

		CHECK(place(ram, 2, 512 * GIB, 4 * GIB, 10, &end));
		CHECK(mem_heap_start == 4 * GIB && mem_heap_end == 512 * GIB);
		CHECK(place(ram, 2, 2 * GIB, 4 * GIB, 10, &end));
		CHECK(mem_heap_start == IMAGE_END + 10 * PAGE_SIZE && mem_heap_end == 64 * MIB);
	}
	/* Refusals, each with its line. */
	{
		struct mem_range below[] = { { 0, 640 << 10 }, { 2 * MIB, 64 * MIB } };
		struct mem_range small[] = { { MIB, 2 * MIB }, { 4 * GIB, 5 * GIB } };
		struct mem_range tight[] = { { MIB, IMAGE_END + 600 * 1024 } };

		CHECK(!place(below, 2, 1ull << 47, GIB, 10, &end));
		CHECK(
		    strcmp(console,
		           "keel: the memory map has no usable RAM where the image is loaded\n") ==
		    0);
		CHECK(!place(small, 2, 1ull << 47, 2 * MIB, 200, &end));
		CHECK(
		    strstr(console, "keel: internal error: the page-table pool would end beyond"));
		CHECK(!place(small, 2, 1ull << 47, GIB, 200, &end));
		CHECK(strcmp(console, "keel: too little memory for the page tables: 512 KiB after "
		                      "the image\n") == 0);
		CHECK(place(small, 2, 1ull << 47, GIB, 128, &end) && end == 2 * MIB);
		CHECK(!place(tight, 1, 1ull << 47, GIB, 30, &end));
		CHECK(strcmp(console,
		             "keel: only 480 KiB of memory are left for the heap; Keel needs "
		             "at least 512 KiB (give the machine more memory)\n") == 0);
		CHECK(place(tight, 1, 1ull << 47, GIB, 22, &end) &&
		      mem_heap_end - mem_heap_start == 512 * 1024);
	}

	/* mem_take: whole pages off the top, zeroed, never below the minimum. */
	buf = aligned_alloc(PAGE_SIZE, MEM_HEAP_MIN + 4 * PAGE_SIZE);
	CHECK(buf);
	memset(buf, 0xa5, MEM_HEAP_MIN + 4 * PAGE_SIZE);
	mem_heap_start = (uintptr_t)buf;
	mem_heap_end = (uintptr_t)buf + MEM_HEAP_MIN + 4 * PAGE_SIZE;
	p = mem_take(PAGE_SIZE + 1);
	CHECK(p == buf + MEM_HEAP_MIN + 2 * PAGE_SIZE);
	CHECK(mem_heap_end == (uintptr_t)p);
	for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
		CHECK(((uint8_t *)p)[i] == 0);
	CHECK(buf[MEM_HEAP_MIN + 2 * PAGE_SIZE - 1] == 0xa5);
	console[0] = '\0';
	if (!setjmp(refused)) {
		mem_take(2 * PAGE_SIZE + 1);
		CHECK(!"mem_take left less than the minimum");
	}
	CHECK(strcmp(console, "keel: too little memory for the devices' buffers: they need 12 KiB "
	                      "more (give the machine more memory)\n") == 0);
	CHECK(mem_heap_end == (uintptr_t)p);
	CHECK(mem_take(2 * PAGE_SIZE) == buf + MEM_HEAP_MIN);
	free(buf);
	printf("mem_heap: ok\n");
	return 0;
}
