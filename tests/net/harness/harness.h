/*
 * tests/net/harness/harness.h — host test harness for lib/net.
 *
 * A test links the whole stack (lib/net, lib/core) built for the host
 * with ASan and UBSan, against a fake platform (platform.c) whose one net
 * device "service" (handle 0, MAC h_stack_mac, MTU h_mtu) is a pair of
 * queues:
 *   - frames the test injects are what kp_net_read() returns, in order;
 *     kp_yield() reports the device ready while any are waiting;
 *   - frames the stack writes are captured, in order, for the test to pop.
 * The monotonic clock is fake: it moves only when the loop sleeps (it
 * jumps to the next timer), so timeouts are exact and instant.
 *
 * Shape of a test:
 *
 *     static void body(void *arg)
 *     {
 *             struct keel_net *net = h_open(NULL);   // 10.0.0.2/24, gw 10.0.0.1
 *             h_learn_peer(net);                     // peer 10.0.0.1 in the ARP cache
 *             ... h_inject(frame, len); h_run(); h_pop(&f) ...
 *     }
 *     int main(void) { return h_main("net/example", body, NULL); }
 *
 * h_main runs `body` in a fiber under the real event loop and exits with
 * 0 when it returns (printing "PASS name"); CHECK() failing exits 1.
 * Everything that waits (h_run, h_advance, keel_udp_recvfrom...) must be
 * called from the body's fiber (or fibers it spawns).
 *
 * Addresses are uint32_t in network order (h_ip(10,0,0,1)), as inside
 * lib/net. The internal header net_impl.h is available to tests.
 */
#ifndef KEEL_TESTS_NET_HARNESS_H
#define KEEL_TESTS_NET_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "net_impl.h"

/* ---- Verdicts ------------------------------------------------------------ */

extern const char *h_test_name;

#ifndef CHECK
/* Stops the test with the failed condition and where it is. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			h_fail(__FILE__, __LINE__, #cond);                                         \
	} while (0)
#endif
void h_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* Runs body(arg) in a fiber under keel_loop_run; exits 0 when it returns. */
int h_main(const char *name, void (*body)(void *), void *arg);

/* ---- The fake device and clock ------------------------------------------- */

#define H_FRAME_MAX 2048
#define H_DEVICE "service"
#define H_HANDLE 0

struct h_frame {
	size_t len;
	struct kp_net_meta meta; /* injected frames: what the device says */
	uint8_t data[H_FRAME_MAX];
};

extern const uint8_t h_stack_mac[6]; /* 02:00:00:00:00:02 */
extern const uint8_t h_peer_mac[6];  /* 02:00:00:00:00:01, the peer at 10.0.0.1 */
/* The device's MTU (default 1500); set before h_open to test others. */
extern size_t h_mtu;
/*
 * Offloads the device offers (enum kp_net_offload; default none, or the
 * environment variable H_OFFLOADS, e.g. 0xf for all). With them the fake
 * device checks what the stack sends strictly (a breach fails the test),
 * completes partial checksums and cuts TSO frames into segments as a
 * real one would, so tests see ordinary frames either way.
 */
extern uint32_t h_offloads;
/* Frames sent with KP_NET_F_TSO4, and with only a partial checksum. */
extern unsigned long h_tso_frames, h_partial_frames;
/* Queues a frame with what the device says of it (flags, gso_size...).
 * Frames above H_FRAME_MAX (up to KP_NET_GSO_FRAME_MAX) are held apart
 * and read before the queue, one at a time. */
void h_inject_meta(const void *frame, size_t len, const struct kp_net_meta *meta);
/* Calls of kp_net_recv(), those that found nothing included, and the
 * number of pieces and bytes of room the last call offered. */
extern unsigned long h_rx_reads;
extern unsigned h_rx_last_nbufs;
extern size_t h_rx_last_room;
/* When not KEEL_OK, kp_net_write() fails with it (the frame is not captured). */
extern int h_write_error;
/* The fake monotonic clock. */
extern kp_time h_clock;
/* What keel_heap_stats reports free (default 64 MiB): lib/net sizes a
 * pool the configuration leaves to it from it. */
extern size_t h_heap_free;

/* Queues a frame for the stack to read (copied; at most H_FRAME_MAX). */
void h_inject(const void *frame, size_t len);
/* Frames injected and not yet read by the stack. */
size_t h_rx_pending(void);
/* Frames the stack wrote and the test has not popped. */
size_t h_tx_pending(void);
/* Frames the stack ever wrote. */
unsigned long h_tx_total(void);
/* Pops the oldest captured frame into *f; false when there is none. */
bool h_pop(struct h_frame *f);
/* Drops every captured frame. */
void h_tx_clear(void);

