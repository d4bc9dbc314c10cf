/*
 * ipv4_output.c — routing (one subnet and a default gateway) and sending
 * IPv4 datagrams, fragmenting those larger than the MTU.
 *
 * TCP segments carry DF and are never fragmented (TCP sizes them to the
 * MSS). UDP and ICMP packets above the MTU are cut into fragments of at
 * most MTU - 20 bytes of payload, a multiple of 8. A packet already spread
 * over a chain of buffers cut at those sizes (a large UDP datagram as
 * keel_udp_sendto builds it, an echo request reassembled from such
 * fragments) is sent without copying: each buffer gets its own header in
 * its headroom. Anything else is copied into new buffers once.
 */
#include "net_impl.h"

#define IPV4_HLEN 20
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_MAX_LEN 65535
#define IPV4_DEFAULT_TTL 64

uint32_t ipv4_next_hop(struct keel_net *net, uint32_t dst_be)
{
	uint8_t first = ((const uint8_t *)&dst_be)[0];

	if (dst_be == 0xffffffffu)
		return dst_be;
	if (dst_be == 0 || first >= 224 || first == 127 || !net->configured || dst_be == net->ip_be)
		return 0; /* no multicast, no loopback, nothing before an address */
	if (((dst_be ^ net->ip_be) & net->netmask_be) == 0)
		return dst_be;
	return net->gateway_be;
}

static void write_header(uint8_t *h, uint16_t total_len, uint16_t id, uint16_t frag, uint8_t ttl,
                         uint8_t proto, uint32_t src_be, uint32_t dst_be)
{
	uint16_t csum;

	h[0] = 0x45;
	h[1] = 0;
	net_put16(h + 2, total_len);
	net_put16(h + 4, id);
	net_put16(h + 6, frag);
	h[8] = ttl;
	h[9] = proto;
	h[10] = h[11] = 0;
	memcpy(h + 12, &src_be, 4);
	memcpy(h + 16, &dst_be, 4);
	csum = inet_fold(inet_sum(h, IPV4_HLEN, 0));
	memcpy(h + 10, &csum, 2);
}

/* Whether each buffer of the chain can be sent as one fragment as is. */
static bool chain_is_cut(const struct netbuf *nb, size_t frag_max)
{
	for (; nb; nb = nb->more) {
		if (nb->len > frag_max || (nb->more && nb->len % 8 != 0) || nb->refs != 1 ||
		    (size_t)(nb->data - nb->buf) < IPV4_HLEN + ETH_HLEN)
			return false;
	}
	return true;
}

/* Sends every buffer of the chain as one fragment. Consumes the chain. */
static int send_chain(struct keel_net *net, struct netbuf *nb, uint16_t id, uint8_t ttl,
                      uint8_t proto, uint32_t src_be, uint32_t dst_be, uint32_t hop)
{
	size_t offset = 0;
	int result = KEEL_OK;

	while (nb) {
		struct netbuf *rest = nb->more;
		uint16_t frag = (uint16_t)(offset / 8) | (rest ? IPV4_MF : 0);
		size_t len = nb->len;
		uint8_t *h;
		int err;

		nb->more = NULL;
		h = netbuf_push(nb, IPV4_HLEN);
		write_header(h, (uint16_t)(IPV4_HLEN + len), id, frag, ttl, proto, src_be, dst_be);
		err = arp_output(net, nb, hop);
		if (err != KEEL_OK && result == KEEL_OK)
			result = err;
		offset += len;
		nb = rest;
	}
	return result;
}

/* Copies the chain into fragments of frag_max bytes. Consumes the chain. */
static int copy_fragments(struct keel_net *net, struct netbuf *nb, size_t total, size_t frag_max,
                          uint16_t id, uint8_t ttl, uint8_t proto, uint32_t src_be, uint32_t dst_be,
                          uint32_t hop)
{
	const struct netbuf *piece = nb;
	size_t piece_pos = 0;
	int result = KEEL_OK;

	for (size_t offset = 0; offset < total;) {
		size_t n = total - offset < frag_max ? total - offset : frag_max;
		struct netbuf *f = netbuf_alloc(net);
		uint16_t frag;
		int err;

		if (!f) {
			net->stats.drop_no_buffer++;
			result = KEEL_ENOMEM;
			break;
		}
		for (size_t done = 0; done < n;) {
			size_t take = piece->len - piece_pos;

			if (take == 0) {
				piece = piece->more;
				piece_pos = 0;
				continue;
			}
			if (take > n - done)
				take = n - done;
			memcpy(f->data + IPV4_HLEN + done, piece->data + piece_pos, take);
			piece_pos += take;
			done += take;
		}
		frag = (uint16_t)(offset / 8) | (offset + n < total ? IPV4_MF : 0);
		write_header(f->data, (uint16_t)(IPV4_HLEN + n), id, frag, ttl, proto, src_be,
		             dst_be);
		f->len = (uint16_t)(IPV4_HLEN + n);
		err = arp_output(net, f, hop);
		if (err != KEEL_OK && result == KEEL_OK)
			result = err;
		offset += n;
	}
	netbuf_free(net, nb);
	return result;
}

