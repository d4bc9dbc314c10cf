/*
 * stats.c — the counters of keel/net.h that mean something on host
 * sockets: bytes and datagrams in and out, connections opened, refused and
 * live, resets sent at the connection bound. The frame, ARP, ICMP and
 * buffer counters stay 0: the host's kernel handles those.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "nsock_impl.h"

void keel_net_stats(struct keel_net *net, struct keel_net_stats *out)
{
	*out = net->stats;
}

#define COUNTER(name)                                                                              \
	{                                                                                          \
#name, offsetof(struct keel_net_stats, name)                                       \
	}

static const struct {
	const char *name;
	size_t offset;
} counters[] = {
	COUNTER(bytes_in),          COUNTER(bytes_out),      COUNTER(udp_in),
	COUNTER(udp_out),           COUNTER(tcp_resets_out), COUNTER(tcp_conns_opened),
	COUNTER(tcp_conns_refused), COUNTER(drop_other),
};

void keel_net_stats_print(struct keel_net *net)
{
	const struct keel_net_stats *s = &net->stats;

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)s + counters[i].offset, sizeof(v));
		if (v)
			printf("%s %llu\n", counters[i].name, (unsigned long long)v);
	}
	if (s->tcp_conns_live)
		printf("tcp_conns_live %u\n", (unsigned)s->tcp_conns_live);
}
