/* isgraph — printing characters but space (ASCII 33..126). */
#include <ctype.h>

int isgraph(int c)
{
	return (unsigned)c - 33 < 94;
}
