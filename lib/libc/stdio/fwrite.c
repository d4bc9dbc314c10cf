/* fwrite — writes all nmemb items (console output cannot fail). */
#include "../internal.h"

size_t fwrite(const void *restrict ptr, size_t size, size_t nmemb, FILE *restrict f)
{
	size_t total;

	if (size == 0 || nmemb == 0)
		return 0;
	/* No object can be that large: a caller's arithmetic went wrong. */
	if (__builtin_mul_overflow(size, nmemb, &total))
		return 0;
	keel__file_write(f, ptr, total);
	return nmemb;
}
