/* ispunct — printing characters that are neither space nor alphanumeric. */
#include <ctype.h>

int ispunct(int c)
{
	return isgraph(c) && !isalnum(c);
}
