/*
 * The vDSO lookup (platform/linux/vdso.c): it finds clock_gettime in this
 * process's own vDSO, and the function it finds tells the time; on a copy
 * of the vDSO with any header, table or symbol byte changed it either
 * finds a function inside the copy or none, never reading outside it
 * (AddressSanitizer watches the copy's bounds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>

#include "platform_impl.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* The size of the [vdso] mapping, from /proc/self/maps; 0 if none. */
static size_t vdso_size(uintptr_t base)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	size_t size = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == base)
			size = hi - lo;
	}
	fclose(f);
	return size;
}

static linux_clock_gettime_fn lookup(const void *base)
{
	uint64_t auxv[4] = { 33 /* AT_SYSINFO_EHDR */, (uint64_t)(uintptr_t)base, 0, 0 };

	return linux_vdso_clock_gettime(auxv);
}

static uint64_t ns(struct timespec ts)
{
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(void)
{
	uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	uint64_t none[2] = { 0, 0 };
	size_t size;
	uint8_t *copy;
	linux_clock_gettime_fn fn;
	uintptr_t off;

	/* No vDSO in the vector: none found. */
	CHECK(linux_vdso_clock_gettime(none) == NULL);
	if (!base) {
		fprintf(stderr, "this host maps no vDSO into processes: nothing more to check\n");
		return failures ? 1 : 0;
	}
	size = vdso_size(base);
	CHECK(size > 0);
	if (size == 0)
		return 1;

	/* The real one: the function tells the monotonic time, between two
	 * readings of the C library's clock. */
	fn = lookup((const void *)base);
	CHECK(fn != NULL);
	if (fn) {
		struct timespec a, b;
		struct linux_timespec got = { 0, 0 };

		clock_gettime(CLOCK_MONOTONIC, &a);
		CHECK(fn(LINUX_CLOCK_MONOTONIC, &got) == 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		uint64_t g = (uint64_t)got.tv_sec * 1000000000u + (uint64_t)got.tv_nsec;
		CHECK(ns(a) <= g && g <= ns(b));
	}
	off = (uintptr_t)fn - base;

	/* A copy in a buffer of exactly its size: found at the same offset. */
	copy = malloc(size);
	if (!copy)
		return 1;
	memcpy(copy, (const void *)base, size);
	CHECK((uintptr_t)lookup(copy) == (uintptr_t)copy + off);

	/* Every byte of the first 4 KiB (headers, dynamic table, symbols and
	 * names of a vDSO) changed in turn, to three values: whatever the
	 * lookup returns lies inside the copy. */
	for (size_t i = 0; i < size && i < 4096; i++) {
		static const uint8_t values[] = { 0x00, 0xff, 0x80 };
		uint8_t keep = copy[i];

		for (unsigned v = 0; v < sizeof(values); v++) {
			uintptr_t got;

			copy[i] = values[v] == keep ? (uint8_t)~keep : values[v];
			got = (uintptr_t)lookup(copy);
			CHECK(got == 0 || (got >= (uintptr_t)copy && got < (uintptr_t)copy + size));
		}
		copy[i] = keep;
	}
	/* A bad magic number, and a truncated image: none found. */
	copy[1] = 'X';
	CHECK(lookup(copy) == NULL);
	free(copy);

	if (failures)
		fprintf(stderr, "%d check%s failed\n", failures, failures == 1 ? "" : "s");
	else
		printf("vdso: ok\n");
	return failures ? 1 : 0;
}
