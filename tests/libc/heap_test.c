/*
 * tests/libc/heap_test.c — the allocator (keel/heap.h, malloc & co.):
 *
 *  - a stress run of a million random operations (malloc, calloc,
 *    realloc, aligned_alloc, free) on a 64 MiB region with sizes skewed
 *    small but up to 1 MiB; every block carries a pattern derived from its
 *    id, verified before it is freed and after each realloc; a shadow
 *    bitmap proves no two live blocks overlap; alignment is checked on
 *    every result and keel_heap_check() runs periodically;
 *  - fragmentation: after freeing everything the heap is one free block
 *    again; with a fixed-size live set churning, the footprint (highest
 *    address ever handed out) stays within 2x the peak live bytes;
 *  - out of memory: NULL (errno ENOMEM, failures counted), never a crash,
 *    and everything works again after freeing;
 *  - realloc in place, aligned_alloc up to 1 MiB alignment, odd region
 *    bases and sizes, calls before keel_heap_init;
 *  - misuse: double free (in a forked child, which must die of SIGABRT,
 *    and trapped in-process), foreign and interior pointers, a block
 *    overrun into the next header, each reported with its address.
 */
#include "kl.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB ((size_t)1 << 20)

/* ---- Patterns ------------------------------------------------------------- */

/* Block contents are a window into one random "noise" buffer, starting at
 * an offset derived from the block's id: filled with memcpy, checked with
 * memcmp, and different for any two blocks. */
#define NOISE_SIZE (2 * MiB)
static unsigned char *noise;

static const unsigned char *pattern(uint64_t id)
{
	return noise + (id * 0x9e3779b97f4a7c15u >> 44) % (NOISE_SIZE / 2);
}

static void init_noise(void)
{
	uint64_t rng = 1;

	noise = malloc(NOISE_SIZE);
	for (size_t i = 0; i < NOISE_SIZE; i += 8) {
		uint64_t v = rng_next(&rng);
		memcpy(noise + i, &v, 8);
	}
}

/* ---- Shadow of the region: one bit per 16 bytes in use ---------------------- */

static unsigned char *region; /* the host allocation holding the heap */
static size_t region_size;
static uint64_t *shadow;

/* Marks [p, p + n) as used (claim) or unused; false if any of it already
 * was (claim) or was not. A word of the bitmap at a time. */
static bool shadow_claim(const void *p, size_t n, bool claim)
{
	size_t g = (size_t)((const unsigned char *)p - region) / 16;
	size_t end = (size_t)((const unsigned char *)p + (n ? n : 1) - 1 - region) / 16 + 1;
	bool ok = true;

	while (g < end) {
		size_t bit = g % 64, span = end - g < 64 - bit ? end - g : 64 - bit;
		uint64_t mask = (span == 64 ? ~(uint64_t)0 : ((uint64_t)1 << span) - 1) << bit;
		uint64_t *word = &shadow[g / 64];

		if (claim) {
			ok = ok && !(*word & mask);
			*word |= mask;
		} else {
			ok = ok && (*word & mask) == mask;
			*word &= ~mask;
		}
		g += span;
	}
	return ok;
}

/* ---- The stress run -------------------------------------------------------- */

struct block {
	unsigned char *p;
	size_t size;
	size_t align; /* what was asked: 16 for plain allocations */
	uint64_t id;
};

#define SLOTS 2048

static size_t random_size(uint64_t *rng)
{
	uint64_t r = rng_below(rng, 1000);

	if (r < 600)
		return rng_below(rng, 65);
	if (r < 850)
		return 65 + rng_below(rng, 960);
	if (r < 975)
		return 1025 + rng_below(rng, 31 * 1024);
	if (r < 998)
		return 32 * 1024 + rng_below(rng, 224 * 1024);
	return 256 * 1024 + rng_below(rng, 768 * 1024 + 1);
}

static bool in_region(const void *p, size_t n)
{
	const unsigned char *c = p;

	return c >= region && c + n <= region + region_size;
}

static bool verify(const struct block *b, size_t n)
{
	return memcmp(b->p, pattern(b->id), n) == 0;
}

/* Records a new allocation; returns false (and reports) when it is bad. */
static bool accept(struct block *b, void *p, size_t size, size_t align, uint64_t id, const char *op)
{
	b->p = p;
	b->size = size;
	b->align = align;
	b->id = id;
	if (!test_check(in_region(p, size) && (uintptr_t)p % align == 0,
	                "%s(%zu, align %zu) returned %p outside the region or misaligned", op, size,
	                align, p))
		return false;
	return test_check(shadow_claim(p, size, true), "%s(%zu) = %p overlaps a live block", op,
	                  size, p);
}

