/*
 * tcp_options_test — the pure pieces of TCP: option parsing (including
 * malformed lengths) and writing, sequence-number comparisons, SipHash-2-4
 * against the paper's known answers, and SYN cookies (made and checked,
 * tampering and age rejected).
 */
#include "tcp_util.h"

static void parse_good(void)
{
	uint8_t o[40];
	struct tcp_opts p;
	size_t n = t_syn_opts(o, true, 12345, true, true);

	CHECK(tcp_options_parse(o, n, true, &p) == KEEL_OK);
	CHECK(p.has_mss && p.mss == 1460);
	CHECK(p.sack_ok);
	CHECK(p.has_ts && p.ts_val == 12345 && p.ts_ecr == 0);
	CHECK(p.has_wscale && p.wscale == 7);
	/* The same bytes on a non-SYN: only the timestamps count. */
	CHECK(tcp_options_parse(o, n, false, &p) == KEEL_OK);
	CHECK(!p.has_mss && !p.sack_ok && !p.has_wscale && p.has_ts);
	/* End of list stops parsing; what follows is ignored. */
	o[0] = 0;
	CHECK(tcp_options_parse(o, n, true, &p) == KEEL_OK);
	CHECK(!p.has_mss && !p.has_ts);
	/* Window scale above 14 is taken as 14 (RFC 7323 2.3). */
	{
		uint8_t w[4] = { 1, 3, 3, 200 };

		CHECK(tcp_options_parse(w, 4, true, &p) == KEEL_OK);
		CHECK(p.has_wscale && p.wscale == 14);
	}
	/* SACK blocks, at most four kept. */
	{
		uint8_t s[40] = { 1, 1, 5, 34 };

		for (unsigned b = 0; b < 4; b++) {
			net_put32(s + 4 + 8 * b, 1000 * b);
			net_put32(s + 8 + 8 * b, 1000 * b + 500);
		}
		CHECK(tcp_options_parse(s, 36, false, &p) == KEEL_OK);
		CHECK(p.nsack == 4 && p.sack[3][0] == 3000 && p.sack[3][1] == 3500);
		/* In a SYN, SACK blocks mean nothing. */
		CHECK(tcp_options_parse(s, 36, true, &p) == KEEL_OK && p.nsack == 0);
	}
}

