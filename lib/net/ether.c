/*
 * ether.c — Ethernet II framing: what we accept, and the header we add.
 *
 * Accepted: frames to our MAC or to the broadcast address, of type IPv4
 * or ARP. Multicast is not joined (IPv4 multicast is not supported), so
 * multicast frames are not for us. Frames from a multicast source or from
 * our own MAC (a loop) are malformed. Padding after the IPv4 datagram is
 * removed by ipv4_input() using the IP total length; ARP ignores it.
 */
#include "net_impl.h"

#define ETH_FRAME_MIN 60 /* without the frame check sequence */

const uint8_t eth_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void eth_input(struct keel_net *net, struct netbuf *nb)
{
	const uint8_t *h = nb->data;
	uint16_t type;

	net->stats.frames_in++;
	net->stats.bytes_in += nb->len;
	if (nb->len < ETH_HLEN || (h[6] & 1) || memcmp(h + 6, net->mac, 6) == 0) {
		net->stats.drop_bad_frame++;
		goto drop;
	}
	if (memcmp(h, net->mac, 6) != 0) {
		if (memcmp(h, eth_broadcast, 6) != 0) {
			net->stats.drop_not_for_us++;
			goto drop;
		}
		nb->flags |= NETBUF_LINK_BCAST;
	}
	type = net_get16(h + 12);
	netbuf_pull(nb, ETH_HLEN);
	switch (type) {
	case ETH_TYPE_IPV4:
		ipv4_input(net, nb);
		return;
	case ETH_TYPE_ARP:
		arp_input(net, nb);
		return;
	default:
		/* IPv6, VLAN tags, 802.3 length fields, anything else. */
		net->stats.drop_other++;
		goto drop;
	}
drop:
	netbuf_free(net, nb);
}

/*
 * What a frame to send is (KP_NET_F_CSUM_PARTIAL when the buffer says
 * so): the checksum is the TCP one, right behind the IPv4 header, as
 * only TCP sends partial checksums.
 */
static void tx_meta(const struct netbuf *nb, struct kp_net_meta *meta)
{
	*meta = (struct kp_net_meta){ 0 };
	if (nb->flags & NETBUF_CSUM_PARTIAL) {
		meta->flags = KP_NET_F_CSUM_PARTIAL;
		meta->csum_start = (uint16_t)(ETH_HLEN + (size_t)(nb->data[ETH_HLEN] & 0x0f) * 4);
		meta->csum_offset = 16;
	}
}

static void count_out(struct keel_net *net, int err, size_t len)
{
	if (err == KEEL_OK) {
		net->stats.frames_out++;
		net->stats.bytes_out += len;
	} else {
		net->stats.drop_other++; /* the device was full: lost as on a wire */
	}
}

static uint8_t *push_header(struct keel_net *net, struct netbuf *nb, const uint8_t dst[6],
                            uint16_t type)
{
	uint8_t *h = netbuf_push(nb, ETH_HLEN);

	if (!h)
		return NULL;
	memcpy(h, dst, 6);
	memcpy(h + 6, net->mac, 6);
	net_put16(h + 12, type);
	return h;
}

int eth_output(struct keel_net *net, struct netbuf *nb, const uint8_t dst[6], uint16_t type)
{
	struct kp_net_meta meta;
	struct kp_net_frag frag;
	size_t wire_len;
	int err;

	if (nb->len > net->info.mtu || !push_header(net, nb, dst, type)) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	/* Pad runts to the Ethernet minimum, as a NIC would. The padding
	 * lies past nb->len, which is left alone: a holder of another
	 * reference (TCP, for retransmission) keeps its length. */
	wire_len = nb->len;
	if (wire_len < ETH_FRAME_MIN && netbuf_tailroom(nb) >= ETH_FRAME_MIN - wire_len) {
		memset(nb->data + wire_len, 0, ETH_FRAME_MIN - wire_len);
		wire_len = ETH_FRAME_MIN;
	}
	tx_meta(nb, &meta);
	frag = (struct kp_net_frag){ nb->data, wire_len };
	err = kp_net_send(net->dev, &frag, 1, meta.flags ? &meta : NULL);
	count_out(net, err, wire_len);
	netbuf_free(net, nb);
	return err;
}

int eth_output_frags(struct keel_net *net, struct netbuf *nb, const uint8_t dst[6],
                     const struct kp_net_frag *tail, unsigned ntail, uint16_t gso_size)
{
	static const uint8_t zeros[ETH_FRAME_MIN];
	struct kp_net_frag frags[KP_NET_FRAGS_MAX];
	struct kp_net_meta meta;
	unsigned nfrags = ntail + 1;
	size_t total = nb->len;

	int err;

	for (unsigned i = 0; i < ntail; i++)
		total += tail[i].len;
	if (ntail + 2 > KP_NET_FRAGS_MAX || (gso_size && !(nb->flags & NETBUF_CSUM_PARTIAL)) ||
	    (!gso_size && total > net->info.mtu) || !push_header(net, nb, dst, ETH_TYPE_IPV4)) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	total += ETH_HLEN;
	frags[0] = (struct kp_net_frag){ nb->data, nb->len };
	for (unsigned i = 0; i < ntail; i++)
		frags[i + 1] = tail[i];
	if (!gso_size && total < ETH_FRAME_MIN) {
		/* A runt padded as a NIC would, with a piece of zeros. */
		frags[nfrags++] = (struct kp_net_frag){ zeros, ETH_FRAME_MIN - total };
		total = ETH_FRAME_MIN;
	}
	tx_meta(nb, &meta);
	if (gso_size) {
		meta.flags |= KP_NET_F_TSO4;
		meta.gso_size = gso_size;
	}
	err = kp_net_send(net->dev, frags, nfrags, meta.flags ? &meta : NULL);
	count_out(net, err, total);
	netbuf_free(net, nb);
	return err;
}
