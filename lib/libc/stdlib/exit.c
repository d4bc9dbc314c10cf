/* atexit and exit: the functions run at exit, last registered first. */
#include "../internal.h"

#define ATEXIT_MAX 32 /* the minimum C11 requires */

static void (*handlers[ATEXIT_MAX])(void);
static unsigned handler_count;

int atexit(void (*fn)(void))
{
	if (handler_count == ATEXIT_MAX)
		return -1;
	handlers[handler_count++] = fn;
	return 0;
}

void exit(int status)
{
	/* A handler may register another one: it runs too, next. */
	while (handler_count)
		handlers[--handler_count]();
	fflush(NULL);
	kp_exit(status & 0xff);
}
