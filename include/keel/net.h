/*
 * keel/net.h — networking: addresses, a network stack instance, TCP
 * listen/accept/connect (connections are flows, keel/flow.h), UDP
 * datagrams, and name resolution.
 *
 * Two implementations provide exactly this interface; an application
 * links one of them and is written once:
 *   lib/net         the direct stack: Ethernet, ARP, IPv4, ICMP, UDP, TCP,
 *                   DHCP, DNS, on a platform net device (every target);
 *   lib/net-socket  the socket stack: the host kernel's sockets (linux only,
 *                   unprivileged, no TAP needed).
 *
 * Addresses carry their family from the start so that IPv6 can join
 * without changing any interface. Ports are in host byte order.
 *
 * Several stacks may live in one image (one per net device): all state is
 * in `struct keel_net`, none in globals.
 *
 * Every call that waits parks only the calling fiber and takes an absolute
 * monotonic deadline (KEEL_FOREVER: none); such calls MUST be made from a
 * fiber. Errors are negative `enum keel_err` values.
 */
#ifndef KEEL_NET_H
#define KEEL_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/core.h>
#include <keel/err.h>
#include <keel/flow.h>

/* ---- Addresses ----------------------------------------------------------- */

enum keel_af {
	KEEL_AF_UNSPEC = 0,
	KEEL_AF_INET4 = 4,
	KEEL_AF_INET6 = 6, /* reserved: not yet supported by either stack */
};

/* An IP address. For KEEL_AF_INET4 the address is in bytes[0..3] in
 * network order (10.0.0.2 is {10, 0, 0, 2}); the other bytes are zero. */
struct keel_addr {
	uint8_t family;
	uint8_t bytes[16];
};

/* An address and a port (host order). Port 0 means "any" where allowed. */
struct keel_sockaddr {
	struct keel_addr addr;
	uint16_t port;
};

/* Longest text of an address with its port, NUL included. */
#define KEEL_ADDR_STRLEN 48

/* Builds the IPv4 address a.b.c.d. */
struct keel_addr keel_addr_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

/* The unspecified address 0.0.0.0 (a listener on it takes any address). */
struct keel_addr keel_addr_any4(void);

/* True when both have the same family and bytes. */
bool keel_addr_equal(const struct keel_addr *a, const struct keel_addr *b);

/*
 * Parses a dotted-quad IPv4 address ("10.0.0.2": exactly four decimal
 * parts 0..255, no leading '+', no leading zeros beyond "0", nothing
 * after). Returns KEEL_OK or KEEL_EINVAL (*out untouched).
 */
int keel_addr_parse(const char *text, struct keel_addr *out);

/* Parses "ADDR:PORT" (port 0..65535). KEEL_OK or KEEL_EINVAL. */
int keel_sockaddr_parse(const char *text, struct keel_sockaddr *out);

/* Writes the text of `a` / `sa` ("10.0.0.2", "10.0.0.2:80") into buf,
 * always NUL-terminated when len > 0. Returns the length the full text
 * has (like snprintf). */
int keel_addr_format(const struct keel_addr *a, char *buf, size_t len);
int keel_sockaddr_format(const struct keel_sockaddr *sa, char *buf, size_t len);

/* ---- A stack instance ---------------------------------------------------- */

struct keel_net;

struct keel_net_config {
	/* Static IPv4 configuration. When addr.family is KEEL_AF_UNSPEC the
	 * direct stack asks DHCP for everything. */
	struct keel_addr addr;
	uint8_t prefix_len;       /* e.g. 24 */
	struct keel_addr gateway; /* UNSPEC: none (only the local subnet) */
	struct keel_addr dns;     /* UNSPEC: from DHCP, or none */
	/* Bounds of what peers can make the stack hold (0: the default). */
	uint32_t max_tcp_conns;   /* established + closing connections */
	uint32_t max_syn_backlog; /* half-open handshakes per stack */
	/* Packet buffers in the pool (direct stack; about 2.1 KiB each).
	 * 0: 512, or fewer when that would take more than a third of the
	 * heap free at keel_net_open (but at least 32).
	 * All connections share it: an eighth (at least 16) is kept for
	 * frames arriving and the stack's own replies, each connection
	 * holds at most as many buffers as are still free above that, and
	 * a peer whose window is closed pins at most a 32nd of those (at
	 * least 8). */
	uint32_t frame_buffers;
	uint32_t tcp_time_wait_ms;
	bool log_config;          /* log the address once configured */
};