int ipv4_output(struct keel_net *net, struct netbuf *nb, uint8_t proto, uint32_t src_be,
                uint32_t dst_be, uint8_t ttl)
{
	size_t mtu_payload = net->info.mtu - IPV4_HLEN;
	size_t frag_max = mtu_payload & ~(size_t)7;
	uint32_t hop = ipv4_next_hop(net, dst_be);
	size_t total = 0;
	uint16_t id;

	for (const struct netbuf *p = nb; p; p = p->more)
		total += p->len;
	if (src_be == 0)
		src_be = net->ip_be;
	if (ttl == 0)
		ttl = IPV4_DEFAULT_TTL;
	if (hop == 0) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EHOSTUNREACH;
	}
	if (total > IPV4_MAX_LEN - IPV4_HLEN || (proto == IP_PROTO_TCP && total > mtu_payload)) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	id = net->ip_id++;
	if (!nb->more && total <= mtu_payload) {
		uint8_t *h = netbuf_push(nb, IPV4_HLEN);

		if (!h) {
			net->stats.drop_other++;
			netbuf_free(net, nb);
			return KEEL_EINVAL;
		}
		write_header(h, (uint16_t)(IPV4_HLEN + total), id,
		             proto == IP_PROTO_TCP ? IPV4_DF : 0, ttl, proto, src_be, dst_be);
		return arp_output(net, nb, hop);
	}
	if (chain_is_cut(nb, frag_max))
		return send_chain(net, nb, id, ttl, proto, src_be, dst_be, hop);
	return copy_fragments(net, nb, total, frag_max, id, ttl, proto, src_be, dst_be, hop);
}

bool ipv4_tso_ready(struct keel_net *net, uint32_t dst_be, uint8_t hop_mac[6])
{
	if ((net->info.offloads & (KP_NET_OFF_TX_TSO4 | KP_NET_OFF_TX_CSUM)) !=
	    (KP_NET_OFF_TX_TSO4 | KP_NET_OFF_TX_CSUM))
		return false;
	return arp_lookup(net, ipv4_next_hop(net, dst_be), hop_mac);
}

bool ipv4_hop_ready(struct keel_net *net, uint32_t dst_be, uint8_t hop_mac[6])
{
	uint32_t hop = ipv4_next_hop(net, dst_be);

	return hop != 0 && arp_lookup(net, hop, hop_mac);
}

int ipv4_output_frags(struct keel_net *net, struct netbuf *nb, const struct kp_net_frag *tail,
                      unsigned ntail, size_t tail_len, uint16_t gso_size, uint32_t src_be,
                      uint32_t dst_be, const uint8_t hop_mac[6])
{
	size_t total = IPV4_HLEN + nb->len + tail_len;
	uint8_t *h;

	if (total > IPV4_MAX_LEN || !(h = netbuf_push(nb, IPV4_HLEN))) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	/* The device gives each segment it cuts the next identification. */
	write_header(h, (uint16_t)total, net->ip_id, IPV4_DF, IPV4_DEFAULT_TTL, IP_PROTO_TCP,
	             src_be, dst_be);
	if (gso_size)
		net->ip_id = (uint16_t)(net->ip_id + (tail_len + nb->len) / gso_size + 1);
	else
		net->ip_id++;
	return eth_output_frags(net, nb, hop_mac, tail, ntail, gso_size);
}

void ipv4_set_total_len(uint8_t *ip, uint16_t total)
{
	uint16_t old_len, new_len, csum;

	__builtin_memcpy(&old_len, ip + 2, 2);
	__builtin_memcpy(&csum, ip + 10, 2);
	net_put16(ip + 2, total);
	__builtin_memcpy(&new_len, ip + 2, 2);
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
	csum = inet_fold((uint32_t)(uint16_t)~csum + (uint16_t)~old_len + new_len);
	__builtin_memcpy(ip + 10, &csum, 2);
}
