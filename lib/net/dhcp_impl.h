/*
 * dhcp_impl.h — the DHCP client of lib/net (RFC 2131, options of RFC 2132).
 *
 * dhcp_msg.c holds the message format: building the client's requests and
 * a strict, bounded parser of server replies. Those functions touch no
 * stack state, so unit tests (tests/net/dhcp_*_test.c) and the fuzzer
 * (fuzz/dhcp.c) call them directly. dhcp.c is the client itself: one fiber
 * per stack that takes, keeps and gives up a lease.
 */
#ifndef KEEL_DHCP_IMPL_H
#define KEEL_DHCP_IMPL_H

#include "net_impl.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

#define DHCP_FIXED_LEN 236   /* op .. file: the BOOTP header */
#define DHCP_COOKIE_OFF 236  /* the magic cookie 99.130.83.99 */
#define DHCP_OPTIONS_OFF 240 /* the first option */
#define DHCP_SNAME_OFF 44    /* sname[64]: options when overloaded */
#define DHCP_SNAME_LEN 64
#define DHCP_FILE_OFF 108 /* file[128]: options when overloaded */
#define DHCP_FILE_LEN 128
#define DHCP_MIN_MSG 300 /* requests are padded to the BOOTP minimum */
/* Largest reply we take: a whole 1500-byte IP datagram less its IPv4 and
 * UDP headers (we announce this size in option 57). */
#define DHCP_MAX_MSG 1472
#define DHCP_MAX_DNS 3 /* DNS servers kept from option 6 */

#define DHCP_OP_REQUEST 1
#define DHCP_OP_REPLY 2
#define DHCP_FLAG_BROADCAST 0x8000

/* Message types (option 53). */
enum dhcp_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
	DHCP_INFORM = 8,
};

/* Option codes the client reads or writes. */
enum dhcp_option {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PARAM_LIST = 55,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_T1 = 58,
	DHCP_OPT_T2 = 59,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_END = 255,
};

/* Which optional fields of a parsed reply were present. */
enum dhcp_have {
	DHCP_HAVE_SERVER_ID = 1 << 0,
	DHCP_HAVE_NETMASK = 1 << 1,
	DHCP_HAVE_ROUTER = 1 << 2,
	DHCP_HAVE_DNS = 1 << 3,
	DHCP_HAVE_LEASE = 1 << 4,
	DHCP_HAVE_T1 = 1 << 5,
	DHCP_HAVE_T2 = 1 << 6,
};

/* What the client keeps of a server's reply. Addresses in network order. */
struct dhcp_reply {
	uint8_t type;  /* enum dhcp_type */
	uint16_t have; /* enum dhcp_have bits */
	uint32_t xid;
	uint32_t yiaddr_be; /* the address offered or acknowledged */
	uint32_t siaddr_be;
	uint32_t server_id_be, netmask_be, router_be; /* router: the first listed */
	uint32_t dns_be[DHCP_MAX_DNS];
	uint8_t dns_count;
	uint32_t lease_s, t1_s, t2_s; /* 0xffffffff: infinite */
};

/*
 * Parses a server's reply of `len` bytes. It must be a BOOTREPLY for
 * Ethernet (htype 1, hlen 6) with the magic cookie, carry a DHCP message
 * type, and every option (in the options field and, when option 52 says
 * so, in `file` then `sname`) must lie wholly inside its area with a
 * length that suits its code. Repeated options: the first one counts.
 * Returns KEEL_OK with *out filled; KEEL_ENOENT when the message is well
 * formed enough to tell it is not ours (another xid or chaddr);
 * KEEL_EINVAL when malformed (*out is then unspecified). Reads only
 * msg[0..len). Does not block.
 */
int dhcp_parse_reply(const uint8_t *msg, size_t len, uint32_t xid, const uint8_t mac[6],
                     struct dhcp_reply *out);

/* What the client sends. Zero addresses are left out (options 50, 54) or
 * sent as zero (ciaddr). */
struct dhcp_request {
	uint8_t type; /* DHCP_DISCOVER, DHCP_REQUEST, DHCP_RELEASE, ... */
	uint32_t xid;
	uint16_t secs;  /* seconds since the client began this exchange */
	bool broadcast; /* ask the server to broadcast its reply */
	uint8_t mac[6];
	uint32_t ciaddr_be;    /* our address while renewing/rebinding */
	uint32_t requested_be; /* option 50 */
	uint32_t server_id_be; /* option 54 */
};

/*
 * Writes the request into buf (at most `size` bytes): the BOOTP header,
 * the cookie, options 53, 61 (client id from the MAC), 50 and 54 when
 * set, 55 (parameters we want) and 57, End, then zero padding to
 * DHCP_MIN_MSG. Returns the length, or 0 when `size` is too small.
 */
size_t dhcp_build_request(uint8_t *buf, size_t size, const struct dhcp_request *req);

/*
 * The retransmission wait before attempt `attempt` (0, 1, ...) in ms:
 * 4 s, 8 s, 16 s, 32 s, then 64 s for every later attempt, each moved by
 * a uniform jitter of -1..+1 s taken from `rnd` (RFC 2131 4.1).
 */
keel_time dhcp_backoff_ms(unsigned attempt, uint64_t rnd);

/* Lease times in seconds after the request was sent, made consistent:
 * t1 <= t2 <= lease, defaults 1/2 and 7/8 of the lease (RFC 2131 4.4.5);
 * DHCP_INFINITE everywhere for an infinite lease. */
#define DHCP_INFINITE 0xffffffffu
#define DHCP_MIN_LEASE 8 /* seconds: shorter leases are taken as this */
struct dhcp_times {
	uint32_t t1_s, t2_s, lease_s;
};
void dhcp_lease_times(const struct dhcp_reply *r, struct dhcp_times *out);

/* The classful netmask of an address, for a server that sends none. */
uint32_t dhcp_default_netmask(uint32_t ip_be);

/* True for an address a server may hand us: not 0, broadcast, loopback,
 * multicast or class E. */
bool dhcp_addr_usable(uint32_t ip_be);

#endif
