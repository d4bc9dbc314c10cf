/* sprintf */
#include "../internal.h"

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int ret = vsnprintf(buf, SIZE_MAX, fmt, ap);
	va_end(ap);
	return ret;
}
