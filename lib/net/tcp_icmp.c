/*
 * ICMP errors about segments we sent (RFC 1122 4.2.3.9, RFC 5927): only
 * for a connection whose 4-tuple matches and whose quoted sequence number
 * lies in what is outstanding, so a forged error needs to guess that.
 * "Unreachable" ends a connection still in SYN_SENT (connect() then says
 * KEEL_EHOSTUNREACH or, for a port, KEEL_ECONNREFUSED); for a synchronized
 * connection it is a soft error and changes nothing (the retransmission
 * timer decides).
 */
#include "tcp_impl.h"

#define ICMP_UNREACH 3
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_FRAG 4

void tcp_icmp_error(struct keel_net *net, uint8_t type, uint8_t code, const uint8_t *ip_header,
                    size_t len)
{
	struct tcp_state *ts = tcp_of(net);
	size_t ihl;
	uint32_t src_be, dst_be, seq;
	uint16_t sport_be, dport_be;
	struct tcp_conn *c;

	if (!ts || len < 20)
		return;
	ihl = (size_t)(ip_header[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8 || ip_header[9] != IP_PROTO_TCP)
		return;
	__builtin_memcpy(&src_be, ip_header + 12, 4);
	__builtin_memcpy(&dst_be, ip_header + 16, 4);
	__builtin_memcpy(&sport_be, ip_header + ihl, 2);
	__builtin_memcpy(&dport_be, ip_header + ihl + 2, 2);
	seq = net_get32(ip_header + ihl + 4);
	c = tcp_conn_lookup(ts, src_be, sport_be, dst_be, dport_be);
	if (!c || seq_lt(seq, c->snd_una) || seq_geq(seq, c->snd_max))
		return;
	if (type != ICMP_UNREACH || code == ICMP_UNREACH_FRAG)
		return;
	if (c->state == TCP_SYN_SENT)
		tcp_conn_drop(c, (code == ICMP_UNREACH_PORT || code == ICMP_UNREACH_PROTO)
		                     ? KEEL_ECONNREFUSED
		                     : KEEL_EHOSTUNREACH);
}
