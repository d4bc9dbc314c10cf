/*
 * loadgen — a small HTTP/1.1 load generator for the reliability suites:
 * a fixed request rate (open loop, which wrk cannot do), connection
 * churn, and slow clients. One thread, epoll, non-blocking sockets.
 *
 *   loadgen rate  HOST PORT --rate R --conns N --seconds S [--close]
 *   loadgen churn HOST PORT --total N --conns C --seconds S
 *   loadgen slow  HOST PORT --conns N --seconds S [--interval MS]
 *   common:       [--path P] [--timeout MS] [--every S]
 *
 * rate:  request k is due at start + k / R, whatever happened to the
 *        others. It goes out on an idle keep-alive connection of the N
 *        (with --close: on a new connection, at most N in flight). When
 *        none is free at its due time it is counted as "missed": the
 *        server did not keep up, and the request is not sent late.
 * churn: C connections in flight; each sends one request with
 *        "Connection: close", reads the whole response and the server's
 *        FIN, and closes; until N are done or S seconds pass.
 * slow:  N connections each trickling a request head, one byte every
 *        --interval ms (1000), never finishing it; a connection the server
 *        ends is opened again. Counts how the server ended them.
 *
 * Every request must get a whole 2xx response within --timeout ms (5000);
 * anything else is an error of one kind: refused (the connection was
 * refused or reset before any byte came back), reset, closed (the server
 * closed mid-response), timeout, status (not 2xx), other. --every S
 * prints a line of counts every S seconds. The last line is
 *
 *   loadgen: mode=M seconds=T sent=N ok=N errors=N refused=N reset=N
 *            closed=N timeout=N status=N other=N missed=N rps=X
 *            p50_ms=X p99_ms=X max_ms=X
 *
 * (slow: opened=N ended_by_server=N open_at_end=N instead of the request
 * counts). Exit status 0 when it ran, 2 on a usage or setup error; the
 * caller judges the counts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 8192
#define CONNS_MAX 60000
#define LAT_BUCKETS 60001 /* 0.1 ms each, up to 6 s; the last holds the rest */

enum mode { RATE, CHURN, SLOW };
enum cstate { C_FREE, C_CONNECTING, C_IDLE, C_BUSY, C_DRAIN };
enum err { E_REFUSED, E_RESET, E_CLOSED, E_TIMEOUT, E_STATUS, E_OTHER, E_COUNT };
static const char *const err_names[E_COUNT] = { "refused", "reset",  "closed",
	                                        "timeout", "status", "other" };

struct conn {
	int fd;
	enum cstate st;
	bool got_bytes;     /* any response byte on this connection */
	bool want_request;  /* send a request once connected */
	uint64_t started;   /* ns: when the request (or the connection) began */
	uint64_t next_byte; /* slow: when the next head byte goes */
	size_t sent_head;   /* slow: bytes of the head sent */
	char head[HEAD_MAX];
	size_t head_len;
	bool head_done;
	int status;
	long long body_left; /* -1: until EOF */
	bool server_close;
};

static struct {
	enum mode mode;
	const char *host, *path;
	int port;
	double rate, seconds;
	long conns, total, timeout_ms, interval_ms;
	double every;
	bool close;
} opt = { .path = "/", .timeout_ms = 5000, .interval_ms = 1000 };

static struct sockaddr_in dest;
static int ep;
static struct conn *conns;
static int *idle;
static long nidle, inflight, open_conns;
static uint64_t sent, ok, errs[E_COUNT], missed, opened, ended_by_server;
static uint64_t lat[LAT_BUCKETS];
static char request[512];
static size_t request_len;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(const char *why)
{
	fprintf(stderr,
	        "loadgen: %s\n"
	        "usage: loadgen rate|churn|slow HOST PORT [--rate R] [--conns N] [--total N]\n"
	        "               [--seconds S] [--close] [--path P] [--timeout MS] [--interval MS]\n"
	        "               [--every S]\n",
	        why);
	exit(2);
}

static void record_latency(uint64_t ns)
{
	uint64_t b = ns / 100000;

	lat[b < LAT_BUCKETS - 1 ? b : LAT_BUCKETS - 1]++;
}

