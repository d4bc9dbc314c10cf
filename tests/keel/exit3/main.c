/* Returns 3 from main, after a fiber has run, to check status propagation. */
#include <stdio.h>

#include <keel/core.h>

static int ran;

static void fiber(void *arg)
{
	keel_sleep(KEEL_MSEC);
	puts("fiber ran");
	ran = 1;
}

int main(int argc, char **argv)
{
	int waits = 0;

	if (!keel_fiber_spawn(fiber, NULL, 0))
		return 1;
	/* The fiber first runs when main sleeps, so on a host that
	 * deschedules the machine its 1 ms can end after main's 5 ms: wait
	 * for it rather than race it (up to 5 s). */
	do
		keel_sleep(5 * KEEL_MSEC);
	while (!ran && ++waits < 1000);
	if (!ran)
		return 1;
	puts("main returns 3");
	return 3;
}
