/*
 * udp.c — UDP (RFC 768): receiving into bound endpoints, and the
 * keel_udp_* interface of keel/net.h.
 *
 * An endpoint keeps received datagrams in a queue bounded in datagrams
 * and in buffers held; past it new datagrams are dropped and counted
 * (drop_other). A datagram to a port nobody bound gets ICMP port
 * unreachable (udp_no_port), unless it was a broadcast.
 *
 * Endpoints are freed only when no fiber is inside a call on them any
 * more, so closing one that another fiber waits on is safe: that fiber
 * wakes with KEEL_ECLOSED.
 */
#include <stdlib.h>

#include "net_impl.h"

#define UDP_HLEN 8
#define UDP_MAX_PAYLOAD 65507 /* 65535 - 20 (IPv4) - 8 */
#define UDP_QUEUE_MAX 64      /* datagrams waiting in one endpoint */
#define UDP_EPHEMERAL_FIRST 49152
#define UDP_EPHEMERAL_COUNT 16384
/* Address resolution a sender may wait for (the ARP retries take 3 s). */
#define UDP_RESOLVE_WAIT (4 * KEEL_SEC)
#define ICMP_PORT_UNREACH 3

/* What a queued datagram's head buffer carries in its cb. */
struct udp_cb {
	uint32_t src_be;
	uint16_t src_port; /* host order */
	uint16_t nbufs;    /* buffers in the datagram */
	uint32_t len;      /* payload bytes */
};

struct keel_udp {
	struct keel_net *net;
	struct keel_udp *next; /* in the stack's list of bound endpoints */
	uint32_t addr_be;      /* 0: any address of the stack */
	uint16_t port;         /* host order */
	bool closed;
	uint32_t users; /* fibers inside a call on this endpoint */
	struct netbuf *queue, *queue_tail;
	uint32_t queued, queued_bufs;
	struct keel_waitq readers;
};

struct udp_state {
	struct keel_udp *bound;
	uint32_t queue_bufs_max; /* per endpoint */
};

int udp_init(struct keel_net *net)
{
	struct udp_state *s = calloc(1, sizeof(*s));

	if (!s)
		return KEEL_ENOMEM;
	s->queue_bufs_max = net->pool.total / 8;
	if (s->queue_bufs_max < 2)
		s->queue_bufs_max = 2;
	net->udp = s;
	return KEEL_OK;
}

static struct udp_cb *ucb(struct netbuf *nb)
{
	return (struct udp_cb *)(void *)nb->cb;
}

static struct keel_udp *find(struct udp_state *s, uint16_t port, uint32_t dst_be, bool bcast)
{
	for (struct keel_udp *u = s->bound; u; u = u->next)
		if (u->port == port && (u->addr_be == 0 || (u->addr_be == dst_be && !bcast)))
			return u;
	return NULL;
}

/* Cuts a datagram that may span several buffers to `len` bytes. */
static void chain_trim(struct keel_net *net, struct netbuf *nb, size_t len)
{
	for (; nb; nb = nb->more) {
		if (nb->len >= len) {
			nb->len = (uint16_t)len;
			netbuf_free(net, nb->more);
			nb->more = NULL;
			return;
		}
		len -= nb->len;
	}
}

void udp_input(struct keel_net *net, struct netbuf *nb, const struct ipv4_meta *ip)
{
	struct udp_state *s = net->udp;
	const uint8_t *p = nb->data;
	size_t total = 0, ulen, nbufs = 0;
	uint16_t csum_field;
	struct keel_udp *u;

	for (const struct netbuf *q = nb; q; q = q->more)
		total += q->len;
	if (nb->len < UDP_HLEN)
		goto bad;
	ulen = net_get16(p + 4);
	if (ulen < UDP_HLEN || ulen > total)
		goto bad;
	if (ulen < total)
		chain_trim(net, nb, ulen);
	memcpy(&csum_field, p + 6, 2);
	if (csum_field != 0 && !(nb->flags & NETBUF_CSUM_VERIFIED)) {
		uint32_t sum =
		    inet_pseudo_sum(ip->src_be, ip->dst_be, IP_PROTO_UDP, (uint16_t)ulen);

		for (const struct netbuf *q = nb; q; q = q->more)
			sum = inet_sum(q->data, q->len, sum);
		if (inet_fold(sum) != 0)
			goto bad;
	}
	if (net_get16(p + 2) == 0 || net_get16(p) == 0)
		goto bad;
	net->stats.udp_in++;

	u = find(s, net_get16(p + 2), ip->dst_be, ip->broadcast);
	if (!u) {
		net->stats.udp_no_port++;
		if (!ip->broadcast)
			icmp_send_unreachable(net, ip, p, nb->len, ICMP_PORT_UNREACH);
		netbuf_free(net, nb);
		return;
	}
	for (const struct netbuf *q = nb; q; q = q->more)
		nbufs++;
	if (u->queued >= UDP_QUEUE_MAX || u->queued_bufs + nbufs > s->queue_bufs_max) {
		net->stats.drop_other++; /* the endpoint's queue is full */
		netbuf_free(net, nb);
		return;
	}
	*ucb(nb) = (struct udp_cb){ .src_be = ip->src_be,
		                    .src_port = net_get16(p),
		                    .nbufs = (uint16_t)nbufs,
		                    .len = (uint32_t)(ulen - UDP_HLEN) };
	netbuf_pull(nb, UDP_HLEN);
	nb->next = NULL;
	if (u->queue_tail)
		u->queue_tail->next = nb;
	else
		u->queue = nb;
	u->queue_tail = nb;
	u->queued++;
	u->queued_bufs += (uint32_t)nbufs;
	keel_wake_one(&u->readers);
	return;
bad:
	net->stats.drop_bad_l4++;
	netbuf_free(net, nb);
}

