/*
 * hclient — the raw HTTP client of tests/www/hostile.t (a host program,
 * plain POSIX sockets). It sends bytes no well-behaved client would and
 * reports, in one word, what the server did with them.
 *
 *   hclient send ADDR PORT FILE [--wait MS] [--slow MS] [--abort] [--rst]
 *       Sends FILE's bytes (any bytes, NUL included) and reads the answer
 *       until the server closes, resets, or, once it has answered, says
 *       nothing for MS ms (default 2000; the first byte may take 5 s).
 *       Prints "got VERDICT", then "hdr NAME: VALUE" for each header
 *       field of the first response. VERDICT is the status
 *       of every complete response in order, then how the connection
 *       ended, joined by '+': "400+close", "200+200+open", "reset".
 *       --slow MS sends one byte every MS ms instead, and stops sending as
 *       soon as the server answers or closes (slowloris). --abort closes
 *       right after sending, without reading (--rst: with a reset), and
 *       prints "got sent".
 *   hclient cut ADDR PORT PATH N
 *       Asks for PATH, reads N bytes of the answer, then resets the
 *       connection. Prints "got read N".
 *   hclient stall ADDR PORT PATH COUNT SECS
 *       With a small receive buffer, pipelines COUNT requests for PATH
 *       and never reads; holds the connection SECS seconds, then resets
 *       it. Prints "stall: sent" once the requests are out.
 *   hclient hold ADDR PORT N SECS
 *       Opens N keep-alive connections, gets "/" once on each, prints
 *       "hold: N connected", waits SECS seconds, gets "/" again on each,
 *       prints "hold: K of N served".
 *
 * Every wait is bounded; the exit status is 0 when the program could do
 * what it was asked (whatever the server answered), 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_S 10
#define MAX_KEEP (8u << 20) /* bytes of answer kept for parsing */
#define MAX_RESPONSES 16
#define FIRST_BYTE_MS 5000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "hclient: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int dial(const char *addr, int port, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	if (fd < 0)
		die("socket");
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "hclient: bad address %s\n", addr);
		exit(2);
	}
	/* Before connect, so that the window we announce is small too. */
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Closes with a reset rather than a FIN. */
static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		die(path);
	for (;;) {
		size_t got;

		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				die("realloc");
		}
		got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- Reading answers -------------------------------------------------------- */

struct answer {
	char *buf;
	size_t len, cap, total;
	const char *end; /* "close", "reset", "open" */
};

static void answer_add(struct answer *a, const char *data, size_t n)
{
	a->total += n;
	if (a->len + n > MAX_KEEP)
		n = MAX_KEEP - a->len;
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2;
		a->buf = realloc(a->buf, a->cap);
		if (!a->buf)
			die("realloc");
	}
	memcpy(a->buf + a->len, data, n);
	a->len += n;
}

/* Reads once (waiting up to wait_ms). Returns 1 when bytes came, 0 when
 * the connection ended (a->end set), -1 when nothing came in time. */
static int read_some(int fd, struct answer *a, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	if (poll(&p, 1, wait_ms) <= 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		answer_add(a, buf, (size_t)n);
		return 1;
	}
	a->end = n == 0 ? "close" : errno == ECONNRESET ? "reset" : "error";
	return 0;
}

/*
 * Reads until the peer ends the connection or, once it has said
 * something, is silent for wait_ms. The first byte may take longer
 * (FIRST_BYTE_MS, for a busy machine): a slow answer is not taken for
 * no answer.
 */
static void read_answer(int fd, struct answer *a, int wait_ms)
{
	double stop = now_ms() + 30e3; /* whatever happens */

	while (!a->end) {
		int wait = a->total == 0 && wait_ms < FIRST_BYTE_MS ? FIRST_BYTE_MS : wait_ms;

		if (read_some(fd, a, wait) < 0 || now_ms() > stop)
			a->end = "open";
	}
}

static const char *find(const char *s, size_t len, const char *what)
{
	size_t wl = strlen(what);

	for (size_t i = 0; i + wl <= len; i++)
		if (memcmp(s + i, what, wl) == 0)
			return s + i;
	return NULL;
}

