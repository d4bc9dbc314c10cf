/*
 * stats.c — the stack's counters, copied out or printed.
 */
#include <stddef.h>
#include <stdio.h>

#include "net_impl.h"

void keel_net_stats(struct keel_net *net, struct keel_net_stats *out)
{
	*out = net->stats;
	out->buffers_free = net->pool.free;
	out->buffers_total = net->pool.total;
}

/* clang-format off */
#define U64(name) {#name, offsetof(struct keel_net_stats, name)}
/* clang-format on */

static const struct {
	const char *name;
	size_t offset;
} counters[] = {
	U64(frames_in),        U64(frames_out),        U64(bytes_in),
	U64(bytes_out),        U64(drop_bad_frame),    U64(drop_not_for_us),
	U64(drop_bad_ip),      U64(drop_bad_l4),       U64(drop_no_buffer),
	U64(drop_arp_pending), U64(drop_reasm),        U64(drop_other),
	U64(arp_requests_in),  U64(arp_replies_out),   U64(icmp_echo_in),
	U64(icmp_unreach_out), U64(icmp_rate_limited), U64(udp_in),
	U64(udp_out),          U64(udp_no_port),       U64(tcp_in),
	U64(tcp_out),          U64(tcp_retransmits),   U64(tcp_resets_out),
	U64(tcp_conns_opened), U64(tcp_conns_refused), U64(tcp_syn_cookies),
	U64(tcp_drop_bad),
};

void keel_net_stats_print(struct keel_net *net)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)&s + counters[i].offset, sizeof(v));
		if (v)
			printf("%s %llu\n", counters[i].name, (unsigned long long)v);
	}
	if (s.tcp_conns_live)
		printf("tcp_conns_live %u\n", (unsigned)s.tcp_conns_live);
	if (s.buffers_free)
		printf("buffers_free %u\n", (unsigned)s.buffers_free);
	if (s.buffers_total)
		printf("buffers_total %u\n", (unsigned)s.buffers_total);
}
