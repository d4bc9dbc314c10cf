/*
 * icmp.c — ICMP for a host (RFC 792, RFC 1122 3.2.2): echo replies,
 * errors we send (rate-limited), and errors we receive (handed to TCP).
 *
 * Echo requests are answered in the buffers they came in, however large
 * (a reassembled request leaves as fragments of the same sizes). Echo
 * requests to a broadcast address are ignored, as Linux does by default.
 *
 * Errors are never sent about an ICMP error, a broadcast or multicast
 * datagram, a non-first fragment, or a source that is not one host; and
 * at most ICMP_ERR_BURST at once, refilled at ICMP_ERR_RATE per second
 * (a token bucket; what it refuses counts in icmp_rate_limited).
 */
#include <stdlib.h>

#include "net_impl.h"

#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_ERR_BURST 10
#define ICMP_ERR_RATE 100 /* per second */
#define ICMP_ERR_INTERVAL (KEEL_SEC / ICMP_ERR_RATE)
/* An error quotes as much of the datagram as fits in 576 bytes. */
#define ICMP_ERR_MAX_QUOTE (576 - 20 - ICMP_HLEN)
#define IPV4_OFFSET_MASK 0x1fff

struct icmp_state {
	uint32_t tokens;
	keel_time refilled; /* time up to which tokens were added */
};

int icmp_init(struct keel_net *net)
{
	struct icmp_state *s = calloc(1, sizeof(*s));

	if (!s)
		return KEEL_ENOMEM;
	s->tokens = ICMP_ERR_BURST;
	s->refilled = keel_now();
	net->icmp = s;
	return KEEL_OK;
}

/* Takes a token from the bucket; false when it is empty. */
static bool take_token(struct icmp_state *s)
{
	keel_time now = keel_now();
	uint64_t add = (now - s->refilled) / ICMP_ERR_INTERVAL;

	if (add > 0) {
		if (s->tokens + add >= ICMP_ERR_BURST) {
			s->tokens = ICMP_ERR_BURST;
			s->refilled = now;
		} else {
			s->tokens += (uint32_t)add;
			s->refilled += add * ICMP_ERR_INTERVAL;
		}
	}
	if (s->tokens == 0)
		return false;
	s->tokens--;
	return true;
}

/* Types that are queries or replies rather than errors (RFC 792, 950). */
static bool is_query(uint8_t type)
{
	switch (type) {
	case 0:
	case 8:
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18:
		return true;
	default:
		return false;
	}
}

static bool single_host(uint32_t ip_be)
{
	uint8_t first = ((const uint8_t *)&ip_be)[0];

	return ip_be != 0 && ip_be != 0xffffffffu && first < 224 && first != 127;
}

void icmp_send_error(struct keel_net *net, uint8_t type, uint8_t code, uint32_t info,
                     const struct ipv4_meta *ip, const uint8_t *l4, size_t l4_len)
{
	size_t hlen = ip->ip_header_len, quote_l4;
	struct netbuf *nb;
	uint8_t *p;
	uint16_t csum;

	if (ip->broadcast || !single_host(ip->src_be) || !single_host(ip->dst_be) ||
	    (net_get16(ip->ip_header + 6) & IPV4_OFFSET_MASK) != 0 || hlen > ICMP_ERR_MAX_QUOTE)
		return;
	if (ip->proto == IP_PROTO_ICMP && (l4_len < 1 || !is_query(l4[0])))
		return;
	if (!take_token(net->icmp)) {
		net->stats.icmp_rate_limited++;
		return;
	}
	nb = netbuf_alloc(net);
	if (!nb) {
		net->stats.drop_no_buffer++;
		return;
	}
	quote_l4 = l4_len < ICMP_ERR_MAX_QUOTE - hlen ? l4_len : ICMP_ERR_MAX_QUOTE - hlen;
	p = nb->data;
	p[0] = type;
	p[1] = code;
	p[2] = p[3] = 0;
	net_put32(p + 4, info);
	memcpy(p + ICMP_HLEN, ip->ip_header, hlen);
	memcpy(p + ICMP_HLEN + hlen, l4, quote_l4);
	nb->len = (uint16_t)(ICMP_HLEN + hlen + quote_l4);
	csum = inet_fold(inet_sum(p, nb->len, 0));
	memcpy(p + 2, &csum, 2);
	if (type == ICMP_UNREACH)
		net->stats.icmp_unreach_out++;
	ipv4_output(net, nb, IP_PROTO_ICMP, ip->dst_be, ip->src_be, 0);
}

void icmp_send_unreachable(struct keel_net *net, const struct ipv4_meta *ip, const uint8_t *l4,
                           size_t l4_len, uint8_t code)
{
	icmp_send_error(net, ICMP_UNREACH, code, 0, ip, l4, l4_len);
}

/* The sum of a datagram that may span several buffers. Every buffer but
 * the last holds an even number of bytes (fragments are cut at multiples
 * of 8), so the pieces chain. */
static uint32_t chain_sum(const struct netbuf *nb, size_t *total)
{
	uint32_t sum = 0;

	*total = 0;
	for (; nb; nb = nb->more) {
		sum = inet_sum(nb->data, nb->len, sum);
		*total += nb->len;
	}
	return sum;
}

/* An error about a packet of ours: the quoted header must be one we
 * could have sent; TCP gets it to adjust or abort the connection. */
static void error_in(struct keel_net *net, const uint8_t *p, size_t len, uint8_t type, uint8_t code)
{
	const uint8_t *inner = p + ICMP_HLEN;
	size_t avail = len - ICMP_HLEN, ihl;
	uint32_t inner_src;

	if (avail < 20 || (inner[0] >> 4) != 4)
		goto bad;
	ihl = (size_t)(inner[0] & 0x0f) * 4;
	if (ihl < 20 || avail < ihl + 8)
		goto bad;
	memcpy(&inner_src, inner + 12, 4);
	if (inner_src != net->ip_be) {
		net->stats.drop_not_for_us++;
		return;
	}
	if (inner[9] == IP_PROTO_TCP)
		tcp_icmp_error(net, type, code, inner, avail);
	return;
bad:
	net->stats.drop_bad_l4++;
}

void icmp_input(struct keel_net *net, struct netbuf *nb, const struct ipv4_meta *ip)
{
	size_t total;
	uint32_t sum = chain_sum(nb, &total);
	uint8_t *p = nb->data;
	uint16_t csum;

	if (total < ICMP_HLEN || nb->len < ICMP_HLEN || inet_fold(sum) != 0) {
		net->stats.drop_bad_l4++;
		goto done;
	}
	switch (p[0]) {
	case ICMP_ECHO:
		net->stats.icmp_echo_in++;
		if (ip->broadcast) {
			net->stats.drop_other++;
			break;
		}
		p[0] = ICMP_ECHO_REPLY;
		p[2] = p[3] = 0;
		csum = inet_fold(chain_sum(nb, &total));
		memcpy(p + 2, &csum, 2);
		ipv4_output(net, nb, IP_PROTO_ICMP, ip->dst_be, ip->src_be, 0);
		return;
	case ICMP_UNREACH:
		error_in(net, p, nb->len, p[0], p[1]);
		break;
	default:
		/* Echo replies (we send no requests), time exceeded, redirects
		 * (a host with one gateway ignores them), queries we do not
		 * answer. */
		net->stats.drop_other++;
		break;
	}
done:
	netbuf_free(net, nb);
}

void icmp_free(struct keel_net *net)
{
	free(net->icmp);
	net->icmp = NULL;
}
