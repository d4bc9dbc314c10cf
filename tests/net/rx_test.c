/*
 * rx_test — how often the receive path reads the device (lib/net/iface.c).
 * A wake-up reads until the device has nothing more (one read finds
 * nothing); after four wake-ups in a row that found one frame each, a
 * wake-up reads one frame and stops, and every 8th wake-up after that
 * drains again to look for a run of frames; one found goes back to
 * draining. No frame is left unread either way, and every buffer goes
 * back to the pool.
 */
#include "harness.h"

static struct keel_net *net;
static uint16_t ping_seq;

/* Injects `count` pings at once and runs the stack: every one answered,
 * and the reads of the device that took in count frames. */
static unsigned long pings(unsigned count)
{
	unsigned long before = h_rx_reads;
	struct h_frame f;
	unsigned replies = 0;

	for (unsigned i = 0; i < count; i++)
		h_inject_ping(7, ++ping_seq, "abcd", 4);
	h_run();
	CHECK(h_rx_pending() == 0);
	while (h_pop(&f))
		replies++;
	CHECK(replies == count);
	return h_rx_reads - before;
}

static void body(void *arg)
{
	(void)arg;
	net = h_open(NULL);
	h_learn_peer(net);
	/* A run of two (the ARP just read was a lone frame): draining, and
	 * the count of lone wake-ups starts again. */
	CHECK(pings(2) == 3);
	/* Lone frames: the first four wake-ups drain (the frame and a read
	 * that finds nothing); then one read a wake-up, with the 8th, 16th
	 * ... wake-up after the fourth draining. */
	for (unsigned k = 1; k <= 4; k++)
		CHECK(pings(1) == 2);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned k = 1; k <= 7; k++)
			CHECK(pings(1) == 1);
		CHECK(pings(1) == 2);
	}
	/* Three frames at once while reading one a wake-up: each read
	 * finds one, none is left behind. */
	CHECK(pings(3) == 3);
	/* Those were three of the eight: four more lone ones, then the
	 * probe finds a run of three and draining comes back. */
	for (unsigned k = 1; k <= 4; k++)
		CHECK(pings(1) == 1);
	CHECK(pings(3) == 4);
	for (unsigned k = 1; k <= 4; k++)
		CHECK(pings(1) == 2);
	CHECK(pings(1) == 1);
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/rx", body, NULL);
}
