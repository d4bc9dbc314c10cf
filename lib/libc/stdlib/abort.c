/* abort — stdout is flushed first so that the last lines before the crash
 * are not lost with the image. */
#include "../internal.h"

void abort(void)
{
	fflush(NULL);
	keel__console_puts("abort\n");
	kp_abort();
}