static void parse_malformed(void)
{
	struct tcp_opts p;
	/* Length byte missing at the end. */
	uint8_t a[4] = { 1, 1, 1, 2 };
	/* Length 0 and 1 (would loop or stand still). */
	uint8_t b[4] = { 2, 0, 0, 0 };
	uint8_t c[4] = { 2, 1, 0, 0 };
	/* Length past the end. */
	uint8_t d[4] = { 8, 10, 0, 0 };
	/* Known kinds of the wrong length are ignored, not fatal. */
	uint8_t e[8] = { 2, 3, 5, 1, 1, 1, 1, 0 };
	uint8_t f[12] = { 5, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* An unknown kind with a sane length is skipped. */
	uint8_t g[8] = { 99, 4, 0, 0, 2, 4, 1, 0 };

	CHECK(tcp_options_parse(a, 4, true, &p) == KEEL_EINVAL);
	CHECK(tcp_options_parse(b, 4, true, &p) == KEEL_EINVAL);
	CHECK(tcp_options_parse(c, 4, true, &p) == KEEL_EINVAL);
	CHECK(tcp_options_parse(d, 4, false, &p) == KEEL_EINVAL);
	CHECK(tcp_options_parse(e, 8, true, &p) == KEEL_OK);
	CHECK(!p.has_mss);
	CHECK(tcp_options_parse(f, 12, false, &p) == KEEL_OK && p.nsack == 0);
	CHECK(tcp_options_parse(g, 8, true, &p) == KEEL_OK);
	CHECK(p.has_mss && p.mss == 256);
}

static void write_roundtrip(void)
{
	uint8_t buf[TCP_OPTS_MAX];
	struct tcp_opts p;
	struct tcp_opts_out o = {
		.syn = true,
		.mss = 1460,
		.ws = true,
		.wscale = 2,
		.sack_perm = true,
		.ts = true,
		.ts_val = 7,
		.ts_ecr = 9,
	};
	size_t n = tcp_options_write(buf, &o);

	CHECK(n == 20 && n % 4 == 0);
	CHECK(tcp_options_parse(buf, n, true, &p) == KEEL_OK);
	CHECK(p.has_mss && p.mss == 1460 && p.has_wscale && p.wscale == 2 && p.sack_ok);
	CHECK(p.has_ts && p.ts_val == 7 && p.ts_ecr == 9);

	/* Without timestamps: MSS, window scale, SACK-permitted = 12. */
	o.ts = false;
	n = tcp_options_write(buf, &o);
	CHECK(n == 12);
	CHECK(tcp_options_parse(buf, n, true, &p) == KEEL_OK && p.sack_ok && !p.has_ts);

	/* Data segment: timestamps plus as many SACK blocks as fit (3). */
	memset(&o, 0, sizeof(o));
	o.ts = true;
	o.ts_val = 1;
	o.nsack = 4;
	for (unsigned b = 0; b < 4; b++) {
		o.sack[b][0] = 100 * b;
		o.sack[b][1] = 100 * b + 50;
	}
	n = tcp_options_write(buf, &o);
	CHECK(n == 40);
	CHECK(tcp_options_parse(buf, n, false, &p) == KEEL_OK);
	CHECK(p.has_ts && p.nsack == 3 && p.sack[2][0] == 200);
	/* No timestamps: four blocks. */
	o.ts = false;
	n = tcp_options_write(buf, &o);
	CHECK(n == 36);
	CHECK(tcp_options_parse(buf, n, false, &p) == KEEL_OK && p.nsack == 4);
}

static void sequence_numbers(void)
{
	CHECK(seq_lt(1, 2) && !seq_lt(2, 1));
	CHECK(seq_lt(0xfffffff0u, 0x10)); /* across the wrap */
	CHECK(seq_gt(0x10, 0xfffffff0u));
	CHECK(seq_leq(5, 5) && seq_geq(5, 5));
	CHECK(seq_max(0xffffffffu, 3) == 3);
	CHECK(seq_min(0xffffffffu, 3) == 0xffffffffu);
}

static void siphash_known_answers(void)
{
	const uint64_t key[2] = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	uint8_t msg[15];

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	/* From the appendix of the SipHash paper. */
	CHECK(tcp_siphash(key, msg, 15) == 0xa129ca6149be45e5ull);
	CHECK(tcp_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ull);
}

static void cookies(void *arg)
{
	struct keel_net *net = h_open(NULL);
	struct tcp_state *ts = net->tcp;
	struct tcp_seg syn = {
		.src_be = H_PEER_IP,
		.dst_be = H_STACK_IP,
		.seq = 1000,
	};
	struct tcp_seg ack;
	uint16_t mss_enc, mss;
	uint8_t ws;
	bool sack;
	uint32_t isn;

	(void)arg;
	parse_good();
	parse_malformed();
	write_roundtrip();
	sequence_numbers();
	siphash_known_answers();

	syn.sport_be = net_htons(40000);
	syn.dport_be = net_htons(80);
	isn = tcp_cookie_make(ts, &syn, 1460, 7, true, &mss_enc);
	CHECK(mss_enc == 1460);
	ack = syn;
	ack.seq = 1001;
	ack.ack = isn + 1;
	CHECK(tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	CHECK(mss == 1460 && ws == 7 && sack);
	/* Another MSS, no window scale, no SACK. */
	isn = tcp_cookie_make(ts, &syn, 1300, 0xff, false, &mss_enc);
	CHECK(mss_enc == 1200);
	ack.ack = isn + 1;
	CHECK(tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	CHECK(mss == 1200 && ws == 0xff && !sack);
	/* Any change of the 4-tuple, the peer's ISN or the cookie fails. */
	ack.seq = 1002;
	CHECK(!tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	ack.seq = 1001;
	ack.sport_be = net_htons(40001);
	CHECK(!tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	ack.sport_be = syn.sport_be;
	ack.ack ^= 0x100000;
	CHECK(!tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	ack.ack ^= 0x100000;
	CHECK(tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	/* Good for the next 64-second period, not the one after. */
	h_advance(TCP_COOKIE_PERIOD);
	CHECK(tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
	h_advance(TCP_COOKIE_PERIOD);
	CHECK(!tcp_cookie_check(ts, &ack, &mss, &ws, &sack));
}

int main(void)
{
	return h_main("net/tcp_options", cookies, NULL);
}
