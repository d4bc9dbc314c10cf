/* snprintf */
#include "../internal.h"

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
