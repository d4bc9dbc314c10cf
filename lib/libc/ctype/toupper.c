/* toupper — the upper-case letter for a lower-case one; c otherwise. */
#include <ctype.h>

int toupper(int c)
{
	return islower(c) ? c & 0x5f : c;
}
