/*
 * devices — declares net device "service" and block device
 * "storage". Their handles (and fds 3 + handle) follow the order of the
 * notes in the file, which the compiler chooses within one source file.
 * Reaching main means the platform accepted what was attached; main checks
 * the handles and reports.
 */
#include <stddef.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "image_util.h"

KEEL_NET_DEVICE(service);
KEEL_BLOCK_DEVICE(storage);

int main(int argc, char **argv);

int main(int argc, char **argv)
{
	struct kp_net_info net;
	struct kp_block_info block;
	kp_handle hn, hb;

	if (kp_net_acquire("service", &hn, &net) != KEEL_OK ||
	    kp_block_acquire("storage", &hb, &block) != KEEL_OK || hn + hb != 1) {
		say("devices: FAIL: handles\n");
		return 1;
	}
	say("devices: attached\n");
	return 0;
}