/* The value of header `name` in the head [h, h + len), or NULL. */
static const char *head_field(const char *h, size_t len, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *line = memchr(h, '\n', len);

	while (line && (size_t)(line + 1 - h) < len) {
		const char *s = line + 1, *e = memchr(s, '\n', len - (size_t)(s - h));

		if (!e)
			break;
		if ((size_t)(e - s) > nl && strncasecmp(s, name, nl) == 0 && s[nl] == ':') {
			const char *v = s + nl + 1;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(e - v);
			if (*vlen && v[*vlen - 1] == '\r')
				(*vlen)--;
			return v;
		}
		line = e;
	}
	return NULL;
}

/* Length of a chunked body at b (framing included), or 0 if incomplete. */
static size_t chunked_len(const char *b, size_t len)
{
	size_t pos = 0;

	for (;;) {
		const char *eol = find(b + pos, len - pos, "\r\n");
		unsigned long long size;
		char *end;

		if (!eol)
			return 0;
		size = strtoull(b + pos, &end, 16);
		if (end == b + pos)
			return 0;
		pos = (size_t)(eol - b) + 2;
		if (size == 0) {
			const char *fin = find(b + pos - 2, len - pos + 2, "\r\n\r\n");

			return fin ? (size_t)(fin - b) + 4 : 0;
		}
		if (size > len - pos || len - pos - size < 2)
			return 0;
		pos += size + 2;
	}
}

/*
 * Splits the kept bytes into complete responses; writes their statuses
 * into st[] and returns how many. `first_head` gets the first head.
 */
static int parse_responses(const struct answer *a, int *st, const char **first_head,
                           size_t *first_len)
{
	size_t pos = 0;
	int n = 0;

	while (n < MAX_RESPONSES && pos < a->len) {
		const char *h = a->buf + pos, *v, *end;
		size_t left = a->len - pos, hl, vl, body = 0;
		int status;

		end = find(h, left, "\r\n\r\n");
		if (!end || left < 12 || memcmp(h, "HTTP/1.", 7) != 0)
			break;
		hl = (size_t)(end - h) + 4;
		status = atoi(h + 9);
		if (n == 0) {
			*first_head = h;
			*first_len = hl;
		}
		if (status >= 200 && status != 204 && status != 304) {
			v = head_field(h, hl, "Transfer-Encoding", &vl);
			if (v && vl >= 7 && strncasecmp(v + vl - 7, "chunked", 7) == 0) {
				body = chunked_len(h + hl, left - hl);
				if (!body)
					break;
			} else if ((v = head_field(h, hl, "Content-Length", &vl)) != NULL) {
				body = strtoull(v, NULL, 10);
			} else {
				/* Delimited by the close: everything left. */
				body = left - hl;
			}
			if (body > left - hl) {
				/* Cut short: count it only if we kept less than
				 * came (it was all there, we dropped the rest). */
				if (a->total == a->len)
					break;
				body = left - hl;
			}
		}
		st[n++] = status;
		pos += hl + body;
	}
	return n;
}

static void report(const struct answer *a)
{
	int st[MAX_RESPONSES];
	const char *head = NULL;
	size_t hlen = 0;
	int n = parse_responses(a, st, &head, &hlen);

	printf("got ");
	for (int i = 0; i < n; i++)
		printf("%d+", st[i]);
	if (n == 0 && a->len > 0)
		printf("junk+");
	printf("%s\n", a->end);
	/* The first head's fields, one a line. */
	if (head) {
		const char *p = memchr(head, '\n', hlen), *e;

		while (p && (e = memchr(p + 1, '\n', hlen - (size_t)(p + 1 - head))) != NULL &&
		       e - p > 2) {
			printf("hdr %.*s\n", (int)(e - p - 2), p + 1);
			p = e;
		}
	}
}

/* ---- Modes ------------------------------------------------------------------ */

