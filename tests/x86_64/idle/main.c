/*
 * idle sleep MS | idle spin MS — waits MS milliseconds, either asleep on
 * a timer (the platform halts the CPU) or spinning on the clock (as a
 * platform that busy-waited would), then prints "idle: done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

int main(int argc, char **argv)
{
	keel_time ms, end;

	if (argc != 3 || (strcmp(argv[1], "sleep") && strcmp(argv[1], "spin"))) {
		printf("usage: idle sleep|spin MS\n");
		return 2;
	}
	ms = strtoul(argv[2], NULL, 10);
	printf("idle: %s %llu ms\n", argv[1], (unsigned long long)ms);
	if (argv[1][1] == 'l') {
		keel_sleep(ms * KEEL_MSEC);
	} else {
		end = keel_now() + ms * KEEL_MSEC;
		while (keel_now() < end)
			;
	}
	printf("idle: done\n");
	return 0;
}
