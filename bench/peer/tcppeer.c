/*
 * tcppeer — the Linux side of the TCP tests and benchmarks (a host
 * program, plain POSIX sockets).
 *
 *   tcppeer serve ADDR            echo on 7, discard on 9, chargen on 19,
 *                                 one thread per connection
 *   tcppeer conns ADDR PORT N     holds N connections open at once, sends a
 *                                 line on each, checks each is echoed;
 *                                 prints "served K of N"
 *   tcppeer rr ADDR PORT C SECS   C connections each doing 1-byte
 *                                 request/response; prints transactions/s
 *   tcppeer send ADDR PORT MB     writes MB MiB (to a discard service)
 *   tcppeer recv ADDR PORT MB     reads MB MiB (from a chargen service)
 *   tcppeer echo ADDR PORT MB     writes MB MiB and reads them back at once,
 *                                 checking every byte
 *   tcppeer hold ADDR PORT SECS   connects, checks an echo, holds the
 *                                 connection SECS seconds, checks again
 *
 * Throughput lines read "NAME: X Mbit/s" so scripts can pick them out.
 * Every wait is bounded (SO_RCVTIMEO / SO_SNDTIMEO of 20 s); exit status
 * 0 only when everything checked out.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_S 20
#define CHUNK (64 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "tcppeer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int dial(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		die("socket");
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcppeer: bad address %s\n", addr);
		exit(2);
	}
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint8_t pattern(uint64_t off)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	return (uint8_t)(x >> ((off & 7) * 8));
}

/* ---- Server ----------------------------------------------------------------- */

struct served {
	int fd;
	int kind; /* 7 echo, 9 discard, 19 chargen */
};

static void *serve_conn(void *arg)
{
	struct served s = *(struct served *)arg;
	static char chargen[CHUNK];
	char *buf = malloc(CHUNK);
	ssize_t n;

	free(arg);
	if (!buf) {
		close(s.fd);
		return NULL;
	}
	if (s.kind == 19) {
		memset(chargen, 'x', sizeof(chargen));
		while (write(s.fd, chargen, sizeof(chargen)) > 0)
			;
	} else {
		while ((n = read(s.fd, buf, CHUNK)) > 0) {
			if (s.kind == 7 && write_all(s.fd, buf, (size_t)n) != 0)
				break;
		}
	}
	free(buf);
	close(s.fd);
	return NULL;
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1024) != 0)
		die("bind/listen");
	return fd;
}

static int serve(const char *addr) __attribute__((noreturn));

static int serve(const char *addr)
{
	int ports[3] = { 7, 9, 19 };
	struct pollfd pfd[3];

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 3; i++) {
		pfd[i].fd = listen_on(addr, ports[i]);
		pfd[i].events = POLLIN;
	}
	printf("tcppeer: serving on %s\n", addr);
	fflush(stdout);
	for (;;) {
		if (poll(pfd, 3, -1) < 0)
			die("poll");
		for (int i = 0; i < 3; i++) {
			struct served *s;
			pthread_t t;
			int fd, one = 1;

			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept(pfd[i].fd, NULL, NULL);
			if (fd < 0)
				continue;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			s = malloc(sizeof(*s));
			if (!s) {
				close(fd);
				continue;
			}
			s->fd = fd;
			s->kind = ports[i];
			if (pthread_create(&t, NULL, serve_conn, s) != 0) {
				close(fd);
				free(s);
				continue;
			}
			pthread_detach(t);
		}
	}
}

/* ---- Clients --------------------------------------------------------------- */

