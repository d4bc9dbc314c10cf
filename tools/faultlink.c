/*
 * faultlink — a faulty Ethernet link between two frame devices, for tests
 * (the kernels these tests run on have no netem).
 *
 *   keel-faultlink --a DEV --b DEV [--loss P] [--dup P] [--reorder P]
 *                  [--delay MS] [--rate RATE] [--queue N] [--hold MS]
 *                  [--seed N] [--seconds N]
 *
 * DEV is tap:NAME (or just NAME): the TAP interface NAME, attached when it
 * exists (e.g. made by `ip tuntap add`), created otherwise; or
 * packet:NAME: an existing interface (a veth end, say) through an
 * AF_PACKET socket in promiscuous mode. Either may end in @NS: the device
 * is then opened inside the network namespace NS (a name under
 * /var/run/netns, as `ip netns add` makes, or a path), so one process can
 * link two namespaces.
 *
 * A packet socket sees what the interface's sender made: an image with
 * offloads (or GRO) hands over TCP segments of up to 64 KiB whose
 * checksum may be only partial. The socket asks for the virtio header of
 * each (PACKET_VNET_HDR): a partial checksum is completed, and a TCP
 * super-frame is cut into the MTU-sized frames a wire would carry before
 * any fault is drawn, so a loss takes one wire frame, not forty.
 *
 * Every frame read on one side is written to the other, after going
 * through, in this order:
 *   loss     dropped with probability P percent;
 *   dup      sent twice with probability P percent;
 *   reorder  with probability P percent held back and sent just after the
 *            next frame of the same direction (or after --hold ms, 20 by
 *            default, when no frame follows);
 *   delay    kept MS milliseconds in a queue of --queue frames per
 *            direction (1024 by default; a frame that finds it full is
 *            dropped and counted as overflow);
 *   rate     sent no faster than RATE (bits per second, suffixes k, m, g,
 *            kbit, mbit, gbit), through a token bucket of 10 ms of RATE
 *            (at least two full frames).
 * The decisions for the n-th frame of each direction depend only on
 * --seed (default 1) and n: the same traffic meets the same faults.
 *
 * Runs for --seconds (default 60; 0: until SIGINT or SIGTERM), prints
 * "faultlink: ready" once both devices are open, and at the end one line
 * of counters per direction. Exit status 0, or 2 for a usage or device
 * error.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 65550 /* an AF_PACKET read may be a GRO super-frame */
#define READ_BATCH 64   /* frames read per device per round */
#define PACKET_RCVBUF (4 << 20) /* bytes: ~1000 frames at their truesize */
#define NS_PER_MS 1000000ull
#define NS_PER_SEC 1000000000ull

struct port {
	const char *spec;
	int fd;
	bool packet; /* AF_PACKET: skip our own outgoing frames */
};

struct frame {
	uint64_t due; /* monotonic ns when it may leave */
	uint32_t len;
	bool dup;       /* enqueue a second copy */
	uint8_t data[]; /* len bytes */
};

struct counters {
	uint64_t in, out, lost, dup, reordered, hold_timeout, overflow, write_errors;
	uint64_t bytes_in, bytes_out, left_queued;
};

struct direction {
	const char *name;
	struct port *from, *to;
	uint64_t rng;
	/* The delay queue: a ring of `cap` frames. */
	struct frame **ring;
	unsigned head, count, cap;
	struct frame *held; /* held back for reordering */
	uint64_t held_since;
	/* Token bucket (bits), when a rate is set. */
	double tokens, bucket;
	uint64_t refilled;
	struct counters c;
};

