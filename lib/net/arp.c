/*
 * arp.c — address resolution (RFC 826) for IPv4 over Ethernet.
 *
 * The cache is a small fixed table. An entry is
 *   INCOMPLETE  a request is out; packets for it wait in a bounded queue;
 *               re-asked every ARP_RETRY until ARP_TRIES requests, then
 *   FAILED      for ARP_FAILED_HOLD: packets to it are dropped at once and
 *               arp_resolve() answers KEEL_EHOSTUNREACH; then freed;
 *   REACHABLE   the MAC is known. After ARP_REACHABLE it is still used, but
 *               the next packet starts a probe (unicast requests, same
 *               retries); no answer frees the entry.
 *
 * Poisoning: entries are created only by our own requests and by requests
 * that ask for our address (the asker is about to talk to us); replies and
 * gratuitous announcements only update entries that exist. A flood of
 * requests cannot evict live entries: learning from a request only takes a
 * free or unused slot.
 *
 * Waiting packets: at most ARP_PENDING_ENTRY per entry and a stack-wide
 * bound (a quarter of the pool, at most ARP_PENDING_MAX); past either the
 * oldest is dropped and counted (drop_arp_pending).
 */
#include <stdlib.h>

#include "net_impl.h"

#define ARP_ENTRIES 64
#define ARP_REACHABLE_TIME (60 * KEEL_SEC)
#define ARP_RETRY KEEL_SEC
#define ARP_TRIES 3
#define ARP_FAILED_HOLD KEEL_SEC
/* A whole 64 KiB datagram in 1480-byte fragments is 45 packets. */
#define ARP_PENDING_ENTRY 48
#define ARP_PENDING_MAX 128
#define ARP_CONFLICT_LOG_GAP (10 * KEEL_SEC)
/* Address conflict detection (arp_probe): RFC 5227's probes, on a shorter
 * clock than its 1-2 s, so that taking a lease adds under a second to a
 * boot: up to 100 ms of random delay, three probes 200 ms apart, then
 * 400 ms more of listening. */
#define ARP_PROBE_NUM 3
#define ARP_PROBE_JITTER_MS 100
#define ARP_PROBE_INTERVAL (200 * KEEL_MSEC)
#define ARP_PROBE_LISTEN (400 * KEEL_MSEC)

#define ARP_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

enum arp_entry_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE, ARP_FAILED };

struct arp_entry {
	uint32_t ip_be;
	uint8_t mac[6];
	uint8_t state;      /* enum arp_entry_state */
	uint8_t tries;      /* requests sent in the current resolution or probe */
	bool probing;       /* REACHABLE, past its time, being re-asked */
	keel_time expires;  /* REACHABLE: when to probe; FAILED: when to free */
	keel_time next_try; /* INCOMPLETE or probing: the next request */
	keel_time last_used;
	struct netbuf *pending, *pending_tail; /* linked by next, oldest first */
	uint32_t npending;
};

struct arp_state {
	struct arp_entry entry[ARP_ENTRIES];
	struct arp_entry *last_hit;
	uint32_t pending_total, pending_max;
	uint64_t pending_seq; /* order of queued packets, kept in their cb */
	keel_time last_conflict_log;
	bool conflict_logged;
	struct keel_timer timer;
	struct keel_waitq resolved; /* woken when any entry resolves or fails */
	uint32_t probe_ip;          /* the address arp_probe is asking about; 0: none */
	bool probe_conflict;        /* another host claimed or probed for it */
};

static void arp_timer(struct keel_timer *t, void *arg);

int arp_init(struct keel_net *net)
{
	struct arp_state *arp = calloc(1, sizeof(*arp));

	if (!arp)
		return KEEL_ENOMEM;
	arp->pending_max = net->pool.total / 4;
	if (arp->pending_max > ARP_PENDING_MAX)
		arp->pending_max = ARP_PENDING_MAX;
	if (arp->pending_max < 1)
		arp->pending_max = 1;
	keel_timer_init(&arp->timer, arp_timer, net);
	keel_waitq_init(&arp->resolved);
	net->arp = arp;
	return KEEL_OK;
}

/* Limited broadcast, or the directed broadcast of our subnet. */
static bool is_broadcast(const struct keel_net *net, uint32_t ip_be)
{
	if (ip_be == 0xffffffffu)
		return true;
	return net->configured && net->netmask_be != 0xffffffffu &&
	       ip_be == (net->ip_be | ~net->netmask_be);
}