struct run_stats {
	unsigned long ops, nulls, checks;
	size_t live_bytes, peak_live;
};

static void release(struct block *b, struct run_stats *st)
{
	test_check(verify(b, b->size), "block %llu (%zu bytes at %p) was overwritten",
	           (unsigned long long)b->id, b->size, (void *)b->p);
	shadow_claim(b->p, b->size, false);
	kl_free(b->p);
	st->live_bytes -= b->size;
	b->p = NULL;
}

static void one_op(uint64_t *rng, struct block *slots, uint64_t *next_id, struct run_stats *st)
{
	struct block *b = &slots[rng_below(rng, SLOTS)];
	uint64_t id = (*next_id)++;

	if (b->p && rng_below(rng, 2)) {
		release(b, st);
		return;
	}
	if (b->p) {
		/* realloc: the common prefix must survive, wherever it lands. */
		size_t size = random_size(rng), keep = size < b->size ? size : b->size;

		shadow_claim(b->p, b->size, false);
		void *q = kl_realloc(b->p, size);
		if (!q) {
			st->nulls++;
			shadow_claim(b->p, b->size, true); /* p is still valid */
			return;
		}
		st->live_bytes += size - b->size;
		struct block old = *b;
		if (!accept(b, q, size, 16, old.id, "realloc"))
			return;
		test_check(verify(b, keep), "realloc(%zu -> %zu) lost data", old.size, size);
		if (size > keep)
			memcpy(b->p + keep, pattern(b->id) + keep, size - keep);
	} else {
		size_t size = random_size(rng), align = 16;
		void *p;
		const char *op;

		switch (rng_below(rng, 20)) {
		case 0:
		case 1:
			align = (size_t)1 << (5 + rng_below(rng, 12)); /* 32 .. 64 KiB */
			p = kl_aligned_alloc(align, size);
			op = "aligned_alloc";
			break;
		case 2:
		case 3:
		case 4: {
			size_t count = 1 + rng_below(rng, 4);

			/* count elements of ceil(size / count) bytes: at least size */
			p = kl_calloc(count, (size + count - 1) / count);
			op = "calloc";
			if (p) {
				bool zero = true;
				for (size_t i = 0; i < size && zero; i += 61)
					zero = ((unsigned char *)p)[i] == 0;
				test_check(zero, "calloc memory is not zeroed");
			}
			break;
		}
		case 5:
			p = kl_realloc(NULL, size);
			op = "realloc(NULL)";
			break;
		default:
			p = kl_malloc(size);
			op = "malloc";
			break;
		}
		if (!p) {
			st->nulls++;
			return;
		}
		if (!accept(b, p, size, align, id, op))
			return;
		memcpy(b->p, pattern(id), size);
		st->live_bytes += size;
	}
	if (st->live_bytes > st->peak_live)
		st->peak_live = st->live_bytes;
}

static void setup_region(size_t size, size_t misalign)
{
	region_size = size;
	region = malloc(size + 64);
	shadow = calloc(size / 16 / 64 + 2, sizeof(uint64_t));
	region += misalign; /* the allocator must align the base itself */
	keel_heap_init(region, size);
}

static void teardown_region(size_t misalign)
{
	free(region - misalign);
	free(shadow);
	region = NULL;
	shadow = NULL;
}

static void heap_is_one_block(const char *when)
{
	struct keel_heap_stats hs;

	keel_heap_stats(&hs);
	test_check(hs.in_use == 0 && hs.free_bytes == hs.size && hs.largest_free == hs.size,
	           "%s: in_use %zu, free %zu, largest free %zu, size %zu", when, hs.in_use,
	           hs.free_bytes, hs.largest_free, hs.size);
	test_check(keel_heap_check() == 0, "%s: keel_heap_check() = %d", when, keel_heap_check());
}

