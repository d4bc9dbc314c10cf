/* isblank — space and tab. */
#include <ctype.h>

int isblank(int c)
{
	return c == ' ' || c == '\t';
}
