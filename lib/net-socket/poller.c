/*
 * poller.c — from the platform's readiness set to the fibers waiting on
 * sockets.
 *
 * Every socket of the stack sits in the platform's one epoll set,
 * edge-triggered. kp_yield() reports the set as one handle when any socket
 * has news; the loop then calls on_ready(), which takes the events and
 * wakes the fibers parked on those sockets. A woken fiber retries its call
 * and parks again on EAGAIN, so a wake-up too many costs one system call
 * and none is ever lost: a fiber only parks after the kernel said EAGAIN,
 * and any later change of state is a new edge.
 *
 * The set belongs to the platform, one per image, so this watcher is one
 * per image too, whatever the number of stacks.
 */
#include "nsock_impl.h"

/* Events taken per system call, and calls per turn of the loop: more wait
 * for the next turn (the set stays readable until all are taken). */
#define EVENTS_PER_TAKE 64
#define TAKES_PER_TURN 16

#define READ_EVENTS (LINUX_EPOLLIN | LINUX_EPOLLRDHUP | LINUX_EPOLLHUP | LINUX_EPOLLERR)
#define WRITE_EVENTS (LINUX_EPOLLOUT | LINUX_EPOLLHUP | LINUX_EPOLLERR)

static bool started;

static void on_ready(kp_handle h, void *arg)
{
	struct linux_epoll_event ev[EVENTS_PER_TAKE];

	for (unsigned take = 0; take < TAKES_PER_TURN; take++) {
		long n = kp_linux_hostpoll_take(ev, EVENTS_PER_TAKE);

		for (long i = 0; i < n; i++) {
			struct nsock *s = (struct nsock *)(uintptr_t)ev[i].data;
			uint32_t events = ev[i].events;

			if (events & READ_EVENTS)
				keel_wake_all(&s->readers);
			if (events & WRITE_EVENTS)
				keel_wake_all(&s->writers);
		}
		if (n < EVENTS_PER_TAKE)
			break;
	}
}

int nsock_poller_start(void)
{
	kp_handle h;
	int rc;

	if (started)
		return KEEL_OK;
	rc = kp_linux_hostpoll_handle(&h);
	if (rc != KEEL_OK)
		return KEEL_ENODEV;
	rc = keel_io_watch(h, on_ready, NULL);
	if (rc != KEEL_OK)
		return rc;
	started = true;
	return KEEL_OK;
}
