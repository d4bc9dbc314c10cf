/*
 * stack.h — what differs between the two builds of the store example: the
 * direct stack on a net device of the image's own (examples/store/direct.c)
 * or the host's sockets (examples/store-socket/socket.c). main.c is
 * shared; each build links exactly one of the two files that define
 * store_stack.
 */
#ifndef STORE_STACK_H
#define STORE_STACK_H

#include <stdint.h>

struct store_stack {
	/* The net device keel_net_open attaches to (declared in the same
	 * file with KEEL_NET_DEVICE); the socket stack ignores it. */
	const char *device;
	/* The port served when --port is not given. */
	uint16_t port;
	/* The address listened on when --bind is not given: NULL for every
	 * address the stack has. */
	const char *bind;
};

extern const struct store_stack store_stack;

#endif