static double percentile_ms(double p)
{
	uint64_t n = 0, want, seen = 0;

	for (long i = 0; i < LAT_BUCKETS; i++)
		n += lat[i];
	if (n == 0)
		return 0;
	want = (uint64_t)(p * (double)n);
	if (want >= n)
		want = n - 1;
	for (long i = 0; i < LAT_BUCKETS; i++) {
		seen += lat[i];
		if (seen > want)
			return (double)i / 10.0;
	}
	return 0;
}

static double max_ms(void)
{
	for (long i = LAT_BUCKETS - 1; i >= 0; i--)
		if (lat[i])
			return (double)i / 10.0;
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		open_conns--;
	}
	if (c->st == C_IDLE) {
		for (long i = 0; i < nidle; i++) {
			if (&conns[idle[i]] == c) {
				idle[i] = idle[--nidle];
				break;
			}
		}
	}
	if (c->st == C_BUSY || (c->st == C_CONNECTING && c->want_request))
		inflight--;
	c->fd = -1;
	c->st = C_FREE;
}

static void conn_fail(struct conn *c, enum err e)
{
	if (c->st == C_BUSY || (c->st == C_CONNECTING && c->want_request))
		errs[e]++;
	conn_close(c);
}

/* Opens connection c (non-blocking). want_request: a request goes as soon
 * as it is connected (it is in flight from now on). */
static bool conn_open(struct conn *c, bool want_request, uint64_t now)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP };
	int one = 1;

	if (fd < 0) {
		if (want_request)
			errs[E_OTHER]++;
		return false;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(c, 0, offsetof(struct conn, head));
	c->fd = fd;
	c->st = C_CONNECTING;
	c->want_request = want_request;
	c->started = now;
	c->next_byte = now;
	open_conns++;
	opened++;
	if (want_request) {
		inflight++;
		sent++;
	}
	ev.data.u32 = (uint32_t)(c - conns);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		conn_fail(c, E_OTHER);
		return false;
	}
	if (connect(fd, (struct sockaddr *)&dest, sizeof(dest)) < 0 && errno != EINPROGRESS) {
		conn_fail(c, errno == ECONNREFUSED ? E_REFUSED : E_OTHER);
		return false;
	}
	return true;
}

static struct conn *free_conn(void)
{
	for (long i = 0; i < opt.conns; i++)
		if (conns[i].st == C_FREE)
			return &conns[i];
	return NULL;
}

/* fresh: the request was already counted when its connection was opened. */
static void send_request(struct conn *c, uint64_t now, bool fresh)
{
	ssize_t n;

	if (!fresh) {
		inflight++;
		sent++;
		c->started = now;
	}
	c->st = C_BUSY;
	c->head_len = 0;
	c->head_done = false;
	c->got_bytes = false;
	n = send(c->fd, request, request_len, MSG_NOSIGNAL);
	if (n != (ssize_t)request_len)
		conn_fail(c, n < 0 && errno == ECONNRESET ? E_RESET : E_OTHER);
}

/* A whole response came: count it, then reuse, close or wait for EOF. */
static void response_done(struct conn *c, uint64_t now)
{
	bool good = c->status >= 200 && c->status < 300;

	if (good) {
		ok++;
		record_latency(now - c->started);
	} else {
		errs[E_STATUS]++;
	}
	inflight--;
	if (opt.mode == CHURN || opt.close || c->server_close) {
		/* Wait for the server's FIN, so that the server is the one
		 * that closes first (no TIME_WAIT piles up here). */
		c->st = C_DRAIN;
		c->started = now;
		return;
	}
	c->st = C_IDLE;
	idle[nidle++] = (int)(c - conns);
}

