/*
 * dns_impl.h — the DNS stub resolver of lib/net (RFC 1035, with the TTL
 * rules of RFC 2181).
 *
 * dns_msg.c holds the message format: host names to and from the wire,
 * the query, and a strict, bounded parser of responses. dns_cache.c is a
 * small cache of answers that honours their TTLs. Both touch no stack
 * state, so unit tests (tests/net/dns_*_test.c) and the fuzzer (fuzz/dns.c)
 * call them directly. dns.c is keel_resolve(): the exchange with the
 * server over UDP, and over TCP (dns_tcp.c) when an answer was truncated
 * before any address.
 *
 * Names inside the resolver are kept in wire form (length-prefixed labels
 * ending with a zero byte, uncompressed, at most DNS_NAME_WIRE_MAX bytes):
 * comparisons then need no text escaping, whatever bytes a server puts in
 * a label.
 */
#ifndef KEEL_DNS_IMPL_H
#define KEEL_DNS_IMPL_H

#include "net_impl.h"

#define DNS_PORT 53
#define DNS_HEADER_LEN 12
#define DNS_NAME_TEXT_MAX 253 /* a host name's text, without a final dot */
#define DNS_NAME_WIRE_MAX 255 /* the same in wire form, final zero included */
#define DNS_LABEL_MAX 63
#define DNS_UDP_MAX 512  /* a response over UDP without EDNS */
#define DNS_CNAME_MAX 8  /* links of a CNAME chain we follow */
#define DNS_JUMPS_MAX 64 /* compression pointers within one name */

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_CLASS_IN 1

#define DNS_RCODE_OK 0
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

/*
 * Turns a host name ("www.keel.test", a final dot allowed) into wire form
 * in out[DNS_NAME_WIRE_MAX]. Labels are 1..63 characters of letters,
 * digits, '-' and '_'; the text is at most 253 characters. Returns the
 * wire length (>= 2), or KEEL_EINVAL.
 */
int dns_name_from_text(const char *text, uint8_t *out);

/* Writes the dotted text of a wire name into buf (NUL-terminated, truncated
 * to `size`); bytes outside printable ASCII and '.' inside a label become
 * '?'. Returns the length the whole text has. */
size_t dns_name_to_text(const uint8_t *wire, char *buf, size_t size);

/* True when both wire names are the same, ASCII letters compared without
 * case (RFC 4343). */
bool dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/*
 * Reads the (possibly compressed) name at msg[off] into out (wire form,
 * DNS_NAME_WIRE_MAX bytes) and stores its length in *out_len and the
 * offset just after it in the message (after the first pointer, when it
 * has one) in *next. A pointer must point before the start of the run of
 * labels it ends, so every jump goes strictly backwards and a loop is
 * impossible; at most DNS_JUMPS_MAX jumps. Label types other than plain
 * and pointer, and names over 255 bytes, are refused. Returns KEEL_OK or
 * KEEL_EINVAL. Reads only msg[0..len).
 */
int dns_name_read(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t *out_len,
                  size_t *next);

/* Writes a recursive query (RD set) for (qname, qtype, class IN) with this
 * id into buf. Returns its length, or 0 when `size` is too small. */
size_t dns_build_query(uint8_t *buf, size_t size, uint16_t id, const uint8_t *qname,
                       size_t qname_len, uint16_t qtype);

/* What a response says about the name asked for. */
struct dns_result {
	uint8_t rcode;
	bool truncated;      /* TC: only the complete records were used */
	bool have_addr;      /* an A record at the end of the chain */
	uint32_t addr_be;    /* the first such record's address */
	uint32_t ttl;        /* the smallest TTL along the chain (seconds) */
	uint8_t chain;       /* CNAME links followed */
	bool chain_too_long; /* more than DNS_CNAME_MAX links (or a loop) */
	/* When the chain ends in a CNAME whose target has no record here: the
	 * name to ask for next (wire form). */
	uint8_t cname[DNS_NAME_WIRE_MAX];
	size_t cname_len;
};

/*
 * Parses a response to the query (id, qname, qtype A, class IN): header
 * (QR set, opcode 0, exactly one question, which must be ours), then the
 * answer section, following CNAMEs from qname for at most DNS_CNAME_MAX
 * links (res->chain_too_long past that). Records of other classes and
 * types are skipped; an A record must have 4 bytes of data, a CNAME's
 * name must fill its data exactly. With TC set, a record cut off by the
 * end ends the section instead of making the message invalid. Returns KEEL_OK (res->rcode tells
 * NXDOMAIN and others); KEEL_ENOENT when it is not a response to this query (id, QR, question);
 * KEEL_EINVAL when malformed. Reads only msg[0..len). Does not block.
 */
int dns_parse_response(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *qname,
                       size_t qname_len, struct dns_result *res);

/* ---- TCP (dns_tcp.c) ------------------------------------------------------ */

#define DNS_TCP_MAX 4096 /* the longest reply over TCP we read */

/*
 * Sends `query` to the stack's DNS server over a new TCP connection and
 * reads one reply into reply[0..size), storing its length in *reply_len.
 * KEEL_OK; KEEL_ERANGE when the reply is longer than `size`; KEEL_EIO when
 * the server closes early; errors of keel_tcp_connect and the flow. May
 * block (until `deadline`).
 */
int dns_exchange_tcp(struct keel_net *net, const uint8_t *query, size_t query_len, uint8_t *reply,
                     size_t size, size_t *reply_len, keel_time deadline);

/* ---- Cache (dns_cache.c) ------------------------------------------------ */

#define DNS_CACHE_ENTRIES 16
#define DNS_TTL_MAX (24u * 3600) /* longer TTLs are cut to a day */

struct dns_cache_entry {
	uint8_t name[DNS_NAME_WIRE_MAX]; /* wire form, letters lower-cased */
	uint8_t name_len;                /* 0: the slot is free */
	uint32_t addr_be;
	keel_time expires;
};

struct dns_cache {
	struct dns_cache_entry e[DNS_CACHE_ENTRIES];
	uint64_t hits, misses;
};

/* Looks `name` up at time `now`: KEEL_OK with *addr_be, or KEEL_ENOENT
 * (absent or expired; an expired entry is freed). */
int dns_cache_get(struct dns_cache *c, const uint8_t *name, size_t len, keel_time now,
                  uint32_t *addr_be);

/* Stores an answer valid for ttl_s seconds from `now` (0: not stored; cut
 * to DNS_TTL_MAX). Replaces the entry of the same name, else a free or
 * expired slot, else the one that expires first. */
void dns_cache_put(struct dns_cache *c, const uint8_t *name, size_t len, uint32_t addr_be,
                   uint32_t ttl_s, keel_time now);

#endif
