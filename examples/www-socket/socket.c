/*
 * socket.c — the www example on the socket stack (lib/net-socket): no
 * device of its own, the host's sockets instead, so it needs no privilege
 * and no TAP. It listens on the loopback (--bind=0.0.0.0 for every host
 * address) and on port 8080, which needs no privilege either.
 */
#include "www.h"

const struct www_stack www_stack = {
	.device = "host", /* ignored by the socket stack */
	.port = 8080,
	.bind = "127.0.0.1",
};
