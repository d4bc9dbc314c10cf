/*
 * ipv4_reasm.c — reassembly of IPv4 fragments (RFC 791, RFC 815 holes),
 * bounded in memory and time.
 *
 * A datagram in progress holds its fragments' buffers in a list sorted by
 * offset, each buffer's cb giving the payload range [start, end) it holds.
 * Since the list never holds overlapping ranges, the datagram is whole
 * when its last fragment (MF clear) has fixed the length and the bytes
 * held add up to it.
 *
 * Bounds: REASM_SLOTS datagrams at once; REASM_TIMEOUT from the first
 * fragment; a datagram at most 65535 bytes with its header; the buffers
 * held by all of them at most a quarter of the pool (the oldest datagram
 * is dropped to make room). A fragment that adds to the end of the one
 * before it is copied into that one's buffer when it fits, so in-order
 * small fragments do not hold a buffer each.
 *
 * Overlaps (RFC 5722, applied to IPv4): a fragment that overlaps bytes
 * held only in part drops the whole datagram. One that lies wholly within
 * bytes held (a duplicate; the bytes held may be several fragments
 * appended together) is dropped alone, and the bytes first received
 * stay. Fragments that disagree with the known length drop the datagram.
 *
 * Every dropped fragment counts in drop_reasm.
 */
#include <stdlib.h>

#include "net_impl.h"

#define REASM_SLOTS 64
#define REASM_TIMEOUT (30 * KEEL_SEC)
#define IPV4_MAX_LEN 65535
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define ICMP_TIME_EXCEEDED 11
#define ICMP_REASM_TIME_EXCEEDED 1

struct frag_cb {
	uint32_t start, end; /* payload bytes [start, end) of the datagram */
};

struct reasm_dgram {
	bool used;
	uint8_t proto;
	uint16_t id;
	uint32_t src_be, dst_be;
	keel_time expires;
	uint64_t seq;         /* arrival order of first fragments */
	struct netbuf *frags; /* sorted by start, linked by next */
	uint32_t nbufs;       /* buffers in frags */
	uint32_t have;        /* payload bytes held */
	uint32_t total;       /* payload length, once the last fragment came */
	bool total_known;
	uint16_t hlen; /* the first fragment's header length (its buffer
	                * keeps data at the header) */
};

struct ipv4_reasm {
	struct reasm_dgram dgram[REASM_SLOTS];
	uint32_t nbufs, nbufs_max;
	uint64_t next_seq;
	struct keel_timer timer;
};

static void reasm_timer(struct keel_timer *t, void *arg);

int ipv4_reasm_init(struct keel_net *net)
{
	struct ipv4_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return KEEL_ENOMEM;
	r->nbufs_max = net->pool.total / 4;
	if (r->nbufs_max < 2)
		r->nbufs_max = 2;
	keel_timer_init(&r->timer, reasm_timer, net);
	net->reasm = r;
	return KEEL_OK;
}

static struct frag_cb *fcb(struct netbuf *nb)
{
	return (struct frag_cb *)(void *)nb->cb;
}

static void schedule(struct ipv4_reasm *r)
{
	keel_time first = KEEL_FOREVER;

	for (unsigned i = 0; i < REASM_SLOTS; i++)
		if (r->dgram[i].used && r->dgram[i].expires < first)
			first = r->dgram[i].expires;
	if (first == KEEL_FOREVER)
		keel_timer_cancel(&r->timer);
	else if (!keel_timer_armed(&r->timer) || r->timer.deadline != first)
		keel_timer_arm(&r->timer, first);
}

/* Frees a datagram in progress; its fragments count as dropped. */
static void drop_dgram(struct keel_net *net, struct reasm_dgram *d)
{
	struct ipv4_reasm *r = net->reasm;

	while (d->frags) {
		struct netbuf *nb = d->frags;

		d->frags = nb->next;
		nb->next = NULL;
		netbuf_free(net, nb);
		net->stats.drop_reasm++;
	}
	r->nbufs -= d->nbufs;
	*d = (struct reasm_dgram){ 0 };
}

static struct reasm_dgram *oldest(struct ipv4_reasm *r, const struct reasm_dgram *except)
{
	struct reasm_dgram *o = NULL;