static void stress(void)
{
	static struct block slots[SLOTS];
	struct run_stats st = { 0 };
	uint64_t rng = 2024, next_id = 1;
	const unsigned long ops = 1000000;

	setup_region(64 * MiB, 8);
	for (st.ops = 0; st.ops < ops; st.ops++) {
		one_op(&rng, slots, &next_id, &st);
		if (st.ops < 3000 || st.ops % 20000 == 0) {
			int rc = keel_heap_check();

			st.checks++;
			if (!test_check(rc == 0, "keel_heap_check() = %d after %lu operations", rc,
			                st.ops))
				break;
		}
	}
	struct keel_heap_stats hs;
	keel_heap_stats(&hs);
	printf("  stress: %lu ops, %lu NULLs, %lu checks; allocs %llu frees %llu failures %llu; "
	       "in_use %zu, high water %zu (%.1f MiB), peak live payload %.1f MiB\n",
	       st.ops, st.nulls, st.checks, (unsigned long long)hs.allocs,
	       (unsigned long long)hs.frees, (unsigned long long)hs.failures, hs.in_use,
	       hs.high_water, (double)hs.high_water / MiB, (double)st.peak_live / MiB);
	test_check(st.nulls == 0, "%lu allocations failed with plenty of room", st.nulls);

	for (size_t i = 0; i < SLOTS; i++) {
		if (slots[i].p)
			release(&slots[i], &st);
	}
	heap_is_one_block("after freeing everything");
	teardown_region(8);
}

/* A fixed number of live blocks, churned: the footprint must stay bounded. */
static void steady_state(void)
{
	enum { LIVE = 1500, CHURN = 200000 };
	static struct block live[LIVE];
	uint64_t rng = 77;
	size_t live_bytes = 0, peak_live = 0, footprint = 0;

	setup_region(64 * MiB, 0);
	for (int round = 0; round < CHURN + LIVE; round++) {
		struct block *b = &live[round < LIVE ? round : (int)rng_below(&rng, LIVE)];

		if (b->p) {
			live_bytes -= b->size;
			kl_free(b->p);
		}
		b->size = random_size(&rng);
		b->p = kl_malloc(b->size);
		if (!test_check(b->p != NULL, "steady state: malloc(%zu) failed", b->size))
			break;
		live_bytes += b->size;
		if (live_bytes > peak_live)
			peak_live = live_bytes;
		size_t end = (size_t)(b->p + b->size - region);
		if (end > footprint)
			footprint = end;
	}
	struct keel_heap_stats hs;
	keel_heap_stats(&hs);
	double ratio = (double)footprint / (double)peak_live;
	printf("  steady state: %d live blocks, %d replacements: peak live %.2f MiB, footprint "
	       "%.2f MiB (%.2fx), high water %.2f MiB incl. headers\n",
	       LIVE, CHURN, (double)peak_live / MiB, (double)footprint / MiB, ratio,
	       (double)hs.high_water / MiB);
	test_check(ratio <= 2.0, "footprint %.2fx the peak live bytes (bound 2x)", ratio);
	for (int i = 0; i < LIVE; i++)
		kl_free(live[i].p);
	memset(live, 0, sizeof(live));
	heap_is_one_block("after the steady state");
	teardown_region(0);
}

/* ---- Out of memory ------------------------------------------------------------ */

static void out_of_memory(void)
{
	enum { MAX_BLOCKS = 4096 };
	static void *blocks[MAX_BLOCKS];
	struct keel_heap_stats hs;

	setup_region(MiB, 3);
	for (int pass = 0; pass < 2; pass++) {
		int n = 0;

		while (n < MAX_BLOCKS && (blocks[n] = kl_malloc(1000)) != NULL)
			n++;
		kl_errno = 0;
		keel_heap_stats(&hs);
		void *again = kl_malloc(1000);
		test_check(again == NULL && kl_errno == ENOMEM,
		           "exhausted heap: malloc gave %p, errno %d", again, kl_errno);
		test_check(kl_calloc(1, 1000) == NULL && kl_aligned_alloc(4096, 1000) == NULL &&
		               kl_realloc(blocks[0], 5000) == NULL,
		           "exhausted heap: calloc, aligned_alloc, realloc");
		struct keel_heap_stats after;
		keel_heap_stats(&after);
		test_check(after.failures >= hs.failures + 4, "failures counted: %llu -> %llu",
		           (unsigned long long)hs.failures, (unsigned long long)after.failures);
		test_check(n > 900 && n < 1100, "pass %d: %d blocks of 1000 bytes in 1 MiB", pass,
		           n);
		test_check(keel_heap_check() == 0, "check when exhausted");
		printf(
		    "  out of memory: pass %d: %d blocks of 1000 bytes, then NULL (in use %zu of "
		    "%zu)\n",
		    pass, n, hs.in_use, hs.size);
		while (n > 0)
			kl_free(blocks[--n]);
		heap_is_one_block("after exhaustion");
	}

	/* Requests that can never fit. */
	kl_errno = 0;
	test_check(kl_malloc(SIZE_MAX) == NULL && kl_errno == ENOMEM, "malloc(SIZE_MAX)");
	test_check(kl_malloc((size_t)1 << 40) == NULL, "malloc(1 TiB)");
	test_check(kl_calloc(SIZE_MAX / 2, 3) == NULL, "calloc overflow");
	test_check(kl_calloc((size_t)1 << 33, (size_t)1 << 33) == NULL, "calloc overflow 2");
	test_check(kl_aligned_alloc(MiB, MiB) == NULL, "aligned_alloc larger than the heap");
	test_check(kl_aligned_alloc(16, SIZE_MAX - 8) == NULL, "aligned_alloc(SIZE_MAX)");
	test_check(kl_aligned_alloc((size_t)1 << 62, 16) == NULL, "aligned_alloc(2^62 alignment)");
	void *p = kl_malloc(100);
	test_check(kl_realloc(p, SIZE_MAX) == NULL, "realloc(SIZE_MAX)");
	kl_free(p);
	heap_is_one_block("after impossible requests");
	teardown_region(3);
}

