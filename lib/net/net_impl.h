/*
 * net_impl.h — the private header of lib/net, the direct stack. Every
 * source file of lib/net includes this one header; nothing outside
 * lib/net (and its tests and fuzzers) does.
 *
 * Shape of the stack
 *   - Event-driven: frames arrive through the device watcher (iface.c),
 *     which reads a batch of frames into packet buffers and hands each to
 *     eth_input(); every layer consumes the buffer it is given (frees it,
 *     queues it, or passes it on) and never blocks. Fibers blocked in the
 *     API (accept, read, recvfrom) are woken through wait queues. TCP
 *     answers a run of frames of one batch once (tcp_output_soon).
 *   - Offloads (platform.h), used only when the device offers them: TCP
 *     sends partial checksums and runs of full send-queue buffers as one
 *     large segment (tcp_output.c, eth_output_frags); a large segment the
 *     device hands over lies in several buffers and is taken apart into
 *     ordinary segments, one per buffer (gso.c), of which those after
 *     the first take TCP's short way for in-order data when they may
 *     (tcp_input_pieces); a checksum the device vouches for is not
 *     verified again (NETBUF_CSUM_VERIFIED).
 *   - All state of one stack lives in `struct keel_net` (several stacks
 *     may share an image); protocol modules keep their own state behind
 *     the pointers below, created by their X_init().
 *   - Packet buffers come from a fixed pool made at keel_net_open; the
 *     receive and transmit fast paths never call malloc.
 *   - The pool is shared fairly (tcp_share.c): an eighth of it (at least
 *     16 buffers) is a reserve that TCP queues never take, so frames keep
 *     arriving (ACKs, SYNs, ARP, ICMP) and the stack's own replies keep
 *     going out; above it each connection holds at most as many buffers
 *     as are still free (at least 4); and written data past the peer's
 *     receive window is queued only up to a 32nd of the free part (at
 *     least 8 buffers), so peers that stop reading pin a little each, not
 *     a send buffer's worth. ARP's pending
 *     queue and IPv4 reassembly hold at most a quarter of the pool each,
 *     and each UDP endpoint's receive queue an eighth.
 *   - Payload is copied at most once each way inside the stack: on receive,
 *     TCP queues the buffers of in-order segments and read() copies out of
 *     them; on transmit, write() copies into MSS-sized buffers that keep
 *     headroom for the headers, and the same buffers are sent (and re-sent)
 *     with headers prepended in place.
 *
 * Byte order: every IPv4 address and port inside lib/net is kept in
 * network order in a uint32_t / uint16_t named *_be; conversion happens at
 * the API edge (keel_addr, host-order ports).
 */
#ifndef KEEL_NET_IMPL_H
#define KEEL_NET_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <keel/core.h>
#include <keel/err.h>
#include <keel/flow.h>
#include <keel/log.h>
#include <keel/net.h>
#include <keel/platform.h>

/* ---- Packet buffers (netbuf.c) ------------------------------------------- */

#define NETBUF_SIZE 2048   /* a whole 1514-byte frame plus headroom */
#define NETBUF_HEADROOM 128 /* room to prepend Ethernet + IPv4 + TCP headers */
#define NETBUF_CB_SIZE 48  /* per-layer scratch: the layer holding the buffer owns it */

enum netbuf_flags {
	NETBUF_CSUM_VERIFIED = 1 << 0, /* the device verified the L4 checksum */
	NETBUF_LINK_BCAST = 1 << 1,    /* received as an Ethernet broadcast */
	/* Sending: the TCP checksum field holds only the pseudo-header sum;
	 * the device completes it (KP_NET_F_CSUM_PARTIAL). */
	NETBUF_CSUM_PARTIAL = 1 << 2,
	/* Received: the IPv4 header was written by the stack itself from a
	 * header whose checksum it verified (gso.c), so ipv4_input() does
	 * not verify it again; its other checks still apply. */
	NETBUF_IP_HDR_OK = 1 << 3,
};