/* Parses the head once it is whole: status and framing. */
static bool parse_head(struct conn *c)
{
	char *end = memmem(c->head, c->head_len, "\r\n\r\n", 4);
	char *p, *line;

	if (!end)
		return false;
	c->head_done = true;
	c->status = 0;
	c->body_left = -1;
	c->server_close = false;
	if (c->head_len >= 12 && memcmp(c->head, "HTTP/1.", 7) == 0)
		c->status = atoi(c->head + 9);
	*end = '\0';
	for (line = strstr(c->head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		p = line + 2;
		if (strncasecmp(p, "content-length:", 15) == 0)
			c->body_left = atoll(p + 15);
		else if (strncasecmp(p, "connection:", 11) == 0 && strcasestr(p + 11, "close"))
			c->server_close = true;
	}
	if (c->status == 204 || c->status == 304 || (c->status >= 100 && c->status < 200))
		c->body_left = 0;
	/* What followed the head in the buffer is body. */
	{
		size_t head_bytes = (size_t)(end - c->head) + 4;
		size_t extra = c->head_len - head_bytes;

		if (c->body_left >= 0)
			c->body_left -= (long long)extra;
	}
	return true;
}

static void on_readable(struct conn *c, uint64_t now)
{
	char buf[65536];

	for (;;) {
		ssize_t n;

		if (c->st == C_BUSY && !c->head_done) {
			n = recv(c->fd, c->head + c->head_len, HEAD_MAX - 1 - c->head_len, 0);
		} else {
			n = recv(c->fd, buf, sizeof(buf), 0);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (opt.mode == SLOW) {
				ended_by_server++;
				conn_close(c);
				return;
			}
			if (c->st == C_DRAIN) {
				conn_close(c);
				return;
			}
			conn_fail(c, errno == ECONNRESET ? E_RESET : E_OTHER);
			return;
		}
		if (n == 0) {
			if (opt.mode == SLOW) {
				ended_by_server++;
				conn_close(c);
				return;
			}
			if (c->st == C_BUSY && c->head_done && c->body_left < 0) {
				response_done(c, now);
				conn_close(c);
				return;
			}
			if (c->st == C_BUSY)
				conn_fail(c, c->got_bytes ? E_CLOSED : E_RESET);
			else
				conn_close(c);
			return;
		}
		if (c->st != C_BUSY)
			continue; /* slow mode's answers, or bytes after a response */
		c->got_bytes = true;
		if (!c->head_done) {
			c->head_len += (size_t)n;
			if (!parse_head(c)) {
				if (c->head_len >= HEAD_MAX - 1) {
					conn_fail(c, E_OTHER);
					return;
				}
				continue;
			}
		} else if (c->body_left >= 0) {
			c->body_left -= n;
		}
		if (c->body_left == 0) {
			response_done(c, now);
		} else if (c->body_left < 0 && c->body_left != -1) {
			conn_fail(c, E_OTHER); /* more body than announced */
			return;
		}
	}
}

static void on_writable(struct conn *c, uint64_t now)
{
	int e = 0;
	socklen_t len = sizeof(e);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };

	if (c->st != C_CONNECTING)
		return;
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
	if (e) {
		if (opt.mode == SLOW) {
			ended_by_server++;
			conn_close(c);
		} else {
			conn_fail(c, e == ECONNREFUSED || e == ECONNRESET ? E_REFUSED : E_OTHER);
		}
		return;
	}
	ev.data.u32 = (uint32_t)(c - conns);
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	if (opt.mode == SLOW) {
		c->st = C_IDLE;
		return;
	}
	if (c->want_request) {
		send_request(c, now, true);
		return;
	}
	c->st = C_IDLE;
	idle[nidle++] = (int)(c - conns);
}

/* slow mode: one more byte of the never-ending head. */
static void slow_tick(struct conn *c, uint64_t now)
{
	static const char head[] = "GET / HTTP/1.1\r\nHost: keel\r\nUser-Agent: ";
	char b;

	if (c->st != C_IDLE || now < c->next_byte)
		return;
	b = c->sent_head < sizeof(head) - 1 ? head[c->sent_head] : 'x';
	if (send(c->fd, &b, 1, MSG_NOSIGNAL) != 1) {
		ended_by_server++;
		conn_close(c);
		return;
	}
	c->sent_head++;
	c->next_byte = now + (uint64_t)opt.interval_ms * 1000000ull;
}