static struct arp_entry *lookup(struct arp_state *arp, uint32_t ip_be)
{
	if (arp->last_hit && arp->last_hit->state != ARP_FREE && arp->last_hit->ip_be == ip_be)
		return arp->last_hit;
	for (unsigned i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp->entry[i];

		if (e->state != ARP_FREE && e->ip_be == ip_be) {
			arp->last_hit = e;
			return e;
		}
	}
	return NULL;
}

static void send_arp(struct keel_net *net, uint16_t op, const uint8_t eth_dst[6],
                     const uint8_t tha[6], uint32_t tpa_be)
{
	struct netbuf *nb = netbuf_alloc(net);
	uint8_t *p;

	if (!nb) {
		net->stats.drop_no_buffer++;
		return;
	}
	p = nb->data;
	net_put16(p, 1); /* Ethernet */
	net_put16(p + 2, ETH_TYPE_IPV4);
	p[4] = 6;
	p[5] = 4;
	net_put16(p + 6, op);
	memcpy(p + 8, net->mac, 6);
	memcpy(p + 14, &net->ip_be, 4);
	memcpy(p + 18, tha, 6);
	memcpy(p + 24, &tpa_be, 4);
	nb->len = ARP_LEN;
	eth_output(net, nb, eth_dst, ETH_TYPE_ARP);
}

static void send_request(struct keel_net *net, struct arp_entry *e, bool unicast)
{
	static const uint8_t zero[6];

	send_arp(net, ARP_OP_REQUEST, unicast ? e->mac : eth_broadcast, zero, e->ip_be);
}

void arp_announce(struct keel_net *net)
{
	static const uint8_t zero[6];

	if (net->ip_be)
		send_arp(net, ARP_OP_REQUEST, eth_broadcast, zero, net->ip_be);
}

/* Arms the timer for the earliest retry or expiry, or disarms it. */
static void schedule(struct arp_state *arp)
{
	keel_time first = KEEL_FOREVER;

	for (unsigned i = 0; i < ARP_ENTRIES; i++) {
		const struct arp_entry *e = &arp->entry[i];
		keel_time t = KEEL_FOREVER;

		if (e->state == ARP_INCOMPLETE || (e->state == ARP_REACHABLE && e->probing))
			t = e->next_try;
		else if (e->state == ARP_FAILED)
			t = e->expires;
		if (t < first)
			first = t;
	}
	if (first == KEEL_FOREVER)
		keel_timer_cancel(&arp->timer);
	else if (!keel_timer_armed(&arp->timer) || arp->timer.deadline != first)
		keel_timer_arm(&arp->timer, first); /* on ENOMEM: retried at the next change */
}

static void drop_pending(struct keel_net *net, struct arp_entry *e)
{
	struct arp_state *arp = net->arp;

	while (e->pending) {
		struct netbuf *nb = e->pending;

		e->pending = nb->next;
		nb->next = NULL;
		netbuf_free(net, nb);
		net->stats.drop_arp_pending++;
	}
	e->pending_tail = NULL;
	arp->pending_total -= e->npending;
	e->npending = 0;
}

static void free_entry(struct keel_net *net, struct arp_entry *e)
{
	drop_pending(net, e);
	e->state = ARP_FREE;
	e->probing = false;
}

/* Sends everything that waited for e's MAC. */
static void flush_pending(struct keel_net *net, struct arp_entry *e)
{
	struct arp_state *arp = net->arp;

	while (e->pending) {
		struct netbuf *nb = e->pending;

		e->pending = nb->next;
		nb->next = NULL;
		e->npending--;
		arp->pending_total--;
		eth_output(net, nb, e->mac, ETH_TYPE_IPV4);
	}
	e->pending_tail = NULL;
}

/*
 * A slot for a new entry: a free or failed one, else the least recently
 * used reachable one; `evict_waiting` also allows the oldest INCOMPLETE
 * (its packets are dropped). NULL when none may be taken.
 */
static struct arp_entry *take_slot(struct keel_net *net, bool evict_busy)
{
	struct arp_state *arp = net->arp;
	struct arp_entry *lru = NULL, *oldest_waiting = NULL;
	keel_time now = keel_now();

	for (unsigned i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp->entry[i];

		if (e->state == ARP_FREE)
			return e;
		if (e->state == ARP_FAILED && !lru)
			lru = e;
	}
	if (lru) {
		free_entry(net, lru);
		return lru;
	}
	for (unsigned i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp->entry[i];

		if (e->state == ARP_REACHABLE) {
			/* Without evict_busy, only entries already past their time. */
			if (!evict_busy && now < e->expires)
				continue;
			if (!lru || e->last_used < lru->last_used)
				lru = e;
		} else if (e->state == ARP_INCOMPLETE && evict_busy) {
			if (!oldest_waiting || e->last_used < oldest_waiting->last_used)
				oldest_waiting = e;
		}
	}
	if (!lru)
		lru = oldest_waiting;
	if (lru) {
		free_entry(net, lru);
		keel_wake_all(&arp->resolved);
	}
	return lru;
}

