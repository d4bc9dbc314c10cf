/* posix_memalign — aligned_alloc with POSIX's argument rules and result. */
#include "heap_impl.h"

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	int saved = errno;

	if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
		return EINVAL;
	void *p = aligned_alloc(alignment, size);
	if (!p) {
		errno = saved;
		return ENOMEM;
	}
	*memptr = p;
	return 0;
}
