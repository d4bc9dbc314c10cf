/*
 * config.c — the stack's configuration: defaults, and the network options
 * an image takes on its command line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "net_impl.h"

#define MAX_CONNS_LIMIT 1000000

void keel_net_config_default(struct keel_net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->addr.family = KEEL_AF_UNSPEC;
	cfg->gateway.family = KEEL_AF_UNSPEC;
	cfg->dns.family = KEEL_AF_UNSPEC;
	/* The bounds stay 0: each module then applies its own default. */
	cfg->log_config = true;
}

/* The value of `arg` when it is `--name=VALUE`; NULL when it is another
 * argument. `*bare` is set when it is exactly `--name` (no value). */
static const char *option_value(const char *arg, const char *name, bool *bare)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '\0') {
		*bare = true;
		return NULL;
	}
	return arg[n] == '=' ? arg + n + 1 : NULL;
}

static int bad(char *errbuf, size_t errlen, const char *fmt, const char *opt)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, fmt, opt);
	return KEEL_EINVAL;
}

/* A usable host address: not 0.0.0.0, loopback, multicast or reserved. */
static bool host_address(const struct keel_addr *a)
{
	uint8_t first = a->bytes[0];

	return first != 0 && first != 127 && first < 224;
}

/* "ADDR/PREFIX", prefix 1..32, the address neither the subnet's own
 * number nor its broadcast (for prefixes that have those). */
static bool parse_cidr(const char *v, struct keel_addr *addr, uint8_t *prefix)
{
	char text[16];
	const char *slash = strchr(v, '/');
	size_t alen = slash ? (size_t)(slash - v) : 0;
	unsigned long p = 0;
	const char *s;

	if (!slash || alen == 0 || alen >= sizeof(text))
		return false;
	memcpy(text, v, alen);
	text[alen] = '\0';
	if (keel_addr_parse(text, addr) != KEEL_OK || !host_address(addr))
		return false;
	s = slash + 1;
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0') || strlen(s) > 2)
		return false;
	while (*s >= '0' && *s <= '9')
		p = p * 10 + (unsigned long)(*s++ - '0');
	if (*s != '\0' || p < 1 || p > 32)
		return false;
	if (p <= 30) {
		uint32_t ip = net_get32(addr->bytes);
		uint32_t host = ip & (0xffffffffu >> p);

		if (host == 0 || host == 0xffffffffu >> p)
			return false;
	}
	*prefix = (uint8_t)p;
	return true;
}

static bool parse_count(const char *v, unsigned long max, uint32_t *out)
{
	unsigned long n = 0;

	if (*v < '1' || *v > '9')
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		n = n * 10 + (unsigned long)(*v - '0');
		if (n > max)
			return false;
	}
	*out = (uint32_t)n;
	return true;
}

static bool same_subnet(const struct keel_addr *a, const struct keel_addr *b, uint8_t prefix)
{
	uint32_t mask = prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);

	return ((net_get32(a->bytes) ^ net_get32(b->bytes)) & mask) == 0;
}

int keel_net_config_args(struct keel_net_config *cfg, int *argc, char **argv, char *errbuf,
                         size_t errlen)
{
	enum { OPT_IPV4, OPT_GATEWAY, OPT_DNS, OPT_CONNS, OPT_COUNT };
	static const char *const names[OPT_COUNT] = { "--ipv4", "--ipv4-gateway", "--dns",
		                                      "--max-conns" };
	struct keel_net_config next = *cfg;
	bool seen[OPT_COUNT] = { false };
	int kept;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (*argc < 1)
		return KEEL_OK;
	/* First pass: parse everything into a copy, so that an error leaves
	 * both *cfg and argv as they were. */
	for (int i = 1; i < *argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0)
			break;
		for (int o = 0; o < OPT_COUNT; o++) {
			bool bare = false;
			const char *v = option_value(arg, names[o], &bare);
			bool ok;

			if (bare)
				return bad(errbuf, errlen, "%s needs a value (--option=VALUE)",
				           names[o]);
			if (!v)
				continue;
			if (seen[o])
				return bad(errbuf, errlen, "%s given twice", names[o]);
			seen[o] = true;
			switch (o) {
			case OPT_IPV4:
				ok = parse_cidr(v, &next.addr, &next.prefix_len);
				break;
			case OPT_GATEWAY:
				ok = keel_addr_parse(v, &next.gateway) == KEEL_OK &&
				     host_address(&next.gateway);
				break;
			case OPT_DNS:
				ok = keel_addr_parse(v, &next.dns) == KEEL_OK &&
				     host_address(&next.dns);
				break;
			default:
				ok = parse_count(v, MAX_CONNS_LIMIT, &next.max_tcp_conns);
				break;
			}
			if (!ok)
				return bad(errbuf, errlen, "bad value in '%s'", arg);
			break;
		}
	}
	if (seen[OPT_GATEWAY] && next.addr.family == KEEL_AF_INET4 &&
	    (!same_subnet(&next.addr, &next.gateway, next.prefix_len) ||
	     keel_addr_equal(&next.addr, &next.gateway)))
		return bad(errbuf, errlen, "%s is not another host of the --ipv4 subnet",
		           names[OPT_GATEWAY]);

	/* Second pass: drop the options just applied. */
	kept = 1;
	for (int i = 1; i < *argc; i++) {
		bool ours = false, bare = false;

		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[kept++] = argv[i++];
			break;
		}
		for (int o = 0; o < OPT_COUNT && !ours; o++)
			ours = option_value(argv[i], names[o], &bare) != NULL;
		if (!ours)
			argv[kept++] = argv[i];
	}
	argv[kept] = NULL;
	*argc = kept;
	*cfg = next;
	return KEEL_OK;
}