/* Starts resolving ip_be: a new INCOMPLETE entry and its first request. */
static struct arp_entry *start_resolution(struct keel_net *net, uint32_t ip_be)
{
	struct arp_entry *e = take_slot(net, true);
	keel_time now = keel_now();

	if (!e)
		return NULL;
	*e = (struct arp_entry){ .ip_be = ip_be,
		                 .state = ARP_INCOMPLETE,
		                 .tries = 1,
		                 .next_try = now + ARP_RETRY,
		                 .last_used = now };
	send_request(net, e, false);
	schedule(net->arp);
	return e;
}

/* Makes e REACHABLE at `mac` and sends what waited for it. */
static void confirm(struct keel_net *net, struct arp_entry *e, const uint8_t mac[6])
{
	bool was_waiting = e->state != ARP_REACHABLE;

	memcpy(e->mac, mac, 6);
	e->state = ARP_REACHABLE;
	e->expires = keel_now() + ARP_REACHABLE_TIME;
	e->probing = false;
	e->tries = 0;
	flush_pending(net, e);
	if (was_waiting) {
		keel_wake_all(&net->arp->resolved);
		schedule(net->arp);
	}
}

static void arp_timer(struct keel_timer *t, void *arg)
{
	struct keel_net *net = arg;
	struct arp_state *arp = net->arp;
	keel_time now = keel_now();
	bool woke = false;

	for (unsigned i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp->entry[i];
		bool asking =
		    e->state == ARP_INCOMPLETE || (e->state == ARP_REACHABLE && e->probing);

		if (asking && now >= e->next_try) {
			if (e->tries < ARP_TRIES) {
				e->tries++;
				e->next_try = now + ARP_RETRY;
				send_request(net, e, e->state == ARP_REACHABLE);
			} else if (e->state == ARP_INCOMPLETE) {
				drop_pending(net, e);
				e->state = ARP_FAILED;
				e->expires = now + ARP_FAILED_HOLD;
				woke = true;
			} else {
				free_entry(net, e); /* the host went away */
				woke = true;
			}
		} else if (e->state == ARP_FAILED && now >= e->expires) {
			free_entry(net, e);
		}
	}
	if (woke)
		keel_wake_all(&arp->resolved);
	schedule(arp);
}

/* A private copy of a buffer someone else still holds: the queue links
 * it through next and uses its cb, which belong to the other holder. */
static struct netbuf *own_copy(struct keel_net *net, struct netbuf *nb)
{
	struct netbuf *copy;

	if (nb->refs == 1)
		return nb;
	copy = netbuf_alloc(net);
	if (copy) {
		copy->data = copy->buf + (nb->data - nb->buf);
		memcpy(copy->data, nb->data, nb->len);
		copy->len = nb->len;
		copy->flags = nb->flags;
	} else {
		net->stats.drop_no_buffer++;
	}
	netbuf_free(net, nb);
	return copy;
}

static void enqueue(struct keel_net *net, struct arp_entry *e, struct netbuf *nb)
{
	struct arp_state *arp = net->arp;
	uint64_t seq = arp->pending_seq++;

	if (e->npending >= ARP_PENDING_ENTRY) {
		struct netbuf *old = e->pending;

		e->pending = old->next;
		if (!e->pending)
			e->pending_tail = NULL;
		e->npending--;
		arp->pending_total--;
		old->next = NULL;
		netbuf_free(net, old);
		net->stats.drop_arp_pending++;
	}
	if (arp->pending_total >= arp->pending_max) {
		/* The oldest packet of all: the smallest sequence at a head. */
		struct arp_entry *victim = NULL;
		uint64_t oldest = UINT64_MAX;

		for (unsigned i = 0; i < ARP_ENTRIES; i++) {
			struct arp_entry *o = &arp->entry[i];
			uint64_t s;

			if (o->state != ARP_INCOMPLETE || !o->pending)
				continue;
			memcpy(&s, o->pending->cb, sizeof(s));
			if (s < oldest) {
				oldest = s;
				victim = o;
			}
		}
		if (victim) {
			struct netbuf *old = victim->pending;

			victim->pending = old->next;
			if (!victim->pending)
				victim->pending_tail = NULL;
			victim->npending--;
			arp->pending_total--;
			old->next = NULL;
			netbuf_free(net, old);
			net->stats.drop_arp_pending++;
		}
	}
	memcpy(nb->cb, &seq, sizeof(seq));
	nb->next = NULL;
	if (e->pending_tail)
		e->pending_tail->next = nb;
	else
		e->pending = nb;
	e->pending_tail = nb;
	e->npending++;
	arp->pending_total++;
}

