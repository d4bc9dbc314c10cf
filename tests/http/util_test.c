/*
 * The pure helpers of lib/http: HTTP-date formatting and parsing (checked
 * against the host's gmtime over many instants), Range, entity-tag
 * lists, Accept-Encoding, percent-decoding, reason phrases.
 */
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "http_impl.h"

const char test_name[] = "http/util";

static void dates(void)
{
	char buf[64], want[64];
	uint64_t t;

	CHECK(keel_http_date_format(0, buf, sizeof(buf)) == 29);
	CHECK(strcmp(buf, "Thu, 01 Jan 1970 00:00:00 GMT") == 0);
	CHECK(keel_http_date_format(784111777, buf, sizeof(buf)) == 29);
	CHECK(strcmp(buf, "Sun, 06 Nov 1994 08:49:37 GMT") == 0);
	CHECK(keel_http_date_format(951782400, buf, sizeof(buf)) == 29);
	CHECK(strcmp(buf, "Tue, 29 Feb 2000 00:00:00 GMT") == 0);
	CHECK(keel_http_date_format(253402300799ull, buf, sizeof(buf)) == 29);
	CHECK(strcmp(buf, "Fri, 31 Dec 9999 23:59:59 GMT") == 0);
	CHECK(keel_http_date_format(253402300800ull, buf, sizeof(buf)) == KEEL_EINVAL);
	CHECK(keel_http_date_format(UINT64_MAX, buf, sizeof(buf)) == KEEL_EINVAL);
	CHECK(keel_http_date_format(0, buf, 29) == KEEL_EINVAL);

	/* Against gmtime, and back: every day boundary region of 400 years
	 * and random instants. */
	for (int i = 0; i < 300000; i++) {
		uint64_t secs = i < 150000 ? (uint64_t)i * 86399u * 2 + (uint64_t)(i % 3)
		                           : test_rand() % 253402300800ull;
		time_t tt = (time_t)secs;
		struct tm tm;

		CHECK(gmtime_r(&tt, &tm));
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		CHECK(keel_http_date_format(secs, buf, sizeof(buf)) == 29);
		if (strcmp(buf, want) != 0)
			printf("%llu: %s, want %s\n", (unsigned long long)secs, buf, want);
		CHECK(strcmp(buf, want) == 0);
		CHECK(keel_http_date_parse(buf, 29, &t) == KEEL_OK && t == secs);
	}

	/* The three forms of RFC 9110 section 5.6.7. */
#define PARSES(s, v) CHECK(keel_http_date_parse(s, strlen(s), &t) == KEEL_OK && t == (v))
#define REFUSED(s) CHECK(keel_http_date_parse(s, strlen(s), &t) == KEEL_EINVAL)
	PARSES("Sun, 06 Nov 1994 08:49:37 GMT", 784111777);
	PARSES("Sunday, 06-Nov-94 08:49:37 GMT", 784111777);
	PARSES("Sun Nov  6 08:49:37 1994", 784111777);
	PARSES("Sun Nov 16 08:49:37 1994", 784111777 + 10 * 86400);
	PARSES("Thursday, 01-Jan-70 00:00:00 GMT", 0);
	PARSES("Friday, 01-Jan-38 00:00:00 GMT", 2145916800);
	PARSES("Sun, 06 Nov 1994 08:49:60 GMT", 784111799); /* leap second */
	REFUSED("");
	REFUSED("Sun, 06 Nov 1994 08:49:37 UTC");
	REFUSED("Sun, 06 Nov 1994 08:49:37 GMT ");
	REFUSED(" Sun, 06 Nov 1994 08:49:37 GMT");
	REFUSED("Sun, 6 Nov 1994 08:49:37 GMT");
	REFUSED("Sun, 06 nov 1994 08:49:37 GMT");
	REFUSED("Sun, 31 Nov 1994 08:49:37 GMT");
	REFUSED("Sun, 29 Feb 1900 08:49:37 GMT");
	REFUSED("Sun, 00 Nov 1994 08:49:37 GMT");
	REFUSED("Sun, 06 Nov 1994 24:00:00 GMT");
	REFUSED("Sun, 06 Nov 1994 08:60:00 GMT");
	REFUSED("Sun, 06 Nov 1969 08:49:37 GMT");
	REFUSED("Sun, 06 Nov 19x4 08:49:37 GMT");
	REFUSED("Sun, 06 Nov 1994 8:49:37 GMT");
	REFUSED("Xyz, 06 Nov 1994 08:49:37 GMT");
	REFUSED("Sun Nov  6 08:49:37 1994 GMT");
	REFUSED("Sunday, 06-Nov-1994 08:49:37 GMT");
	REFUSED("1994-11-06T08:49:37Z");
	PARSES("Mon, 29 Feb 2016 12:00:00 GMT", 1456747200);
	REFUSED("Sun, 29 Feb 2015 12:00:00 GMT");
	/* Only the given bytes count. */
	CHECK(keel_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMTxx", 29, &t) == KEEL_OK);
	CHECK(keel_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 28, &t) == KEEL_EINVAL);
}

