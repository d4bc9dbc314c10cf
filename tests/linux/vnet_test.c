/*
 * The virtio headers of a TAP (platform/linux/vnet.c): what the image
 * writes for each kind of frame, and every header the host could write
 * that must not get through — the host is as hostile as any peer.
 */
#include <stdio.h>
#include <string.h>

#include "vnet.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

#define MTU 1500
#define ALL (KP_NET_OFF_RX_CSUM | KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4 | KP_NET_OFF_RX_GSO4)

static bool in(uint32_t offloads, struct linux_vnet_hdr h, size_t len, struct kp_net_meta *m,
               bool *partial)
{
	return linux_vnet_in(MTU, offloads, &h, len, m, partial);
}

static void received(void)
{
	struct kp_net_meta m;
	bool partial;

	/* Plain frames. */
	CHECK(in(ALL, (struct linux_vnet_hdr){ 0 }, 60, &m, &partial) && m.flags == 0 && !partial);
	CHECK(in(ALL, (struct linux_vnet_hdr){ 0 }, 1514, &m, &partial));
	CHECK(!in(ALL, (struct linux_vnet_hdr){ 0 }, 1515, &m, &partial));
	/* Checked by the host. */
	CHECK(in(ALL, (struct linux_vnet_hdr){ .flags = LINUX_VNET_F_DATA_VALID }, 60, &m,
	         &partial) &&
	      m.flags == KP_NET_F_CSUM_OK && !partial);
	/* Partial: the range must lie in the frame, after the Ethernet header. */
	CHECK(in(ALL,
	         (struct linux_vnet_hdr){
	             .flags = LINUX_VNET_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16 },
	         54, &m, &partial) &&
	      m.flags == KP_NET_F_CSUM_OK && partial && m.csum_start == 34 && m.csum_offset == 16);
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){
	              .flags = LINUX_VNET_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16 },
	          51, &m, &partial));
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){
	              .flags = LINUX_VNET_F_NEEDS_CSUM, .csum_start = 60000, .csum_offset = 16 },
	          1514, &m, &partial));
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){
	              .flags = LINUX_VNET_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 65535 },
	          1514, &m, &partial));
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){
	              .flags = LINUX_VNET_F_NEEDS_CSUM, .csum_start = 2, .csum_offset = 0 },
	          1514, &m, &partial));
	/* Unknown flags. */
	CHECK(!in(ALL, (struct linux_vnet_hdr){ .flags = 4 }, 60, &m, &partial));
	CHECK(!in(ALL, (struct linux_vnet_hdr){ .flags = 0x83 }, 60, &m, &partial));
	/* Large TCP/IPv4 segments: with a size, a checksum word, the offload. */
	CHECK(in(ALL,
	         (struct linux_vnet_hdr){ .flags = LINUX_VNET_F_NEEDS_CSUM,
	                                  .gso_type = LINUX_VNET_GSO_TCPV4,
	                                  .gso_size = 1448,
	                                  .csum_start = 34,
	                                  .csum_offset = 16 },
	         60000, &m, &partial) &&
	      m.flags == (KP_NET_F_CSUM_OK | KP_NET_F_GSO4) && m.gso_size == 1448);
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){ .flags = LINUX_VNET_F_NEEDS_CSUM,
	                                   .gso_type = LINUX_VNET_GSO_TCPV4,
	                                   .gso_size = 0,
	                                   .csum_start = 34,
	                                   .csum_offset = 16 },
	          60000, &m, &partial));
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){ .gso_type = LINUX_VNET_GSO_TCPV4, .gso_size = 1448 },
	          60000, &m, &partial));
	CHECK(!in(ALL & ~KP_NET_OFF_RX_GSO4,
	          (struct linux_vnet_hdr){ .flags = LINUX_VNET_F_DATA_VALID,
	                                   .gso_type = LINUX_VNET_GSO_TCPV4,
	                                   .gso_size = 1448 },
	          60000, &m, &partial));
	CHECK(!in(ALL,
	          (struct linux_vnet_hdr){ .flags = LINUX_VNET_F_DATA_VALID,
	                                   .gso_type = LINUX_VNET_GSO_TCPV4,
	                                   .gso_size = 1448 },
	          KP_NET_GSO_FRAME_MAX + 1, &m, &partial));
	/* GSO types never asked for: UDP (3), IPv6 (4), ECN. */
	for (unsigned t = 2; t < 256; t++) {
		if (t == LINUX_VNET_GSO_TCPV4)
			continue;
		CHECK(!in(ALL,
		          (struct linux_vnet_hdr){ .flags = LINUX_VNET_F_DATA_VALID,
		                                   .gso_type = (uint8_t)t,
		                                   .gso_size = 1448 },
		          6000, &m, &partial));
	}
}

