/*
 * clock sleep|spin MS — reads the monotonic and wall clocks, then waits
 * MS milliseconds, asleep on a timer (the platform blocks until its timer
 * event) or spinning on the clock, and reads them again. Prints
 * "clock: start", then "clock: mono MS_MONO wall MS_WALL" (elapsed
 * milliseconds by each clock) and "clock: done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/platform.h>

int main(int argc, char **argv)
{
	keel_time ms, m0, m1;
	uint64_t w0, w1;

	if (argc != 3 || (strcmp(argv[1], "sleep") && strcmp(argv[1], "spin"))) {
		printf("usage: clock sleep|spin MS\n");
		return 2;
	}
	ms = strtoul(argv[2], NULL, 10);
	printf("clock: start %s %llu ms\n", argv[1], (unsigned long long)ms);
	m0 = kp_clock_monotonic();
	w0 = kp_clock_wall();
	if (argv[1][1] == 'l') {
		keel_sleep(ms * KEEL_MSEC);
	} else {
		keel_time end = keel_now() + ms * KEEL_MSEC;

		while (keel_now() < end)
			;
	}
	m1 = kp_clock_monotonic();
	w1 = kp_clock_wall();
	printf("clock: mono %llu wall %llu\n", (unsigned long long)((m1 - m0) / 1000000),
	       (unsigned long long)((w1 - w0) / 1000000));
	printf("clock: done\n");
	return 0;
}
