/*
 * addr.c — addresses of keel/net.h: building, comparing, parsing and
 * formatting. Pure functions of their arguments (built and tested on the
 * host too).
 */
#include <stdio.h>
#include <string.h>

#include <keel/net.h>

struct keel_addr keel_addr_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct keel_addr addr;

	memset(&addr, 0, sizeof(addr));
	addr.family = KEEL_AF_INET4;
	addr.bytes[0] = a;
	addr.bytes[1] = b;
	addr.bytes[2] = c;
	addr.bytes[3] = d;
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
 * Reads one decimal part of a dotted quad at *p: 1 to 3 digits, no
 * leading zero unless it is "0" itself, at most 255. Moves *p past it.
 */
static bool quad_part(const char **p, uint8_t *out)
{
	const char *s = *p;
	unsigned value = 0, digits = 0;

	while (s[digits] >= '0' && s[digits] <= '9') {
		if (digits == 3)
			return false;
		value = value * 10 + (unsigned)(s[digits] - '0');
		digits++;
	}
	if (digits == 0 || value > 255 || (digits > 1 && s[0] == '0'))
		return false;
	*out = (uint8_t)value;
	*p = s + digits;
	return true;
}

int keel_addr_parse(const char *text, struct keel_addr *out)
{
	const char *p = text;
	uint8_t b[4];

	if (!text || !out)
		return KEEL_EINVAL;
	for (int i = 0; i < 4; i++) {
		if (i > 0 && *p++ != '.')
			return KEEL_EINVAL;
		if (!quad_part(&p, &b[i]))
			return KEEL_EINVAL;
	}
	if (*p != '\0')
		return KEEL_EINVAL;
	*out = keel_addr_ipv4(b[0], b[1], b[2], b[3]);
	return KEEL_OK;
}

int keel_sockaddr_parse(const char *text, struct keel_sockaddr *out)
{
	char addr_text[16]; /* "255.255.255.255" and its NUL */
	const char *colon, *p;
	struct keel_addr addr;
	unsigned long port = 0;
	size_t alen;

	if (!text || !out)
		return KEEL_EINVAL;
	colon = strchr(text, ':');
	if (!colon)
		return KEEL_EINVAL;
	alen = (size_t)(colon - text);
	if (alen == 0 || alen >= sizeof(addr_text))
		return KEEL_EINVAL;
	memcpy(addr_text, text, alen);
	addr_text[alen] = '\0';
	if (keel_addr_parse(addr_text, &addr) != KEEL_OK)
		return KEEL_EINVAL;
	p = colon + 1;
	/* 1 to 5 digits, no leading zero but in "0", at most 65535. */
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0'))
		return KEEL_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return KEEL_EINVAL;
	}
	if (*p != '\0')
		return KEEL_EINVAL;
	out->addr = addr;
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
		return snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x", b[0] << 8 | b[1],
		                b[2] << 8 | b[3], b[4] << 8 | b[5], b[6] << 8 | b[7],
		                b[8] << 8 | b[9], b[10] << 8 | b[11], b[12] << 8 | b[13],
		                b[14] << 8 | b[15]);
	default:
		return snprintf(buf, len, "unspecified");
	}
}

int keel_sockaddr_format(const struct keel_sockaddr *sa, char *buf, size_t len)
{
	char addr[KEEL_ADDR_STRLEN];

	keel_addr_format(&sa->addr, addr, sizeof(addr));
	if (sa->addr.family == KEEL_AF_INET6)
		return snprintf(buf, len, "[%s]:%u", addr, (unsigned)sa->port);
	return snprintf(buf, len, "%s:%u", addr, (unsigned)sa->port);
}
