/* putc — a function here, not a macro. */
#include "../internal.h"

int putc(int c, FILE *f)
{
	return fputc(c, f);
}
