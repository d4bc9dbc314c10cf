/*
 * The request parser (lib/http/parse.c) and the meaning of a head
 * (lib/http/head.c).
 *
 * Hostile and malformed requests each give the status RFC 9110/9112 call
 * for (400, 414, 417, 431, 501, 505), delivered whole, in two pieces at
 * every split point, and byte by byte. Good requests give the same
 * fields, offsets, framing and persistence however they are split. The
 * bounds are tested at their edge: one byte under passes, at it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http_impl.h"

const char test_name[] = "http/parse";

/* What a head comes to: 0 when incomplete; 200 when accepted (with *h
 * and *p filled); the refusal status otherwise. The bytes are given in
 * pieces of `step` (0: whole), or split once at `split`. */
static int eval_pieces(const char *req, size_t len, size_t step, size_t split,
                       struct http_parser *p, struct http_head *h)
{
	size_t have = 0;
	int r = HTTP_PARSE_MORE;

	http_parser_init(p);
	while (have < len) {
		size_t next = step ? have + step : (split && have < split ? split : len);

		if (next > len)
			next = len;
		have = next;
		r = http_parse(p, req, have);
		if (r != HTTP_PARSE_MORE)
			break;
	}
	if (r == HTTP_PARSE_MORE)
		return 0;
	if (r == HTTP_PARSE_ERROR)
		return p->status;
	{
		int st = http_head_check(p, req, h);

		return st ? st : 200;
	}
}

static struct http_parser p0, p1;
static struct http_head h0, h1;

/* Same outcome, split anywhere. */
static int eval(const char *req, size_t len)
{
	int want = eval_pieces(req, len, 0, 0, &p0, &h0);

	for (size_t s = 1; s < len; s++) {
		int got = eval_pieces(req, len, 0, s, &p1, &h1);

		if (got != want) {
			printf("split at %zu: %d, whole: %d\n", s, got, want);
			CHECK(got == want);
		}
	}
	CHECK(eval_pieces(req, len, 1, 0, &p1, &h1) == want);
	return want;
}

static int eval_str(const char *req)
{
	return eval(req, strlen(req));
}

struct hostile {
	const char *what;
	const char *req;
	int status;
};

