/* Returns 3 from main, after a fiber has run, to check status propagation. */
#include <stdio.h>

#include <keel/core.h>

static void fiber(void *arg)
{
	keel_sleep(KEEL_MSEC);
	puts("fiber ran");
}

int main(int argc, char **argv)
{
	if (!keel_fiber_spawn(fiber, NULL, 0))
		return 1;
	keel_sleep(5 * KEEL_MSEC);
	puts("main returns 3");
	return 3;
}
