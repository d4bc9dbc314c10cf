/* Returns the status named by argv[1] (0..255) from main, after a fiber
 * has run: every status must reach the host exactly. */
#include <stdio.h>
#include <stdlib.h>

#include <keel/core.h>

static void fiber(void *arg)
{
	(void)arg;
	puts("exitn: fiber ran");
}

int main(int argc, char **argv)
{
	long n;
	char *end;

	if (argc != 2)
		return 1;
	n = strtol(argv[1], &end, 10);
	if (*end || n < 0 || n > 255)
		return 1;
	if (!keel_fiber_spawn(fiber, NULL, 0))
		return 1;
	keel_sleep(KEEL_MSEC);
	printf("exitn: returning %ld\n", n);
	return (int)n;
}