static int do_send(const char *addr, int port, const char *file, int argc, char **argv)
{
	int wait_ms = 2000, slow_ms = 0;
	bool abort_after = false, rst = false;
	struct answer a = { 0 };
	size_t len, off = 0;
	char *data = read_file(file, &len);
	int fd;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
			wait_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--slow") == 0 && i + 1 < argc)
			slow_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--abort") == 0)
			abort_after = true;
		else if (strcmp(argv[i], "--rst") == 0)
			rst = true;
		else {
			fprintf(stderr, "hclient: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	fd = dial(addr, port, 0);
	if (fd < 0) {
		printf("got %s\n", errno == ECONNREFUSED ? "refused" : "noconnect");
		return 0;
	}
	if (slow_ms > 0) {
		/* One byte at a time until the server speaks or hangs up. */
		while (off < len && !a.end) {
			if (write(fd, data + off, 1) != 1)
				break;
			off++;
			if (read_some(fd, &a, slow_ms) > 0)
				break;
		}
	} else {
		while (off < len) {
			ssize_t n = write(fd, data + off, len - off);

			if (n <= 0)
				break; /* the server stopped listening: read what it said */
			off += (size_t)n;
		}
	}
	if (abort_after) {
		if (rst)
			reset_close(fd);
		else
			close(fd);
		printf("got sent\n");
		free(data);
		return 0;
	}
	read_answer(fd, &a, wait_ms);
	report(&a);
	close(fd);
	free(a.buf);
	free(data);
	return 0;
}

static int do_cut(const char *addr, int port, const char *path, long want)
{
	char req[512], buf[4096];
	long got = 0;
	int fd = dial(addr, port, 0);

	if (fd < 0)
		die("connect");
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: keel\r\n\r\n", path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		die("write");
	while (got < want) {
		size_t n = sizeof(buf) < (size_t)(want - got) ? sizeof(buf) : (size_t)(want - got);
		ssize_t r = read(fd, buf, n);

		if (r <= 0)
			break;
		got += r;
	}
	reset_close(fd);
	printf("got read %ld\n", got);
	return 0;
}

static int do_stall(const char *addr, int port, const char *path, int count, int secs)
{
	char req[512];
	int fd = dial(addr, port, 4096);
	int len;

	if (fd < 0)
		die("connect");
	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: keel\r\n\r\n", path);
	for (int i = 0; i < count; i++)
		if (write(fd, req, (size_t)len) != len)
			die("write");
	printf("stall: sent\n");
	fflush(stdout);
	sleep((unsigned)secs);
	reset_close(fd);
	return 0;
}

/* One GET / on a keep-alive connection: true when the answer is a 200
 * with its whole body. */
static bool get_root(int fd)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: keel\r\n\r\n";
	struct answer a = { 0 };
	bool ok = false;

	if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		return false;
	while (!a.end) {
		const char *end = a.len ? find(a.buf, a.len, "\r\n\r\n") : NULL;

		if (end) {
			size_t hl = (size_t)(end - a.buf) + 4, vl;
			const char *v = head_field(a.buf, hl, "Content-Length", &vl);

			if (v && a.len >= hl + strtoull(v, NULL, 10)) {
				ok = memcmp(a.buf, "HTTP/1.1 200 ", 13) == 0;
				break;
			}
		}
		if (read_some(fd, &a, IO_TIMEOUT_S * 1000) < 0)
			break;
	}
	free(a.buf);
	return ok;
}

static int do_hold(const char *addr, int port, int n, int secs)
{
	int *fd = calloc((size_t)n, sizeof(int));
	int served = 0, connected = 0;

	if (!fd)
		die("calloc");
	for (int i = 0; i < n; i++) {
		fd[i] = dial(addr, port, 0);
		if (fd[i] >= 0 && get_root(fd[i]))
			connected++;
	}
	printf("hold: %d connected\n", connected);
	fflush(stdout);
	sleep((unsigned)secs);
	for (int i = 0; i < n; i++)
		if (fd[i] >= 0 && get_root(fd[i]))
			served++;
	printf("hold: %d of %d served\n", served, n);
	for (int i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(fd);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]), argv[4], argc - 5, argv + 5);
	if (argc == 6 && strcmp(argv[1], "cut") == 0)
		return do_cut(argv[2], atoi(argv[3]), argv[4], atol(argv[5]));
	if (argc == 7 && strcmp(argv[1], "stall") == 0)
		return do_stall(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]), atoi(argv[6]));
	if (argc == 6 && strcmp(argv[1], "hold") == 0)
		return do_hold(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: hclient send|cut|stall|hold ADDR PORT ...\n");
	return 2;
}
