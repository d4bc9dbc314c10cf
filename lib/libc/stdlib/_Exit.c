/* _Exit — no atexit functions, no flush. */
#include "../internal.h"

void _Exit(int status)
{
	kp_exit(status & 0xff);
}
