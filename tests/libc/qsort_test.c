/*
 * tests/libc/qsort_test.c — qsort sorts (checked against the host's
 * qsort) random, sorted, reversed, all-equal, few-distinct, organ-pipe
 * and sawtooth arrays of several element sizes, and its comparison count
 * stays within a small multiple of n log2 n on all of them, including
 * McIlroy's adversary ("A Killer Adversary for Quicksort", 1999), which
 * decides the order lazily so as to make any quicksort quadratic. Also
 * bsearch, and the small <stdlib.h> arithmetic helpers.
 */
#include "kl.h"

#include <limits.h>
#include <math.h>
#include <string.h>

static unsigned long comparisons;

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	comparisons++;
	return (x > y) - (x < y);
}

/* An odd-sized element, compared by its key (first 4 bytes). */
struct wide {
	int key;
	char tag[9];
};

static int cmp_wide(const void *a, const void *b)
{
	const struct wide *x = a, *y = b;

	comparisons++;
	return (x->key > y->key) - (x->key < y->key);
}

/* The bound the libc must meet: introsort does at most about 2 n log2 n
 * comparisons in quicksort steps before switching to heapsort. */
static double bound(size_t n)
{
	return n < 2 ? 1 : 4.0 * (double)n * log2((double)n) + 16 * (double)n;
}

enum shape { RANDOM, SORTED, REVERSED, EQUAL, FEW, ORGAN_PIPE, SAWTOOTH, SHAPES };
static const char *const shape_names[] = { "random",     "sorted",     "reversed", "all-equal",
	                                   "few-values", "organ-pipe", "sawtooth" };

static void make(int *a, size_t n, enum shape shape, uint64_t *rng)
{
	for (size_t i = 0; i < n; i++) {
		switch (shape) {
		case RANDOM:
			a[i] = (int)rng_next(rng);
			break;
		case SORTED:
			a[i] = (int)i;
			break;
		case REVERSED:
			a[i] = (int)(n - i);
			break;
		case EQUAL:
			a[i] = 7;
			break;
		case FEW:
			a[i] = (int)rng_below(rng, 4);
			break;
		case ORGAN_PIPE:
			a[i] = (int)(i < n / 2 ? i : n - i);
			break;
		default:
			a[i] = (int)(i % 97);
			break;
		}
	}
}

static void int_cases(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 5, 12, 13, 17, 100, 1000, 100000 };
	uint64_t rng = 3;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		int *a = malloc((n + 1) * sizeof(int)), *ref = malloc((n + 1) * sizeof(int));

		for (int shape = 0; shape < SHAPES; shape++) {
			make(a, n, (enum shape)shape, &rng);
			memcpy(ref, a, n * sizeof(int));
			qsort(ref, n, sizeof(int), cmp_int);
			comparisons = 0;
			kl_qsort(a, n, sizeof(int), cmp_int);
			test_check(memcmp(a, ref, n * sizeof(int)) == 0,
			           "qsort %s n=%zu: wrong order", shape_names[shape], n);
			test_check(comparisons <= bound(n),
			           "qsort %s n=%zu: %lu comparisons > %.0f", shape_names[shape], n,
			           comparisons, bound(n));
			if (n == 100000)
				printf("  %-10s n=%zu: %lu comparisons (%.2f n log2 n)\n",
				       shape_names[shape], n, comparisons,
				       (double)comparisons / ((double)n * log2((double)n)));
		}
		free(a);
		free(ref);
	}
}

static void wide_cases(void)
{
	uint64_t rng = 5;

	for (size_t n = 0; n < 300; n += 7) {
		struct wide *a = malloc((n + 1) * sizeof(*a));

		for (size_t i = 0; i < n; i++) {
			a[i].key = (int)rng_below(&rng, 50);
			snprintf(a[i].tag, sizeof(a[i].tag), "%08d", a[i].key);
		}
		kl_qsort(a, n, sizeof(*a), cmp_wide);
		bool ok = true;
		for (size_t i = 0; i < n; i++) {
			char tag[16];

			snprintf(tag, sizeof(tag), "%08d", a[i].key);
			ok = ok && strcmp(tag, a[i].tag) == 0 &&
			     (i == 0 || a[i - 1].key <= a[i].key);
		}
		test_check(ok, "qsort of %zu-byte elements, n=%zu", sizeof(*a), n);
		free(a);
	}
}

/* ---- McIlroy's adversary --------------------------------------------------- */