int arp_output(struct keel_net *net, struct netbuf *nb, uint32_t next_hop_be)
{
	struct arp_state *arp = net->arp;
	struct arp_entry *e;
	keel_time now;

	if (is_broadcast(net, next_hop_be))
		return eth_output(net, nb, eth_broadcast, ETH_TYPE_IPV4);
	if (next_hop_be == 0) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EHOSTUNREACH;
	}
	now = keel_now();
	e = lookup(arp, next_hop_be);
	if (e && e->state == ARP_REACHABLE) {
		e->last_used = now;
		if (now >= e->expires && !e->probing) {
			e->probing = true;
			e->tries = 1;
			e->next_try = now + ARP_RETRY;
			send_request(net, e, true);
			schedule(arp);
		}
		return eth_output(net, nb, e->mac, ETH_TYPE_IPV4);
	}
	if (e && e->state == ARP_FAILED) {
		net->stats.drop_arp_pending++;
		netbuf_free(net, nb);
		return KEEL_EHOSTUNREACH;
	}
	nb = own_copy(net, nb);
	if (!nb)
		return KEEL_ENOMEM;
	if (!e)
		e = start_resolution(net, next_hop_be);
	if (!e) {
		net->stats.drop_arp_pending++;
		netbuf_free(net, nb);
		return KEEL_ENOMEM;
	}
	enqueue(net, e, nb);
	return KEEL_OK;
}

bool arp_lookup(struct keel_net *net, uint32_t next_hop_be, uint8_t mac[6])
{
	struct arp_entry *e;
	keel_time now;

	if (next_hop_be == 0 || is_broadcast(net, next_hop_be))
		return false;
	e = lookup(net->arp, next_hop_be);
	now = keel_now();
	if (!e || e->state != ARP_REACHABLE || now >= e->expires)
		return false;
	e->last_used = now;
	memcpy(mac, e->mac, 6);
	return true;
}

int arp_resolve(struct keel_net *net, uint32_t next_hop_be, keel_time deadline)
{
	struct arp_state *arp = net->arp;
	bool started = false;

	if (is_broadcast(net, next_hop_be))
		return KEEL_OK;
	if (next_hop_be == 0)
		return KEEL_EHOSTUNREACH;
	for (;;) {
		struct arp_entry *e = lookup(arp, next_hop_be);

		if (!e) {
			/* Gone while we waited: failed and freed, or evicted. */
			if (started)
				return KEEL_EHOSTUNREACH;
			e = start_resolution(net, next_hop_be);
			if (!e)
				return KEEL_ENOMEM;
		}
		started = true;
		if (e->state == ARP_REACHABLE)
			return KEEL_OK;
		if (e->state == ARP_FAILED)
			return KEEL_EHOSTUNREACH;
		if (keel_wait(&arp->resolved, deadline) == KEEL_ETIMEDOUT)
			return KEEL_ETIMEDOUT;
	}
}

static const uint8_t zero_mac[6];

static bool bad_sender_ip(uint32_t ip_be)
{
	uint8_t first = ((const uint8_t *)&ip_be)[0];

	return ip_be == 0xffffffffu || first >= 224 || first == 127;
}

static void note_conflict(struct keel_net *net, const uint8_t *sha)
{
	struct arp_state *arp = net->arp;
	keel_time now = keel_now();

	net->stats.drop_other++;
	if (arp->conflict_logged && now - arp->last_conflict_log < ARP_CONFLICT_LOG_GAP)
		return;
	arp->conflict_logged = true;
	arp->last_conflict_log = now;
	KEEL_WARN("net %s: %02x:%02x:%02x:%02x:%02x:%02x claims our IPv4 address", net->device_name,
	          sha[0], sha[1], sha[2], sha[3], sha[4], sha[5]);
}