struct netbuf {
	struct netbuf *next; /* link in whatever queue holds the buffer */
	/*
	 * The rest of one IPv4 datagram too large for one buffer: a
	 * reassembled datagram (only ever handed to ICMP and UDP), or a large
	 * UDP/ICMP packet given to ipv4_output(). NULL otherwise. The head
	 * holds the headers; netbuf_free() of the head frees the whole chain.
	 */
	struct netbuf *more;
	uint8_t *data;       /* first valid byte, within buf[] */
	uint16_t len;        /* valid bytes from data */
	uint16_t refs;       /* holders; freed to the pool at zero */
	uint16_t flags;      /* enum netbuf_flags */
	uint16_t pad_;
	uint8_t cb[NETBUF_CB_SIZE] __attribute__((aligned(8)));
	uint8_t buf[NETBUF_SIZE];
};

struct netbuf_pool {
	struct netbuf *free_list;
	struct netbuf *all;  /* the array, for bounds checks */
	uint32_t total, free;
	uint32_t low_water;  /* fewest free ever seen */
};

int netbuf_pool_init(struct netbuf_pool *pool, uint32_t count);

/* A buffer with data = buf + NETBUF_HEADROOM, len 0, refs 1, flags 0;
 * NULL (and stats drop_no_buffer counted by the caller) when empty. */
struct netbuf *netbuf_alloc(struct keel_net *net);
/* The next n buffers netbuf_alloc() would give, in that order, into
 * out[], left in the pool; how many (fewer when the pool has fewer). */
unsigned netbuf_peek(const struct keel_net *net, struct netbuf **out, unsigned n);
void netbuf_ref(struct netbuf *nb);
/* Drops one reference; at zero the buffer returns to its pool. NULL-safe. */
void netbuf_free(struct keel_net *net, struct netbuf *nb);

/* Prepends n bytes of header room (NULL if the headroom is too small). */
static inline uint8_t *netbuf_push(struct netbuf *nb, size_t n)
{
	if ((size_t)(nb->data - nb->buf) < n)
		return NULL;
	nb->data -= n;
	nb->len += n;
	return nb->data;
}

/* Removes n bytes from the front (NULL if fewer than n are there). */
static inline uint8_t *netbuf_pull(struct netbuf *nb, size_t n)
{
	if (nb->len < n)
		return NULL;
	nb->data += n;
	nb->len -= n;
	return nb->data;
}

/* Room left after the valid bytes. */
static inline size_t netbuf_tailroom(const struct netbuf *nb)
{
	return (size_t)(nb->buf + NETBUF_SIZE - (nb->data + nb->len));
}

/* ---- Byte order and checksums (checksum.c) ------------------------------- */

static inline uint16_t net_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t net_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void net_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
uint16_t net_htons(uint16_t v);
uint32_t net_htonl(uint32_t v);
#define net_ntohs net_htons
#define net_ntohl net_htonl

/*
 * One's-complement sum of `len` bytes added to `sum` (not folded). Words
 * are taken as they sit in memory, so the folded result is stored into a
 * checksum field as is (memcpy), not with net_put16. Only the last piece
 * of data summed in several calls may have an odd length.
 */
uint32_t inet_sum(const void *data, size_t len, uint32_t sum);
/* Folds a sum to 16 bits and complements it: the checksum field value
 * (in the byte order of the data summed). */
uint16_t inet_fold(uint32_t sum);
/* The sum of the IPv4 pseudo-header for TCP/UDP (addresses in network
 * order as stored, proto, L4 length). */
uint32_t inet_pseudo_sum(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t l4_len);

/* ---- The stack ----------------------------------------------------------- */

struct arp_state;   /* arp.c */
struct ipv4_reasm;  /* ipv4_reasm.c */
struct icmp_state;  /* icmp.c */
struct udp_state;   /* udp.c */
struct tcp_state;   /* tcp_*.c */
struct dhcp_state;  /* dhcp.c */
struct dns_state;   /* dns.c */

/* Receive buffers for one large segment: KP_NET_GSO_FRAME_MAX bytes in
 * buffers of NETBUF_SIZE - NETBUF_HEADROOM. */
#define NET_RX_BUFS_MAX                                                                            \
	((KP_NET_GSO_FRAME_MAX + NETBUF_SIZE - NETBUF_HEADROOM - 1) / (NETBUF_SIZE - NETBUF_HEADROOM))
