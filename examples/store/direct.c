/*
 * direct.c — the store example on the direct stack (lib/net): the image
 * has a network interface of its own, the net device "service"
 * (virtio-net under QEMU, a TAP on linux), and its own address, given
 * with --ipv4 or asked of DHCP. It serves port 80 on that address.
 */
#include <keel/manifest.h>

#include "stack.h"

KEEL_NET_DEVICE(service);

/* No .bind: every address the stack has. */
const struct store_stack store_stack = {
	.device = "service",
	.port = 80,
};
