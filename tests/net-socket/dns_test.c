/*
 * Unit test of lib/net-socket/dns_msg.c on the host: the query's exact
 * bytes, answers of every shape the resolver must tell apart, malformed
 * answers, and a million random mutations of valid ones (under ASan and
 * UBSan nothing may be read out of bounds, and the verdict stays one of
 * the documented ones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_msg.h"

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void test_query(void)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header */
		7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',  'm',
		0,    0x00, 0x01, 0x00, 0x01, /* A, IN */
	};
	static const char *const bad[] = {
		"", ".", "..", "a..b", ".a", "a b", "a/b", "exa\xc3\xa9mple.com", "a.b..",
	};
	uint8_t buf[NSOCK_DNS_QUERY_MAX];
	char name[300];
	int len;

	len = nsock_dns_query("example.com", 0x1234, buf, sizeof(buf));
	CHECK(len == (int)sizeof(want) && !memcmp(buf, want, sizeof(want)));
	/* Upper case is lowered and one trailing dot dropped. */
	len = nsock_dns_query("Example.COM.", 0x1234, buf, sizeof(buf));
	CHECK(len == (int)sizeof(want) && !memcmp(buf, want, sizeof(want)));
	CHECK(nsock_dns_query("example.com", 0x1234, buf, sizeof(want) - 1) == KEEL_ERANGE);
	CHECK(nsock_dns_query("a-b_c.d0", 1, buf, sizeof(buf)) > 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nsock_dns_query(bad[i], 1, buf, sizeof(buf)) != KEEL_EINVAL) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			failures++;
		}
	}
	CHECK(nsock_dns_query(NULL, 1, buf, sizeof(buf)) == KEEL_EINVAL);

	/* A label of 63 is fine, 64 is not. */
	memset(name, 'a', 64);
	name[63] = '\0';
	CHECK(nsock_dns_query(name, 1, buf, sizeof(buf)) == 12 + 63 + 2 + 4);
	name[63] = 'a';
	name[64] = '\0';
	CHECK(nsock_dns_query(name, 1, buf, sizeof(buf)) == KEEL_EINVAL);
	/* 253 characters are fine (with a trailing dot too), 254 are not. */
	for (int i = 0; i < 253; i++)
		name[i] = i % 50 == 49 ? '.' : 'b';
	name[253] = '\0';
	CHECK(nsock_dns_query(name, 1, buf, sizeof(buf)) == 12 + 253 + 2 + 4);
	name[253] = '.';
	name[254] = '\0';
	CHECK(nsock_dns_query(name, 1, buf, sizeof(buf)) == 12 + 253 + 2 + 4);
	name[253] = 'b';
	CHECK(nsock_dns_query(name, 1, buf, sizeof(buf)) == KEEL_EINVAL);
}

/* ---- Building answers ------------------------------------------------ */

struct msg {
	uint8_t b[NSOCK_DNS_ANSWER_MAX];
	size_t len;
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->b))
		abort();
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put16(struct msg *m, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

/* A name in labels, uncompressed. */
static void put_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		uint8_t len = (uint8_t)n;

		put(m, &len, 1);
		put(m, name, n);
		name += n + (dot ? 1 : 0);
	}
	put(m, "", 1);
}

static void put_pointer(struct msg *m, unsigned offset)
{
	put16(m, 0xc000 | offset);
}

/* Header and question; `answers` records are to follow. */
static void begin(struct msg *m, unsigned id, unsigned flags, const char *qname, unsigned qtype,
                  unsigned answers)
{
	m->len = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, 1);
	put16(m, answers);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, 1);
}

/* The fixed part of a record after its owner name. */
static void record_head(struct msg *m, unsigned type, unsigned rdlen)
{
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300); /* TTL */
	put16(m, rdlen);
}

static void put_a(struct msg *m, const uint8_t addr[4])
{
	record_head(m, 1, 4);
	put(m, addr, 4);
}

#define QNAME_AT 12 /* the question's name, for pointers */

static int answer(const struct msg *m, unsigned id, const char *name, struct keel_addr *out)
{
	return nsock_dns_answer(m->b, m->len, id, name, out);
}

