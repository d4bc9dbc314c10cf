/*
 * vnet.c — virtio headers of a TAP (see vnet.h and net.c).
 *
 * Layout: struct virtio_net_hdr, 10 bytes in the host's byte order:
 * flags (NEEDS_CSUM: the checksum at csum_start + csum_offset is partial;
 * DATA_VALID: it was checked), gso_type (NONE, TCPV4, ...), hdr_len (the
 * headers' length), gso_size (payload per segment), csum_start,
 * csum_offset.
 */
#include "vnet.h"

#define ETH_HEADER 14

/* Byte `at` of the frame in frags, or -1 beyond it. */
static int frag_byte(const struct kp_net_frag *frags, unsigned n, size_t at)
{
	for (unsigned i = 0; i < n; i++) {
		if (at < frags[i].len)
			return ((const uint8_t *)frags[i].base)[at];
		at -= frags[i].len;
	}
	return -1;
}

/*
 * The virtio header for a frame of `total` bytes as `meta` describes it;
 * false when the description is not one the contract allows.
 */
bool linux_vnet_out(size_t mtu, uint32_t offloads, const struct kp_net_frag *frags, unsigned n,
                    size_t total, const struct kp_net_meta *meta, struct linux_vnet_hdr *h)
{
	unsigned known = KP_NET_F_CSUM_PARTIAL | KP_NET_F_TSO4;
	size_t csum_end;

	*h = (struct linux_vnet_hdr){ 0 };
	if (!meta || meta->flags == 0)
		return total <= mtu + ETH_HEADER;
	if (meta->flags & ~known)
		return false;
	if ((meta->flags & KP_NET_F_CSUM_PARTIAL) && !(offloads & KP_NET_OFF_TX_CSUM))
		return false;
	if (!(meta->flags & KP_NET_F_TSO4) && total > mtu + ETH_HEADER)
		return false;
	csum_end = (size_t)meta->csum_start + meta->csum_offset + 2;
	if (csum_end > total || meta->csum_start < ETH_HEADER)
		return false;
	h->flags = LINUX_VNET_F_NEEDS_CSUM;
	h->csum_start = meta->csum_start;
	h->csum_offset = meta->csum_offset;
	if (meta->flags & KP_NET_F_TSO4) {
		int doff = frag_byte(frags, n, (size_t)meta->csum_start + 12);
		size_t hdr_len;

		if (!(offloads & KP_NET_OFF_TX_TSO4) || !(meta->flags & KP_NET_F_CSUM_PARTIAL) ||
		    meta->gso_size == 0 || meta->csum_offset != 16 ||
		    total > KP_NET_GSO_FRAME_MAX || doff < 0)
			return false;
		hdr_len = (size_t)meta->csum_start + (size_t)(doff >> 4) * 4;
		if ((doff >> 4) < 5 || hdr_len >= total)
			return false;
		h->gso_type = LINUX_VNET_GSO_TCPV4;
		h->gso_size = meta->gso_size;
		h->hdr_len = (uint16_t)hdr_len;
	}
	return true;
}

/*
 * What the host's header says of a frame of `len` bytes, checked; false:
 * drop the frame. *partial: its checksum is only partial (csum_start and
 * csum_offset in meta).
 */
bool linux_vnet_in(size_t mtu, uint32_t offloads, const struct linux_vnet_hdr *h, size_t len,
                   struct kp_net_meta *meta, bool *partial)
{
	*meta = (struct kp_net_meta){ 0 };
	*partial = false;
	if (h->flags & ~(LINUX_VNET_F_NEEDS_CSUM | LINUX_VNET_F_DATA_VALID))
		return false;
	if (h->flags & LINUX_VNET_F_NEEDS_CSUM) {
		if (h->csum_start < ETH_HEADER || (size_t)h->csum_start + h->csum_offset + 2 > len)
			return false;
		meta->csum_start = h->csum_start;
		meta->csum_offset = h->csum_offset;
		*partial = true;
	}
	if (h->flags)
		meta->flags = KP_NET_F_CSUM_OK;
	switch (h->gso_type) {
	case LINUX_VNET_GSO_NONE:
		return len <= mtu + ETH_HEADER;
	case LINUX_VNET_GSO_TCPV4:
		if (h->gso_size == 0 || !h->flags || !(offloads & KP_NET_OFF_RX_GSO4) ||
		    len > KP_NET_GSO_FRAME_MAX)
			return false;
		meta->flags |= KP_NET_F_GSO4;
		meta->gso_size = h->gso_size;
		return true;
	default:
		return false; /* UDP, IPv6, ECN: never asked for */
	}
}

/* The folded one's-complement sum of p[0..len), words taken little-endian;
 * stored back the same way, the result does not depend on byte order. */
static uint16_t fold_sum(const uint8_t *p, size_t len)
{
	uint64_t acc = 0;

	for (; len >= 2; p += 2, len -= 2)
		acc += (uint16_t)(p[0] | p[1] << 8);
	if (len)
		acc += p[0];
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

void linux_csum_complete(uint8_t *frame, size_t len, uint16_t start, uint16_t offset)
{
	uint16_t c = (uint16_t)~fold_sum(frame + start, len - start);

	frame[start + offset] = (uint8_t)c;
	frame[start + offset + 1] = (uint8_t)(c >> 8);
}
