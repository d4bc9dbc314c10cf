/* fputs — no newline added. Returns 0. */
#include "../internal.h"

int fputs(const char *restrict s, FILE *restrict f)
{
	keel__file_write(f, s, strlen(s));
	return 0;
}