static void test_answers(void)
{
	static const uint8_t a1[4] = { 10, 1, 2, 3 }, a2[4] = { 192, 0, 2, 9 };
	struct keel_addr want1 = keel_addr_ipv4(10, 1, 2, 3), want2 = keel_addr_ipv4(192, 0, 2, 9);
	struct keel_addr out;
	struct msg m;
	size_t target;

	/* One A record, its owner a pointer to the question. */
	begin(&m, 0xbeef, 0x8180, "keel.test", 1, 1);
	put_pointer(&m, QNAME_AT);
	put_a(&m, a1);
	CHECK(answer(&m, 0xbeef, "keel.test", &out) == KEEL_OK && keel_addr_equal(&out, &want1));
	CHECK(answer(&m, 0xbeef, "KEEL.test.", &out) == KEEL_OK);
	CHECK(answer(&m, 0xbeee, "keel.test", &out) == KEEL_EAGAIN);  /* another id */
	CHECK(answer(&m, 0xbeef, "other.test", &out) == KEEL_EAGAIN); /* another question */
	CHECK(answer(&m, 0xbeef, "bad..name", &out) == KEEL_EINVAL);
	m.len -= 1; /* the address cut short */
	CHECK(answer(&m, 0xbeef, "keel.test", &out) == KEEL_EINVAL);

	/* A query (QR clear) or another opcode is not our answer. */
	begin(&m, 7, 0x0100, "keel.test", 1, 0);
	CHECK(answer(&m, 7, "keel.test", &out) == KEEL_EAGAIN);
	begin(&m, 7, 0x8000 | 2 << 11, "keel.test", 1, 0);
	CHECK(answer(&m, 7, "keel.test", &out) == KEEL_EAGAIN);
	/* A question for AAAA is not ours either. */
	begin(&m, 7, 0x8180, "keel.test", 28, 0);
	CHECK(answer(&m, 7, "keel.test", &out) == KEEL_EAGAIN);

	/* NXDOMAIN, SERVFAIL, REFUSED, and an empty NOERROR answer. */
	begin(&m, 7, 0x8183, "nx.test", 1, 0);
	CHECK(answer(&m, 7, "nx.test", &out) == KEEL_ENOENT);
	begin(&m, 7, 0x8182, "keel.test", 1, 0);
	CHECK(answer(&m, 7, "keel.test", &out) == KEEL_EIO);
	begin(&m, 7, 0x8185, "keel.test", 1, 0);
	CHECK(answer(&m, 7, "keel.test", &out) == KEEL_EIO);
	begin(&m, 7, 0x8180, "keel.test", 1, 0);
	CHECK(answer(&m, 7, "keel.test", &out) == KEEL_ENOENT);

	/* A CNAME, then the A record of its target (the usual order), both
	 * compressed: "cdn" and a pointer to the "test" of the question. */
	begin(&m, 9, 0x8180, "www.keel.test", 1, 2);
	put_pointer(&m, QNAME_AT);
	record_head(&m, 5, 6);
	target = m.len;
	put(&m, "\3cdn", 4);
	put_pointer(&m, QNAME_AT + 9); /* past "\3www\4keel" */
	put_pointer(&m, (unsigned)target);
	put_a(&m, a2);
	CHECK(answer(&m, 9, "www.keel.test", &out) == KEEL_OK && keel_addr_equal(&out, &want2));

	/* The same records listed the other way round. */
	begin(&m, 9, 0x8180, "www.keel.test", 1, 2);
	put_name(&m, "cdn.test");
	put_a(&m, a2);
	put_pointer(&m, QNAME_AT);
	record_head(&m, 5, 10);
	put_name(&m, "cdn.test");
	CHECK(answer(&m, 9, "www.keel.test", &out) == KEEL_OK && keel_addr_equal(&out, &want2));

	/* An A record of another name, and one of a wrong size: no address. */
	begin(&m, 9, 0x8180, "keel.test", 1, 2);
	put_name(&m, "evil.test");
	put_a(&m, a1);
	put_pointer(&m, QNAME_AT);
	record_head(&m, 1, 5);
	put(&m, "\1\2\3\4\5", 5);
	CHECK(answer(&m, 9, "keel.test", &out) == KEEL_ENOENT);

	/* CNAMEs that loop end with "not found". */
	begin(&m, 9, 0x8180, "a.test", 1, 2);
	put_name(&m, "a.test");
	record_head(&m, 5, 8);
	put_name(&m, "b.test");
	put_name(&m, "b.test");
	record_head(&m, 5, 8);
	put_name(&m, "a.test");
	CHECK(answer(&m, 9, "a.test", &out) == KEEL_ENOENT);

	/* A pointer to itself, a pointer past the end, a reserved label type. */
	begin(&m, 9, 0x8180, "keel.test", 1, 1);
	put_pointer(&m, (unsigned)m.len);
	put_a(&m, a1);
	CHECK(answer(&m, 9, "keel.test", &out) == KEEL_EINVAL);
	begin(&m, 9, 0x8180, "keel.test", 1, 1);
	put_pointer(&m, 0x3fff);
	put_a(&m, a1);
	CHECK(answer(&m, 9, "keel.test", &out) == KEEL_EINVAL);
	begin(&m, 9, 0x8180, "keel.test", 1, 1);
	put(&m, "\x41", 1);
	put_a(&m, a1);
	CHECK(answer(&m, 9, "keel.test", &out) == KEEL_EINVAL);
	/* A label holding a dot cannot pass for two labels. */
	begin(&m, 9, 0x8180, "keel.test", 1, 1);
	put(&m, "\x09keel.test\0", 11);
	put_a(&m, a1);
	CHECK(answer(&m, 9, "keel.test", &out) == KEEL_EINVAL);
	/* More records announced than present. */
	begin(&m, 9, 0x8180, "keel.test", 1, 3);
	put_pointer(&m, QNAME_AT);
	record_head(&m, 16, 0);
	CHECK(answer(&m, 9, "keel.test", &out) == KEEL_EINVAL);
	/* A header alone, and less. */
	CHECK(nsock_dns_answer(m.b, 12, 9, "keel.test", &out) == KEEL_EINVAL);
	CHECK(nsock_dns_answer(m.b, 11, 9, "keel.test", &out) == KEEL_EINVAL);
	CHECK(nsock_dns_answer(NULL, 0, 9, "keel.test", &out) == KEEL_EINVAL);
}

