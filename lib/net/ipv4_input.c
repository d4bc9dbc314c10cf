/*
 * ipv4_input.c — receiving IPv4: header validation, our address or a
 * broadcast only (a host never forwards), reassembly, and dispatch.
 *
 * Validation, in order: at least 20 bytes; version 4; IHL >= 5 and the
 * header within the frame; total length >= IHL and within the frame (the
 * rest is Ethernet padding and is cut); header checksum (not for the
 * pieces of a large segment, whose header gso.c checked as a whole and
 * wrote again: NETBUF_IP_HDR_OK); the reserved flag
 * clear; a source that can be a single host. Options are not interpreted:
 * the IHL skips them (they are quoted back in ICMP errors as received).
 * TTL does not matter to a host. Before an address is configured only UDP
 * is taken, to any destination, so that a DHCP client can hear offers.
 */
#include "net_impl.h"

#define IPV4_HLEN_MIN 20
#define IPV4_FLAG_RESERVED 0x8000
#define IPV4_FRAG_MASK 0x3fff /* MF and the offset */

/* Addresses no packet may come from. */
static bool bad_source(const struct keel_net *net, uint32_t src_be)
{
	uint8_t first = ((const uint8_t *)&src_be)[0];

	if (src_be == 0 || src_be == 0xffffffffu || first >= 224 || first == 127)
		return true;
	if (!net->configured)
		return false;
	return src_be == net->ip_be ||
	       (net->netmask_be != 0xffffffffu && src_be == (net->ip_be | ~net->netmask_be));
}

void ipv4_input(struct keel_net *net, struct netbuf *nb)
{
	struct ipv4_meta meta;
	const uint8_t *h = nb->data;
	size_t hlen, total;
	uint32_t src, dst;
	bool bcast;

	if (nb->len < IPV4_HLEN_MIN || (h[0] >> 4) != 4)
		goto bad;
	hlen = (size_t)(h[0] & 0x0f) * 4;
	total = net_get16(h + 2);
	if (hlen < IPV4_HLEN_MIN || hlen > nb->len || total < hlen || total > nb->len)
		goto bad;
	if (!(nb->flags & NETBUF_IP_HDR_OK) && inet_fold(inet_sum(h, hlen, 0)) != 0)
		goto bad;
	if (net_get16(h + 6) & IPV4_FLAG_RESERVED)
		goto bad;
	memcpy(&src, h + 12, 4);
	memcpy(&dst, h + 16, 4);
	if (bad_source(net, src))
		goto bad;
	nb->len = (uint16_t)total; /* Ethernet padding off */

	if (!net->configured) {
		if (h[9] != IP_PROTO_UDP)
			goto not_ours;
		bcast = dst == 0xffffffffu;
	} else if (dst == net->ip_be) {
		bcast = false;
	} else if (dst == 0xffffffffu ||
	           (net->netmask_be != 0xffffffffu && dst == (net->ip_be | ~net->netmask_be))) {
		bcast = true;
	} else {
		goto not_ours;
	}

	if (net_get16(h + 6) & IPV4_FRAG_MASK) {
		/* A device's word on a checksum covers one frame, never a
		 * datagram put together from several. */
		nb->flags &= (uint16_t)~NETBUF_CSUM_VERIFIED;
		nb = ipv4_reasm_input(net, nb);
		if (!nb)
			return;
		h = nb->data; /* the first fragment's header, lengths fixed */
		hlen = (size_t)(h[0] & 0x0f) * 4;
	}

	meta = (struct ipv4_meta){
		.src_be = src,
		.dst_be = dst,
		.proto = h[9],
		.ttl = h[8],
		.tos = h[1],
		.broadcast = bcast || (nb->flags & NETBUF_LINK_BCAST),
		.ip_header = nb->data,
		.ip_header_len = (uint16_t)hlen,
	};
	netbuf_pull(nb, hlen);
	switch (meta.proto) {
	case IP_PROTO_ICMP:
		icmp_input(net, nb, &meta);
		return;
	case IP_PROTO_UDP:
		udp_input(net, nb, &meta);
		return;
	case IP_PROTO_TCP:
		/* TCP has no broadcast, and never sees a multi-buffer datagram
		 * (a TCP segment reassembled beyond one buffer is dropped). */
		if (meta.broadcast || nb->more) {
			net->stats.drop_other++;
			break;
		}
		tcp_input(net, nb, &meta);
		return;
	default:
		icmp_send_unreachable(net, &meta, nb->data, nb->len, 2 /* protocol */);
		net->stats.drop_other++;
		break;
	}
	netbuf_free(net, nb);
	return;
bad:
	net->stats.drop_bad_ip++;
	netbuf_free(net, nb);
	return;
not_ours:
	net->stats.drop_not_for_us++;
	netbuf_free(net, nb);
}