/* ---- Smaller properties -------------------------------------------------------- */

static void basics(void)
{
	/* Before any region (or with one too small), everything fails. */
	keel_heap_init(NULL, 0);
	test_check(kl_malloc(1) == NULL && kl_calloc(1, 1) == NULL && kl_realloc(NULL, 1) == NULL,
	           "allocation before keel_heap_init");
	kl_free(NULL);
	test_check(keel_heap_check() == 0, "check before init");
	static unsigned char tiny[40];
	keel_heap_init(tiny, sizeof(tiny));
	test_check(kl_malloc(1) == NULL, "allocation from a 40-byte region");

	/* Any base, any size from 64 KiB: the whole region is usable. */
	for (size_t misalign = 0; misalign < 16; misalign += 5) {
		for (size_t size = 64 * 1024; size <= 256 * 1024; size += 64 * 1024 + 7) {
			setup_region(size, misalign);
			struct keel_heap_stats hs;
			keel_heap_stats(&hs);
			test_check(hs.size + 48 >= size && hs.size <= size,
			           "region %zu+%zu: size %zu", size, misalign, hs.size);
			void *all = kl_malloc(hs.size - 8);
			test_check(all != NULL && in_region(all, hs.size - 8),
			           "one block of the whole region (%zu bytes)", hs.size - 8);
			test_check(kl_malloc(1) == NULL, "nothing left after the whole region");
			kl_free(all);
			heap_is_one_block("region sizes");
			teardown_region(misalign);
		}
	}

	setup_region(MiB, 0);
	void *z1 = kl_malloc(0), *z2 = kl_malloc(0);
	test_check(z1 && z2 && z1 != z2, "malloc(0) gives unique pointers");
	void *r = kl_realloc(z1, 0);
	test_check(r == z1, "realloc(p, 0) keeps the block");
	kl_free(r);
	kl_free(z2);

	/* realloc in place: shrink, grow into the next block, grow into the
	 * previous one (moving the data down). */
	unsigned char *a = kl_malloc(1000), *b = kl_malloc(1000), *c = kl_malloc(1000);
	unsigned char *guard = kl_malloc(16);
	memcpy(a, pattern(1), 1000);
	memcpy(b, pattern(2), 1000);
	test_check(kl_realloc(a, 200) == a && memcmp(a, pattern(1), 200) == 0, "shrink in place");
	kl_free(b);
	unsigned char *a2 = kl_realloc(a, 1900);
	test_check(a2 == a && memcmp(a, pattern(1), 200) == 0, "grow into the next free block");
	memcpy(c, pattern(3), 1000);
	kl_free(a2);
	unsigned char *c2 = kl_realloc(c, 2500);
	test_check(c2 == a && memcmp(c2, pattern(3), 1000) == 0,
	           "grow into the previous free block: %p (want %p)", (void *)c2, (void *)a);
	kl_free(c2);
	kl_free(guard);
	heap_is_one_block("after in-place reallocs");

	/* aligned_alloc and posix_memalign. */
	for (size_t align = 1; align <= MiB / 4; align <<= 1) {
		void *p1 = kl_aligned_alloc(align, 100),
		     *p2 = kl_aligned_alloc(align, align * 2 + 5);
		test_check(p1 && p2 && (uintptr_t)p1 % align == 0 && (uintptr_t)p2 % align == 0 &&
		               (uintptr_t)p1 % 16 == 0,
		           "aligned_alloc(%zu): %p %p", align, p1, p2);
		test_check(keel_heap_check() == 0, "check after aligned_alloc(%zu)", align);
		kl_free(p1);
		kl_free(p2);
	}
	heap_is_one_block("after aligned_alloc");
	kl_errno = 0;
	test_check(kl_aligned_alloc(24, 10) == NULL && kl_errno == EINVAL, "aligned_alloc(24)");
	test_check(kl_aligned_alloc(0, 10) == NULL, "aligned_alloc(0)");
	void *pm = NULL;
	test_check(kl_posix_memalign(&pm, 4096, 10) == 0 && pm && (uintptr_t)pm % 4096 == 0,
	           "posix_memalign");
	kl_free(pm);
	test_check(kl_posix_memalign(&pm, 4, 10) == EINVAL &&
	               kl_posix_memalign(&pm, 48, 10) == EINVAL,
	           "posix_memalign bad alignments");
	test_check(kl_posix_memalign(&pm, 64, SIZE_MAX / 2) == ENOMEM, "posix_memalign ENOMEM");
	heap_is_one_block("after posix_memalign");
	teardown_region(0);
}