/* Random damage to a valid answer: a verdict from the list, nothing more. */
static void test_mutations(void)
{
	static const uint8_t a1[4] = { 10, 1, 2, 3 };
	struct keel_addr out;
	struct msg base, m;
	unsigned long seed = 12345;

	begin(&base, 9, 0x8180, "www.keel.test", 1, 3);
	put_pointer(&base, QNAME_AT);
	record_head(&base, 5, 10);
	put_name(&base, "cdn.test");
	put_name(&base, "cdn.test");
	put_a(&base, a1);
	put_pointer(&base, QNAME_AT + 4);
	put_a(&base, a1);
	CHECK(answer(&base, 9, "www.keel.test", &out) == KEEL_OK);

	for (int round = 0; round < 1000000; round++) {
		int rc, edits;

		m = base;
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		edits = 1 + (int)(seed >> 60) % 4;
		for (int e = 0; e < edits; e++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			m.b[(seed >> 33) % m.len] = (uint8_t)(seed >> 20);
		}
		if ((seed >> 13) % 8 == 0)
			m.len = (seed >> 40) % (m.len + 1);
		rc = nsock_dns_answer(m.b, m.len, 9, "www.keel.test", &out);
		if (rc != KEEL_OK && rc != KEEL_ENOENT && rc != KEEL_EIO && rc != KEEL_EAGAIN &&
		    rc != KEEL_EINVAL) {
			fprintf(stderr, "round %d: verdict %d\n", round, rc);
			failures++;
			break;
		}
	}
}

int main(void)
{
	test_query();
	test_answers();
	test_mutations();
	if (failures) {
		printf("dns: FAIL (%d checks)\n", failures);
		return 1;
	}
	printf("dns: ok\n");
	return 0;
}
