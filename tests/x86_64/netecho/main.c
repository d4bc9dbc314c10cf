/*
 * netecho — sends every frame of ethertype 0x88b5 that arrives on net
 * device "service" back to its sender, through the platform calls alone.
 *
 *   netecho [SECONDS]
 *
 * Ends when a frame of that type whose payload starts with "quit"
 * arrives, or SECONDS (default 30) after the start, and prints
 * "netecho: echoed N dropped M" (M: echoes the device could not take).
 * Reads everything waiting on each wake-up, as a stack would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/manifest.h>
#include <keel/platform.h>

KEEL_NET_DEVICE(service);

#define ETHERTYPE 0x88b5
#define NS_PER_SEC 1000000000ull

int main(int argc, char **argv)
{
	static unsigned char frame[1514 + 64];
	struct kp_net_info info;
	unsigned long long seconds = 30, echoed = 0, dropped = 0;
	kp_time deadline;
	kp_handle h;
	int quit = 0;

	if (argc > 1)
		seconds = strtoull(argv[1], NULL, 10);
	if (kp_net_acquire("service", &h, &info) != KEEL_OK) {
		printf("netecho: FAIL: kp_net_acquire(service)\n");
		return 1;
	}
	printf("netecho: ready\n");
	deadline = kp_clock_monotonic() + seconds * NS_PER_SEC;
	while (!quit && kp_clock_monotonic() < deadline) {
		kp_handle_set ready;
		size_t len;

		kp_yield(deadline, &ready);
		if (!(ready & ((kp_handle_set)1 << h)))
			continue;
		while (!quit && kp_net_read(h, frame, sizeof(frame), &len) == KEEL_OK) {
			if (len < 14 || frame[12] != ETHERTYPE >> 8 ||
			    frame[13] != (ETHERTYPE & 0xff))
				continue;
			if (len >= 18 && memcmp(frame + 14, "quit", 4) == 0) {
				quit = 1;
				break;
			}
			memcpy(frame, frame + 6, 6);
			memcpy(frame + 6, info.mac, 6);
			if (kp_net_write(h, frame, len) == KEEL_OK)
				echoed++;
			else
				dropped++;
		}
	}
	printf("netecho: echoed %llu dropped %llu\n", echoed, dropped);
	return 0;
}