/* ---- Running the stack --------------------------------------------------- */

/*
 * Opens the stack on the fake device. NULL: 10.0.0.2/24, gateway
 * 10.0.0.1, default bounds, no log line. Otherwise cfg as given
 * (KEEL_AF_UNSPEC address: DHCP; then the open waits for it, bounded by
 * one second of fake time). Checks that it succeeds (or, with DHCP, times
 * out) and pops the gratuitous ARP of a static address.
 */
struct keel_net *h_open(const struct keel_net_config *cfg);
/* Lets the stack read every injected frame and lets runnable fibers run,
 * until nothing more happens; the clock does not move. */
void h_run(void);
/* Moves the clock forward by dt, firing every timer due on the way in
 * order, then h_run(). */
void h_advance(keel_time dt);
/* Puts the peer 10.0.0.1 (h_peer_mac) in the stack's ARP cache by sending
 * it an ARP request, and pops the reply. */
void h_learn_peer(struct keel_net *net);

/* ---- Building frames (each returns the frame's length) ------------------- */

uint32_t h_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
#define H_STACK_IP h_ip(10, 0, 0, 2)
#define H_PEER_IP h_ip(10, 0, 0, 1)

/* Ethernet header: dst, src, type. */
size_t h_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type);

/* A whole ARP frame (Ethernet dst broadcast for requests, tha for replies). */
size_t h_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
             uint32_t tpa);

/* IPv4 header fields for h_ipv4(). frag is the flags+offset field as on
 * the wire (0x2000 MF, 0x4000 DF, offset in 8-byte units). */
struct h_ipv4_hdr {
	uint32_t src, dst;
	uint8_t proto, ttl, tos;
	uint16_t id, frag;
	const uint8_t *options; /* a multiple of 4 bytes, at most 40 */
	size_t options_len;
};

/* A whole frame: Ethernet (to h_stack_mac from h_peer_mac) + IPv4 header
 * (checksum right) + payload. */
size_t h_ipv4(uint8_t *f, const struct h_ipv4_hdr *ip, const void *payload, size_t len);
/* Recomputes the IPv4 header checksum of a frame built by h_ipv4. */
void h_ipv4_fix_csum(uint8_t *f);

/* A UDP datagram (header + payload, checksum over src/dst) into out. */
size_t h_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
             const void *payload, size_t len);
/* An ICMP echo message (type 8 request or 0 reply) into out. */
size_t h_icmp_echo(uint8_t *out, uint8_t type, uint16_t id, uint16_t seq, const void *payload,
                   size_t len);

/* Shortcuts: a whole frame from the peer to the stack, injected. */
void h_inject_udp(uint16_t sport, uint16_t dport, const void *payload, size_t len);
void h_inject_ping(uint16_t id, uint16_t seq, const void *payload, size_t len);

/* ---- Reading captured frames --------------------------------------------- */

/* An IPv4 frame taken apart (pointers into the frame). */
struct h_ipv4_view {
	const uint8_t *eth; /* dst, src, type */
	const uint8_t *ip;  /* the header */
	size_t ip_hlen, ip_total;
	uint32_t src, dst;
	uint8_t proto;
	uint16_t id, frag;
	const uint8_t *l4; /* payload of this packet (or fragment) */
	size_t l4_len;
};

/* Checks the Ethernet type, the IPv4 header and its checksum, and that
 * the frame came from h_stack_mac; fills *v. false if anything is off. */
bool h_parse_ipv4(const struct h_frame *f, struct h_ipv4_view *v);

/* Whether the one's-complement checksum over data (plus `pseudo`, from
 * inet_pseudo_sum, or 0) is right. */
bool h_csum_ok(const void *data, size_t len, uint32_t pseudo);

/*
 * Pops captured frames until a whole IPv4 datagram is assembled (its
 * fragments in any order; other frames are skipped and dropped). Copies
 * its L4 bytes into out (size bytes), stores the header view of its first
 * fragment in *first, and returns the L4 length; 0 when none completes.
 * *nfrags: how many frames it came in.
 */
size_t h_pop_datagram(uint8_t *out, size_t size, struct h_ipv4_view *first, unsigned *nfrags);

#endif
