/*
 * The test harness of lib/net: running a test body under the loop, and
 * building and taking apart frames (see harness.h).
 */
#include <string.h>

#include "harness.h"

const char *h_test_name = "net";

void h_fail(const char *file, int line, const char *what)
{
	printf("%s:%d: check failed: %s\n", file, line, what);
	printf("FAIL %s\n", h_test_name);
	fflush(stdout);
	exit(1);
}

struct body {
	void (*fn)(void *);
	void *arg;
};

static void run_body(void *arg)
{
	struct body *b = arg;

	b->fn(b->arg);
	if (h_offloads)
		printf("offloads %#x: %lu TSO frames, %lu with partial checksums\n",
		       (unsigned)h_offloads, h_tso_frames, h_partial_frames);
	printf("PASS %s\n", h_test_name);
	fflush(stdout);
	/* Fibers of the stack (DHCP, TCP timers) may live on: the test ends
	 * with its body, as an image ends with main. */
	exit(0);
}

int h_main(const char *name, void (*fn)(void *), void *arg)
{
	static struct body b;

	h_test_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	b.fn = fn;
	b.arg = arg;
	if (!keel_fiber_spawn(run_body, &b, 256 * 1024)) {
		printf("FAIL %s: cannot spawn the test fiber\n", name);
		return 1;
	}
	keel_loop_run();
	printf("FAIL %s: the loop returned before the test ended\n", name);
	return 1;
}

/* ---- Running ------------------------------------------------------------- */

void h_run(void)
{
	unsigned quiet = 0;

	for (unsigned i = 0; quiet < 3; i++) {
		unsigned long before = h_tx_total();

		if (i > 1000000) {
			printf("h_run: the stack never went quiet\n");
			h_fail(__FILE__, __LINE__, "h_run settles");
		}
		keel_fiber_yield();
		if (h_rx_pending() == 0 && h_tx_total() == before)
			quiet++;
		else
			quiet = 0;
	}
}

void h_advance(keel_time dt)
{
	h_run();
	keel_sleep_until(h_clock + dt);
	h_run();
}

struct keel_net *h_open(const struct keel_net_config *cfg)
{
	struct keel_net_config c;
	struct keel_net *net = NULL;
	struct h_frame f;
	int err;

	if (!cfg) {
		keel_net_config_default(&c);
		c.addr = keel_addr_ipv4(10, 0, 0, 2);
		c.prefix_len = 24;
		c.gateway = keel_addr_ipv4(10, 0, 0, 1);
		c.log_config = false;
		cfg = &c;
	}
	err = keel_net_open(H_DEVICE, cfg, keel_now() + KEEL_SEC, &net);
	if (cfg->addr.family == KEEL_AF_UNSPEC) {
		CHECK(err == KEEL_OK || err == KEEL_ETIMEDOUT);
		CHECK(net != NULL);
		return net;
	}
	CHECK(err == KEEL_OK);
	CHECK(net != NULL);
	/* The gratuitous ARP of the new address. */
	CHECK(h_pop(&f));
	CHECK(f.len >= 42 && net_get16(f.data + 12) == ETH_TYPE_ARP);
	CHECK(memcmp(f.data, eth_broadcast, 6) == 0);
	return net;
}

void h_learn_peer(struct keel_net *net)
{
	static const uint8_t zero[6];
	uint8_t f[64];
	struct h_frame r;
	size_t len = h_arp(f, 1, h_peer_mac, H_PEER_IP, zero, H_STACK_IP);

	h_inject(f, len);
	h_run();
	CHECK(h_pop(&r));
	CHECK(net_get16(r.data + 12) == ETH_TYPE_ARP && net_get16(r.data + 20) == 2);
}

/* ---- Building ------------------------------------------------------------ */

uint32_t h_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t v[4] = { a, b, c, d };
	uint32_t out;

	memcpy(&out, v, 4);
	return out;
}

size_t h_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	net_put16(f + 12, type);
	return ETH_HLEN;
}

size_t h_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
             uint32_t tpa)
{
	uint8_t *p = f + ETH_HLEN;

	h_eth(f, op == 1 ? eth_broadcast : tha, sha, ETH_TYPE_ARP);
	net_put16(p, 1);
	net_put16(p + 2, ETH_TYPE_IPV4);
	p[4] = 6;
	p[5] = 4;
	net_put16(p + 6, op);
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, &spa, 4);
	memcpy(p + 18, tha, 6);
	memcpy(p + 24, &tpa, 4);
	return ETH_HLEN + 28;
}

void h_ipv4_fix_csum(uint8_t *f)
{
	uint8_t *h = f + ETH_HLEN;
	size_t hlen = (size_t)(h[0] & 0x0f) * 4;
	uint16_t csum;

	h[10] = h[11] = 0;
	csum = inet_fold(inet_sum(h, hlen, 0));
	memcpy(h + 10, &csum, 2);
}