static void check_timeouts(uint64_t now)
{
	uint64_t limit = (uint64_t)opt.timeout_ms * 1000000ull;

	for (long i = 0; i < opt.conns; i++) {
		struct conn *c = &conns[i];

		if (opt.mode == SLOW) {
			slow_tick(c, now);
			continue;
		}
		if ((c->st == C_BUSY || (c->st == C_CONNECTING && c->want_request)) &&
		    now - c->started > limit)
			conn_fail(c, E_TIMEOUT);
		else if ((c->st == C_DRAIN || c->st == C_CONNECTING) && now - c->started > limit)
			conn_close(c);
	}
}

static double parse_double(const char *s, const char *name)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || v < 0 || v > 1e9) {
		char why[96];

		snprintf(why, sizeof(why), "bad value for %s: '%.40s'", name, s);
		usage(why);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	if (argc < 4)
		usage("too few arguments");
	if (strcmp(argv[1], "rate") == 0)
		opt.mode = RATE;
	else if (strcmp(argv[1], "churn") == 0)
		opt.mode = CHURN;
	else if (strcmp(argv[1], "slow") == 0)
		opt.mode = SLOW;
	else
		usage("unknown mode");
	opt.host = argv[2];
	opt.port = atoi(argv[3]);
	for (int i = 4; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--close") == 0) {
			opt.close = true;
			continue;
		}
		if (!v)
			usage("an option lacks its value");
		i++;
		if (strcmp(a, "--rate") == 0)
			opt.rate = parse_double(v, a);
		else if (strcmp(a, "--conns") == 0)
			opt.conns = (long)parse_double(v, a);
		else if (strcmp(a, "--total") == 0)
			opt.total = (long)parse_double(v, a);
		else if (strcmp(a, "--seconds") == 0)
			opt.seconds = parse_double(v, a);
		else if (strcmp(a, "--timeout") == 0)
			opt.timeout_ms = (long)parse_double(v, a);
		else if (strcmp(a, "--interval") == 0)
			opt.interval_ms = (long)parse_double(v, a);
		else if (strcmp(a, "--every") == 0)
			opt.every = parse_double(v, a);
		else if (strcmp(a, "--path") == 0)
			opt.path = v;
		else
			usage("unknown option");
	}
	if (opt.port < 1 || opt.port > 65535 || inet_pton(AF_INET, opt.host, &dest.sin_addr) != 1)
		usage("HOST must be an IPv4 address and PORT 1..65535");
	if (opt.conns < 1 || opt.conns > CONNS_MAX)
		usage("--conns must be 1..60000");
	if (opt.seconds <= 0)
		usage("--seconds must be given (every run is bounded)");
	if (opt.mode == RATE && opt.rate <= 0)
		usage("rate needs --rate");
	if (opt.mode == CHURN && opt.total < 1)
		usage("churn needs --total");
	if (opt.timeout_ms < 1 || opt.interval_ms < 1)
		usage("--timeout and --interval must be at least 1 ms");
	if (strlen(opt.path) > 200 || opt.path[0] != '/')
		usage("--path must start with / and be short");
	dest.sin_family = AF_INET;
	dest.sin_port = htons((uint16_t)opt.port);
}

