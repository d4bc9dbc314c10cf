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

int eth_output(struct keel_net *net, struct netbuf *nb, const uint8_t dst[6], uint16_t type)
{
	uint8_t *h = netbuf_push(nb, ETH_HLEN);
	size_t wire_len;
	int err;

	if (!h || nb->len > net->info.mtu + ETH_HLEN) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	memcpy(h, dst, 6);
	memcpy(h + 6, net->mac, 6);
	net_put16(h + 12, type);
	/* Pad runts to the Ethernet minimum, as a NIC would. The padding
	 * lies past nb->len, which is left alone: a holder of another
	 * reference (TCP, for retransmission) keeps its length. */
	wire_len = nb->len;
	if (wire_len < ETH_FRAME_MIN && netbuf_tailroom(nb) >= ETH_FRAME_MIN - wire_len) {
		memset(nb->data + wire_len, 0, ETH_FRAME_MIN - wire_len);
		wire_len = ETH_FRAME_MIN;
	}
	err = kp_net_write(net->dev, nb->data, wire_len);
	if (err == KEEL_OK) {
		net->stats.frames_out++;
		net->stats.bytes_out += wire_len;
	} else {
		net->stats.drop_other++; /* the device was full: lost as on a wire */
	}
	netbuf_free(net, nb);
	return err;
}
