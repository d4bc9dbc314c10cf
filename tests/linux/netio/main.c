/*
 * netio — sends frames on net device "service" and waits for one to come in.
 *
 *   netio [SECONDS]
 *
 * Sends FRAMES broadcast frames of the local experimental ethertype 0x88b5,
 * then waits, with a deadline SECONDS away (default 10), through kp_yield()
 * until at least one frame arrives (the test makes the host's kernel send
 * some). Prints "netio: sent N received M" and exits 0 when M > 0.
 */
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "image_util.h"

KEEL_NET_DEVICE(service);

#define FRAMES 5
#define ETHERTYPE 0x88b5
#define NS_PER_SEC 1000000000ull

int main(int argc, char **argv);

static int fail(const char *why)
{
	say("netio: FAIL: ");
	say(why);
	say("\n");
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char frame[1514 + 64];
	struct kp_net_info info;
	uint64_t seconds = 10, received = 0;
	kp_handle h;
	kp_time deadline;

	if (argc > 1)
		seconds = parse_num(argv[1]);
	if (kp_net_acquire("service", &h, &info) != KEEL_OK || h != 0)
		return fail("kp_net_acquire(service)");
	if (info.mtu != 1500)
		return fail("MTU is not 1500");
	/* Locally administered unicast: bit 1 set, bit 0 clear. */
	if ((info.mac[0] & 3) != 2)
		return fail("MAC is not locally administered unicast");
	if (kp_net_write(h, frame, 13) != KEEL_EINVAL ||
	    kp_net_write(h, frame, 1515) != KEEL_EINVAL ||
	    kp_net_read(h, frame, 1513, &(size_t){ 0 }) != KEEL_EINVAL ||
	    kp_net_write(h + 1, frame, 60) != KEEL_EINVAL)
		return fail("a bad length or handle was not refused");

	for (unsigned i = 0; i < 6; i++) {
		frame[i] = 0xff;
		frame[6 + i] = info.mac[i];
	}
	frame[12] = ETHERTYPE >> 8;
	frame[13] = ETHERTYPE & 0xff;
	for (unsigned n = 0; n < FRAMES; n++) {
		frame[14] = (unsigned char)n;
		/* The last one is as large as the MTU allows. */
		if (kp_net_write(h, frame, n == FRAMES - 1 ? 14 + info.mtu : 60) != KEEL_OK)
			return fail("kp_net_write");
	}
	say("netio: waiting\n");

	deadline = kp_clock_monotonic() + seconds * NS_PER_SEC;
	while (received == 0 && kp_clock_monotonic() < deadline) {
		kp_handle_set ready;
		size_t len;

		kp_yield(deadline, &ready);
		if (!(ready & 1))
			continue;
		while (kp_net_read(h, frame, sizeof(frame), &len) == KEEL_OK) {
			if (len < 14)
				return fail("a frame shorter than its header");
			received++;
		}
	}
	say("netio: sent ");
	say_num(FRAMES);
	say(" received ");
	say_num(received);
	say("\n");
	return received ? 0 : fail("no frame arrived before the deadline");
}