static struct {
	double loss, dup, reorder; /* probabilities 0..1 */
	uint64_t delay_ns, hold_ns;
	double rate; /* bits per second; 0: unlimited */
	unsigned queue;
	uint64_t seed, seconds;
} opt = { .hold_ns = 20 * NS_PER_MS, .queue = 1024, .seed = 1, .seconds = 60 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* splitmix64: one state word per direction, fully determined by the seed. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unit_random(uint64_t *s)
{
	return (double)(next_random(s) >> 11) * (1.0 / 9007199254740992.0);
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "faultlink: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

/* ---- Devices ------------------------------------------------------------- */

static int open_tap(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		die("cannot open /dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (strlen(name) >= IFNAMSIZ)
		die("interface name too long: %s", name);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("cannot attach TAP %s: %s", name, strerror(errno));
	/* Offloads a previous user set (a Keel image does) outlive it on a
	 * persistent TAP; without virtio headers they would hand us frames
	 * with partial checksums. A wire carries none: turn them off. */
	if (ioctl(fd, TUNSETOFFLOAD, 0) < 0)
		die("cannot turn offloads off on TAP %s: %s", name, strerror(errno));
	return fd;
}

static int open_packet(const char *name)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	unsigned index = if_nametoindex(name);
	int fd;

	if (!index)
		die("no interface %s", name);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		die("cannot open an AF_PACKET socket: %s", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)index;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("cannot bind to %s: %s", name, strerror(errno));
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = (int)index;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		die("cannot make %s promiscuous: %s", name, strerror(errno));
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &(int){ 1 }, sizeof(int)) < 0)
		die("cannot ask for virtio headers on %s: %s", name, strerror(errno));
	/* The socket's receive buffer is the queue in front of the link on
	 * this side: the default (about 200 KB, a hundred frames) would drop
	 * where a TAP's queue of 1000 frames, on the other kind of port,
	 * still holds. Give it as much (best effort: root may exceed the
	 * system's limit). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ PACKET_RCVBUF }, sizeof(int)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ PACKET_RCVBUF }, sizeof(int));
	return fd;
}

/* Fills in a partial checksum: the sum from `start` to the end over the
 * pseudo-header sum the field holds, complemented. */
static void complete_csum(uint8_t *f, size_t len, size_t start, size_t offset)
{
	uint32_t sum = 0;

	for (size_t i = start; i + 1 < len; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	if ((len - start) & 1)
		sum += (uint32_t)f[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	f[start + offset] = (uint8_t)(sum >> 8);
	f[start + offset + 1] = (uint8_t)sum;
}

/* Opens DEV, in network namespace NS first when it reads DEV@NS: a TAP
 * file or packet socket stays bound to the namespace it was opened in. */
static void open_port(struct port *p)
{
	char name[256], path[300];
	const char *at = strchr(p->spec, '@'), *dev;
	int home = -1;

	snprintf(name, sizeof(name), "%.*s", at ? (int)(at - p->spec) : (int)strlen(p->spec),
	         p->spec);
	if (at) {
		int ns;

		snprintf(path, sizeof(path), "%s%s", at[1] == '/' ? "" : "/var/run/netns/", at + 1);
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		ns = open(path, O_RDONLY | O_CLOEXEC);
		if (home < 0 || ns < 0 || setns(ns, CLONE_NEWNET) < 0)
			die("cannot enter network namespace %s: %s", path, strerror(errno));
		close(ns);
	}
	if (strncmp(name, "packet:", 7) == 0) {
		p->packet = true;
		p->fd = open_packet(name + 7);
	} else {
		dev = strncmp(name, "tap:", 4) == 0 ? name + 4 : name;
		p->fd = open_tap(dev);
	}
	if (home >= 0) {
		if (setns(home, CLONE_NEWNET) < 0)
			die("cannot return to the first network namespace: %s", strerror(errno));
		close(home);
	}
}

/* Writes one frame (behind an empty virtio header on a packet socket). */
static bool send_frame(const struct port *p, const uint8_t *data, size_t len)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { (void *)data, len } };

	memset(&vh, 0, sizeof(vh));
	if (p->packet)
		return writev(p->fd, iov, 2) == (ssize_t)(sizeof(vh) + len);
	return write(p->fd, data, len) == (ssize_t)len;
}

/* One's-complement sum of len bytes, added to sum (not folded). */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * A TCP/IPv4 segmentation super-frame (what an image with TSO, or the
 * kernel's GRO, hands a packet socket) cut into the frames a wire would
 * carry: headers copied in front of each gso_size piece of the payload,
 * IP length, ID and checksum, TCP sequence, flags and checksum made
 * right for each. The faults then meet each wire frame, as they meet the
 * frames of a sender without offloads. Writes the frames one after the
 * other to out (room `room`), their lengths to lens; returns how many,
 * 0 when the frame is not one to cut (or malformed: it is then dropped).
 */
#define SEGS_MAX 64

static unsigned segment(const uint8_t *f, size_t len, size_t gso_size, uint8_t *out, size_t room,
                        uint16_t lens[SEGS_MAX])
{
	size_t ihl, thl, hl, pay, off = 0;
	unsigned n = 0;
	uint32_t seq;
	uint16_t id;

	if (len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4 ||
	    f[23] != 6 || gso_size == 0)
		return 0;
	ihl = (size_t)(f[14] & 15) * 4;
	if (ihl < 20 || 14 + ihl + 20 > len)
		return 0;
	thl = (size_t)(f[14 + ihl + 12] >> 4) * 4;
	hl = 14 + ihl + thl;
	if (thl < 20 || hl > len || (size_t)(f[16] << 8 | f[17]) != len - 14)
		return 0;
	pay = len - hl;
	if ((pay + gso_size - 1) / gso_size > SEGS_MAX)
		return 0;
	seq = (uint32_t)f[14 + ihl + 4] << 24 | (uint32_t)f[14 + ihl + 5] << 16 |
	      (uint32_t)f[14 + ihl + 6] << 8 | f[14 + ihl + 7];
	id = (uint16_t)(f[18] << 8 | f[19]);
	while (off < pay) {
		size_t chunk = pay - off < gso_size ? pay - off : gso_size;
		size_t flen = hl + chunk;
		bool last = off + chunk == pay;
		uint8_t *o = out, *ip = o + 14, *tcp = ip + ihl;
		uint32_t s;
		uint16_t c;

		if (flen > room)
			return 0;
		memcpy(o, f, hl);
		memcpy(o + hl, f + hl + off, chunk);
		ip[2] = (uint8_t)((ihl + thl + chunk) >> 8);
		ip[3] = (uint8_t)(ihl + thl + chunk);
		ip[4] = (uint8_t)((id + n) >> 8);
		ip[5] = (uint8_t)(id + n);
		ip[10] = ip[11] = 0;
		c = fold(sum16(ip, ihl, 0));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
		s = seq + (uint32_t)off;
		tcp[4] = (uint8_t)(s >> 24);
		tcp[5] = (uint8_t)(s >> 16);
		tcp[6] = (uint8_t)(s >> 8);
		tcp[7] = (uint8_t)s;
		if (!last)
			tcp[13] &= (uint8_t)~0x09; /* FIN and PSH only on the last */
		if (n > 0)
			tcp[13] &= (uint8_t)~0x80; /* CWR only on the first */
		tcp[16] = tcp[17] = 0;
		s = sum16(ip + 12, 8, 6 + (uint32_t)(thl + chunk));
		c = fold(sum16(tcp, thl + chunk, s));
		tcp[16] = (uint8_t)(c >> 8);
		tcp[17] = (uint8_t)c;
		lens[n++] = (uint16_t)flen;
		out += flen;
		room -= flen;
		off += chunk;
	}
	return n;
}

/* Reads one frame: its length, 0 when none is waiting, -1 on error. A
 * super-frame to cut comes back with *gso_size set (else 0). */
static ssize_t read_frame(struct port *p, uint8_t *buf, size_t size, size_t *gso_size)
{
	*gso_size = 0;
	for (;;) {
		ssize_t n;

		if (p->packet) {
			struct sockaddr_ll from;
			socklen_t fromlen = sizeof(from);

			struct virtio_net_hdr vh;
			struct iovec iov[2] = { { &vh, sizeof(vh) }, { buf, size } };
			struct msghdr msg = { .msg_name = &from,
				              .msg_namelen = fromlen,
				              .msg_iov = iov,
				              .msg_iovlen = 2 };

			n = recvmsg(p->fd, &msg, MSG_TRUNC);
			if (n >= 0 && from.sll_pkttype == PACKET_OUTGOING)
				continue; /* what the host (or we) sent out */
			if (n >= 0 && (size_t)n < sizeof(vh))
				continue;
			if (n >= 0) {
				n -= (ssize_t)sizeof(vh);
				if ((size_t)n > size)
					continue; /* cut short: dropped */
				if ((vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
				        VIRTIO_NET_HDR_GSO_TCPV4 &&
				    vh.gso_size > 0 && (size_t)n > 14u + vh.gso_size) {
					*gso_size = vh.gso_size;
					return n; /* cut (and summed) by segment() */
				}
				if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
					if ((size_t)vh.csum_start + vh.csum_offset + 2 > (size_t)n)
						continue;
					complete_csum(buf, (size_t)n, vh.csum_start,
					              vh.csum_offset);
				}
			}
		} else {
			n = read(p->fd, buf, size);
		}
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0
			       : errno == EINTR                        ? 0
			                                               : -1;
		if ((size_t)n > size)
			continue; /* larger than any frame we forward: dropped */
		return n;
	}
}

/* ---- The faults -------------------------------------------------------------- */

static void enqueue_one(struct direction *d, struct frame *f, uint64_t now)
{
	if (d->count == d->cap) {
		d->c.overflow++;
		free(f);
		return;
	}
	f->due = now + opt.delay_ns;
	d->ring[(d->head + d->count) % d->cap] = f;
	d->count++;
}

/* A frame and, when it drew a duplicate, its copy. */
static void enqueue(struct direction *d, struct frame *f, uint64_t now)
{
	if (f->dup) {
		struct frame *copy = malloc(sizeof(*f) + f->len);

		if (copy) {
			memcpy(copy, f, sizeof(*f) + f->len);
			copy->dup = false;
			enqueue_one(d, copy, now);
		}
	}
	f->dup = false;
	enqueue_one(d, f, now);
}

static void arrive(struct direction *d, const uint8_t *data, size_t len, uint64_t now)
{
	/* Always three draws per frame, so the n-th frame's fate depends on n
	 * only, whatever happened to the ones before. */
	double r_loss = unit_random(&d->rng), r_dup = unit_random(&d->rng),
	       r_reorder = unit_random(&d->rng);
	struct frame *f;

	d->c.in++;
	d->c.bytes_in += len;
	if (r_loss < opt.loss) {
		d->c.lost++;
		return;
	}
	f = malloc(sizeof(*f) + len);
	if (!f) {
		d->c.overflow++;
		return;
	}
	f->len = (uint32_t)len;
	memcpy(f->data, data, len);
	f->dup = r_dup < opt.dup;
	if (f->dup)
		d->c.dup++;
	if (d->held) {
		/* This frame overtakes the one held back. */
		enqueue(d, f, now);
		enqueue(d, d->held, now);
		d->held = NULL;
		d->c.reordered++;
	} else if (r_reorder < opt.reorder) {
		d->held = f;
		d->held_since = now;
	} else {
		enqueue(d, f, now);
	}
}

static void refill(struct direction *d, uint64_t now)
{
	if (opt.rate <= 0)
		return;
	d->tokens += (double)(now - d->refilled) * opt.rate / (double)NS_PER_SEC;
	if (d->tokens > d->bucket)
		d->tokens = d->bucket;
	d->refilled = now;
}

/* Sends what is due; returns the time of the next event (or UINT64_MAX). */
static uint64_t flush(struct direction *d, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (d->held && now - d->held_since >= opt.hold_ns) {
		d->c.hold_timeout++;
		enqueue(d, d->held, now);
		d->held = NULL;
	}
	if (d->held)
		next = d->held_since + opt.hold_ns;
	refill(d, now);
	while (d->count) {
		struct frame *f = d->ring[d->head];
		double bits = (double)f->len * 8;

		if (f->due > now) {
			next = f->due < next ? f->due : next;
			break;
		}
		if (opt.rate > 0) {
			/* A frame larger than the bucket (a GRO super-frame
			 * read from a packet socket) leaves on a full bucket
			 * and drives it below zero. */
			double need = bits < d->bucket ? bits : d->bucket;

			if (d->tokens < need) {
				uint64_t wait =
				    (uint64_t)((need - d->tokens) * (double)NS_PER_SEC / opt.rate) +
				    1;

				next = now + wait < next ? now + wait : next;
				break;
			}
			d->tokens -= bits;
		}
		if (send_frame(d->to, f->data, f->len)) {
			d->c.out++;
			d->c.bytes_out += f->len;
		} else {
			d->c.write_errors++;
		}
		free(f);
		d->head = (d->head + 1) % d->cap;
		d->count--;
	}
	return next;
}

/* ---- Options --------------------------------------------------------------- */

static double parse_number(const char *s, const char *what, char **end)
{
	double v;

	errno = 0;
	v = strtod(s, end);
	if (errno || *end == s || v < 0)
		die("bad value for %s", what);
	return v;
}

static double parse_percent(const char *s, const char *what)
{
	char *end;
	double v = parse_number(s, what, &end);

	if (*end || v > 100)
		die("%s wants a percentage 0..100", what);
	return v / 100;
}

static double parse_rate(const char *s)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = { { "", 1 },    { "bit", 1 },    { "k", 1e3 }, { "kbit", 1e3 },
		      { "m", 1e6 }, { "mbit", 1e6 }, { "g", 1e9 }, { "gbit", 1e9 } };
	char *end;
	double v = parse_number(s, "--rate", &end);

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].suffix) == 0)
			return v * units[i].scale;
	die("bad unit in --rate %s (k, m, g, kbit, mbit, gbit)", s);
}

