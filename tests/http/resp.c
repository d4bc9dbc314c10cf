/*
 * The test client's response reader (see resp.h). It trusts the server
 * less than the server trusts its peers would suggest: anything it cannot
 * frame makes resp_next fail, and the test with it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resp.h"

static const char *find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

const char *resp_header(struct resp *r, const char *name)
{
	size_t nlen = strlen(name);
	const char *line = strstr(r->head, "\r\n");

	while (line && line[2]) {
		const char *start = line + 2, *end = strstr(start, "\r\n");

		if (!end)
			break;
		if ((size_t)(end - start) > nlen && start[nlen] == ':' &&
		    strncasecmp(start, name, nlen) == 0) {
			const char *v = start + nlen + 1;
			size_t vlen;

			while (*v == ' ')
				v++;
			vlen = (size_t)(end - v);
			if (vlen >= sizeof(r->value))
				vlen = sizeof(r->value) - 1;
			memcpy(r->value, v, vlen);
			r->value[vlen] = 0;
			return r->value;
		}
		line = end;
	}
	return NULL;
}

int resp_header_count(const struct resp *r, const char *name)
{
	size_t nlen = strlen(name);
	const char *line = strstr(r->head, "\r\n");
	int count = 0;

	while (line && line[2]) {
		const char *start = line + 2;

		if (strncasecmp(start, name, nlen) == 0 && start[nlen] == ':')
			count++;
		line = strstr(start, "\r\n");
	}
	return count;
}

void resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

bool resp_next(const char *out, size_t len, size_t *pos, bool head, struct resp *r)
{
	const char *start = out + *pos, *end;
	size_t avail = len - *pos, hlen;
	const char *cl, *te;

	memset(r, 0, sizeof(*r));
	end = find(start, avail, "\r\n\r\n");
	if (!end || avail < 12 || memcmp(start, "HTTP/1.1 ", 9) != 0)
		return false;
	hlen = (size_t)(end - start) + 4;
	if (hlen >= sizeof(r->head))
		return false;
	memcpy(r->head, start, hlen);
	r->head[hlen] = 0;
	r->status = atoi(start + 9);
	start += hlen;
	avail -= hlen;
	r->body = malloc(avail + 1);
	if (!r->body)
		return false;
	r->body[0] = 0;
	cl = resp_header(r, "Content-Length");
	if (head || r->status < 200 || r->status == 204 || r->status == 304) {
		*pos += hlen;
		return true;
	}
	if (cl) {
		size_t n = strtoul(cl, NULL, 10);

		if (n > avail)
			return false;
		memcpy(r->body, start, n);
		r->body[n] = 0;
		r->body_len = n;
		*pos += hlen + n;
		return true;
	}
	te = resp_header(r, "Transfer-Encoding");
	if (te && strcmp(te, "chunked") == 0) {
		size_t i = 0;

		r->chunked = true;
		for (;;) {
			char *e;
			size_t n = strtoul(start + i, &e, 16);
			const char *crlf = find(start + i, avail - i, "\r\n");

			if (!crlf || e != crlf)
				return false;
			i = (size_t)(crlf - start) + 2;
			if (n == 0) {
				if (avail - i < 2 || memcmp(start + i, "\r\n", 2) != 0)
					return false;
				i += 2;
				break;
			}
			if (avail - i < n + 2 || memcmp(start + i + n, "\r\n", 2) != 0)
				return false;
			memcpy(r->body + r->body_len, start + i, n);
			r->body_len += n;
			i += n + 2;
		}
		r->body[r->body_len] = 0;
		*pos += hlen + i;
		return true;
	}
	/* Delimited by the end of the connection. */
	memcpy(r->body, start, avail);
	r->body[avail] = 0;
	r->body_len = avail;
	*pos = len;
	return true;
}
