/*
 * config.c — the stack's configuration: defaults, and the network options
 * of the command line. The socket stack parses all the options of
 * keel/net.h, so an application runs unchanged on either stack, but uses
 * only --dns and --max-conns: the host's addresses and routes are what
 * they are (keel_net_open says so once when --ipv4 options are given).
 * Pure functions of their arguments (built and tested on the host too).
 */
#include <stdio.h>
#include <string.h>

#include <keel/net.h>

#define MAX_CONNS_LIMIT 1000000u

enum option { OPT_IPV4, OPT_GATEWAY, OPT_DNS, OPT_MAX_CONNS, OPT_COUNT };

static const char *const option_names[OPT_COUNT] = {
	"--ipv4",
	"--ipv4-gateway",
	"--dns",
	"--max-conns",
};

void keel_net_config_default(struct keel_net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->addr.family = KEEL_AF_UNSPEC;
	cfg->gateway.family = KEEL_AF_UNSPEC;
	cfg->dns.family = KEEL_AF_UNSPEC;
	cfg->log_config = true;
}

/* Which option `arg` is (OPT_COUNT: none of ours) and its value after
 * '=' (NULL when there is no '='). */
static enum option which(const char *arg, const char **value)
{
	for (int o = 0; o < OPT_COUNT; o++) {
		size_t n = strlen(option_names[o]);

		if (strncmp(arg, option_names[o], n) != 0)
			continue;
		if (arg[n] == '=') {
			*value = arg + n + 1;
			return (enum option)o;
		}
		if (arg[n] == '\0') {
			*value = NULL;
			return (enum option)o;
		}
	}
	return OPT_COUNT;
}

/* A unicast address a server can have: not 0.0.0.0, multicast or
 * reserved (the loopback is fine: the host's resolver often sits there). */
static bool unicast(const struct keel_addr *a)
{
	return a->bytes[0] != 0 && a->bytes[0] < 224;
}

/* "ADDR/PREFIX" with a prefix of 1..32 (no leading zeros). */
static bool parse_cidr(const char *v, struct keel_addr *addr, uint8_t *prefix)
{
	const char *slash = strchr(v, '/');
	char text[16];
	size_t alen = slash ? (size_t)(slash - v) : 0;
	const char *p;
	unsigned value = 0;

	if (!slash || alen == 0 || alen >= sizeof(text))
		return false;
	memcpy(text, v, alen);
	text[alen] = '\0';
	if (keel_addr_parse(text, addr) != KEEL_OK || !unicast(addr))
		return false;
	p = slash + 1;
	if (*p < '1' || *p > '9' || strlen(p) > 2)
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		value = value * 10 + (unsigned)(*p - '0');
	if (*p != '\0' || value > 32)
		return false;
	*prefix = (uint8_t)value;
	return true;
}

/* A decimal count 1..max, no leading zeros. */
static bool parse_count(const char *v, uint32_t max, uint32_t *out)
{
	uint64_t n = 0;

	if (*v < '1' || *v > '9')
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		n = n * 10 + (uint64_t)(*v - '0');
		if (n > max)
			return false;
	}
	*out = (uint32_t)n;
	return true;
}

static int refuse(char *errbuf, size_t errlen, const char *what, const char *arg)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", arg, what);
	return KEEL_EINVAL;
}

static bool apply(struct keel_net_config *cfg, enum option o, const char *v)
{
	switch (o) {
	case OPT_IPV4:
		return parse_cidr(v, &cfg->addr, &cfg->prefix_len);
	case OPT_GATEWAY:
		return keel_addr_parse(v, &cfg->gateway) == KEEL_OK && unicast(&cfg->gateway);
	case OPT_DNS:
		return keel_addr_parse(v, &cfg->dns) == KEEL_OK && unicast(&cfg->dns);
	case OPT_MAX_CONNS:
		return parse_count(v, MAX_CONNS_LIMIT, &cfg->max_tcp_conns);
	default:
		return false;
	}
}

int keel_net_config_args(struct keel_net_config *cfg, int *argc, char **argv, char *errbuf,
                         size_t errlen)
{
	struct keel_net_config next = *cfg;
	bool seen[OPT_COUNT] = { false };
	int kept = 1;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (*argc < 1)
		return KEEL_OK;
	/* Everything is parsed into a copy first, so that on an error both
	 * *cfg and argv are left as they were. */
	for (int i = 1; i < *argc && strcmp(argv[i], "--") != 0; i++) {
		const char *v;
		enum option o = which(argv[i], &v);

		if (o == OPT_COUNT)
			continue;
		if (!v)
			return refuse(errbuf, errlen, "needs a value (--option=VALUE)", argv[i]);
		if (seen[o])
			return refuse(errbuf, errlen, "given twice", option_names[o]);
		seen[o] = true;
		if (!apply(&next, o, v))
			return refuse(errbuf, errlen, "bad value", argv[i]);
	}

	/* Then the options are dropped from argv; "--" and what follows stay. */
	for (int i = 1; i < *argc; i++) {
		const char *v;

		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[kept++] = argv[i++];
			break;
		}
		if (which(argv[i], &v) == OPT_COUNT)
			argv[kept++] = argv[i];
	}
	argv[kept] = NULL;
	*argc = kept;
	*cfg = next;
	return KEEL_OK;
}
