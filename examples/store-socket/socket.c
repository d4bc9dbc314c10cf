/*
 * socket.c — the store example on the socket stack (lib/net-socket): no
 * net device of its own, the host's sockets instead, so it needs no
 * privilege and no TAP. It listens on the loopback (--bind=0.0.0.0 for
 * every host address) and on port 8080.
 */
#include "stack.h"

const struct store_stack store_stack = {
	.device = "host", /* ignored by the socket stack */
	.port = 8080,
	.bind = "127.0.0.1",
};