/* Each ends in an empty line, so 0 (incomplete) is never right. */
static const struct hostile cases[] = {
	/* The request line. */
	{ "two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400 },
	{ "HTTP/0.9 style", "GET /\r\n\r\n", 400 },
	{ "lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "bare LF ends request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400 },
	{ "bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400 },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
	{ "HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505 },
	{ "HTTP/3.1", "GET / HTTP/3.1\r\nHost: a\r\n\r\n", 505 },
	{ "two-digit minor", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400 },
	{ "no dot in version", "GET / HTTP/11\r\nHost: a\r\n\r\n", 400 },
	{ "tab as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "non-token method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "method too long",
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\nHost: a\r\n\r\n", 501 },
	{ "space inside target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "quote in target", "GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "angle bracket in target", "GET /<script> HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "backslash in target", "GET /a\\..\\b HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "obs-text in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "bad percent escape", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "short percent escape", "GET /%4 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "relative target", "GET abc HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "asterisk for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "userinfo in absolute form", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "other scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "empty authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501 },
	{ "too many empty lines first", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	  400 },
	{ "bare LF as empty line first", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	/* Fields. */
	{ "obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 400 },
	{ "obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", 400 },
	{ "space before first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400 },
	{ "space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },
	{ "empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400 },
	{ "no colon", "GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n", 400 },
	{ "non-token in name", "GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", 400 },
	{ "bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400 },
	{ "bare LF in fields", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400 },
	{ "bare LF as last line", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400 },
	{ "CR then junk at end", "GET / HTTP/1.1\r\nHost: a\r\n\rx\r\n\r\n", 400 },
	{ "DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400 },
	{ "escape in value", "GET / HTTP/1.1\r\nHost: a\r\nX: \x1b[2J\r\n\r\n", 400 },
	/* Host. */
	{ "no Host in 1.1", "GET / HTTP/1.1\r\nX: a\r\n\r\n", 400 },
	{ "two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400 },
	{ "two Hosts in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400 },
	{ "space inside Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400 },
	{ "slash in Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400 },
	{ "userinfo in Host", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400 },
	/* Content-Length. */
	{ "CL twice, same",
	  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400 },
	{ "CL twice, different",
	  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400 },
	{ "CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400 },
	{ "CL negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400 },
	{ "CL with plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400 },
	{ "CL hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400 },
	{ "CL overflowing 64 bits",
	  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400 },
	{ "CL of 2^63", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n",
	  400 },
	{ "CL with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400 },
	{ "CL empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400 },
	/* Transfer-Encoding. */
	{ "TE and CL (smuggling)",
	  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	  400 },
	{ "CL and TE (smuggling)",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
	  400 },
	{ "TE gzip then chunked",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501 },
	{ "TE chunked then gzip",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
	{ "TE chunked in two fields",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n",
	  400 },
	{ "TE chunked twice in a list",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400 },
	{ "TE identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400 },
	{ "TE with parameter",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", 400 },
	{ "TE empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400 },
	{ "TE only commas", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , ,\r\n\r\n", 400 },
	{ "TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
	{ "TE with vertical tab",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0b"
	  "chunked\r\n\r\n",
	  400 },
	{ "TE split by obs-fold",
	  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", 400 },
	{ "TE name with space", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
	  400 },
	/* Expect. */
	{ "unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417 },
	{ "empty expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect:\r\n\r\n", 417 },
};

/* A request that must come through whole and the same however split. */
static void good(const char *req, int version, int body, bool keep_alive)
{
	int st = eval_str(req);

	if (st != 200)
		printf("refused with %d: %s\n", st, req);
	CHECK(st == 200);
	CHECK(h0.version == version);
	CHECK(h0.body == body);
	CHECK(h0.keep_alive == keep_alive);
	CHECK(p0.head_len == strlen(req));
	/* Identical results for every split. */
	for (size_t s = 1; s < strlen(req); s++) {
		CHECK(eval_pieces(req, strlen(req), 0, s, &p1, &h1) == 200);
		CHECK(p1.head_len == p0.head_len && p1.nfields == p0.nfields);
		CHECK(p1.method_len == p0.method_len && p1.target_off == p0.target_off &&
		      p1.target_len == p0.target_len);
		CHECK(memcmp(p1.fields, p0.fields, p0.nfields * sizeof(p0.fields[0])) == 0);
		CHECK(memcmp(&h1, &h0, sizeof(h0)) == 0);
	}
}

static void good_requests(void)
{
	const char *r;

	good("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 11, HTTP_BODY_NONE, true);
	CHECK(p0.nfields == 1 && p0.method_len == 3);
	good("GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n", 11,
	     HTTP_BODY_NONE, true);
	r = "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n";
	CHECK(h0.path_len == 4 && memcmp(r + h0.path_off, "/a/b", 4) == 0);
	CHECK(h0.query_len == 9 && memcmp(r + h0.query_off, "x=1&y=%20", 9) == 0);
	CHECK(h0.host_len == 16 && memcmp(r + h0.host_off, "example.com:8080", 16) == 0);

	/* Whitespace around values is not part of them; inside it is. */
	r = "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one  two \t\r\nX-B:\r\nX-C:   \r\n\r\n";
	good(r, 11, HTTP_BODY_NONE, true);
	CHECK(p0.nfields == 4);
	CHECK(p0.fields[0].value_len == 1 && r[p0.fields[0].value_off] == 'a');
	CHECK(p0.fields[1].value_len == 8 &&
	      memcmp(r + p0.fields[1].value_off, "one  two", 8) == 0);
	CHECK(p0.fields[2].value_len == 0 && p0.fields[3].value_len == 0);

	/* HTTP/1.0: no Host needed; persistence only when asked for. */
	good("GET / HTTP/1.0\r\n\r\n", 10, HTTP_BODY_NONE, false);
	good("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 10, HTTP_BODY_NONE, true);
	good("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", 11, HTTP_BODY_NONE,
	     false);
	/* HTTP/1.x beyond 1.1 is answered as 1.1 (RFC 9110 section 6.2). */
	good("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 11, HTTP_BODY_NONE, true);

	/* Framing. */
	good("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0042\r\n\r\n", 11, HTTP_BODY_LENGTH,
	     true);
	CHECK(h0.content_length == 42);
	good("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", 11,
	     HTTP_BODY_LENGTH, true);
	CHECK(h0.content_length == 9223372036854775807ull);
	good("POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", 11,
	     HTTP_BODY_CHUNKED, true);
	good("POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked,\r\n\r\n", 11,
	     HTTP_BODY_CHUNKED, true);
	good("POST /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", 11,
	     HTTP_BODY_LENGTH, true);
	CHECK(h0.expect_continue);
	/* 1.0 ignores Expect. */
	good("POST /f HTTP/1.0\r\nExpect: nonsense\r\n\r\n", 10, HTTP_BODY_NONE, false);
	CHECK(!h0.expect_continue);

	/* Forms of the target. */
	r = "GET http://Example.org:80/p?q HTTP/1.1\r\nHost: other\r\n\r\n";
	good(r, 11, HTTP_BODY_NONE, true);
	CHECK(h0.host_len == 14 && memcmp(r + h0.host_off, "Example.org:80", 14) == 0);
	CHECK(h0.path_len == 2 && memcmp(r + h0.path_off, "/p", 2) == 0 && h0.query_len == 1);
	good("GET HTTPS://a HTTP/1.1\r\nHost: a\r\n\r\n", 11, HTTP_BODY_NONE, true);
	CHECK(h0.path_len == 0);
	good("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 11, HTTP_BODY_NONE, true);
	CHECK(h0.path_len == 1);

	/* Empty lines before a request, obs-text in values, empty Host. */
	good("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 11, HTTP_BODY_NONE, true);
	CHECK(p0.line_start == 4);
	good("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", 11, HTTP_BODY_NONE, true);
	good("GET / HTTP/1.1\r\nHost:\r\n\r\n", 11, HTTP_BODY_NONE, true);
	good("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 11, HTTP_BODY_NONE, true);
	good("M-SEARCH /!$&'()*+,;=:@~-._ HTTP/1.1\r\nHost: a\r\n\r\n", 11, HTTP_BODY_NONE, true);
}

static void hostile_requests(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; i < n; i++) {
		int got = eval_str(cases[i].req);

		if (got != cases[i].status) {
			printf("%s: got %d, want %d\n", cases[i].what, got, cases[i].status);
			CHECK(got == cases[i].status);
		}
	}
	printf("%zu hostile requests refused as expected\n", n);
	CHECK(n >= 40);

	/* NUL anywhere is refused (strings cannot hold it: lengths given). */
	{
		static const char nul_method[] = "GE\0T / HTTP/1.1\r\nHost: a\r\n\r\n";
		static const char nul_target[] = "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n";
		static const char nul_name[] = "GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n";
		static const char nul_value[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
		static const char nul_first[] = "\0GET / HTTP/1.1\r\nHost: a\r\n\r\n";

		CHECK(eval(nul_method, sizeof(nul_method) - 1) == 400);
		CHECK(eval(nul_target, sizeof(nul_target) - 1) == 400);
		CHECK(eval(nul_name, sizeof(nul_name) - 1) == 400);
		CHECK(eval(nul_value, sizeof(nul_value) - 1) == 400);
		CHECK(eval(nul_first, sizeof(nul_first) - 1) == 400);
	}
}

/* A buffer holding "GET /aaa... HTTP/1.1\r\n" exactly `line` bytes long,
 * then the given rest. */
static char *long_line(size_t line, const char *rest, size_t *len)
{
	size_t rlen = strlen(rest);
	char *b = malloc(line + rlen + 1);

	CHECK(b && line >= 16);
	memcpy(b, "GET /", 5);
	memset(b + 5, 'a', line - 5 - 11);
	memcpy(b + line - 11, " HTTP/1.1\r\n", 11);
	memcpy(b + line, rest, rlen + 1);
	*len = line + rlen;
	return b;
}

static void bounds(void)
{
	size_t len;
	char *b, *big;
	size_t pos;

	/* The request line: KEEL_HTTP_LINE_MAX bytes pass, one more is 414. */
	b = long_line(KEEL_HTTP_LINE_MAX, "Host: a\r\n\r\n", &len);
	CHECK(eval_pieces(b, len, 0, 0, &p0, &h0) == 200);
	CHECK(eval_pieces(b, len, 7, 0, &p0, &h0) == 200);
	free(b);
	b = long_line(KEEL_HTTP_LINE_MAX + 1, "Host: a\r\n\r\n", &len);
	CHECK(eval_pieces(b, len, 0, 0, &p0, &h0) == 414);
	CHECK(eval_pieces(b, len, 1, 0, &p0, &h0) == 414);
	free(b);
	/* A line that never ends is refused once it is too long, without
	 * waiting for more. */
	b = long_line(KEEL_HTTP_LINE_MAX + 100, "", &len);
	CHECK(eval_pieces(b, KEEL_HTTP_LINE_MAX + 1, 0, 0, &p0, &h0) == 414);
	CHECK(eval_pieces(b, KEEL_HTTP_LINE_MAX, 0, 0, &p0, &h0) == 0);
	free(b);

	/* Fields: 100 pass, 101 are 431. */
	big = malloc(64 * 1024);
	CHECK(big);
	pos = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 1; i < KEEL_HTTP_FIELDS_MAX; i++)
		pos += (size_t)sprintf(big + pos, "X-%d: %d\r\n", i, i);
	strcpy(big + pos, "\r\n");
	CHECK(eval_pieces(big, pos + 2, 0, 0, &p0, &h0) == 200);
	CHECK(p0.nfields == KEEL_HTTP_FIELDS_MAX);
	strcpy(big + pos, "X-last: 1\r\n\r\n");
	CHECK(eval_pieces(big, pos + 13, 0, 0, &p0, &h0) == 431);

	/* The header section: KEEL_HTTP_HEADERS_MAX bytes pass, one more is
	 * 431. One field is sized to make the section exactly that long. */
	{
		size_t line = strlen("GET / HTTP/1.1\r\n");
		size_t fixed = strlen("Host: a\r\nX: \r\n\r\n");
		size_t vlen = KEEL_HTTP_HEADERS_MAX - fixed;

		pos = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
		memset(big + pos, 'v', vlen);
		pos += vlen;
		strcpy(big + pos, "\r\n\r\n");
		CHECK(eval_pieces(big, pos + 4, 0, 0, &p0, &h0) == 200);
		CHECK(p0.head_len - line == KEEL_HTTP_HEADERS_MAX);
		pos = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
		memset(big + pos, 'v', vlen + 1);
		pos += vlen + 1;
		strcpy(big + pos, "\r\n\r\n");
		CHECK(eval_pieces(big, pos + 4, 0, 0, &p0, &h0) == 431);
		CHECK(eval_pieces(big, pos + 4, 3, 0, &p0, &h0) == 431);
	}
	/* A huge header section of many small fields trips the field count
	 * first; one huge field trips the byte bound. */
	pos = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(big + pos, 'v', 40000);
	CHECK(eval_pieces(big, pos + 40000, 0, 0, &p0, &h0) == 431);
	free(big);
}

static void incremental(void)
{
	static const char two[] =
	    "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_parser p;
	size_t first = strlen("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");

	/* The parser stops at the end of the first head; the rest is the
	 * next request's. */
	http_parser_init(&p);
	CHECK(http_parse(&p, two, sizeof(two) - 1) == HTTP_PARSE_DONE);
	CHECK(p.head_len == first);
	/* Calling again changes nothing. */
	CHECK(http_parse(&p, two, sizeof(two) - 1) == HTTP_PARSE_DONE);
	CHECK(p.head_len == first);
	/* An error stays an error. */
	http_parser_init(&p);
	CHECK(http_parse(&p, "GET\x01", 4) == HTTP_PARSE_ERROR && p.status == 400);
	CHECK(http_parse(&p, "GET\x01 / HTTP/1.1\r\n", 17) == HTTP_PARSE_ERROR);
	/* Each byte is looked at once: scanning resumes where it stopped. */
	http_parser_init(&p);
	CHECK(http_parse(&p, two, 10) == HTTP_PARSE_MORE && p.pos == 10);
	CHECK(http_parse(&p, two, 10) == HTTP_PARSE_MORE && p.pos == 10);
	CHECK(http_parse(&p, two, first) == HTTP_PARSE_DONE);
}

static void field_lookup(void)
{
	static const char r[] = "GET / HTTP/1.1\r\nHost: a\r\nACCEPT-encoding: gzip\r\n"
	                        "accept-Encoding: br\r\n\r\n";

	CHECK(eval_str(r) == 200);
	CHECK(http_field_find(&p0, r, "accept-encoding", 0) == 1);
	CHECK(http_field_find(&p0, r, "Accept-Encoding", 2) == 2);
	CHECK(http_field_find(&p0, r, "accept", 0) == -1);
	CHECK(http_field_find(&p0, r, "accept-encodings", 0) == -1);
}

int main(void)
{
	good_requests();
	hostile_requests();
	bounds();
	incremental();
	field_lookup();
	printf("PASS %s\n", test_name);
	return 0;
}
