/*
 * filter.h — building the image's seccomp filter (filter.c).
 *
 * Kept apart from installing it (seccomp.c) and free of system calls, so
 * the host unit tests can build filters and run them through a BPF
 * interpreter.
 */
#ifndef KEEL_LINUX_FILTER_H
#define KEEL_LINUX_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/manifest.h>

#include "abi.h"

/* Room for the longest filter: a conditional jump reaches at most 255
 * instructions ahead, so no filter may be longer than this. */
#define LINUX_FILTER_MAX 256

/* What the filter lets through, besides the fixed list in filter.c. */
struct linux_filter_spec {
	int net_fds[KEEL_MANIFEST_MAX];
	unsigned n_net;
	int block_fds[KEEL_MANIFEST_MAX];
	unsigned n_block;
	int pid; /* kill(pid, SIGABRT) is allowed, for kp_abort() */
	/* Host sockets (the manifest holds a KEEL_NOTE_HOSTNET note): the
	 * platform's readiness set is epoll_fd, created before sealing, and
	 * every socket the image opens lands above it. */
	bool hostnet;
	int epoll_fd;
};

/*
 * Writes the filter for `spec` into prog[0..cap) and returns its length in
 * instructions, or -1 when the spec is out of range (too many fds, pid
 * <= 0, an epoll_fd below 3) or the filter does not fit.
 */
int linux_filter_build(const struct linux_filter_spec *spec, struct linux_sock_filter *prog,
                       unsigned cap);

#endif
