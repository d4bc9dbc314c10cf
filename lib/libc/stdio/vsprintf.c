/* vsprintf — vsnprintf trusting the buffer to be large enough. */
#include "../internal.h"

int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
	return vsnprintf(buf, SIZE_MAX, fmt, ap);
}