/* What of such a segment does not fit one buffer (iface.c: rx_spill). */
#define RX_SPILL_SIZE (KP_NET_GSO_FRAME_MAX - (NETBUF_SIZE - NETBUF_HEADROOM))

struct keel_net {
	/* Device */
	kp_handle dev;
	struct kp_net_info info;
	uint8_t mac[6];
	char device_name[32];

	/* IPv4 configuration (network order; 0 when unset) */
	uint32_t ip_be, netmask_be, gateway_be, dns_be;
	bool configured;          /* an address is set (static or leased) */
	struct keel_waitq config_wait; /* woken when `configured` changes */
	struct keel_net_config cfg;

	/* Buffers and counters */
	struct netbuf_pool pool;
	struct keel_net_stats stats;
	uint16_t ip_id;           /* next IPv4 identification */

	/* Protocol modules */
	struct arp_state *arp;
	struct ipv4_reasm *reasm;
	struct icmp_state *icmp;
	struct udp_state *udp;
	struct tcp_state *tcp;
	struct dhcp_state *dhcp;
	struct dns_state *dns;

	/* Random state for ISNs, ports, ids (seeded from kp_random). */
	uint64_t rng[2];

	/* Set while a run of frames is taken in: TCP then sends what they
	 * call for once, after the last (tcp_output_flush; iface.c). */
	bool rx_deferring;
	/* Wake-ups in a row that found a single frame, counted round the
	 * probing cycle (iface.c: RX_LONE_TRUSTED, RX_LONE_PROBE). */
	unsigned rx_lone;
	/* Frames in a row that fit one buffer (up to RX_FIT_SMALL), and
	 * where a read offering one buffer puts the rest of a larger frame
	 * (RX_SPILL_SIZE bytes; NULL without receive offload). iface.c. */
	unsigned rx_fit;
	uint8_t *rx_spill;
};

/* Fast non-cryptographic randomness of the stack (ports, ids, jitter). */
uint64_t net_random(struct keel_net *net);

/* Sets (or clears with 0) the IPv4 address; sends a gratuitous ARP;
 * wakes net->config_wait. */
void net_set_ipv4(struct keel_net *net, uint32_t ip_be, uint32_t netmask_be,
		  uint32_t gateway_be);

/* ---- Link layer (iface.c, ether.c, arp.c) -------------------------------- */

#define ETH_HLEN 14
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
extern const uint8_t eth_broadcast[6];

/* Sends the frame in nb (data at the Ethernet payload; the header is
 * prepended here). Consumes nb. */
int eth_output(struct keel_net *net, struct netbuf *nb, const uint8_t dst[6], uint16_t type);
/*
 * As eth_output, for an IPv4 datagram whose payload lies partly outside
 * nb: nb holds the headers and maybe the first payload bytes, `tail` the
 * rest (ntail + 1 < KP_NET_FRAGS_MAX pieces, not owned, only read before
 * it returns). With gso_size 0 the whole is one frame of at most the MTU;
 * else a TCP/IPv4 segment larger than the MTU that the device cuts into
 * segments of gso_size payload (KP_NET_F_TSO4; checksum partial).
 * Consumes nb.
 */
int eth_output_frags(struct keel_net *net, struct netbuf *nb, const uint8_t dst[6],
                     const struct kp_net_frag *tail, unsigned ntail, uint16_t gso_size);

/*
 * A large TCP/IPv4 segment the device handed over (KP_NET_F_GSO4), in
 * bufs[0..n) filled in order with `len` bytes: checked as a whole, then
 * taken in as one segment per buffer, each with a copy of the headers
 * (the first the full way, the others offered to tcp_input_pieces).
 * Consumes the buffers (gso.c).
 */
void gso_input(struct keel_net *net, struct netbuf **bufs, unsigned n, size_t len,
               const struct kp_net_meta *meta);

/* One received frame (data at the Ethernet header). Consumes nb. */
void eth_input(struct keel_net *net, struct netbuf *nb);