static uint64_t parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		die("bad value for %s", what);
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: keel-faultlink --a DEV --b DEV [--loss P] [--dup P] [--reorder P]\n"
	                "                      [--delay MS] [--rate RATE] [--queue N] [--hold MS]\n"
	                "                      [--seed N] [--seconds N]\n"
	                "DEV: tap:NAME (or NAME) or packet:NAME, then @NETNS optionally;\n"
	                "P: percent; RATE: e.g. 100mbit\n");
	exit(2);
}

static void print_counters(const struct direction *d)
{
	const struct counters *c = &d->c;

	printf("faultlink: %s in %llu out %llu lost %llu dup %llu reordered %llu "
	       "hold_timeout %llu overflow %llu write_errors %llu left_queued %llu "
	       "bytes_in %llu bytes_out %llu\n",
	       d->name, (unsigned long long)c->in, (unsigned long long)c->out,
	       (unsigned long long)c->lost, (unsigned long long)c->dup,
	       (unsigned long long)c->reordered, (unsigned long long)c->hold_timeout,
	       (unsigned long long)c->overflow, (unsigned long long)c->write_errors,
	       (unsigned long long)c->left_queued, (unsigned long long)c->bytes_in,
	       (unsigned long long)c->bytes_out);
}

int main(int argc, char **argv)
{
	struct port a = { .fd = -1 }, b = { .fd = -1 };
	struct direction dirs[2] = { { .name = "a->b", .from = &a, .to = &b },
		                     { .name = "b->a", .from = &b, .to = &a } };
	static uint8_t buf[FRAME_MAX], segs[2 * FRAME_MAX];
	uint16_t seglens[SEGS_MAX];
	struct sigaction sa;
	uint64_t start, end;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			usage();
		if (!v || strncmp(o, "--", 2) != 0)
			usage();
		i++;
		if (strcmp(o, "--a") == 0)
			a.spec = v;
		else if (strcmp(o, "--b") == 0)
			b.spec = v;
		else if (strcmp(o, "--loss") == 0)
			opt.loss = parse_percent(v, o);
		else if (strcmp(o, "--dup") == 0)
			opt.dup = parse_percent(v, o);
		else if (strcmp(o, "--reorder") == 0)
			opt.reorder = parse_percent(v, o);
		else if (strcmp(o, "--delay") == 0)
			opt.delay_ns = parse_count(v, o) * NS_PER_MS;
		else if (strcmp(o, "--hold") == 0)
			opt.hold_ns = parse_count(v, o) * NS_PER_MS;
		else if (strcmp(o, "--rate") == 0)
			opt.rate = parse_rate(v);
		else if (strcmp(o, "--queue") == 0)
			opt.queue = (unsigned)parse_count(v, o);
		else if (strcmp(o, "--seed") == 0)
			opt.seed = parse_count(v, o);
		else if (strcmp(o, "--seconds") == 0)
			opt.seconds = parse_count(v, o);
		else
			usage();
	}
	if (!a.spec || !b.spec)
		usage();
	if (opt.queue < 1 || opt.queue > 1u << 20)
		die("--queue wants 1..%u frames", 1u << 20);

	open_port(&a);
	open_port(&b);
	start = now_ns();
	for (int i = 0; i < 2; i++) {
		struct direction *d = &dirs[i];

		d->cap = opt.queue;
		d->ring = calloc(d->cap, sizeof(*d->ring));
		if (!d->ring)
			die("out of memory for a queue of %u frames", d->cap);
		/* Distinct, reproducible streams per direction. */
		d->rng = opt.seed * 2 + (uint64_t)i;
		next_random(&d->rng);
		d->bucket = opt.rate / 100 > 2 * 1514 * 8 ? opt.rate / 100 : 2 * 1514 * 8;
		d->tokens = d->bucket;
		d->refilled = start;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("faultlink: ready\n");
	fflush(stdout);

	end = opt.seconds ? start + opt.seconds * NS_PER_SEC : UINT64_MAX;
	while (!stop) {
		struct pollfd pfd[2] = { { a.fd, POLLIN, 0 }, { b.fd, POLLIN, 0 } };
		uint64_t now = now_ns(), next = end;
		struct timespec ts;

		if (now >= end)
			break;
		for (int i = 0; i < 2; i++) {
			uint64_t t = flush(&dirs[i], now);

			next = t < next ? t : next;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
		if (next > now) {
			uint64_t wait = next - now;

			ts.tv_sec = (time_t)(wait / NS_PER_SEC);
			ts.tv_nsec = (long)(wait % NS_PER_SEC);
		}
		if (ppoll(pfd, 2, next == UINT64_MAX ? NULL : &ts, NULL) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		now = now_ns();
		for (int i = 0; i < 2; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			for (int k = 0; k < READ_BATCH; k++) {
				size_t gso;
				ssize_t n = read_frame(dirs[i].from, buf, sizeof(buf), &gso);
				unsigned nseg;

				if (n <= 0)
					break;
				if (!gso) {
					arrive(&dirs[i], buf, (size_t)n, now);
					continue;
				}
				nseg = segment(buf, (size_t)n, gso, segs, sizeof(segs), seglens);
				for (unsigned j = 0, at = 0; j < nseg; at += seglens[j], j++)
					arrive(&dirs[i], segs + at, seglens[j], now);
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		dirs[i].c.left_queued = dirs[i].count + (dirs[i].held ? 1 : 0);
		print_counters(&dirs[i]);
	}
	return 0;
}