static int *adv_val;
static int adv_gas, adv_solid, adv_candidate;

static int cmp_adversary(const void *px, const void *py)
{
	int x = *(const int *)px, y = *(const int *)py;

	comparisons++;
	if (adv_val[x] == adv_gas && adv_val[y] == adv_gas) {
		if (x == adv_candidate)
			adv_val[x] = adv_solid++;
		else
			adv_val[y] = adv_solid++;
	}
	if (adv_val[x] == adv_gas)
		adv_candidate = x;
	else if (adv_val[y] == adv_gas)
		adv_candidate = y;
	return adv_val[x] - adv_val[y];
}

static void adversary_case(size_t n)
{
	int *ptr = malloc(n * sizeof(int));

	adv_val = malloc(n * sizeof(int));
	adv_gas = (int)n;
	adv_solid = 0;
	adv_candidate = 0;
	for (size_t i = 0; i < n; i++) {
		ptr[i] = (int)i;
		adv_val[i] = adv_gas;
	}
	comparisons = 0;
	kl_qsort(ptr, n, sizeof(int), cmp_adversary);
	bool sorted = true;
	for (size_t i = 1; i < n; i++)
		sorted = sorted && adv_val[ptr[i - 1]] <= adv_val[ptr[i]];
	test_check(sorted, "qsort adversary n=%zu: wrong order", n);
	test_check(comparisons <= bound(n), "qsort adversary n=%zu: %lu comparisons > %.0f", n,
	           comparisons, bound(n));
	printf("  %-10s n=%zu: %lu comparisons (%.2f n log2 n)\n", "adversary", n, comparisons,
	       (double)comparisons / ((double)n * log2((double)n)));
	free(ptr);
	free(adv_val);
}

/* ---- bsearch and arithmetic ------------------------------------------------ */

static void bsearch_cases(void)
{
	int a[200];

	for (int i = 0; i < 200; i++)
		a[i] = 2 * i;
	for (size_t n = 0; n <= 200; n += 13) {
		for (int key = -1; key <= 401; key++) {
			int *got = kl_bsearch(&key, a, n, sizeof(int), cmp_int);
			bool present = key >= 0 && key % 2 == 0 && key / 2 < (int)n;

			test_check(present ? got && *got == key : got == NULL, "bsearch(%d) in %zu",
			           key, n);
		}
	}
}

static void arithmetic_cases(void)
{
	test_check(kl_abs(-5) == 5 && kl_abs(5) == 5 && kl_abs(0) == 0 &&
	               kl_abs(-INT_MAX) == INT_MAX,
	           "abs");
	test_check(kl_labs(-5L) == 5 && kl_labs(LONG_MAX) == LONG_MAX, "labs");
	test_check(kl_llabs(-5LL) == 5 && kl_llabs(-LLONG_MAX) == LLONG_MAX, "llabs");
	static const int nums[] = { 7, -7, 0, 1, -1, INT_MAX, INT_MIN + 1 };
	static const int dens[] = { 2, -2, 3, -3, 1, 7 };
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		for (size_t j = 0; j < sizeof(dens) / sizeof(dens[0]); j++) {
			div_t w = div(nums[i], dens[j]), g = kl_div(nums[i], dens[j]);
			ldiv_t lw = ldiv(nums[i], dens[j]), lg = kl_ldiv(nums[i], dens[j]);
			lldiv_t llw = lldiv(nums[i], dens[j]), llg = kl_lldiv(nums[i], dens[j]);

			test_check(w.quot == g.quot && w.rem == g.rem && lw.quot == lg.quot &&
			               lw.rem == lg.rem && llw.quot == llg.quot &&
			               llw.rem == llg.rem,
			           "div(%d, %d)", nums[i], dens[j]);
		}
	}

	/* rand: in range, deterministic per seed, not constant. */
	kl_srand(42);
	int first = kl_rand(), distinct = 0, prev = first;
	bool in_range = true;
	for (int i = 0; i < 1000; i++) {
		int r = kl_rand();

		in_range = in_range && r >= 0 && r <= 0x7fffffff;
		distinct += r != prev;
		prev = r;
	}
	kl_srand(42);
	test_check(in_range && distinct > 990 && kl_rand() == first, "rand");
	test_check(kl_getenv("PATH") == NULL, "getenv");
}

int main(void)
{
	int_cases();
	wide_cases();
	adversary_case(100000);
	adversary_case(1000);
	bsearch_cases();
	arithmetic_cases();
	return test_summary("qsort");
}
