/*
 * fuzz/boot_info.c — libFuzzer target for the x86_64 (and xen) reading of
 * the loader's boot information: a PVH hvm_start_info or a multiboot v1
 * information block, the memory map and command line they point to
 * (boot_info_parse, platform/x86_64/boot_info.c, the code the images run).
 *
 * The first byte picks the structure (even: PVH, odd: multiboot); the
 * rest is the loader's memory, seen at physical address WINDOW_BASE with
 * the structure at its start, so every pointer in it is an address the
 * parser must check against the window. The parser must never read
 * outside it (ASan), never refuse through platform_fail (it aborts
 * here), and what it accepts must keep boot_info's promises.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

#define WINDOW_BASE 0x10000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void platform_fail(const char *first, ...)
{
	fprintf(stderr, "platform_fail reached from the parser: %s\n", first);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum boot_kind kind;
	struct boot_mem mem;
	uint8_t *copy;
	const char *err;
	size_t len;

	if (size < 1)
		return 0;
	kind = data[0] & 1 ? BOOT_MULTIBOOT : BOOT_PVH;
	/* A copy of exactly the window's size, so that ASan sees its end. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	mem = (struct boot_mem){ .host = (uintptr_t)copy, .base = WINDOW_BASE, .len = size - 1 };
	memset(&boot_info, 0xa5, sizeof(boot_info)); /* the parser must reset what it fills */
	err = boot_info_parse(kind, WINDOW_BASE, &mem);
	if (err) {
		if (!err[0])
			abort();
		free(copy);
		return 0;
	}
	if (boot_info.kind != kind || boot_info.nram > BOOT_MEMMAP_MAX)
		abort();
	if (boot_info.nram == 0 && !boot_info.memmap_absent)
		abort();
	if (boot_info.memmap_absent && (kind != BOOT_PVH || boot_info.nram != 0))
		abort();
	for (unsigned i = 0; i < boot_info.nram; i++) {
		const struct mem_range *r = &boot_info.ram[i];

		if (r->start >= r->end || (r->start | r->end) % PAGE_SIZE)
			abort();
	}
	len = strnlen(boot_info.cmdline, BOOT_CMDLINE_MAX);
	if (len == BOOT_CMDLINE_MAX || (boot_info.cmdline_truncated && len != BOOT_CMDLINE_MAX - 1))
		abort();
	if (boot_info.cmdline_has_name && kind != BOOT_MULTIBOOT)
		abort();
	free(copy);
	return 0;
}
