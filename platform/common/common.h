/*
 * common.h — private to the hypervisor platforms (platform/x86_64,
 * platform/aarch64, platform/xen): the code they share in
 * platform/common/, which is the same on every such target, and the
 * little it needs from each.
 *
 * The shared files are the platform's own messages (print.c: printing
 * without the C library, refusing to boot), the manifest (manifest.c:
 * the target note every image carries, and checking the notes before
 * main) and where the heap goes (mem_heap.c). Each includes
 * "platform_impl.h", found through the -I its platform's build.mk adds
 * for these files; every platform_impl.h includes this header.
 *
 * What a target provides (in its platform_impl.h, or as functions):
 *
 *   PLATFORM_TARGET            its name as a bare word (x86_64, aarch64):
 *                              the image's target note, checked at boot
 *   console_write_now(b, n)    unbuffered console output (fault-safe)
 *   kp_exit(status)            include/keel/platform.h
 *   devices[], devices_count   the manifest's devices, filled here
 *                              (platform/virtio/virtio.h)
 *   PAGE_SIZE, __image_start,  its page size, and where the image lies
 *   __image_end                in memory (its linker script)
 */
#ifndef KEEL_PLATFORM_COMMON_H
#define KEEL_PLATFORM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Messages (print.c): built by hand, no libc ---------------------------- */

void print_str(const char *s);
void print_hex(uint64_t v);  /* "0x" and 16 digits */
void print_xnum(uint64_t v); /* "0x" and as few digits as needed */
void print_dec(uint64_t v);

/* The status of an image that refuses to start, as on linux. */
#define PLATFORM_EXIT_REFUSED 2

/*
 * Prints "keel: " and the strings up to the NULL and a newline in one
 * write (an over-long line is cut), then ends the image with
 * PLATFORM_EXIT_REFUSED. Only before main: afterwards failures are
 * errors returned to the caller.
 */
void platform_fail(const char *first, ...) __attribute__((noreturn, sentinel));

/* Decimal text of `value` in `buf`; returns a pointer into buf. */
#define PLATFORM_NUM_BUF 24
const char *platform_num(char buf[PLATFORM_NUM_BUF], uint64_t value);

bool platform_streq(const char *a, const char *b);
size_t platform_strlen(const char *s);

/* ---- The manifest (manifest.c) ----------------------------------------------- */

/* Checks the image's notes in memory: exactly one target note, naming
 * PLATFORM_TARGET; well-formed device notes, no name twice, at most
 * KEEL_MANIFEST_MAX; records the devices in devices[] in note order
 * (device i is handle i). Refuses to boot otherwise. */
void manifest_check(void);
/* The handle of declared device `name` of `kind` whose driver runs, or
 * -1. */
int devices_find(const char *name, uint32_t kind);

/* ---- The heap (mem_heap.c) --------------------------------------------------- */

/* A range of usable RAM. */
struct mem_range {
	uint64_t start, end; /* [start, end) */
};

#define MEM_HEAP_MIN (512u << 10) /* platform.h: at least 512 KiB */

/*
 * Chooses, from the usable RAM ranges `ram`, where the page-table pool
 * and the heap go: the pool at the image's end, in the range that holds
 * the image, pool_pages(heap_end, heap_size) pages long and ending by
 * `pool_limit` (what the boot tables map, where the pool is filled); the
 * heap in the largest range above the image, counting only what lies
 * below `va_limit` (what the tables can map), less the pool when that is
 * the same range. Sets
 * mem_heap_start and mem_heap_end, and returns the pool's end. Refuses
 * to boot when the image lies in no range, the pool does not fit, or
 * less than MEM_HEAP_MIN is left for the heap.
 */
uint64_t mem_place(const struct mem_range *ram, unsigned nram, uint64_t va_limit,
                   uint64_t pool_limit, uint64_t (*pool_pages)(uint64_t heap_end, uint64_t size));

/* The heap's bounds (what mem_take has not taken), for kp_page_guard to
 * check against and start.c to hand to the runtime. */
extern uintptr_t mem_heap_start, mem_heap_end;

/*
 * Takes `size` bytes (rounded up to whole pages, page-aligned, zeroed)
 * off the top of the heap, for device rings and buffers; before
 * keel_start only (start.c hands the runtime what is left). Refuses to
 * boot when the heap would shrink below MEM_HEAP_MIN.
 */
void *mem_take(size_t size);

/* ---- The command line (words.c) ---------------------------------------------- */

/* Cuts the next word out of *p in place (spaces, tabs and line ends
 * separate words; "..." or '...' holds spaces, the quotes removed);
 * NULL when there is none. */
char *platform_next_word(char **p);

#endif