static int conns(const char *addr, int port, int n)
{
	int *fd = calloc((size_t)n, sizeof(int));
	int served = 0;

	if (!fd)
		die("calloc");
	/* All open at once, then each one used. */
	for (int i = 0; i < n; i++) {
		fd[i] = dial(addr, port);
		if (fd[i] < 0)
			fprintf(stderr, "tcppeer: connection %d: %s\n", i, strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		char line[32], back[32];
		int len = snprintf(line, sizeof(line), "connection %05d\n", i);

		if (fd[i] < 0)
			continue;
		if (write_all(fd[i], line, (size_t)len) == 0 &&
		    read_all(fd[i], back, (size_t)len) == 0 && memcmp(line, back, (size_t)len) == 0)
			served++;
	}
	for (int i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	printf("served %d of %d\n", served, n);
	free(fd);
	return served == n ? 0 : 1;
}

static int rr(const char *addr, int port, int c, double secs)
{
	struct pollfd *pfd = calloc((size_t)c, sizeof(*pfd));
	unsigned long done = 0;
	double t0, t1;
	char b = 'x';

	if (!pfd)
		die("calloc");
	for (int i = 0; i < c; i++) {
		pfd[i].fd = dial(addr, port);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0)
			die("connect");
	}
	t0 = now_s();
	for (int i = 0; i < c; i++)
		if (write(pfd[i].fd, &b, 1) != 1)
			die("write");
	while ((t1 = now_s()) - t0 < secs) {
		int r = poll(pfd, (nfds_t)c, IO_TIMEOUT_S * 1000);

		if (r <= 0)
			die("poll (no answer)");
		for (int i = 0; i < c; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (read(pfd[i].fd, &b, 1) != 1)
				die("read");
			done++;
			if (write(pfd[i].fd, &b, 1) != 1)
				die("write");
		}
	}
	printf("rr %d conns: %.0f transactions/s\n", c, (double)done / (t1 - t0));
	for (int i = 0; i < c; i++)
		close(pfd[i].fd);
	free(pfd);
	return 0;
}

static int send_bytes(const char *addr, int port, uint64_t bytes)
{
	int fd = dial(addr, port);
	char *buf = malloc(CHUNK);
	uint64_t left = bytes;
	double t0;

	if (fd < 0 || !buf)
		die("connect");
	memset(buf, 'y', CHUNK);
	t0 = now_s();
	while (left > 0) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;

		if (write_all(fd, buf, n) != 0)
			die("write");
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	/* The discard side closes when it has read everything. */
	while (read(fd, buf, CHUNK) > 0)
		;
	printf("send: %.1f Mbit/s\n", (double)bytes * 8 / (now_s() - t0) / 1e6);
	close(fd);
	free(buf);
	return 0;
}

static int recv_bytes(const char *addr, int port, uint64_t bytes)
{
	int fd = dial(addr, port);
	char *buf = malloc(CHUNK);
	uint64_t got = 0;
	double t0;

	if (fd < 0 || !buf)
		die("connect");
	t0 = now_s();
	while (got < bytes) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n <= 0)
			die("read");
		got += (uint64_t)n;
	}
	printf("recv: %.1f Mbit/s\n", (double)got * 8 / (now_s() - t0) / 1e6);
	close(fd);
	free(buf);
	return 0;
}

struct echo_writer {
	int fd;
	uint64_t bytes;
	int err;
};

static void *echo_write(void *arg)
{
	struct echo_writer *w = arg;
	char *buf = malloc(CHUNK);
	uint64_t off = 0;

	if (!buf) {
		w->err = 1;
		return NULL;
	}
	while (off < w->bytes) {
		size_t n = w->bytes - off < CHUNK ? (size_t)(w->bytes - off) : CHUNK;

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)pattern(off + i);
		if (write_all(w->fd, buf, n) != 0) {
			w->err = 1;
			break;
		}
		off += n;
	}
	shutdown(w->fd, SHUT_WR);
	free(buf);
	return NULL;
}

static int echo(const char *addr, int port, uint64_t bytes)
{
	struct echo_writer w = { .fd = dial(addr, port), .bytes = bytes };
	char *buf = malloc(CHUNK);
	uint64_t got = 0;
	pthread_t t;
	double t0;
	int bad = 0;

	if (w.fd < 0 || !buf)
		die("connect");
	t0 = now_s();
	if (pthread_create(&t, NULL, echo_write, &w) != 0)
		die("pthread_create");
	for (;;) {
		ssize_t n = read(w.fd, buf, CHUNK);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			bad |= (uint8_t)buf[i] != pattern(got + (uint64_t)i);
		got += (uint64_t)n;
	}
	pthread_join(t, NULL);
	printf("echo: %.1f Mbit/s each way (%llu of %llu bytes back%s)\n",
	       (double)got * 8 / (now_s() - t0) / 1e6, (unsigned long long)got,
	       (unsigned long long)bytes, bad ? ", CORRUPTED" : "");
	close(w.fd);
	free(buf);
	return got == bytes && !bad && !w.err ? 0 : 1;
}

static int hold(const char *addr, int port, int secs)
{
	int fd = dial(addr, port);
	char back[8];

	if (fd < 0)
		die("connect");
	if (write_all(fd, "first\n", 6) || read_all(fd, back, 6) || memcmp(back, "first\n", 6))
		die("first echo");
	printf("hold: connected\n");
	fflush(stdout);
	sleep((unsigned)secs);
	if (write_all(fd, "again\n", 6) || read_all(fd, back, 6) || memcmp(back, "again\n", 6))
		die("second echo");
	printf("hold: still served\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2]);
	if (argc == 5 && strcmp(argv[1], "conns") == 0)
		return conns(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[1], "rr") == 0)
		return rr(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return send_bytes(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10) << 20);
	if (argc == 5 && strcmp(argv[1], "recv") == 0)
		return recv_bytes(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10) << 20);
	if (argc == 5 && strcmp(argv[1], "echo") == 0)
		return echo(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10) << 20);
	if (argc == 5 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: tcppeer serve ADDR | conns|rr|send|recv|echo|hold ADDR PORT ...\n");
	return 2;
}