/* Fills *cfg with defaults: no address (DHCP), default bounds. */
void keel_net_config_default(struct keel_net_config *cfg);

/*
 * Applies the network options found in argv to *cfg and removes them from
 * argv (compacting it, updating *argc), so main() sees only its own
 * arguments. Options: --ipv4=ADDR/PREFIX, --ipv4-gateway=ADDR, --dns=ADDR,
 * --max-conns=N. Returns KEEL_OK, or KEEL_EINVAL with a message naming the
 * bad option written to errbuf.
 */
int keel_net_config_args(struct keel_net_config *cfg, int *argc, char **argv, char *errbuf,
			 size_t errlen);

/*
 * Starts a stack. The direct stack attaches to the platform net device
 * named `device` (declared with KEEL_NET_DEVICE) and, without a static
 * address, runs DHCP until it has a lease or the deadline passes
 * (KEEL_ETIMEDOUT; the stack keeps trying in the background). A leased
 * address is first probed with ARP (RFC 5227, under a second): one that
 * another host answers for is declined (DHCPDECLINE) and, 10 s later,
 * another is asked for. The socket stack ignores `device` and the
 * address: it uses the host's. On success stores the stack in *out. May
 * block.
 */
int keel_net_open(const char *device, const struct keel_net_config *cfg, keel_time deadline,
		  struct keel_net **out);

/* The stack's configured IPv4 address (family UNSPEC before DHCP is done). */
struct keel_addr keel_net_addr(struct keel_net *net);

/*
 * Tears a stack down. The application MUST first close everything it
 * holds of it (flows with keel_close, listeners, UDP endpoints) and have
 * no call on it in progress (keel_tcp_connect, keel_resolve...); else
 * nothing is done and KEEL_EBUSY is returned.
 *
 * The direct stack gives the connections still ending (data or FIN not
 * yet acknowledged, closing handshakes) until `deadline` to finish in
 * order, then resets those left with a RST (a past deadline, such as 0:
 * at once; connections in TIME_WAIT are simply forgotten). A lease from
 * DHCP is given back with a DHCPRELEASE to its server. The device is let
 * go (keel_net_open may attach to it again), and every buffer, timer,
 * fiber and heap block of the stack is freed. The socket stack frees its
 * instance; the host's kernel ends the connections closed before.
 *
 * Returns KEEL_OK (`net` is gone), KEEL_EBUSY, or KEEL_EINVAL (NULL).
 * May block: until the deadline at most for TCP, and briefly to reach the
 * DHCP server.
 */
int keel_net_close(struct keel_net *net, keel_time deadline);

/* ---- TCP ----------------------------------------------------------------- */

struct keel_listener;

/*
 * Listens for TCP connections on `local` (address any or the stack's own;
 * port 1..65535). `backlog` bounds the established connections waiting for
 * keel_tcp_accept (0: a default). KEEL_EADDRINUSE when the port is taken.
 * Does not block.
 */
int keel_tcp_listen(struct keel_net *net, const struct keel_sockaddr *local, unsigned backlog,
		    struct keel_listener **out);

/*
 * Waits for the next established connection on `l` and stores it as a flow
 * in *out. The flow belongs to the caller (keel_close it). KEEL_ETIMEDOUT,
 * KEEL_ECLOSED (listener closed). May block.
 */
int keel_tcp_accept(struct keel_listener *l, struct keel_flow **out, struct keel_sockaddr *peer,
		    keel_time deadline);