static void ranges(void)
{
	uint64_t a, b;

#define RANGE(s, size, want_a, want_b)                                                             \
	CHECK(http_range_parse(s, strlen(s), size, &a, &b) == HTTP_RANGE_OK && a == (want_a) &&    \
	      b == (want_b))
#define RANGE_IS(s, size, r) CHECK(http_range_parse(s, strlen(s), size, &a, &b) == (r))
	RANGE("bytes=0-0", 10, 0, 0);
	RANGE("bytes=0-9", 10, 0, 9);
	RANGE("bytes=2-5", 10, 2, 5);
	RANGE("bytes=2-", 10, 2, 9);
	RANGE("bytes=2-100", 10, 2, 9);
	RANGE("bytes=-3", 10, 7, 9);
	RANGE("bytes=-30", 10, 0, 9);
	RANGE("Bytes=1-1", 10, 1, 1);
	RANGE("bytes= 1-2 ", 10, 1, 2);
	RANGE("bytes=1-99999999999999999999999", 10, 1, 9);
	RANGE_IS("bytes=10-", 10, HTTP_RANGE_UNSATISFIABLE);
	RANGE_IS("bytes=10-20", 10, HTTP_RANGE_UNSATISFIABLE);
	RANGE_IS("bytes=99999999999999999999999-", 10, HTTP_RANGE_UNSATISFIABLE);
	RANGE_IS("bytes=-0", 10, HTTP_RANGE_UNSATISFIABLE);
	RANGE_IS("bytes=0-", 0, HTTP_RANGE_UNSATISFIABLE);
	RANGE_IS("bytes=-5", 0, HTTP_RANGE_NONE);
	/* Several ranges: the whole representation. */
	RANGE_IS("bytes=0-1,3-4", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=0-1, 20-30", 10, HTTP_RANGE_NONE);
	/* Invalid: ignored. */
	RANGE_IS("bytes=5-2", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=-", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=a-b", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=1-2x", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=--1", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes 1-2", 10, HTTP_RANGE_NONE);
	RANGE_IS("items=1-2", 10, HTTP_RANGE_NONE);
	RANGE_IS("", 10, HTTP_RANGE_NONE);
	RANGE_IS("bytes=1", 10, HTTP_RANGE_NONE);
}

static void etags(void)
{
#define MATCH(list, tag, weak) http_etag_match(list, strlen(list), tag, strlen(tag), weak)
	CHECK(MATCH("\"abc\"", "\"abc\"", true));
	CHECK(MATCH("\"abc\"", "\"abc\"", false));
	CHECK(MATCH("W/\"abc\"", "\"abc\"", true));
	CHECK(!MATCH("W/\"abc\"", "\"abc\"", false));
	CHECK(!MATCH("\"abc\"", "W/\"abc\"", false));
	CHECK(MATCH("\"x\", \"abc\"", "\"abc\"", true));
	CHECK(MATCH("\"x\",W/\"abc\" , \"y\"", "\"abc\"", true));
	CHECK(MATCH("*", "\"abc\"", true));
	CHECK(MATCH(" * ", "\"abc\"", false));
	CHECK(!MATCH("\"abcd\"", "\"abc\"", true));
	CHECK(!MATCH("\"ab\"", "\"abc\"", true));
	CHECK(!MATCH("abc", "\"abc\"", true));
	CHECK(!MATCH("\"abc", "\"abc\"", true));
	CHECK(!MATCH("\"abc\" junk", "\"abc\"", true));
	CHECK(!MATCH("", "\"abc\"", true));
	CHECK(!MATCH("*, \"abc\"", "\"abc\"", true));
	/* A comma inside a tag is part of it. */
	CHECK(MATCH("\"a,b\"", "\"a,b\"", true));
	CHECK(!MATCH("\"a,b\"", "\"a\"", true));
	/* Tags with a space are malformed. */
	CHECK(!MATCH("\"a b\"", "\"a b\"", true));
}

static void encodings(void)
{
#define GZ(s) http_accepts_gzip(s, strlen(s))
	CHECK(GZ("gzip"));
	CHECK(GZ("GZIP"));
	CHECK(GZ("deflate, gzip, br"));
	CHECK(GZ("x-gzip"));
	CHECK(GZ("gzip;q=0.5"));
	CHECK(GZ("gzip; q=1.0"));
	CHECK(GZ("gzip;Q=0.001"));
	CHECK(GZ("*"));
	CHECK(GZ("br, *;q=0.1"));
	CHECK(!GZ(""));
	CHECK(!GZ("br"));
	CHECK(!GZ("identity"));
	CHECK(!GZ("gzip;q=0"));
	CHECK(!GZ("gzip;q=0.000"));
	CHECK(!GZ("gzip;q=0, *"));
	CHECK(!GZ("*;q=0"));
	CHECK(!GZ("gzipx"));
	CHECK(!GZ("gzip;q=2"));
	CHECK(!GZ("gzip;q=1.5"));
	CHECK(!GZ("gzip;q=abc"));
	CHECK(!GZ("gzip;q=0.12345"));
}

static void percent(void)
{
	char out[16];

	CHECK(keel_http_percent_decode("a%20b", 5, out, sizeof(out)) == 3 &&
	      strcmp(out, "a b") == 0);
	CHECK(keel_http_percent_decode("%2F%2f", 6, out, sizeof(out)) == 2 &&
	      strcmp(out, "//") == 0);
	CHECK(keel_http_percent_decode("a+b", 3, out, sizeof(out)) == 3 && strcmp(out, "a+b") == 0);
	CHECK(keel_http_percent_decode("%C3%A9", 6, out, sizeof(out)) == 2);
	CHECK(keel_http_percent_decode("", 0, out, sizeof(out)) == 0 && out[0] == 0);
	CHECK(keel_http_percent_decode("%00", 3, out, sizeof(out)) == KEEL_EINVAL);
	CHECK(keel_http_percent_decode("%0", 2, out, sizeof(out)) == KEEL_EINVAL);
	CHECK(keel_http_percent_decode("%", 1, out, sizeof(out)) == KEEL_EINVAL);
	CHECK(keel_http_percent_decode("%gg", 3, out, sizeof(out)) == KEEL_EINVAL);
	CHECK(keel_http_percent_decode("a\0b", 3, out, sizeof(out)) == KEEL_EINVAL);
	CHECK(keel_http_percent_decode("0123456789abcdef", 16, out, sizeof(out)) == KEEL_ERANGE);
	CHECK(keel_http_percent_decode("0123456789abcde", 15, out, sizeof(out)) == 15);
	CHECK(keel_http_percent_decode("a", 1, out, 0) == KEEL_ERANGE);
}

static void reasons(void)
{
	/* Every code with a phrase (RFC 9110 section 15, RFC 6585); every
	 * other code, in range or not, has none. */
	static const struct {
		int code;
		const char *phrase;
	} named[] = {
		{ 100, "Continue" },
		{ 101, "Switching Protocols" },
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 203, "Non-Authoritative Information" },
		{ 204, "No Content" },
		{ 205, "Reset Content" },
		{ 206, "Partial Content" },
		{ 300, "Multiple Choices" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" },
		{ 408, "Request Timeout" },
		{ 409, "Conflict" },
		{ 410, "Gone" },
		{ 411, "Length Required" },
		{ 412, "Precondition Failed" },
		{ 413, "Content Too Large" },
		{ 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 416, "Range Not Satisfiable" },
		{ 417, "Expectation Failed" },
		{ 422, "Unprocessable Content" },
		{ 426, "Upgrade Required" },
		{ 428, "Precondition Required" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};
	static const int unnamed[] = { INT_MIN, -200, -1,  0,   1,   99,   102,    199, 207,
		                       299,     305,  306, 309, 399, 402,  407,    418, 430,
		                       432,     499,  506, 599, 600, 1200, INT_MAX };
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		CHECK(strcmp(keel_http_reason(named[i].code), named[i].phrase) == 0);
	for (i = 0; i < sizeof(unnamed) / sizeof(unnamed[0]); i++)
		CHECK(strcmp(keel_http_reason(unnamed[i]), "") == 0);
	CHECK(http_token_eq("Keep-Alive", 10, "keep-alive"));
	CHECK(!http_token_eq("Keep-Alive", 9, "keep-alive"));
	CHECK(!http_token_eq("Keep-Alivex", 11, "keep-alive"));
}

static void lists(void)
{
	static const char v[] = " a ,, \"b, c\" ,d\t,";
	const char *e;
	size_t pos = 0, n;

	n = http_list_next(v, sizeof(v) - 1, &pos, &e);
	CHECK(n == 1 && e[0] == 'a');
	n = http_list_next(v, sizeof(v) - 1, &pos, &e);
	CHECK(n == 6 && memcmp(e, "\"b, c\"", 6) == 0);
	n = http_list_next(v, sizeof(v) - 1, &pos, &e);
	CHECK(n == 1 && e[0] == 'd');
	CHECK(http_list_next(v, sizeof(v) - 1, &pos, &e) == 0);
	CHECK(http_list_next(v, sizeof(v) - 1, &pos, &e) == 0);
}

int main(void)
{
	dates();
	ranges();
	etags();
	encodings();
	percent();
	reasons();
	lists();
	printf("PASS %s\n", test_name);
	return 0;
}