static bool out(uint32_t offloads, const void *frame, size_t len, const struct kp_net_meta *m,
                struct linux_vnet_hdr *h)
{
	struct kp_net_frag f = { frame, len };

	return linux_vnet_out(MTU, offloads, &f, 1, len, m, h);
}

static void sent(void)
{
	static uint8_t frame[KP_NET_GSO_FRAME_MAX];
	struct linux_vnet_hdr h;
	struct kp_net_meta partial = { KP_NET_F_CSUM_PARTIAL, 34, 16, 0 };
	struct kp_net_meta tso = { KP_NET_F_CSUM_PARTIAL | KP_NET_F_TSO4, 34, 16, 1448 };
	struct kp_net_meta m;

	frame[34 + 12] = 8 << 4; /* a 32-byte TCP header */
	CHECK(out(0, frame, 60, NULL, &h) && h.flags == 0 && h.gso_type == 0);
	CHECK(!out(0, frame, 1515, NULL, &h));
	CHECK(out(ALL, frame, 1514, &partial, &h) && h.flags == LINUX_VNET_F_NEEDS_CSUM &&
	      h.csum_start == 34 && h.csum_offset == 16 && h.gso_type == 0);
	CHECK(!out(0, frame, 1514, &partial, &h));
	CHECK(!out(ALL, frame, 51, &partial, &h));
	m = partial;
	m.csum_start = 4;
	CHECK(!out(ALL, frame, 1514, &m, &h));
	m = partial;
	m.flags |= 0x80;
	CHECK(!out(ALL, frame, 1514, &m, &h));
	CHECK(out(ALL, frame, 60000, &tso, &h) && h.gso_type == LINUX_VNET_GSO_TCPV4 &&
	      h.gso_size == 1448 && h.hdr_len == 34 + 32);
	CHECK(!out(ALL & ~KP_NET_OFF_TX_TSO4, frame, 60000, &tso, &h));
	CHECK(!out(ALL, frame, 60000, &partial, &h)); /* large without TSO */
	CHECK(!out(ALL, frame, KP_NET_GSO_FRAME_MAX + 1, &tso, &h));
	m = tso;
	m.gso_size = 0;
	CHECK(!out(ALL, frame, 60000, &m, &h));
	m = tso;
	m.flags = KP_NET_F_TSO4; /* without the checksum */
	CHECK(!out(ALL, frame, 60000, &m, &h));
	frame[34 + 12] = 4 << 4; /* a data offset below 20 bytes */
	CHECK(!out(ALL, frame, 60000, &tso, &h));
}

/* A completed checksum is right for the data plus the pseudo-header sum
 * the field held before. */
static void completion(void)
{
	uint8_t f[99];
	uint32_t sum = 0x1234;

	for (unsigned i = 0; i < sizeof(f); i++)
		f[i] = (uint8_t)(i * 37 + 11);
	f[34 + 16] = 0x12; /* a pseudo-header sum */
	f[34 + 17] = 0x34;
	linux_csum_complete(f, sizeof(f), 34, 16);
	for (unsigned i = 34; i + 1 < sizeof(f); i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	sum += (uint32_t)f[sizeof(f) - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	CHECK(sum == 0xffff);
}

int main(void)
{
	received();
	sent();
	completion();
	if (failures) {
		printf("FAIL linux/vnet (%d)\n", failures);
		return 1;
	}
	printf("PASS linux/vnet\n");
	return 0;
}
