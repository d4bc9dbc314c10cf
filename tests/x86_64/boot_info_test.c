/*
 * Unit test of platform/x86_64/boot_info.c's boot_info_parse on the
 * host: PVH start infos and multiboot information written here into a
 * window of memory, well-formed and not. Among them the cases the reader
 * once got wrong: a command line ending exactly at the end of readable
 * memory (its "was it cut" byte lay past it), a command line pointer
 * that wraps past 2^64 back into memory, and a RAM range just below
 * 2^64 whose start, rounded up to a page, wrapped to 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

#define BASE 0x10000u

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

void platform_fail(const char *first, ...)
{
	printf("FAIL: platform_fail reached: %s\n", first);
	exit(1);
}

static uint8_t *win;
static size_t win_len;

static void put32(size_t off, uint32_t v)
{
	memcpy(win + off, &v, 4); /* the host is little-endian, as x86 */
}

static void put64(size_t off, uint64_t v)
{
	memcpy(win + off, &v, 8);
}

/* A window of len bytes, exactly (ASan sees its end). */
static void window(size_t len)
{
	free(win);
	win = calloc(1, len);
	win_len = len;
}

/* Multiboot information with two map entries, the second larger than
 * the minimum (its size says so), and the command line "/k a". */
static void two_entry_map(void)
{
	window(52 + 24 + 32 + 8);
	put32(0, 1 | 4 | 64);
	put32(16, BASE + 108);
	put32(44, 24 + 32);
	put32(48, BASE + 52);
	put32(52, 20);
	put64(56, 0x100000);
	put64(64, 0x100000);
	put32(72, 1);
	put32(76, 28);
	put64(80, 0x400000);
	put64(88, 0x200000);
	put32(96, 1);
	memcpy(win + 108, "/k a", 5);
}

static const char *parse(enum boot_kind kind)
{
	struct boot_mem m = { (uintptr_t)win, BASE, win_len };

	return boot_info_parse(kind, BASE, &m);
}

/* A PVH start info at 0 with one map entry at 56 and the command line at cmd_off. */
static void pvh(uint64_t ram_addr, uint64_t ram_len, uint64_t cmdline)
{
	put32(0, 0x336ec578);
	put32(4, 1);
	put64(24, cmdline);
	put64(40, BASE + 56);
	put32(48, 1);
	put64(56, ram_addr);
	put64(64, ram_len);
	put32(72, 1);
}

int main(void)
{
	const char *err;

	/* Well-formed PVH, the command line after the map. */
	window(100);
	pvh(0x100000, 0x7ff00000, BASE + 80);
	memcpy(win + 80, "a b", 4);
	err = parse(BOOT_PVH);
	CHECK(err == NULL);
	CHECK(boot_info.nram == 1 && boot_info.ram[0].start == 0x100000 &&
	      boot_info.ram[0].end == 0x80000000);
	CHECK(strcmp(boot_info.cmdline, "a b") == 0 && !boot_info.cmdline_truncated);

	/* A command line of 1023 bytes and no NUL, ending with the window:
	 * refused, without reading the byte after it. */
	window(80 + 1023);
	pvh(0x100000, 0x100000, BASE + 80);
	memset(win + 80, 'x', 1023);
	err = parse(BOOT_PVH);
	CHECK(err && strstr(err, "command line"));

	/* 1023 bytes then more: cut, flagged. */
	window(80 + 1100);
	pvh(0x100000, 0x100000, BASE + 80);
	memset(win + 80, 'y', 1099);
	err = parse(BOOT_PVH);
	CHECK(err == NULL && boot_info.cmdline_truncated && strlen(boot_info.cmdline) == 1023);

	/* A command line pointer 2 bytes below 2^64: refused, not read
	 * from the start of memory once the sum wraps. */
	window(100);
	pvh(0x100000, 0x100000, UINT64_MAX - 1);
	err = parse(BOOT_PVH);
	CHECK(err && strstr(err, "command line"));

	/* RAM just below 2^64: no whole page inside, so nothing is kept
	 * (it once became [0, 2^64 - 4096)); the map then has no RAM. */
	window(100);
	pvh(UINT64_MAX - 0x7ff, 0x400, 0);
	err = parse(BOOT_PVH);
	CHECK(err && strstr(err, "no usable RAM"));
	CHECK(boot_info.nram == 0);

	/* The map outside the window. */
	window(100);
	pvh(0x100000, 0x100000, 0);
	put64(40, BASE + 60);
	err = parse(BOOT_PVH);
	CHECK(err && strstr(err, "memory map"));

	/* Version 0: no map, which the caller may get elsewhere. */
	window(100);
	pvh(0x100000, 0x100000, 0);
	put32(4, 0);
	err = parse(BOOT_PVH);
	CHECK(err == NULL && boot_info.memmap_absent && boot_info.nram == 0);

	/* Multiboot: two map entries, the second larger than the minimum
	 * (its size says so), and the command line with the image's name. */
	two_entry_map();
	err = parse(BOOT_MULTIBOOT);
	CHECK(err == NULL && boot_info.nram == 2 && boot_info.ram[1].start == 0x400000);
	CHECK(boot_info.cmdline_has_name && strcmp(boot_info.cmdline, "/k a") == 0);

	/* GRUB 2 passes the arguments only, and names itself: no image name
	 * on the command line. Another loader name keeps it. */
	window(160);
	put32(0, 1 | 4 | 512);
	put32(8, 1024);
	put32(16, BASE + 100);
	put32(64, BASE + 120);
	memcpy(win + 100, "a b", 4);
	memcpy(win + 120, "GRUB 2.06", 10);
	err = parse(BOOT_MULTIBOOT);
	CHECK(err == NULL && boot_info.nram == 1 && !boot_info.cmdline_has_name);
	memcpy(win + 120, "GRUB 0.97", 10);
	err = parse(BOOT_MULTIBOOT);
	CHECK(err == NULL && boot_info.cmdline_has_name);
	/* A name pointer outside memory is no name, not a failure. */
	put32(64, BASE + 4096);
	err = parse(BOOT_MULTIBOOT);
	CHECK(err == NULL && boot_info.cmdline_has_name);

	/* Back to the two-entry map of the case above. */
	two_entry_map();

	/* An entry whose size cannot hold an entry. */
	put32(76, 8);
	err = parse(BOOT_MULTIBOOT);
	CHECK(err && strstr(err, "damaged"));

	/* The information block itself cut short. */
	window(40);
	err = parse(BOOT_MULTIBOOT);
	CHECK(err && strstr(err, "multiboot"));
	err = parse(BOOT_PVH);
	CHECK(err && strstr(err, "PVH"));

	free(win);
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("boot_info: all passed\n");
	return 0;
}
