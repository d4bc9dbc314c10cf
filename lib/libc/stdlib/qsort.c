/*
 * qsort — introsort (Musser, 1997): quicksort with a median-of-three
 * pivot and a partition that stops on keys equal to the pivot (so runs of
 * equal keys split evenly), insertion sort for short ranges, and heapsort
 * for any range that has needed more than 2 log2(n) levels of
 * partitioning. The last step bounds the worst case at O(n log n)
 * comparisons even against inputs built to defeat the pivot choice. The
 * recursion always takes the smaller side, so the stack depth is at most
 * log2(n) frames.
 */
#include "../internal.h"

#define SMALL 12 /* ranges up to this length get insertion sort */

struct sorter {
	size_t size;
	int (*cmp)(const void *, const void *);
};

static void swap(char *a, char *b, size_t size)
{
	char tmp[64];

	while (size) {
		size_t k = size < sizeof(tmp) ? size : sizeof(tmp);

		memcpy(tmp, a, k);
		memcpy(a, b, k);
		memcpy(b, tmp, k);
		a += k;
		b += k;
		size -= k;
	}
}

static void insertion_sort(const struct sorter *s, char *base, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		for (char *p = base + i * s->size; p > base && s->cmp(p - s->size, p) > 0;
		     p -= s->size)
			swap(p - s->size, p, s->size);
	}
}

/* Restores the max-heap property below `root` in the heap base[0..n). */
static void sift_down(const struct sorter *s, char *base, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    s->cmp(base + child * s->size, base + (child + 1) * s->size) < 0)
			child++;
		if (s->cmp(base + root * s->size, base + child * s->size) >= 0)
			return;
		swap(base + root * s->size, base + child * s->size, s->size);
		root = child;
	}
}

static void heap_sort(const struct sorter *s, char *base, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(s, base, i, n);
	for (size_t end = n - 1; end > 0; end--) {
		swap(base, base + end * s->size, s->size);
		sift_down(s, base, 0, end);
	}
}

/*
 * Partitions base[0..n) (n > SMALL) around the median of its first,
 * middle and last elements and returns the pivot's final index: every
 * element before it compares <= the pivot, every element after >=.
 */
static size_t partition(const struct sorter *s, char *base, size_t n)
{
	size_t size = s->size;
	char *lo = base, *mid = base + (n / 2) * size, *hi = base + (n - 1) * size;

	/* Order the three samples, then move the median to the front. */
	if (s->cmp(mid, lo) < 0)
		swap(mid, lo, size);
	if (s->cmp(hi, mid) < 0) {
		swap(hi, mid, size);
		if (s->cmp(mid, lo) < 0)
			swap(mid, lo, size);
	}
	swap(lo, mid, size);

	/* The pivot at lo stops the downward scan and the sample left at hi
	 * (>= pivot) the upward one, so neither scan needs a bounds test. */
	char *i = lo + size, *j = hi;
	for (;;) {
		while (s->cmp(i, lo) < 0)
			i += size;
		while (s->cmp(lo, j) < 0)
			j -= size;
		if (i >= j)
			break;
		swap(i, j, size);
		i += size;
		j -= size;
	}
	swap(lo, j, size);
	return (size_t)(j - base) / size;
}

static void introsort(const struct sorter *s, char *base, size_t n, unsigned depth)
{
	while (n > SMALL) {
		if (depth == 0) {
			heap_sort(s, base, n);
			return;
		}
		depth--;
		size_t p = partition(s, base, n);
		char *right = base + (p + 1) * s->size;
		size_t nleft = p, nright = n - p - 1;

		if (nleft < nright) {
			introsort(s, base, nleft, depth);
			base = right;
			n = nright;
		} else {
			introsort(s, right, nright, depth);
			n = nleft;
		}
	}
	insertion_sort(s, base, n);
}

void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))
{
	struct sorter s = { .size = size, .cmp = compar };
	unsigned depth = 0;

	if (nmemb < 2 || size == 0)
		return;
	for (size_t n = nmemb; n > 1; n >>= 1)
		depth += 2;
	introsort(&s, base, nmemb, depth);
}
