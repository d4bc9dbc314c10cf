/*
 * www.h — what differs between the two builds of the www example: the
 * direct stack on a net device of the image's own (examples/www/direct.c)
 * or the host's sockets (examples/www-socket/socket.c). main.c is shared;
 * each build links exactly one of the two files that define www_stack.
 */
#ifndef WWW_H
#define WWW_H

#include <stdint.h>

struct www_stack {
	/* The net device keel_net_open attaches to (declared in the same
	 * file with KEEL_NET_DEVICE); the socket stack ignores it. */
	const char *device;
	/* The port served when --port is not given. */
	uint16_t port;
	/* The address listened on when --bind is not given: NULL for every
	 * address the stack has. */
	const char *bind;
};

extern const struct www_stack www_stack;

#endif
