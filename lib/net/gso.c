/*
 * gso.c — large TCP/IPv4 segments handed over by the device
 * (KP_NET_F_GSO4): a host that merged or never cut a sender's segments
 * gives up to 64 KiB at once, which arrive spread over receive buffers
 * (iface.c reads them into as many as it takes).
 *
 * Rather than teach every layer about such segments, the large one is
 * taken apart along the buffers it lies in: each buffer after the first
 * gets a copy of the headers in its headroom, its own sequence number and
 * IPv4 length (the header checksum updated for it, not verified again),
 * and then every piece goes through the ordinary input path
 * (eth_input) as a segment of its own. Payload is never copied; the
 * headers are, once per buffer (about 1.9 KiB of payload each).
 *
 * The whole segment is checked first, as a hostile host could make it:
 * Ethernet type IPv4, a 20-byte IPv4 header (no options) with a right
 * checksum, no fragment, a total length equal to the frame's, protocol
 * TCP, a TCP header that fits the first buffer, no SYN, RST or URG, some
 * payload, a segment size, and a checksum the device vouched for or that
 * is right. Anything else is dropped whole and counted.
 *
 * The pieces after the first, which differ from it only in the sequence
 * number, are offered to TCP's short way for in-order data
 * (tcp_input_pieces); what it does not take goes the full way.
 */
#include "net_impl.h"

#define IPV4_HLEN 20
#define TCP_HLEN_MIN 20
#define TCP_OFF_SEQ 4
#define TCP_OFF_FLAGS 13
#define TCP_F_FIN 0x01
#define TCP_F_SYN 0x02
#define TCP_F_RST 0x04
#define TCP_F_PSH 0x08
#define TCP_F_URG 0x20
#define TCP_F_CWR 0x80

static void drop_all(struct keel_net *net, struct netbuf **bufs, unsigned n, size_t len,
                     uint64_t *counter)
{
	net->stats.frames_in++;
	net->stats.bytes_in += len;
	(*counter)++;
	for (unsigned i = 0; i < n; i++)
		netbuf_free(net, bufs[i]);
}

/* The TCP checksum of the whole segment (L4 from `l4` in bufs[0]). */
static bool tcp_csum_ok(struct netbuf **bufs, unsigned n, const uint8_t *ip, size_t l4_off,
                        size_t l4_len)
{
	uint32_t src, dst, sum;

	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	sum = inet_pseudo_sum(src, dst, IP_PROTO_TCP, (uint16_t)l4_len);
	/* Every buffer but the last holds an even number of bytes (and the
	 * first an even number past the 34 bytes of headers before l4). */
	sum = inet_sum(bufs[0]->data + l4_off, bufs[0]->len - l4_off, sum);
	for (unsigned i = 1; i < n; i++)
		sum = inet_sum(bufs[i]->data, bufs[i]->len, sum);
	return inet_fold(sum) == 0;
}

void gso_input(struct keel_net *net, struct netbuf **bufs, unsigned n, size_t len,
               const struct kp_net_meta *meta)
{
	uint8_t hdr[NETBUF_HEADROOM];
	const uint8_t *f = bufs[0]->data;
	const uint8_t *ip = f + ETH_HLEN;
	const uint8_t *tcp = ip + IPV4_HLEN;
	size_t hlen, tcp_hlen, head_len = bufs[0]->len;
	uint64_t tcp_in;
	uint32_t seq;
	uint8_t flags;
	unsigned taken;

	if (!(meta->flags & KP_NET_F_GSO4) || meta->gso_size == 0 ||
	    head_len < ETH_HLEN + IPV4_HLEN + TCP_HLEN_MIN || net_get16(f + 12) != ETH_TYPE_IPV4) {
		drop_all(net, bufs, n, len, &net->stats.drop_bad_frame);
		return;
	}
	if (ip[0] != 0x45 || net_get16(ip + 2) != len - ETH_HLEN ||
	    (net_get16(ip + 6) & 0xbfff) != 0 || ip[9] != IP_PROTO_TCP ||
	    inet_fold(inet_sum(ip, IPV4_HLEN, 0)) != 0) {
		drop_all(net, bufs, n, len, &net->stats.drop_bad_ip);
		return;
	}
	tcp_hlen = (size_t)(tcp[12] >> 4) * 4;
	hlen = ETH_HLEN + IPV4_HLEN + tcp_hlen;
	flags = tcp[TCP_OFF_FLAGS];
	if (tcp_hlen < TCP_HLEN_MIN || hlen > head_len || hlen > sizeof(hdr) || hlen >= len ||
	    (flags & (TCP_F_SYN | TCP_F_RST | TCP_F_URG)) ||
	    (!(meta->flags & KP_NET_F_CSUM_OK) &&
	     !tcp_csum_ok(bufs, n, ip, ETH_HLEN + IPV4_HLEN, len - ETH_HLEN - IPV4_HLEN))) {
		drop_all(net, bufs, n, len, &net->stats.drop_bad_l4);
		return;
	}
	memcpy(hdr, f, hlen);
	seq = net_get32(tcp + TCP_OFF_SEQ);

	/* Headers of every piece first: the pieces are handed on in order
	 * afterwards, and each layer consumes what it is given. The large
	 * segment's IPv4 header checksum was verified above: the pieces'
	 * headers, written here, are not verified again (NETBUF_IP_HDR_OK). */
	for (unsigned i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];
		uint8_t *h = nb->data;
		size_t payload;

		if (i > 0) {
			h = netbuf_push(nb, hlen);
			memcpy(h, hdr, hlen);
		}
		payload = nb->len - hlen;
		net_put32(h + ETH_HLEN + IPV4_HLEN + TCP_OFF_SEQ, seq);
		ipv4_set_total_len(h + ETH_HLEN, (uint16_t)(nb->len - ETH_HLEN));
		nb->flags |= NETBUF_CSUM_VERIFIED | NETBUF_IP_HDR_OK;
		h[ETH_HLEN + IPV4_HLEN + TCP_OFF_FLAGS] =
		    (uint8_t)(flags &
		              ~((i + 1 < n ? TCP_F_FIN | TCP_F_PSH : 0) | (i > 0 ? TCP_F_CWR : 0)));
		seq += (uint32_t)payload;
	}
	/* The first piece goes the full way. When it reached TCP, the link
	 * and IPv4 layers took it, and take the others alike (the same
	 * headers, the same checks): TCP may then take the following ones
	 * its short way, as many as it can. */
	tcp_in = net->stats.tcp_in;
	eth_input(net, bufs[0]);
	taken = 1;
	if (n > 1 && net->stats.tcp_in == tcp_in + 1)
		taken += tcp_input_pieces(net, bufs + 1, n - 1, hlen);
	for (unsigned i = taken; i < n; i++)
		eth_input(net, bufs[i]);
}