void arp_input(struct keel_net *net, struct netbuf *nb)
{
	struct arp_state *arp = net->arp;
	const uint8_t *p = nb->data;
	uint8_t sha[6];
	uint32_t spa, tpa;
	uint16_t op;
	struct arp_entry *e;

	if (nb->len < ARP_LEN || net_get16(p) != 1 || net_get16(p + 2) != ETH_TYPE_IPV4 ||
	    p[4] != 6 || p[5] != 4) {
		net->stats.drop_bad_frame++;
		goto done;
	}
	op = net_get16(p + 6);
	memcpy(sha, p + 8, 6);
	memcpy(&spa, p + 14, 4);
	memcpy(&tpa, p + 24, 4);
	if ((op != ARP_OP_REQUEST && op != ARP_OP_REPLY) || (sha[0] & 1) ||
	    memcmp(sha, net->mac, 6) == 0 || memcmp(sha, zero_mac, 6) == 0 || bad_sender_ip(spa) ||
	    (spa == 0 && op != ARP_OP_REQUEST)) {
		net->stats.drop_bad_frame++;
		goto done;
	}
	/* A host that has, or is itself probing for, the address we probe
	 * for (RFC 5227 2.1.1). */
	if (arp->probe_ip && (spa == arp->probe_ip ||
	                      (spa == 0 && tpa == arp->probe_ip && op == ARP_OP_REQUEST))) {
		arp->probe_conflict = true;
		keel_wake_all(&arp->resolved);
	}
	if (!net->configured) {
		net->stats.drop_not_for_us++;
		goto done;
	}
	if (spa == net->ip_be) {
		note_conflict(net, sha);
		goto done;
	}
	e = spa ? lookup(arp, spa) : NULL;
	if (tpa != net->ip_be) {
		/* A gratuitous announcement moves a host we know of. */
		if (spa == tpa && e && e->state != ARP_FAILED)
			confirm(net, e, sha);
		else
			net->stats.drop_not_for_us++;
		goto done;
	}
	if (op == ARP_OP_REPLY) {
		if (e && e->state != ARP_FAILED)
			confirm(net, e, sha);
		else
			net->stats.drop_not_for_us++; /* unsolicited: not learned */
		goto done;
	}

	/* A request for our address. An RFC 5227 probe (sender 0.0.0.0)
	 * is answered too (we defend our address) but teaches nothing. */
	net->stats.arp_requests_in++;
	if (spa) {
		if (!e) {
			e = take_slot(net, false);
			if (e)
				*e = (struct arp_entry){ .ip_be = spa,
					                 .state = ARP_INCOMPLETE,
					                 .last_used = keel_now() };
		}
		if (e)
			confirm(net, e, sha);
	}
	send_arp(net, ARP_OP_REPLY, sha, sha, spa);
	net->stats.arp_replies_out++;
done:
	netbuf_free(net, nb);
}

/* An ARP probe for ip_be: a broadcast request from 0.0.0.0 (RFC 5227 2.1.1). */
static void send_probe(struct keel_net *net, uint32_t ip_be)
{
	static const uint8_t zero[6];
	struct netbuf *nb = netbuf_alloc(net);
	uint8_t *p;

	if (!nb) {
		net->stats.drop_no_buffer++;
		return;
	}
	p = nb->data;
	net_put16(p, 1);
	net_put16(p + 2, ETH_TYPE_IPV4);
	p[4] = 6;
	p[5] = 4;
	net_put16(p + 6, ARP_OP_REQUEST);
	memcpy(p + 8, net->mac, 6);
	memset(p + 14, 0, 4);
	memcpy(p + 18, zero, 6);
	memcpy(p + 24, &ip_be, 4);
	nb->len = ARP_LEN;
	eth_output(net, nb, eth_broadcast, ETH_TYPE_ARP);
}

bool arp_probe(struct keel_net *net, uint32_t ip_be)
{
	struct arp_state *arp = net->arp;
	keel_time next = keel_now() + net_random(net) % (ARP_PROBE_JITTER_MS + 1) * KEEL_MSEC;
	unsigned sent = 0;
	bool conflict;

	arp->probe_ip = ip_be;
	arp->probe_conflict = false;
	while (!arp->probe_conflict) {
		if (keel_now() >= next) {
			if (sent == ARP_PROBE_NUM)
				break;
			send_probe(net, ip_be);
			sent++;
			next = keel_now() + (sent < ARP_PROBE_NUM ? ARP_PROBE_INTERVAL : ARP_PROBE_LISTEN);
		}
		keel_wait(&arp->resolved, next);
	}
	conflict = arp->probe_conflict;
	arp->probe_ip = 0;
	arp->probe_conflict = false;
	return !conflict;
}

void arp_free(struct keel_net *net)
{
	struct arp_state *arp = net->arp;

	if (!arp)
		return;
	keel_timer_cancel(&arp->timer);
	for (unsigned i = 0; i < ARP_ENTRIES; i++)
		free_entry(net, &arp->entry[i]);
	keel_wake_all(&arp->resolved);
	net->arp = NULL;
	free(arp);
}
