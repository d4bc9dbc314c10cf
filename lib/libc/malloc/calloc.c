/* calloc — NULL (ENOMEM) when nmemb * size overflows. */
#include "heap_impl.h"

void *calloc(size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		keel__heap.stats.failures++;
		errno = ENOMEM;
		return NULL;
	}
	void *p = malloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}
