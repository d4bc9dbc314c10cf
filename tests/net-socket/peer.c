/*
 * peer — the host side of the socket stack's end-to-end tests.
 *
 *   peer many ADDR PORT N BYTES
 *       opens N TCP connections and keeps them all open; then writes a
 *       message of BYTES (different on each) on every one, reads every
 *       echo back with poll and checks it; then closes them all. Prints
 *       "peer: N connections echoed" and exits 0, or says what went wrong
 *       and exits 1.
 *   peer over ADDR PORT N BYTES
 *       for a server whose bound is N connections: opens N + 1 and keeps
 *       them open; the first N must be echoed as in `many`, the last one
 *       refused (reset, or closed without an echo). Prints "peer: N
 *       connections echoed, 1 refused".
 *   peer udp ADDR PORT COUNT SIZE
 *       sends COUNT datagrams of SIZE bytes one after another, each with
 *       its own content, and checks each echo (a lost one is sent again,
 *       up to 3 times). Prints "peer: COUNT datagrams echoed".
 *
 * Every wait is bounded (20 s in all for `many`, 2 s per datagram).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MANY_TIMEOUT_MS 20000
#define UDP_WAIT_MS 2000
#define UDP_TRIES 3

static struct sockaddr_in target;

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int die(const char *fmt, ...)
{
	va_list ap;

	printf("peer: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 1;
}

static unsigned char content(long who, long i)
{
	return (unsigned char)(who * 131 + i * 17 + (i >> 8));
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `many`, and `over` when one_over is set. */
static int many(long n, long bytes, bool one_over)
{
	long total = n + (one_over ? 1 : 0);
	int *fd = calloc((size_t)total, sizeof(*fd));
	long *got = calloc((size_t)n, sizeof(*got));
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	unsigned char *msg = malloc((size_t)bytes), *buf = malloc((size_t)bytes);
	long left = n, deadline = now_ms() + MANY_TIMEOUT_MS;

	if (!fd || !got || !pfd || !msg || !buf)
		return die("out of memory");
	for (long c = 0; c < total; c++) {
		fd[c] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[c] < 0 || connect(fd[c], (struct sockaddr *)&target, sizeof(target)) < 0)
			return die("connect: %s (connection %ld)", strerror(errno), c);
	}
	/* All are open now; each gets its own message. */
	for (long c = 0; c < n; c++) {
		for (long i = 0; i < bytes; i++)
			msg[i] = content(c, i);
		if (write(fd[c], msg, (size_t)bytes) != bytes)
			return die("write: %s (connection %ld)", strerror(errno), c);
		pfd[c] = (struct pollfd){ .fd = fd[c], .events = POLLIN };
	}
	while (left > 0) {
		long wait = deadline - now_ms();
		int ready;

		if (wait <= 0)
			return die("timed out: %ld connections without their full echo", left);
		ready = poll(pfd, (nfds_t)n, (int)wait);
		if (ready < 0 && errno != EINTR)
			return die("poll: %s", strerror(errno));
		for (long c = 0; c < n && ready > 0; c++) {
			ssize_t r;

			if (!pfd[c].revents)
				continue;
			r = read(fd[c], buf, (size_t)(bytes - got[c]));
			if (r <= 0)
				return die(
				    "read: %s (connection %ld)",
				    r == 0 ? "end of stream before the echo" : strerror(errno), c);
			for (ssize_t i = 0; i < r; i++) {
				if (buf[i] != content(c, got[c] + i))
					return die("echo differs on connection %ld", c);
			}
			got[c] += r;
			if (got[c] == bytes) {
				pfd[c].fd = -1; /* done: poll ignores it */
				left--;
			}
		}
	}
	if (one_over) {
		/* The server took it and reset it at once: it never echoes. */
		unsigned char byte;
		struct pollfd p = { .fd = fd[n], .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 5000) != 1)
			return die("the connection over the bound was neither reset nor closed");
		r = read(fd[n], &byte, 1);
		if (r > 0)
			return die("the connection over the bound was served");
		printf("peer: connection over the bound: %s\n",
		       r == 0 ? "closed" : strerror(errno));
	}
	for (long c = 0; c < total; c++)
		close(fd[c]);
	printf("peer: %ld connections echoed%s\n", n, one_over ? ", 1 refused" : "");
	return 0;
}

static int udp(long count, long size)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned char *msg = malloc((size_t)size), *buf = malloc((size_t)size + 1);

	if (fd < 0 || !msg || !buf)
		return die("socket: %s", strerror(errno));
	for (long d = 0; d < count; d++) {
		int tries = 0;

		for (long i = 0; i < size; i++)
			msg[i] = content(d, i);
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t r;

			if (tries++ == UDP_TRIES)
				return die("timed out: datagram %ld never came back", d);
			if (sendto(fd, msg, (size_t)size, 0, (struct sockaddr *)&target,
			           sizeof(target)) != size)
				return die("sendto: %s (datagram %ld)", strerror(errno), d);
			if (poll(&p, 1, UDP_WAIT_MS) != 1)
				continue;
			r = recv(fd, buf, (size_t)size + 1, 0);
			if (r != size || memcmp(buf, msg, (size_t)size) != 0)
				return die("echo differs (datagram %ld)", d);
			break;
		}
	}
	close(fd);
	printf("peer: %ld datagrams echoed\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	long a, b;

	if (argc != 6) {
		fprintf(stderr, "usage: peer many|udp ADDR PORT N BYTES\n");
		return 2;
	}
	memset(&target, 0, sizeof(target));
	target.sin_family = AF_INET;
	target.sin_port = htons((unsigned short)atoi(argv[3]));
	a = atol(argv[4]);
	b = atol(argv[5]);
	if (inet_pton(AF_INET, argv[2], &target.sin_addr) != 1 || a <= 0 || b <= 0 || b > 65507) {
		fprintf(stderr, "peer: bad arguments\n");
		return 2;
	}
	if (!strcmp(argv[1], "many"))
		return many(a, b, false);
	if (!strcmp(argv[1], "over"))
		return many(a, b, true);
	if (!strcmp(argv[1], "udp"))
		return udp(a, b);
	fprintf(stderr, "peer: unknown mode '%s'\n", argv[1]);
	return 2;
}