	for (unsigned i = 0; i < REASM_SLOTS; i++) {
		struct reasm_dgram *d = &r->dgram[i];

		if (d->used && d != except && (!o || d->seq < o->seq))
			o = d;
	}
	return o;
}

static struct reasm_dgram *find_or_add(struct keel_net *net, uint32_t src, uint32_t dst,
                                       uint16_t id, uint8_t proto)
{
	struct ipv4_reasm *r = net->reasm;
	struct reasm_dgram *free_slot = NULL;

	for (unsigned i = 0; i < REASM_SLOTS; i++) {
		struct reasm_dgram *d = &r->dgram[i];

		if (!d->used) {
			if (!free_slot)
				free_slot = d;
		} else if (d->id == id && d->src_be == src && d->dst_be == dst &&
		           d->proto == proto) {
			return d;
		}
	}
	if (!free_slot) {
		free_slot = oldest(r, NULL);
		drop_dgram(net, free_slot);
	}
	*free_slot = (struct reasm_dgram){ .used = true,
		                           .proto = proto,
		                           .id = id,
		                           .src_be = src,
		                           .dst_be = dst,
		                           .expires = keel_now() + REASM_TIMEOUT,
		                           .seq = r->next_seq++ };
	schedule(r);
	return free_slot;
}

/* The datagram is whole: one buffer, or a chain linked by `more`. */
static struct netbuf *assemble(struct keel_net *net, struct reasm_dgram *d)
{
	struct ipv4_reasm *r = net->reasm;
	struct netbuf *head = d->frags, *rest = head->next;
	uint8_t *h = head->data;
	size_t more_len = 0;
	uint16_t csum;

	head->next = NULL;
	r->nbufs -= d->nbufs;
	*d = (struct reasm_dgram){ 0 };
	schedule(r);

	for (const struct netbuf *p = rest; p; p = p->next)
		more_len += p->len;
	net_put16(h + 2, (uint16_t)(head->len + more_len));
	net_put16(h + 6, 0);
	h[10] = h[11] = 0;
	csum = inet_fold(inet_sum(h, (size_t)(h[0] & 0x0f) * 4, 0));
	memcpy(h + 10, &csum, 2);

	/* The rest goes into the head's buffer when it fits; else the
	 * buffers stay as they are, chained by `more`. */
	if (netbuf_tailroom(head) >= more_len) {
		while (rest) {
			struct netbuf *p = rest;

			rest = p->next;
			p->next = NULL;
			memcpy(head->data + head->len, p->data, p->len);
			head->len = (uint16_t)(head->len + p->len);
			netbuf_free(net, p);
		}
		return head;
	}
	head->more = rest;
	for (struct netbuf *p = rest; p; p = p->more) {
		p->more = p->next;
		p->next = NULL;
	}
	return head;
}

struct netbuf *ipv4_reasm_input(struct keel_net *net, struct netbuf *nb)
{
	struct ipv4_reasm *r = net->reasm;
	const uint8_t *h = nb->data;
	size_t hlen = (size_t)(h[0] & 0x0f) * 4;
	uint16_t frag = net_get16(h + 6);
	uint32_t start = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
	uint32_t plen = (uint32_t)(nb->len - hlen), end = start + plen;
	bool last = !(frag & IPV4_MF);
	uint32_t src, dst;
	struct reasm_dgram *d;
	struct netbuf **link, *prev = NULL;

	memcpy(&src, h + 12, 4);
	memcpy(&dst, h + 16, 4);
	/* Empty fragments, fragments whose length breaks the 8-byte grid,
	 * and any byte beyond what an IPv4 datagram can hold. */
	if (plen == 0 || (!last && plen % 8 != 0) || hlen + end > IPV4_MAX_LEN) {
		net->stats.drop_reasm++;
		netbuf_free(net, nb);
		return NULL;
	}
	d = find_or_add(net, src, dst, net_get16(h + 4), h[9]);
	if (last) {
		if (d->total_known && d->total != end)
			goto drop_all;
		for (struct netbuf *p = d->frags; p; p = p->next)
			if (fcb(p)->end > end)
				goto drop_all;
		d->total = end;
		d->total_known = true;
	} else if (d->total_known && end >= d->total) {
		goto drop_all;
	}
	if (start == 0 && hlen + d->total > IPV4_MAX_LEN)
		goto drop_all;
	if (start > 0 && d->hlen && d->hlen + end > IPV4_MAX_LEN)
		goto drop_all;