/* ---- Misuse ----------------------------------------------------------------------- */

static void *misuse_ptr;
static void do_free(void *arg)
{
	kl_free(arg);
}
static void do_realloc(void *arg)
{
	misuse_ptr = kl_realloc(arg, 64);
}

/* Runs fn(p), which must abort with a message naming `what` and p. */
static void expect_abort(void (*fn)(void *), void *p, const char *what)
{
	char addr[32];

	shim_console_reset();
	enum shim_end how = shim_trap(fn, p);
	snprintf(addr, sizeof(addr), "%p", p);
	test_check(how == SHIM_ABORTED && strstr(shim_console, what) && strstr(shim_console, addr),
	           "%s (%s): ended %d, console \"%s\"", what, addr, how, shim_console);
}

static void misuse(void)
{
	setup_region(MiB, 0);
	unsigned char *p = kl_malloc(100), *q = kl_malloc(100), *s = kl_malloc(100);

	kl_free(p);
	expect_abort(do_free, p, "double free");
	expect_abort(do_realloc, p, "double free");
	test_check(keel_heap_check() == 0, "heap intact after a refused double free");

	/* Freed, then merged into the free block before it: still known. */
	unsigned char *m1 = kl_malloc(200), *m2 = kl_malloc(200), *m3 = kl_malloc(200);
	kl_free(m1);
	kl_free(m2);
	expect_abort(do_free, m2, "double free");
	kl_free(m3); /* and merged into the one before, with the top after it */
	expect_abort(do_free, m3, "double free");
	test_check(keel_heap_check() == 0, "heap intact after refused double frees");
	expect_abort(do_free, q + 16, "invalid pointer");
	expect_abort(do_free, q + 1, "invalid pointer");
	expect_abort(do_free, region + 2 * MiB, "invalid pointer");
	static char not_heap[64];
	expect_abort(do_free, not_heap + 16, "invalid pointer");
	test_check(keel_heap_check() == 0, "heap intact after refused frees");

	/* An overrun of q into s's header is caught when q or s is freed. */
	memset(q, 'x', 100 + 24);
	expect_abort(do_free, q, "overrun");
	expect_abort(do_free, s, "invalid pointer");
	test_check(keel_heap_check() < 0, "keel_heap_check() sees the damaged header");
	teardown_region(0);

	/* And for real: a child process that frees twice dies of SIGABRT. */
	int fds[2];
	if (pipe(fds) != 0) {
		test_check(false, "pipe");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		shim_console_fd = fds[1];
		static unsigned char child_heap[1 << 16];
		keel_heap_init(child_heap, sizeof(child_heap));
		void *x = kl_malloc(10);
		kl_free(x);
		kl_free(x);
		_exit(0); /* not reached if the double free is caught */
	}
	close(fds[1]);
	char said[256] = { 0 };
	ssize_t got = 0, n;
	while (got < (ssize_t)sizeof(said) - 1 &&
	       (n = read(fds[0], said + got, sizeof(said) - 1 - (size_t)got)) > 0)
		got += n;
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	test_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
	               strstr(said, "heap: double free at 0x"),
	           "double free in a child: status %#x, said \"%s\"", status, said);
}

int main(void)
{
	init_noise();
	basics();
	out_of_memory();
	misuse();
	steady_state();
	stress();
	free(noise);
	return test_summary("heap");
}
