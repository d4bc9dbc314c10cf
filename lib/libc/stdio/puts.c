/* puts — s and a newline to stdout. Returns 0. */
#include "../internal.h"

int puts(const char *s)
{
	keel__file_write(stdout, s, strlen(s));
	keel__file_write(stdout, "\n", 1);
	return 0;
}
