/* strrchr — c == '\0' finds the terminator. */
#include "../internal.h"

char *strrchr(const char *s, int c)
{
	return memrchr(s, c, strlen(s) + 1);
}
