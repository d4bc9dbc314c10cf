/*
 * addr.c — addresses as values: construction, comparison, and the strict
 * text forms "10.0.0.2" and "10.0.0.2:80".
 */
#include <stdio.h>

#include "net_impl.h"

struct keel_addr keel_addr_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct keel_addr addr = { .family = KEEL_AF_INET4, .bytes = { a, b, c, d } };

	return addr;
}

struct keel_addr keel_addr_any4(void)
{
	return keel_addr_ipv4(0, 0, 0, 0);
}

bool keel_addr_equal(const struct keel_addr *a, const struct keel_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/*
 * Reads one decimal number of 1..maxdigits digits at *p, no sign, no
 * leading zero unless it is "0" itself, at most `max`. Advances *p.
 */
static bool parse_decimal(const char **p, unsigned maxdigits, unsigned long max, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	unsigned n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == maxdigits)
			return false;
		v = v * 10 + (unsigned long)(s[n] - '0');
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0') || v > max)
		return false;
	*p = s + n;
	*out = v;
	return true;
}

/* Parses the dotted quad at the start of text; *end is where it stopped. */
static bool parse_quad(const char *text, struct keel_addr *out, const char **end)
{
	struct keel_addr a = { .family = KEEL_AF_INET4 };
	const char *p = text;

	for (int i = 0; i < 4; i++) {
		unsigned long part;

		if (i > 0 && *p++ != '.')
			return false;
		if (!parse_decimal(&p, 3, 255, &part))
			return false;
		a.bytes[i] = (uint8_t)part;
	}
	*out = a;
	*end = p;
	return true;
}

int keel_addr_parse(const char *text, struct keel_addr *out)
{
	struct keel_addr a;
	const char *end;

	if (!text || !parse_quad(text, &a, &end) || *end != '\0')
		return KEEL_EINVAL;
	*out = a;
	return KEEL_OK;
}

int keel_sockaddr_parse(const char *text, struct keel_sockaddr *out)
{
	struct keel_addr a;
	const char *p;
	unsigned long port;

	if (!text || !parse_quad(text, &a, &p) || *p++ != ':')
		return KEEL_EINVAL;
	if (!parse_decimal(&p, 5, 65535, &port) || *p != '\0')
		return KEEL_EINVAL;
	out->addr = a;
	out->port = (uint16_t)port;
	return KEEL_OK;
}

int keel_addr_format(const struct keel_addr *a, char *buf, size_t len)
{
	const uint8_t *b = a->bytes;

	switch (a->family) {
	case KEEL_AF_INET4:
		return snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	case KEEL_AF_INET6:
		/* The full form: always valid, if not the shortest. */
		return snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x", net_get16(b), net_get16(b + 2),
		                net_get16(b + 4), net_get16(b + 6), net_get16(b + 8),
		                net_get16(b + 10), net_get16(b + 12), net_get16(b + 14));
	default:
		return snprintf(buf, len, "unspecified");
	}
}

int keel_sockaddr_format(const struct keel_sockaddr *sa, char *buf, size_t len)
{
	char addr[KEEL_ADDR_STRLEN];

	keel_addr_format(&sa->addr, addr, sizeof(addr));
	if (sa->addr.family == KEEL_AF_INET6)
		return snprintf(buf, len, "[%s]:%u", addr, sa->port);
	return snprintf(buf, len, "%s:%u", addr, sa->port);
}