/* Stops listening; pending connections are reset. Wakes accepters with
 * KEEL_ECLOSED. Does not block. */
void keel_tcp_listener_close(struct keel_listener *l);

/*
 * Opens a TCP connection to `remote`. KEEL_ECONNREFUSED (RST), KEEL_ETIMEDOUT,
 * KEEL_EHOSTUNREACH (no ARP answer / ICMP unreachable), KEEL_ENOMEM (the
 * connection bound). May block.
 */
int keel_tcp_connect(struct keel_net *net, const struct keel_sockaddr *remote,
		     keel_time deadline, struct keel_flow **out);

/* The endpoints of a TCP flow of this stack. KEEL_EINVAL for other flows. */
int keel_tcp_endpoints(struct keel_flow *f, struct keel_sockaddr *local,
		       struct keel_sockaddr *remote);

/* ---- UDP ----------------------------------------------------------------- */

struct keel_udp;

/* Binds a UDP endpoint to `local` (port 0: an ephemeral port).
 * KEEL_EADDRINUSE. Does not block. */
int keel_udp_bind(struct keel_net *net, const struct keel_sockaddr *local,
		  struct keel_udp **out);

/* Sends one datagram (len <= 65507). KEEL_EINVAL when too long;
 * KEEL_EHOSTUNREACH when the next hop cannot be resolved. May block
 * briefly for address resolution (bounded). */
long keel_udp_sendto(struct keel_udp *u, const void *buf, size_t len,
		     const struct keel_sockaddr *to);

/*
 * Receives one datagram into buf (the rest of a longer one is dropped) and
 * stores its source in *from (may be NULL). Returns its full length
 * (which may exceed `size`: then it was truncated), KEEL_ETIMEDOUT, or
 * KEEL_ECLOSED. May block.
 */
long keel_udp_recvfrom(struct keel_udp *u, void *buf, size_t size, struct keel_sockaddr *from,
		       keel_time deadline);

/* Closes the endpoint, wakes its receivers with KEEL_ECLOSED. */
void keel_udp_close(struct keel_udp *u);

/* ---- Names --------------------------------------------------------------- */

/*
 * Resolves `name` (a host name, or a dotted quad returned as is) to an
 * IPv4 address using the stack's DNS server. KEEL_ENOENT: no such name;
 * KEEL_ETIMEDOUT; KEEL_ENODEV: no DNS server configured. May block.
 */
int keel_resolve(struct keel_net *net, const char *name, struct keel_addr *out,
		 keel_time deadline);

/* ---- Counters ------------------------------------------------------------ */

struct keel_net_stats {
	uint64_t frames_in, frames_out, bytes_in, bytes_out;
	uint64_t drop_bad_frame;    /* too short, bad Ethernet header */
	uint64_t drop_not_for_us;   /* another MAC or IP */
	uint64_t drop_bad_ip;       /* header, length, checksum */
	uint64_t drop_bad_l4;       /* UDP/TCP/ICMP length or checksum */
	uint64_t drop_no_buffer;    /* pool exhausted */
	uint64_t drop_arp_pending;  /* ARP pending queue full */
	uint64_t drop_reasm;        /* fragments dropped: bound or timeout */
	uint64_t drop_other;
	uint64_t arp_requests_in, arp_replies_out;
	uint64_t icmp_echo_in, icmp_unreach_out, icmp_rate_limited;
	uint64_t udp_in, udp_out, udp_no_port;
	uint64_t tcp_in, tcp_out, tcp_retransmits, tcp_resets_out;
	uint64_t tcp_conns_opened, tcp_conns_refused, tcp_syn_cookies;
	uint64_t tcp_drop_bad;      /* bad checksum, options, out of window */
	uint32_t tcp_conns_live;
	uint32_t buffers_free, buffers_total;
};

/* Copies the stack's counters. */
void keel_net_stats(struct keel_net *net, struct keel_net_stats *out);

/* Prints every non-zero counter, one "name value" per line, via printf. */
void keel_net_stats_print(struct keel_net *net);

#endif