int arp_init(struct keel_net *net);
void arp_input(struct keel_net *net, struct netbuf *nb);
/*
 * Sends nb (data at the IPv4 header) to the next hop `next_hop_be`:
 * at once if its MAC is cached, else queues it (bounded; the oldest is
 * dropped) and sends an ARP request. Consumes nb.
 */
int arp_output(struct keel_net *net, struct netbuf *nb, uint32_t next_hop_be);
/* Copies the MAC of `next_hop_be` to mac when it is cached, reachable and
 * fresh (nothing to send first); false otherwise. Sends nothing. */
bool arp_lookup(struct keel_net *net, uint32_t next_hop_be, uint8_t mac[6]);
void arp_announce(struct keel_net *net); /* gratuitous ARP for our address */
/*
 * Waits until the MAC of `next_hop_be` is known (KEEL_OK, at once when
 * cached or a broadcast), its resolution failed (KEEL_EHOSTUNREACH, after
 * the request retries) or the deadline passed (KEEL_ETIMEDOUT); starts a
 * resolution when none is under way. MUST be called from a fiber. May block.
 */
int arp_resolve(struct keel_net *net, uint32_t next_hop_be, keel_time deadline);
/*
 * Address conflict detection before taking `ip_be` (RFC 5227 2.1, on a
 * shorter clock: under a second in all): ARP probes from 0.0.0.0, while
 * any ARP packet of another host that has the address, or probes for it
 * too, counts as a conflict. True when the address seems free, false on
 * a conflict. MUST be called from a fiber. Blocks.
 */
bool arp_probe(struct keel_net *net, uint32_t ip_be);

/* ---- IPv4 (ipv4_input.c, ipv4_output.c, ipv4_reasm.c) -------------------- */

#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17

/* What the IPv4 layer hands to ICMP, UDP and TCP with each packet. */
struct ipv4_meta {
	uint32_t src_be, dst_be;
	uint8_t proto, ttl, tos;
	bool broadcast;         /* sent to a broadcast address */
	uint8_t *ip_header;     /* in the same buffer, before data (for ICMP errors) */
	uint16_t ip_header_len;
};

void ipv4_input(struct keel_net *net, struct netbuf *nb); /* data at the IP header */

/*
 * Sends the L4 packet in nb (data at the L4 header) to dst_be with a
 * 20-byte header (no options). Fragments when it exceeds the MTU (only
 * UDP/ICMP ever need it). src_be 0 means the stack's own address.
 * Consumes nb. Returns KEEL_OK, KEEL_EHOSTUNREACH, KEEL_ENOMEM.
 */
int ipv4_output(struct keel_net *net, struct netbuf *nb, uint8_t proto, uint32_t src_be,
		uint32_t dst_be, uint8_t ttl);

/*
 * A TCP segment whose payload lies partly outside nb (nb: the TCP header
 * and maybe the first payload bytes; tail: the rest): with gso_size 0 one
 * segment that fits the MTU, sent once ipv4_hop_ready() said yes just
 * before; else one larger than the MTU for the device to cut into
 * segments of gso_size payload, once ipv4_tso_ready() said yes. Consumes nb.
 */
int ipv4_output_frags(struct keel_net *net, struct netbuf *nb, const struct kp_net_frag *tail,
                      unsigned ntail, size_t tail_len, uint16_t gso_size, uint32_t src_be,
                      uint32_t dst_be, const uint8_t hop_mac[6]);
/* Whether a segment to dst_be may go as one large segment now: the device
 * takes them and the next hop's MAC is known; *hop_mac is then set. */
bool ipv4_tso_ready(struct keel_net *net, uint32_t dst_be, uint8_t hop_mac[6]);
/* Whether the next hop's MAC towards dst_be is known (*hop_mac is then set). */
bool ipv4_hop_ready(struct keel_net *net, uint32_t dst_be, uint8_t hop_mac[6]);

/* Sets the total length of the IPv4 header at ip, updating its checksum
 * for that field alone (RFC 1624) instead of summing the header again:
 * a header whose checksum was right stays right. */
void ipv4_set_total_len(uint8_t *ip, uint16_t total);

