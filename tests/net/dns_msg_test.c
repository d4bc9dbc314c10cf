/*
 * dns_msg_test — the DNS message format of lib/net (dns_msg.c) and its
 * cache (dns_cache.c): host names to and from wire form, the query, and
 * the response parser fed good answers, CNAME chains, compression loops,
 * over-long names, wrong ids and questions, truncation, and mutations.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dns_impl.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define ID 0xbeef

static uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t v[4] = { a, b, c, d };
	uint32_t out;

	memcpy(&out, v, 4);
	return out;
}

static size_t wire(const char *text, uint8_t *out)
{
	int n = dns_name_from_text(text, out);

	CHECK(n > 0);
	return (size_t)n;
}

/* ---- A response under construction --------------------------------------- */

struct msg {
	uint8_t b[2048];
	size_t len;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put16(struct msg *m, uint16_t v)
{
	net_put16(m->b + m->len, v);
	m->len += 2;
}

static void put32(struct msg *m, uint32_t v)
{
	net_put32(m->b + m->len, v);
	m->len += 4;
}

/* Header: id, flags (QR set, RD, RA, rcode), counts. */
static void header(struct msg *m, uint16_t id, uint8_t rcode, uint16_t qd, uint16_t an)
{
	memset(m, 0, sizeof(*m));
	put16(m, id);
	put16(m, (uint16_t)(0x8180 | rcode));
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static void question(struct msg *m, const char *name)
{
	uint8_t w[DNS_NAME_WIRE_MAX];

	put(m, w, wire(name, w));
	put16(m, DNS_TYPE_A);
	put16(m, DNS_CLASS_IN);
}

/* A record whose owner is the name at `owner_off` (a pointer). */
static void rr_head(struct msg *m, uint16_t owner_off, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	put16(m, (uint16_t)(0xc000 | owner_off));
	put16(m, type);
	put16(m, DNS_CLASS_IN);
	put32(m, ttl);
	put16(m, rdlen);
}

static void rr_a(struct msg *m, uint16_t owner_off, uint32_t ttl, uint32_t addr_be)
{
	rr_head(m, owner_off, DNS_TYPE_A, ttl, 4);
	put(m, &addr_be, 4);
}

/* A CNAME of the name at owner_off to `target` (written out whole);
 * returns the offset of the target name. */
static uint16_t rr_cname(struct msg *m, uint16_t owner_off, uint32_t ttl, const char *target)
{
	uint8_t w[DNS_NAME_WIRE_MAX];
	size_t n = wire(target, w);
	uint16_t at;

	rr_head(m, owner_off, DNS_TYPE_CNAME, ttl, (uint16_t)n);
	at = (uint16_t)m->len;
	put(m, w, n);
	return at;
}

struct query {
	uint8_t name[DNS_NAME_WIRE_MAX];
	size_t len;
};

static struct query q_of(const char *name)
{
	struct query q;

	q.len = wire(name, q.name);
	return q;
}

static int parse(const struct msg *m, const struct query *q, struct dns_result *res)
{
	/* Exactly len bytes on the heap, so ASan sees any read past the end. */
	uint8_t *copy = malloc(m->len ? m->len : 1);
	int err;

	memcpy(copy, m->b, m->len);
	err = dns_parse_response(copy, m->len, ID, q->name, q->len, res);
	free(copy);
	return err;
}

/* ---- Names ------------------------------------------------------------------- */

static void test_names(void)
{
	uint8_t w[DNS_NAME_WIRE_MAX], w2[DNS_NAME_WIRE_MAX];
	char text[400], big[400];
	int n;

	n = dns_name_from_text("www.keel.test", w);
	CHECK(n == 15 && memcmp(w, "\3www\4keel\4test", 15) == 0);
	CHECK(dns_name_from_text("www.keel.test.", w2) == 15 && memcmp(w, w2, 15) == 0);
	CHECK(dns_name_from_text("a", w) == 3 && memcmp(w, "\1a", 3) == 0);
	CHECK(dns_name_from_text("_srv-x.A-1.b_2", w) > 0);

	CHECK(dns_name_from_text("", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text(".", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("..", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("a..b", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text(".a", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("a.b..", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("a b", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("a\\.b", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("caf\xc3\xa9", w) == KEEL_EINVAL);
	CHECK(dns_name_from_text("a/b", w) == KEEL_EINVAL);

	/* Labels: 63 characters are fine, 64 are not. */
	memset(big, 'x', 63);
	strcpy(big + 63, ".test");
	CHECK(dns_name_from_text(big, w) == 63 + 1 + 5 + 1);
	memset(big, 'x', 64);
	strcpy(big + 64, ".test");
	CHECK(dns_name_from_text(big, w) == KEEL_EINVAL);
	memset(big, 'x', 64);
	big[64] = 0;
	CHECK(dns_name_from_text(big, w) == KEEL_EINVAL);

	/* Whole names: 253 characters are fine (255 in wire form), 254 not,
	 * with or without the final dot. */
	for (int i = 0; i < 253; i++)
		big[i] = i % 2 ? '.' : 'a';
	big[253] = 0; /* "a.a. ... .a": 127 labels */
	CHECK(dns_name_from_text(big, w) == 255);
	big[253] = '.';
	big[254] = 0;
	CHECK(dns_name_from_text(big, w) == 255);
	big[253] = 'b'; /* "... .ab": 254 characters */
	CHECK(dns_name_from_text(big, w) == KEEL_EINVAL);
	memset(big, 'a', 390);
	big[390] = 0;
	CHECK(dns_name_from_text(big, w) == KEEL_EINVAL);

	/* Back to text. */
	n = dns_name_from_text("Www.Keel.Test", w);
	CHECK(dns_name_to_text(w, text, sizeof(text)) == 13 && strcmp(text, "Www.Keel.Test") == 0);
	CHECK(dns_name_to_text(w, text, 4) == 13 && strcmp(text, "Www") == 0);
	CHECK(dns_name_to_text((const uint8_t *)"\3a.b\2\x01z", text, sizeof(text)) == 6 &&
	      strcmp(text, "a?b.?z") == 0);
	CHECK(dns_name_to_text((const uint8_t *)"", text, sizeof(text)) == 0 && text[0] == 0);

	/* Comparison without case. */
	dns_name_from_text("www.keel.test", w2);
	CHECK(dns_name_equal(w, 15, w2, 15));
	CHECK(!dns_name_equal(w, 15, w2, 14));
	dns_name_from_text("www.keel.tesu", w2);
	CHECK(!dns_name_equal(w, 15, w2, 15));
	/* '@' and '`' differ from letters by case bit but are not letters. */
	CHECK(!dns_name_equal((const uint8_t *)"\1@", 3, (const uint8_t *)"\1`", 3));
}

static void test_name_read(void)
{
	uint8_t out[DNS_NAME_WIRE_MAX];
	size_t out_len, next;
	struct msg m;

	/* Plain, then compressed into the first. */
	memset(&m, 0, sizeof(m));
	m.len = 12;
	put(&m, "\3www\4keel\4test", 15); /* at 12 */
	put(&m, "\3api\xc0\x10", 6);      /* at 27: api + keel.test (16) */
	put(&m, "\xc0\x1b", 2);           /* at 33: pointer to 27 */
	CHECK(dns_name_read(m.b, m.len, 12, out, &out_len, &next) == KEEL_OK);
	CHECK(out_len == 15 && next == 27 && memcmp(out, "\3www\4keel\4test", 15) == 0);
	CHECK(dns_name_read(m.b, m.len, 27, out, &out_len, &next) == KEEL_OK);
	CHECK(out_len == 15 && next == 33 && memcmp(out, "\3api\4keel\4test", 15) == 0);
	CHECK(dns_name_read(m.b, m.len, 33, out, &out_len, &next) == KEEL_OK);
	CHECK(out_len == 15 && next == 35 && memcmp(out, "\3api\4keel\4test", 15) == 0);
	/* Cut anywhere: refused. */
	for (size_t len = 12; len < 27; len++)
		CHECK(dns_name_read(m.b, len, 12, out, &out_len, &next) == KEEL_EINVAL);
	CHECK(dns_name_read(m.b, 34, 33, out, &out_len, &next) == KEEL_EINVAL);

	/* A pointer to itself, forward, and into its own run. */
	memset(&m, 0, sizeof(m));
	m.len = 12;
	put(&m, "\xc0\x0c", 2);
	CHECK(dns_name_read(m.b, m.len, 12, out, &out_len, &next) == KEEL_EINVAL);
	put(&m, "\xc0\x10\0\0", 4); /* at 14: forward to 16 */
	CHECK(dns_name_read(m.b, m.len, 14, out, &out_len, &next) == KEEL_EINVAL);
	put(&m, "\1a\1b\xc0\x14", 6); /* at 18: a b -> 20 ("b" again) */
	CHECK(dns_name_read(m.b, m.len, 18, out, &out_len, &next) == KEEL_EINVAL);
	/* Two names pointing at each other. */
	memset(&m, 0, sizeof(m));
	m.len = 12;
	put(&m, "\1a\xc0\x10", 4); /* 12: a -> 16 */
	put(&m, "\1b\xc0\x0c", 4); /* 16: b -> 12 */
	CHECK(dns_name_read(m.b, m.len, 16, out, &out_len, &next) == KEEL_EINVAL);
	CHECK(dns_name_read(m.b, m.len, 12, out, &out_len, &next) == KEEL_EINVAL);

	/* Label types 0x40 and 0x80. */
	memset(&m, 0, sizeof(m));
	put(&m, "\x41\0", 2);
	CHECK(dns_name_read(m.b, m.len, 0, out, &out_len, &next) == KEEL_EINVAL);
	memset(&m, 0, sizeof(m));
	put(&m, "\x80\0", 2);
	CHECK(dns_name_read(m.b, m.len, 0, out, &out_len, &next) == KEEL_EINVAL);
	/* Offset at or past the end. */
	CHECK(dns_name_read(m.b, 2, 2, out, &out_len, &next) == KEEL_EINVAL);
	CHECK(dns_name_read(m.b, 2, 100, out, &out_len, &next) == KEEL_EINVAL);

	/* A long chain of backward pointers, each adding a label: longer than
	 * 255 bytes in all, so refused, however the pointers go. */
	memset(&m, 0, sizeof(m));
	put(&m, "\0", 1);
	for (int i = 0; i < 200; i++) {
		uint16_t prev = (uint16_t)(m.len - (i ? 4 : 1));

		put(&m, "\1x", 2);
		put16(&m, (uint16_t)(0xc000 | prev));
	}
	CHECK(dns_name_read(m.b, m.len, m.len - 4, out, &out_len, &next) == KEEL_EINVAL);
	/* ... and a short one is fine, and counts its bytes. */
	CHECK(dns_name_read(m.b, m.len, 1 + 4 * 9, out, &out_len, &next) == KEEL_OK);
	CHECK(out_len == 10 * 2 + 1 && next == 1 + 4 * 10);

	/* More jumps than allowed, each to an empty run: "\xc0\x00" chains. */
	memset(&m, 0, sizeof(m));
	put(&m, "\0", 1);
	for (int i = 0; i < DNS_JUMPS_MAX + 5; i++)
		put16(&m, (uint16_t)(0xc000 | (i ? m.len - 2 : 0)));
	CHECK(dns_name_read(m.b, m.len, 1 + 2 * (DNS_JUMPS_MAX - 1), out, &out_len, &next) ==
	      KEEL_OK);
	CHECK(dns_name_read(m.b, m.len, 1 + 2 * DNS_JUMPS_MAX, out, &out_len, &next) ==
	      KEEL_EINVAL);

	/* 255 bytes by labels alone: fine; 257 are not. */
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 4; i++) {
		m.b[m.len++] = 63;
		memset(m.b + m.len, 'y', 63);
		m.len += 63;
	}
	m.b[m.len++] = 0;
	CHECK(dns_name_read(m.b, m.len, 0, out, &out_len, &next) == KEEL_EINVAL); /* 257 */
	m.b[192] = 61;
	m.b[192 + 62] = 0;
	CHECK(dns_name_read(m.b, m.len, 0, out, &out_len, &next) == KEEL_OK);
	CHECK(out_len == 255);
}

static void test_query(void)
{
	uint8_t b[600];
	struct query q = q_of("www.keel.test");

	CHECK(dns_build_query(b, sizeof(b), 0x1234, q.name, q.len, DNS_TYPE_A) == 12 + 15 + 4);
	CHECK(memcmp(b, "\x12\x34\x01\x00\0\1\0\0\0\0\0\0", 12) == 0);
	CHECK(memcmp(b + 12, "\3www\4keel\4test", 15) == 0);
	CHECK(memcmp(b + 27, "\0\1\0\1", 4) == 0);
	CHECK(dns_build_query(b, 30, 1, q.name, q.len, DNS_TYPE_A) == 0);
}

/* ---- Responses --------------------------------------------------------------- */

static void test_simple(void)
{
	struct query q = q_of("www.keel.test");
	struct dns_result res;
	struct msg m;

	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_a(&m, 12, 300, ip(10, 0, 0, 1));
	CHECK(parse(&m, &q, &res) == KEEL_OK);
	CHECK(res.rcode == 0 && res.have_addr && res.addr_be == ip(10, 0, 0, 1));
	CHECK(res.ttl == 300 && res.chain == 0 && !res.truncated && res.cname_len == 0);

	/* Case does not matter (the server may echo 0x20-mixed case). */
	struct query upper = q_of("WWW.Keel.TEST");
	CHECK(parse(&m, &upper, &res) == KEEL_OK && res.have_addr);

	/* Several A records: the first. Other types and classes: skipped. */
	header(&m, ID, 0, 1, 4);
	question(&m, "www.keel.test");
	rr_head(&m, 12, 28, 60, 16); /* AAAA */
	put(&m, (uint8_t[16]){ 0 }, 16);
	put16(&m, 0xc00c); /* class CH */
	put16(&m, DNS_TYPE_A);
	put16(&m, 3);
	put32(&m, 60);
	put16(&m, 2); /* an A record of another class may be any size */
	put16(&m, 0);
	rr_a(&m, 12, 50, ip(10, 0, 0, 7));
	rr_a(&m, 12, 40, ip(10, 0, 0, 8));
	CHECK(parse(&m, &q, &res) == KEEL_OK);
	CHECK(res.have_addr && res.addr_be == ip(10, 0, 0, 7) && res.ttl == 50);

	/* TTL with the top bit set counts as 0. */
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_a(&m, 12, 0x80000000u, ip(10, 0, 0, 1));
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.have_addr && res.ttl == 0);

	/* Authority and additional sections are not read: garbage there is
	 * harmless. */
	header(&m, ID, 0, 1, 1);
	m.b[9] = 1;
	m.b[11] = 1;
	question(&m, "www.keel.test");
	rr_a(&m, 12, 300, ip(10, 0, 0, 1));
	put(&m, "\xc0\xff\xff", 3);
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.have_addr);

	/* No answer (NODATA): no address, no chain. */
	header(&m, ID, 0, 1, 0);
	question(&m, "www.keel.test");
	CHECK(parse(&m, &q, &res) == KEEL_OK && !res.have_addr && res.cname_len == 0);
	/* An A record for another name only. */
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	{
		uint8_t w[DNS_NAME_WIRE_MAX];
		size_t n = wire("other.test", w);

		put(&m, w, n);
		put16(&m, DNS_TYPE_A);
		put16(&m, DNS_CLASS_IN);
		put32(&m, 9);
		put16(&m, 4);
		put32(&m, 0x0a000009);
	}
	CHECK(parse(&m, &q, &res) == KEEL_OK && !res.have_addr);
}

static void test_rcodes_and_mismatch(void)
{
	struct query q = q_of("www.keel.test");
	struct dns_result res;
	struct msg m, bad;

	header(&m, ID, DNS_RCODE_NXDOMAIN, 1, 0);
	question(&m, "www.keel.test");
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.rcode == DNS_RCODE_NXDOMAIN && !res.have_addr);
	header(&m, ID, DNS_RCODE_SERVFAIL, 1, 0);
	question(&m, "www.keel.test");
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.rcode == DNS_RCODE_SERVFAIL);

	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_a(&m, 12, 300, ip(10, 0, 0, 1));

	bad = m;
	bad.b[1] ^= 1; /* id */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	bad = m;
	bad.b[2] &= 0x7f; /* a query, not a response */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	bad = m;
	bad.b[2] |= 0x10; /* opcode 2 */
	CHECK(parse(&bad, &q, &res) == KEEL_EINVAL);
	bad = m;
	bad.b[5] = 0; /* no question */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	bad = m;
	bad.b[5] = 2; /* two questions */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	bad = m;
	bad.b[12 + 1] = 'v'; /* question name */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	bad = m;
	bad.b[12 + 15 + 1] = 28; /* question type AAAA */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	bad = m;
	bad.b[12 + 15 + 3] = 3; /* question class CH */
	CHECK(parse(&bad, &q, &res) == KEEL_ENOENT);
	struct query other = q_of("www.keel.tests");
	CHECK(parse(&m, &other, &res) == KEEL_ENOENT);

	/* A record of class IN with 5 bytes of data: malformed. */
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_head(&m, 12, DNS_TYPE_A, 1, 5);
	put(&m, "\1\2\3\4\5", 5);
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
	/* More answers announced than present, without TC: malformed. */
	header(&m, ID, 0, 1, 2);
	question(&m, "www.keel.test");
	rr_a(&m, 12, 300, ip(10, 0, 0, 1));
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
	/* Shorter than a header. */
	m.len = 11;
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
	m.len = 0;
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
}

static void test_cname(void)
{
	struct query q = q_of("www.keel.test");
	struct dns_result res;
	struct msg m;
	uint16_t t1, t2;

	/* www -> web -> host, with the address, in one response. */
	header(&m, ID, 0, 1, 3);
	question(&m, "www.keel.test");
	t1 = rr_cname(&m, 12, 100, "web.keel.test");
	t2 = rr_cname(&m, t1, 30, "host.keel.test");
	rr_a(&m, t2, 60, ip(10, 0, 0, 9));
	CHECK(parse(&m, &q, &res) == KEEL_OK);
	CHECK(res.have_addr && res.addr_be == ip(10, 0, 0, 9) && res.chain == 2 && res.ttl == 30);

	/* The same records in reverse order. */
	header(&m, ID, 0, 1, 3);
	question(&m, "www.keel.test");
	{
		uint8_t w[DNS_NAME_WIRE_MAX];
		size_t n;

		n = wire("host.keel.test", w);
		uint16_t host = (uint16_t)m.len;
		put(&m, w, n);
		put16(&m, DNS_TYPE_A);
		put16(&m, DNS_CLASS_IN);
		put32(&m, 60);
		put16(&m, 4);
		put32(&m, 0x0a000009);
		n = wire("web.keel.test", w);
		uint16_t web = (uint16_t)m.len;
		put(&m, w, n);
		put16(&m, DNS_TYPE_CNAME);
		put16(&m, DNS_CLASS_IN);
		put32(&m, 100);
		put16(&m, 2);
		put16(&m, (uint16_t)(0xc000 | host));
		rr_head(&m, 12, DNS_TYPE_CNAME, 100, 2);
		put16(&m, (uint16_t)(0xc000 | web));
	}
	CHECK(parse(&m, &q, &res) == KEEL_OK);
	CHECK(res.have_addr && res.addr_be == ip(10, 0, 0, 9) && res.chain == 2 && res.ttl == 60);

	/* A chain that ends outside the response: the name to ask next. */
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_cname(&m, 12, 100, "cdn.example");
	CHECK(parse(&m, &q, &res) == KEEL_OK);
	CHECK(!res.have_addr && res.chain == 1);
	CHECK(res.cname_len == 13 && memcmp(res.cname, "\3cdn\7example", 13) == 0);

	/* A loop: www -> a -> www. */
	header(&m, ID, 0, 1, 2);
	question(&m, "www.keel.test");
	t1 = rr_cname(&m, 12, 100, "a.keel.test");
	rr_head(&m, t1, DNS_TYPE_CNAME, 100, 2);
	put16(&m, 0xc00c);
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.chain_too_long && !res.have_addr);

	/* Exactly DNS_CNAME_MAX links: fine; one more: too long. */
	for (int links = DNS_CNAME_MAX; links <= DNS_CNAME_MAX + 1; links++) {
		uint16_t owner = 12;
		char name[32];

		header(&m, ID, 0, 1, (uint16_t)(links + 1));
		question(&m, "www.keel.test");
		for (int i = 0; i < links; i++) {
			snprintf(name, sizeof(name), "n%d.keel.test", i);
			owner = rr_cname(&m, owner, 100, name);
		}
		rr_a(&m, owner, 100, ip(10, 0, 0, 3));
		CHECK(parse(&m, &q, &res) == KEEL_OK);
		if (links == DNS_CNAME_MAX)
			CHECK(res.have_addr && res.chain == DNS_CNAME_MAX);
		else
			CHECK(res.chain_too_long && !res.have_addr);
	}

	/* A CNAME whose name does not fill its data, or overruns it. */
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_head(&m, 12, DNS_TYPE_CNAME, 100, 4);
	put(&m, "\1a\0\0", 4);
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_head(&m, 12, DNS_TYPE_CNAME, 100, 2);
	put(&m, "\1a\0", 3);
	m.b[m.len++] = 0;
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
	/* A CNAME with a compression loop in its data. */
	header(&m, ID, 0, 1, 1);
	question(&m, "www.keel.test");
	rr_head(&m, 12, DNS_TYPE_CNAME, 100, 2);
	put16(&m, (uint16_t)(0xc000 | m.len));
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);
}

static void test_truncation(void)
{
	struct query q = q_of("www.keel.test");
	struct dns_result res;
	struct msg m, cut;

	/* TC with the A record whole, the next one cut: the first counts. */
	header(&m, ID, 0, 1, 3);
	m.b[2] |= 0x02;
	question(&m, "www.keel.test");
	rr_a(&m, 12, 300, ip(10, 0, 0, 1));
	rr_a(&m, 12, 300, ip(10, 0, 0, 2));
	m.len -= 3;
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.truncated && res.have_addr &&
	      res.addr_be == ip(10, 0, 0, 1));
	/* TC with no complete record: no address. */
	header(&m, ID, 0, 1, 1);
	m.b[2] |= 0x02;
	question(&m, "www.keel.test");
	rr_a(&m, 12, 300, ip(10, 0, 0, 1));
	m.len -= 1;
	CHECK(parse(&m, &q, &res) == KEEL_OK && res.truncated && !res.have_addr);
	/* The same cut without TC: malformed. */
	m.b[2] &= (uint8_t)~0x02;
	CHECK(parse(&m, &q, &res) == KEEL_EINVAL);

	/* Every prefix of a response with a chain: no read past the end. */
	header(&m, ID, 0, 1, 2);
	question(&m, "www.keel.test");
	uint16_t t = rr_cname(&m, 12, 100, "web.keel.test");
	rr_a(&m, t, 60, ip(10, 0, 0, 9));
	for (size_t len = 0; len <= m.len; len++) {
		int err;

		cut = m;
		cut.len = len;
		err = parse(&cut, &q, &res);
		CHECK(len == m.len ? err == KEEL_OK && res.have_addr : err != KEEL_OK);
		cut.b[2] |= 0x02; /* and with TC set */
		err = parse(&cut, &q, &res);
		CHECK(err == KEEL_OK || err == KEEL_EINVAL);
	}
}

static void test_mutations(void)
{
	struct query q = q_of("www.keel.test");
	uint64_t s = 0x13198a2e03707344ull;
	struct msg good;

	header(&good, ID, 0, 1, 3);
	question(&good, "www.keel.test");
	uint16_t t1 = rr_cname(&good, 12, 100, "web.keel.test");
	uint16_t t2 = rr_cname(&good, t1, 30, "host.keel.test");
	rr_a(&good, t2, 60, ip(10, 0, 0, 9));

	for (unsigned iter = 0; iter < 200000; iter++) {
		struct msg m = good;
		struct dns_result res;
		int err;

		for (unsigned k = 0; k < 1 + iter % 3; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			m.b[(s >> 8) % m.len] = (uint8_t)(s >> 40);
		}
		if (iter % 4 == 0)
			m.len = (s >> 24) % (m.len + 1);
		err = parse(&m, &q, &res);
		CHECK(err == KEEL_OK || err == KEEL_EINVAL || err == KEEL_ENOENT);
		if (err == KEEL_OK) {
			CHECK(res.chain <= DNS_CNAME_MAX);
			CHECK(res.cname_len <= DNS_NAME_WIRE_MAX);
			CHECK(!(res.have_addr && res.cname_len));
		}
	}
}

/* ---- Cache ------------------------------------------------------------------- */

static void test_cache(void)
{
	static struct dns_cache c;
	uint8_t a[DNS_NAME_WIRE_MAX], b[DNS_NAME_WIRE_MAX];
	size_t alen = wire("www.keel.test", a), blen = wire("WWW.KEEL.TEST", b);
	uint32_t got;
	keel_time t0 = 1000 * KEEL_SEC;

	CHECK(dns_cache_get(&c, a, alen, t0, &got) == KEEL_ENOENT);
	dns_cache_put(&c, a, alen, ip(10, 0, 0, 1), 0, t0); /* TTL 0: not kept */
	CHECK(dns_cache_get(&c, a, alen, t0, &got) == KEEL_ENOENT);
	dns_cache_put(&c, a, alen, ip(10, 0, 0, 1), 60, t0);
	CHECK(dns_cache_get(&c, b, blen, t0, &got) == KEEL_OK && got == ip(10, 0, 0, 1));
	CHECK(dns_cache_get(&c, a, alen, t0 + 60 * KEEL_SEC - 1, &got) == KEEL_OK);
	CHECK(dns_cache_get(&c, a, alen, t0 + 60 * KEEL_SEC, &got) == KEEL_ENOENT);
	/* Same name again: replaced, not duplicated. */
	dns_cache_put(&c, a, alen, ip(10, 0, 0, 1), 60, t0);
	dns_cache_put(&c, b, blen, ip(10, 0, 0, 2), 60, t0);
	CHECK(dns_cache_get(&c, a, alen, t0, &got) == KEEL_OK && got == ip(10, 0, 0, 2));
	/* A TTL of years is cut to a day. */
	dns_cache_put(&c, a, alen, ip(10, 0, 0, 3), 0x7fffffff, t0);
	CHECK(dns_cache_get(&c, a, alen, t0 + (keel_time)DNS_TTL_MAX * KEEL_SEC - 1, &got) ==
	      KEEL_OK);
	CHECK(dns_cache_get(&c, a, alen, t0 + (keel_time)DNS_TTL_MAX * KEEL_SEC, &got) ==
	      KEEL_ENOENT);

	/* Full: the entry closest to expiry goes; never more than the slots. */
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < DNS_CACHE_ENTRIES; i++) {
		char name[32];
		uint8_t w[DNS_NAME_WIRE_MAX];

		snprintf(name, sizeof(name), "h%d.test", i);
		dns_cache_put(&c, w, wire(name, w), ip(10, 0, 1, (uint8_t)i), 100 + (uint32_t)i,
		              t0);
	}
	dns_cache_put(&c, a, alen, ip(10, 0, 0, 4), 50, t0);
	{
		uint8_t w[DNS_NAME_WIRE_MAX];
		size_t n = wire("h0.test", w);

		CHECK(dns_cache_get(&c, w, n, t0, &got) == KEEL_ENOENT);
		n = wire("h1.test", w);
		CHECK(dns_cache_get(&c, w, n, t0, &got) == KEEL_OK && got == ip(10, 0, 1, 1));
	}
	CHECK(dns_cache_get(&c, a, alen, t0, &got) == KEEL_OK && got == ip(10, 0, 0, 4));
}

int main(void)
{
	test_names();
	test_name_read();
	test_query();
	test_simple();
	test_rcodes_and_mismatch();
	test_cname();
	test_truncation();
	test_mutations();
	test_cache();
	printf("PASS net/dns_msg\n");
	return 0;
}
