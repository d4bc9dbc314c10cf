/* tolower — the lower-case letter for an upper-case one; c otherwise. */
#include <ctype.h>

int tolower(int c)
{
	return isupper(c) ? c | 32 : c;
}