	/* Where it goes in the sorted list; any overlap drops everything. */
	link = &d->frags;
	while (*link && fcb(*link)->start < start) {
		prev = *link;
		link = &(*link)->next;
	}
	if ((*link && fcb(*link)->start == start && fcb(*link)->end >= end) ||
	    (prev && fcb(prev)->end >= end)) {
		net->stats.drop_reasm++; /* a duplicate of bytes held */
		netbuf_free(net, nb);
		return NULL;
	}
	if ((prev && fcb(prev)->end > start) || (*link && fcb(*link)->start < end))
		goto drop_all;

	if (start == 0) {
		d->hlen = (uint16_t)hlen;
		for (struct netbuf *p = d->frags; p; p = p->next)
			if (hlen + fcb(p)->end > IPV4_MAX_LEN)
				goto drop_all;
	} else {
		netbuf_pull(nb, hlen);
	}
	d->have += plen;

	/* Appended to the fragment before it when it fits there. */
	if (prev && fcb(prev)->end == start && netbuf_tailroom(prev) >= plen) {
		memcpy(prev->data + prev->len, nb->data, plen); /* start > 0: pulled */
		prev->len = (uint16_t)(prev->len + plen);
		fcb(prev)->end = end;
		netbuf_free(net, nb);
	} else {
		/* Room for one more buffer: the oldest other datagrams go. */
		while (r->nbufs >= r->nbufs_max) {
			struct reasm_dgram *o = oldest(r, d);

			if (!o) {
				d->have -= plen;
				goto drop_all;
			}
			drop_dgram(net, o);
		}
		fcb(nb)->start = start;
		fcb(nb)->end = end;
		nb->next = *link;
		*link = nb;
		d->nbufs++;
		r->nbufs++;
	}

	if (d->total_known && d->have == d->total && d->frags && fcb(d->frags)->start == 0) {
		schedule(r);
		return assemble(net, d);
	}
	return NULL;

drop_all:
	net->stats.drop_reasm++; /* this fragment */
	netbuf_free(net, nb);
	drop_dgram(net, d);
	schedule(r);
	return NULL;
}

/* A datagram whose time is up: ICMP time exceeded when its first
 * fragment came (RFC 792, RFC 1122 3.2.2.4), then dropped. */
static void expire(struct keel_net *net, struct reasm_dgram *d)
{
	struct netbuf *first = d->frags;

	if (first && fcb(first)->start == 0) {
		struct ipv4_meta meta = {
			.src_be = d->src_be,
			.dst_be = d->dst_be,
			.proto = d->proto,
			.ttl = first->data[8],
			.tos = first->data[1],
			.broadcast = d->dst_be != net->ip_be || (first->flags & NETBUF_LINK_BCAST),
			.ip_header = first->data,
			.ip_header_len = d->hlen,
		};

		icmp_send_error(net, ICMP_TIME_EXCEEDED, ICMP_REASM_TIME_EXCEEDED, 0, &meta,
		                first->data + d->hlen, (size_t)(first->len - d->hlen));
	}
	drop_dgram(net, d);
}

static void reasm_timer(struct keel_timer *t, void *arg)
{
	struct keel_net *net = arg;
	struct ipv4_reasm *r = net->reasm;
	keel_time now = keel_now();

	for (unsigned i = 0; i < REASM_SLOTS; i++)
		if (r->dgram[i].used && r->dgram[i].expires <= now)
			expire(net, &r->dgram[i]);
	schedule(r);
}

void ipv4_reasm_free(struct keel_net *net)
{
	struct ipv4_reasm *r = net->reasm;

	if (!r)
		return;
	keel_timer_cancel(&r->timer);
	for (unsigned i = 0; i < REASM_SLOTS; i++)
		if (r->dgram[i].used)
			drop_dgram(net, &r->dgram[i]);
	net->reasm = NULL;
	free(r);
}
