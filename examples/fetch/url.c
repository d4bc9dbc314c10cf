/*
 * url.c — the URL forms fetch takes: http://HOST[:PORT][/PATH] and the same
 * with https:// (TLS, port 443 by default).
 */
#include <string.h>

#include "fetch.h"

int url_parse(const char *text, struct url *u, const char **why)
{
	static const char http[] = "http://", https[] = "https://";
	const char *p = text, *host, *end;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncmp(p, http, sizeof(http) - 1) == 0) {
		p += sizeof(http) - 1;
	} else if (strncmp(p, https, sizeof(https) - 1) == 0) {
		p += sizeof(https) - 1;
		u->tls = true;
	} else {
		*why = "the URL must start with http:// or https://";
		return -1;
	}
	host = p;
	while (*p && *p != ':' && *p != '/')
		p++;
	n = (size_t)(p - host);
	if (n == 0 || n > FETCH_HOST_MAX) {
		*why = "the URL has no host, or one too long";
		return -1;
	}
	memcpy(u->host, host, n);
	u->port = u->tls ? 443 : 80;
	if (*p == ':') {
		unsigned long port = 0;

		for (end = ++p; *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (unsigned long)(*p - '0');
		if (p == end || port == 0 || port > 65535 || (*p && *p != '/')) {
			*why = "bad port in the URL";
			return -1;
		}
		u->port = (uint16_t)port;
		u->port_given = true;
	}
	if (*p == '\0') {
		strcpy(u->path, "/");
		return 0;
	}
	n = strlen(p);
	if (n > FETCH_PATH_MAX) {
		*why = "the path is too long";
		return -1;
	}
	/* Only what can go on a request line as it is. */
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f) {
			*why = "the path has spaces or control characters";
			return -1;
		}
	}
	memcpy(u->path, p, n);
	return 0;
}