size_t h_ipv4(uint8_t *f, const struct h_ipv4_hdr *ip, const void *payload, size_t len)
{
	uint8_t *h = f + ETH_HLEN;
	size_t hlen = 20 + ip->options_len;

	h_eth(f, h_stack_mac, h_peer_mac, ETH_TYPE_IPV4);
	h[0] = (uint8_t)(0x40 | hlen / 4);
	h[1] = ip->tos;
	net_put16(h + 2, (uint16_t)(hlen + len));
	net_put16(h + 4, ip->id);
	net_put16(h + 6, ip->frag);
	h[8] = ip->ttl ? ip->ttl : 64;
	h[9] = ip->proto;
	memcpy(h + 12, &ip->src, 4);
	memcpy(h + 16, &ip->dst, 4);
	if (ip->options_len)
		memcpy(h + 20, ip->options, ip->options_len);
	if (len)
		memcpy(h + hlen, payload, len);
	h_ipv4_fix_csum(f);
	return ETH_HLEN + hlen + len;
}

size_t h_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
             const void *payload, size_t len)
{
	uint16_t csum;

	net_put16(out, sport);
	net_put16(out + 2, dport);
	net_put16(out + 4, (uint16_t)(8 + len));
	out[6] = out[7] = 0;
	if (len)
		memcpy(out + 8, payload, len);
	csum = inet_fold(
	    inet_sum(out, 8 + len, inet_pseudo_sum(src, dst, IP_PROTO_UDP, (uint16_t)(8 + len))));
	if (csum == 0)
		csum = 0xffff;
	memcpy(out + 6, &csum, 2);
	return 8 + len;
}

size_t h_icmp_echo(uint8_t *out, uint8_t type, uint16_t id, uint16_t seq, const void *payload,
                   size_t len)
{
	uint16_t csum;

	out[0] = type;
	out[1] = 0;
	out[2] = out[3] = 0;
	net_put16(out + 4, id);
	net_put16(out + 6, seq);
	if (len)
		memcpy(out + 8, payload, len);
	csum = inet_fold(inet_sum(out, 8 + len, 0));
	memcpy(out + 2, &csum, 2);
	return 8 + len;
}

void h_inject_udp(uint16_t sport, uint16_t dport, const void *payload, size_t len)
{
	static uint8_t seg[H_FRAME_MAX], frame[H_FRAME_MAX];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_UDP };
	size_t n;

	CHECK(len + 8 + 20 + ETH_HLEN <= H_FRAME_MAX);
	n = h_udp(seg, ip.src, ip.dst, sport, dport, payload, len);
	h_inject(frame, h_ipv4(frame, &ip, seg, n));
}

void h_inject_ping(uint16_t id, uint16_t seq, const void *payload, size_t len)
{
	static uint8_t msg[H_FRAME_MAX], frame[H_FRAME_MAX];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };
	size_t n;

	CHECK(len + 8 + 20 + ETH_HLEN <= H_FRAME_MAX);
	n = h_icmp_echo(msg, 8, id, seq, payload, len);
	h_inject(frame, h_ipv4(frame, &ip, msg, n));
}

/* ---- Reading ------------------------------------------------------------- */

bool h_csum_ok(const void *data, size_t len, uint32_t pseudo)
{
	return inet_fold(inet_sum(data, len, pseudo)) == 0;
}

bool h_parse_ipv4(const struct h_frame *f, struct h_ipv4_view *v)
{
	const uint8_t *h = f->data + ETH_HLEN;

	if (f->len < ETH_HLEN + 20 || net_get16(f->data + 12) != ETH_TYPE_IPV4 ||
	    memcmp(f->data + 6, h_stack_mac, 6) != 0)
		return false;
	v->eth = f->data;
	v->ip = h;
	v->ip_hlen = (size_t)(h[0] & 0x0f) * 4;
	v->ip_total = net_get16(h + 2);
	if ((h[0] >> 4) != 4 || v->ip_hlen < 20 || v->ip_total < v->ip_hlen ||
	    ETH_HLEN + v->ip_total > f->len || !h_csum_ok(h, v->ip_hlen, 0))
		return false;
	memcpy(&v->src, h + 12, 4);
	memcpy(&v->dst, h + 16, 4);
	v->proto = h[9];
	v->id = net_get16(h + 4);
	v->frag = net_get16(h + 6);
	v->l4 = h + v->ip_hlen;
	v->l4_len = v->ip_total - v->ip_hlen;
	return true;
}

size_t h_pop_datagram(uint8_t *out, size_t size, struct h_ipv4_view *first, unsigned *nfrags)
{
	static struct h_frame first_frame;
	static uint8_t have[65536];
	struct h_frame f;
	size_t got = 0, total = 0;
	bool total_known = false, first_seen = false, any = false;
	uint16_t id = 0;
	unsigned n = 0;

	memset(have, 0, sizeof(have));
	while (h_pop(&f)) {
		struct h_ipv4_view v;
		size_t off;

		if (!h_parse_ipv4(&f, &v))
			continue;
		if (any && v.id != id)
			continue;
		any = true;
		id = v.id;
		n++;
		off = (size_t)(v.frag & 0x1fff) * 8;
		CHECK(off + v.l4_len <= size && off + v.l4_len <= sizeof(have));
		for (size_t i = 0; i < v.l4_len; i++) {
			CHECK(!have[off + i]); /* the stack never sends overlaps */
			have[off + i] = 1;
		}
		memcpy(out + off, v.l4, v.l4_len);
		got += v.l4_len;
		if (!(v.frag & 0x2000)) {
			total = off + v.l4_len;
			total_known = true;
		}
		if (off == 0) {
			first_frame = f;
			h_parse_ipv4(&first_frame, first);
			first_seen = true;
		}
		if (total_known && first_seen && got == total) {
			if (nfrags)
				*nfrags = n;
			return total;
		}
	}
	return 0;
}
