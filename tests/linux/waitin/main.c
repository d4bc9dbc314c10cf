/*
 * waitin — counts the frames that come in on net device "service".
 *
 *   waitin [QUIET_MS]
 *
 * Waits with kp_yield() in turns of TURN_MS, each with a deadline that far
 * ahead (as an image with a periodic timer does), and reads every frame
 * that came; then looks once more with a past deadline, as the runtime
 * does between rounds of fibers, before it waits again. Once QUIET_MS
 * (default 1500) have passed without a frame after at least one came,
 * prints "waitin: received N" and exits 0; with no frame within WAIT_S
 * seconds, exits 1. What the test looks at is how the platform waited
 * (the image's ppoll calls), not this program.
 */
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "image_util.h"

KEEL_NET_DEVICE(service);

#define TURN_MS 100
#define WAIT_S 30
#define NS_PER_MS 1000000ull

int main(int argc, char **argv);

static int fail(const char *why)
{
	say("waitin: FAIL: ");
	say(why);
	say("\n");
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char frame[1514 + 64];
	struct kp_net_info info;
	uint64_t quiet_ms = 1500, received = 0;
	kp_time start, last = 0;
	kp_handle h;

	if (argc > 1)
		quiet_ms = parse_num(argv[1]);
	if (kp_net_acquire("service", &h, &info) != KEEL_OK)
		return fail("kp_net_acquire(service)");
	say("waitin: waiting\n");

	start = kp_clock_monotonic();
	for (;;) {
		kp_time now = kp_clock_monotonic();
		kp_handle_set ready;
		size_t len;

		if (received && now - last >= quiet_ms * NS_PER_MS)
			break;
		if (!received && now - start >= WAIT_S * 1000 * NS_PER_MS)
			return fail("no frame came");
		kp_yield(now + TURN_MS * NS_PER_MS, &ready);
		while (ready & (kp_handle_set)1 << h) {
			while (kp_net_read(h, frame, sizeof(frame), &len) == KEEL_OK) {
				received++;
				last = kp_clock_monotonic();
			}
			kp_yield(0, &ready);
		}
	}
	say("waitin: received ");
	say_num(received);
	say("\n");
	return 0;
}