/* The next hop towards dst_be: dst itself when on the local subnet or a
 * broadcast, else the gateway; 0 when there is no route. */
uint32_t ipv4_next_hop(struct keel_net *net, uint32_t dst_be);

int ipv4_reasm_init(struct keel_net *net);
/* Takes a fragment; returns a whole datagram in a buffer (data at the IP
 * header, total length fixed) when one is complete, else NULL. Consumes
 * nb. Bounded in memory and time. */
struct netbuf *ipv4_reasm_input(struct keel_net *net, struct netbuf *nb);

/* ---- ICMP, UDP, TCP entry points ----------------------------------------- */

int icmp_init(struct keel_net *net);
void icmp_input(struct keel_net *net, struct netbuf *nb, const struct ipv4_meta *ip);
/* Sends "destination unreachable" (code) about the packet whose IP header
 * and first bytes are in ip/orig. Rate-limited. Does not consume anything. */
void icmp_send_unreachable(struct keel_net *net, const struct ipv4_meta *ip, const uint8_t *l4,
			   size_t l4_len, uint8_t code);

/* Sends any ICMP error (type, code; `info` is the 4-byte field after the
 * checksum, host order) about a packet as icmp_send_unreachable() does:
 * never about ICMP errors, broadcasts or non-first fragments; rate-limited. */
void icmp_send_error(struct keel_net *net, uint8_t type, uint8_t code, uint32_t info,
		     const struct ipv4_meta *ip, const uint8_t *l4, size_t l4_len);

int udp_init(struct keel_net *net);
void udp_input(struct keel_net *net, struct netbuf *nb, const struct ipv4_meta *ip);

int tcp_init(struct keel_net *net);
/* One segment (data at the TCP header, len = header + payload, IP padding
 * already trimmed). Consumes nb. */
void tcp_input(struct keel_net *net, struct netbuf *nb, const struct ipv4_meta *ip);
/*
 * The pieces after the first of a large segment gso.c took apart
 * (bufs[0..n), each a whole frame whose headers, hlen bytes of Ethernet,
 * IPv4 and TCP, are the first piece's but for the sequence number, the
 * IPv4 length and PSH/FIN), once the first reached tcp_input(): takes
 * in, in order, the leading pieces the connection's in-order short way
 * accepts (tcp_input.c has the rule) and returns how many it consumed;
 * the caller hands the rest to eth_input().
 */
unsigned tcp_input_pieces(struct keel_net *net, struct netbuf **bufs, unsigned n, size_t hlen);
/* Sends what the segments of the last read called for (net->rx_deferring
 * held it back). */
void tcp_output_flush(struct keel_net *net);
/* ICMP errors about a segment we sent (unreachable, frag needed). */
void tcp_icmp_error(struct keel_net *net, uint8_t type, uint8_t code, const uint8_t *ip_header,
		    size_t len);

/* Called by keel_net_open only when the configuration has no static
 * address; starts the client (its own fiber), which calls net_set_ipv4(). */
int dhcp_init(struct keel_net *net);
int dns_init(struct keel_net *net);

/* ---- Teardown (close.c calls these for keel_net_close) ------------------- */

/* Whether the application holds a listener or connection, or has a call
 * on one in progress. */
bool tcp_busy(struct keel_net *net);
/* UDP endpoints bound (the application's, DHCP's, keel_resolve's). */
unsigned udp_bound_count(struct keel_net *net);
/* Lets the connections still ending finish until `deadline`, resets the
 * rest, frees TCP's state. May block. */
void tcp_free(struct keel_net *net, keel_time deadline);
/* Stops the DHCP client's fiber and releases its lease (DHCPRELEASE);
 * frees its state. May block briefly (ARP for the server). */
void dhcp_close(struct keel_net *net);
/* Each frees its module's state, buffers and timer. */
void arp_free(struct keel_net *net);
void ipv4_reasm_free(struct keel_net *net);
void icmp_free(struct keel_net *net);
void udp_free(struct keel_net *net);
void dns_free(struct keel_net *net);
/* Frees the pool; every buffer MUST be back in it. */
void netbuf_pool_free(struct netbuf_pool *pool);

#endif