static void print_counts(const char *prefix, double t)
{
	uint64_t e = 0;

	for (int i = 0; i < E_COUNT; i++)
		e += errs[i];
	if (opt.mode == SLOW) {
		printf(
		    "%smode=slow seconds=%.1f opened=%llu ended_by_server=%llu open_at_end=%ld\n",
		    prefix, t, (unsigned long long)opened, (unsigned long long)ended_by_server,
		    open_conns);
		fflush(stdout);
		return;
	}
	printf("%smode=%s seconds=%.1f sent=%llu ok=%llu errors=%llu", prefix,
	       opt.mode == RATE ? "rate" : "churn", t, (unsigned long long)sent,
	       (unsigned long long)ok, (unsigned long long)e);
	for (int i = 0; i < E_COUNT; i++)
		printf(" %s=%llu", err_names[i], (unsigned long long)errs[i]);
	printf(" missed=%llu rps=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
	       (unsigned long long)missed, t > 0 ? (double)ok / t : 0.0, percentile_ms(0.5),
	       percentile_ms(0.99), max_ms());
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	struct rlimit rl;
	uint64_t start, end, next_due, due_index = 0, next_report, last_scan = 0;

	parse_args(argc, argv);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)opt.conns + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	conns = calloc((size_t)opt.conns, sizeof(*conns));
	idle = calloc((size_t)opt.conns, sizeof(*idle));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || !idle || ep < 0) {
		perror("loadgen: setup");
		return 2;
	}
	for (long i = 0; i < opt.conns; i++)
		conns[i].fd = -1;
	request_len = (size_t)snprintf(
	    request, sizeof(request), "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", opt.path, opt.host,
	    opt.mode == CHURN || opt.close ? "Connection: close\r\n" : "");

	start = now_ns();
	if (opt.mode == SLOW || (opt.mode == RATE && !opt.close)) {
		for (long i = 0; i < opt.conns; i++)
			conn_open(&conns[i], false, start);
	}
	if (opt.mode == RATE && !opt.close) {
		/* The clock starts once the pool is connected (at most 5 s):
		 * opening it is not part of the rate. */
		while (nidle < opt.conns && now_ns() - start < 5000000000ull) {
			int n = epoll_wait(ep, evs, 256, 20);

			for (int i = 0; i < n; i++) {
				struct conn *c = &conns[evs[i].data.u32];

				if (c->fd >= 0 &&
				    (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
					on_writable(c, now_ns());
			}
		}
		start = now_ns();
	}
	end = start + (uint64_t)(opt.seconds * 1e9);
	next_due = start;
	next_report = opt.every > 0 ? start + (uint64_t)(opt.every * 1e9) : UINT64_MAX;

	for (;;) {
		uint64_t now = now_ns();
		int wait_ms, n;

		if (now >= end)
			break;
		if (opt.mode == CHURN && (long)sent >= opt.total && inflight == 0)
			break;
		/* Start what is due. */
		if (opt.mode == RATE) {
			while (next_due <= now) {
				if (opt.close) {
					struct conn *c = free_conn();

					if (c)
						conn_open(c, true, now);
					else
						missed++;
				} else if (nidle > 0) {
					struct conn *c = &conns[idle[--nidle]];

					send_request(c, now, false);
				} else {
					missed++;
				}
				due_index++;
				next_due = start + (uint64_t)((double)due_index * 1e9 / opt.rate);
			}
			/* Keep the pool full: a closed connection is opened
			 * again (with --close they are opened per request). */
			if (!opt.close)
				for (long i = 0; i < opt.conns; i++)
					if (conns[i].st == C_FREE)
						conn_open(&conns[i], false, now);
		} else if (opt.mode == CHURN) {
			while (inflight < opt.conns && (long)sent < opt.total) {
				struct conn *c = free_conn();

				if (!c || !conn_open(c, true, now))
					break;
			}
		} else {
			for (long i = 0; i < opt.conns; i++)
				if (conns[i].st == C_FREE)
					conn_open(&conns[i], false, now);
		}
		if (now - last_scan > 50000000ull) {
			check_timeouts(now);
			last_scan = now;
		}
		if (now >= next_report) {
			print_counts("loadgen-at: ", (double)(now - start) / 1e9);
			next_report += (uint64_t)(opt.every * 1e9);
		}

		wait_ms = 20;
		if (opt.mode == RATE && next_due > now &&
		    (next_due - now) / 1000000 < (uint64_t)wait_ms)
			wait_ms = (int)((next_due - now) / 1000000);
		n = epoll_wait(ep, evs, 256, wait_ms);
		now = now_ns();
		for (int i = 0; i < n; i++) {
			struct conn *c = &conns[evs[i].data.u32];

			if (c->fd < 0)
				continue;
			if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				on_writable(c, now);
			if (c->fd >= 0 &&
			    (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
				on_readable(c, now);
		}
	}
	/* What is still in flight at the end had its whole timeout? Not
	 * necessarily: it is neither ok nor an error, only not counted. */
	print_counts("loadgen: ", (double)(now_ns() - start) / 1e9);
	return 0;
}