static bool port_taken(struct udp_state *s, uint16_t port, uint32_t addr_be)
{
	for (struct keel_udp *u = s->bound; u; u = u->next)
		if (u->port == port && (u->addr_be == 0 || addr_be == 0 || u->addr_be == addr_be))
			return true;
	return false;
}

int keel_udp_bind(struct keel_net *net, const struct keel_sockaddr *local, struct keel_udp **out)
{
	struct udp_state *s = net->udp;
	uint32_t addr_be = 0;
	uint16_t port = local ? local->port : 0;
	struct keel_udp *u;

	if (local && local->addr.family != KEEL_AF_UNSPEC) {
		if (local->addr.family != KEEL_AF_INET4)
			return KEEL_EINVAL;
		memcpy(&addr_be, local->addr.bytes, 4);
		if (addr_be != 0 && addr_be != net->ip_be)
			return KEEL_EINVAL; /* not an address of this stack */
	}
	if (port == 0) {
		uint32_t start = (uint32_t)net_random(net) % UDP_EPHEMERAL_COUNT;

		for (uint32_t i = 0; i < UDP_EPHEMERAL_COUNT && port == 0; i++) {
			uint16_t p =
			    (uint16_t)(UDP_EPHEMERAL_FIRST + (start + i) % UDP_EPHEMERAL_COUNT);

			if (!port_taken(s, p, addr_be))
				port = p;
		}
		if (port == 0)
			return KEEL_EADDRINUSE;
	} else if (port_taken(s, port, addr_be)) {
		return KEEL_EADDRINUSE;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return KEEL_ENOMEM;
	u->net = net;
	u->addr_be = addr_be;
	u->port = port;
	keel_waitq_init(&u->readers);
	u->next = s->bound;
	s->bound = u;
	*out = u;
	return KEEL_OK;
}

/* Frees a closed endpoint once no call is inside it. */
static void release(struct keel_udp *u)
{
	if (u->closed && u->users == 0)
		free(u);
}

/*
 * Copies the datagram into buffers cut where ipv4_output() will cut its
 * fragments, so that they leave without another copy. Returns the head
 * (UDP header filled but for the checksum) or NULL (pool empty).
 */
static struct netbuf *build(struct keel_net *net, const struct keel_udp *u, const void *buf,
                            size_t len, uint16_t dst_port)
{
	size_t frag_max = (net->info.mtu - 20) & ~(size_t)7;
	size_t piece_max = len + UDP_HLEN <= net->info.mtu - 20 ? len + UDP_HLEN : frag_max;
	const uint8_t *src = buf;
	struct netbuf *head = NULL, **tail = &head;
	size_t left = len;
	bool first = true;

	while (first || left > 0) {
		struct netbuf *nb = netbuf_alloc(net);
		size_t room = first ? piece_max - UDP_HLEN : piece_max;
		size_t n = left < room ? left : room;
		uint8_t *d;

		if (!nb) {
			net->stats.drop_no_buffer++;
			netbuf_free(net, head);
			return NULL;
		}
		d = nb->data;
		if (first) {
			net_put16(d, u->port);
			net_put16(d + 2, dst_port);
			net_put16(d + 4, (uint16_t)(len + UDP_HLEN));
			d[6] = d[7] = 0;
			d += UDP_HLEN;
			nb->len = UDP_HLEN;
		}
		memcpy(d, src, n);
		nb->len = (uint16_t)(nb->len + n);
		src += n;
		left -= n;
		*tail = nb;
		tail = &nb->more;
		first = false;
	}
	return head;
}

long keel_udp_sendto(struct keel_udp *u, const void *buf, size_t len,
                     const struct keel_sockaddr *to)
{
	struct keel_net *net = u->net;
	uint32_t dst_be, src_be, hop, sum;
	struct netbuf *nb;
	uint16_t csum;
	long result;
	int err;

	if (u->closed)
		return KEEL_ECLOSED;
	if (len > UDP_MAX_PAYLOAD || !to || to->addr.family != KEEL_AF_INET4 || to->port == 0 ||
	    (len > 0 && !buf))
		return KEEL_EINVAL;
	memcpy(&dst_be, to->addr.bytes, 4);
	if (dst_be == 0)
		return KEEL_EINVAL;
	hop = ipv4_next_hop(net, dst_be);
	if (hop == 0)
		return KEEL_EHOSTUNREACH;

	u->users++;
	/* Wait for the next hop's address here, where a fiber can wait;
	 * from a callback the datagram just queues behind ARP. */
	if (keel_fiber_self()) {
		err = arp_resolve(net, hop, keel_now() + UDP_RESOLVE_WAIT);
		if (err != KEEL_OK) {
			result = err == KEEL_ENOMEM ? KEEL_ENOMEM : KEEL_EHOSTUNREACH;
			goto out;
		}
		if (u->closed) {
			result = KEEL_ECLOSED;
			goto out;
		}
	}
	nb = build(net, u, buf, len, to->port);
	if (!nb) {
		result = KEEL_ENOMEM;
		goto out;
	}
	src_be = u->addr_be ? u->addr_be : net->ip_be;
	sum = inet_pseudo_sum(src_be, dst_be, IP_PROTO_UDP, (uint16_t)(len + UDP_HLEN));
	for (const struct netbuf *q = nb; q; q = q->more)
		sum = inet_sum(q->data, q->len, sum);
	csum = inet_fold(sum);
	if (csum == 0)
		csum = 0xffff; /* 0 would mean "no checksum" */
	memcpy(nb->data + 6, &csum, 2);
	net->stats.udp_out++;
	err = ipv4_output(net, nb, IP_PROTO_UDP, src_be, dst_be, 0);
	result = err == KEEL_OK ? (long)len : err;
out:
	u->users--;
	release(u);
	return result;
}

long keel_udp_recvfrom(struct keel_udp *u, void *buf, size_t size, struct keel_sockaddr *from,
                       keel_time deadline)
{
	struct keel_net *net = u->net;
	bool timed_out = false;
	long result;

	u->users++;
	for (;;) {
		struct netbuf *nb = u->queue;

		if (u->closed) {
			result = KEEL_ECLOSED;
			break;
		}
		if (nb) {
			struct udp_cb meta = *ucb(nb);
			size_t copied = 0;

			u->queue = nb->next;
			if (!u->queue)
				u->queue_tail = NULL;
			nb->next = NULL;
			u->queued--;
			u->queued_bufs -= meta.nbufs;
			for (const struct netbuf *q = nb; q && copied < size; q = q->more) {
				size_t n = size - copied < q->len ? size - copied : q->len;

				memcpy((uint8_t *)buf + copied, q->data, n);
				copied += n;
			}
			netbuf_free(net, nb);
			if (from) {
				from->addr = (struct keel_addr){ .family = KEEL_AF_INET4 };
				memcpy(from->addr.bytes, &meta.src_be, 4);
				from->port = meta.src_port;
			}
			result = (long)meta.len;
			break;
		}
		if (timed_out) {
			result = KEEL_ETIMEDOUT;
			break;
		}
		timed_out = keel_wait(&u->readers, deadline) == KEEL_ETIMEDOUT;
	}
	u->users--;
	release(u);
	return result;
}

void keel_udp_close(struct keel_udp *u)
{
	struct udp_state *s = u->net->udp;

	if (u->closed)
		return;
	for (struct keel_udp **link = &s->bound; *link; link = &(*link)->next) {
		if (*link == u) {
			*link = u->next;
			break;
		}
	}
	while (u->queue) {
		struct netbuf *nb = u->queue;

		u->queue = nb->next;
		nb->next = NULL;
		netbuf_free(u->net, nb);
	}
	u->queue_tail = NULL;
	u->queued = u->queued_bufs = 0;
	u->closed = true;
	keel_wake_all(&u->readers);
	release(u);
}

unsigned udp_bound_count(struct keel_net *net)
{
	unsigned n = 0;

	for (struct keel_udp *u = net->udp->bound; u; u = u->next)
		n++;
	return n;
}

void udp_free(struct keel_net *net)
{
	struct udp_state *s = net->udp;

	/* keel_net_close checked that no endpoint is bound any more. */
	if (s && s->bound)
		KEEL_PANIC("udp: endpoints still bound when the stack goes");
	free(s);
	net->udp = NULL;
}
