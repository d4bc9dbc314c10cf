/*
 * The chunked decoder (lib/http/chunked.c): good bodies decode to the
 * same bytes however the input is split and however little the caller
 * takes at a time; bad framing (sizes, overflow, missing CRLF, bare LF,
 * extensions with control bytes, over-long lines, trailers: folded,
 * too many, too large) is refused with the right status; decoding stops
 * exactly at the end of the body, leaving what follows.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "http_impl.h"

const char test_name[] = "http/chunked";

struct outcome {
	int result; /* HTTP_CHUNK_DONE, _ERROR, or _MORE when input ran out */
	int status;
	char data[8192];
	size_t data_len;
	size_t end; /* input consumed at DONE */
};

/* Decodes `in` given in pieces of `step` (0: whole) taking at most
 * `take` data bytes per call (0: all offered). */
static void decode(const char *in, size_t len, size_t step, size_t take, struct outcome *o)
{
	struct http_chunked c;
	size_t pos = 0, have = 0;

	memset(o, 0, sizeof(*o));
	http_chunked_init(&c);
	o->result = HTTP_CHUNK_MORE;
	for (;;) {
		size_t used, avail;
		int r;

		if (pos == have) {
			if (have == len)
				break;
			have = step && have + step < len ? have + step : len;
		}
		r = http_chunked_step(&c, in + pos, have - pos, &used, &avail);
		pos += used;
		if (r == HTTP_CHUNK_DATA) {
			CHECK(avail > 0 && pos + avail <= have);
			if (take && avail > take)
				avail = take;
			CHECK(o->data_len + avail <= sizeof(o->data));
			memcpy(o->data + o->data_len, in + pos, avail);
			o->data_len += avail;
			http_chunked_consume(&c, avail);
			pos += avail;
			continue;
		}
		if (r == HTTP_CHUNK_MORE) {
			CHECK(pos == have);
			continue;
		}
		o->result = r;
		o->status = c.status;
		o->end = pos;
		return;
	}
}

/* Every way of splitting gives the same outcome. */
static void decode_all_ways(const char *in, size_t len, struct outcome *o)
{
	static struct outcome other;

	decode(in, len, 0, 0, o);
	for (size_t step = 1; step <= len; step++) {
		for (size_t take = 0; take <= 3; take++) {
			decode(in, len, step, take, &other);
			CHECK(other.result == o->result && other.status == o->status);
			CHECK(other.data_len == o->data_len &&
			      memcmp(other.data, o->data, o->data_len) == 0);
			if (o->result == HTTP_CHUNK_DONE)
				CHECK(other.end == o->end);
		}
	}
}

static void expect_body(const char *in, const char *body)
{
	static struct outcome o;

	decode_all_ways(in, strlen(in), &o);
	if (o.result != HTTP_CHUNK_DONE)
		printf("not decoded (%d, %d): %s\n", o.result, o.status, in);
	CHECK(o.result == HTTP_CHUNK_DONE);
	CHECK(o.data_len == strlen(body) && memcmp(o.data, body, o.data_len) == 0);
	CHECK(o.end == strlen(in));
}

static void expect_error(const char *in, size_t len, int status)
{
	static struct outcome o;

	decode_all_ways(in, len, &o);
	if (o.result != HTTP_CHUNK_ERROR || o.status != status)
		printf("got (%d, %d), want error %d: %.60s\n", o.result, o.status, status, in);
	CHECK(o.result == HTTP_CHUNK_ERROR && o.status == status);
}

static void good(void)
{
	expect_body("5\r\nhello\r\n0\r\n\r\n", "hello");
	expect_body("0\r\n\r\n", "");
	expect_body("3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", "abcdefg");
	expect_body("A\r\n0123456789\r\n0\r\n\r\n", "0123456789");
	expect_body("a\r\n0123456789\r\n000\r\n\r\n", "0123456789");
	expect_body("0005\r\nhello\r\n0\r\n\r\n", "hello");
	/* Extensions, with or without whitespace before ';'. */
	expect_body("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello");
	expect_body("5 ;a=\"quoted; text\"\r\nhello\r\n0\r\n\r\n", "hello");
	expect_body("5\t; x\r\nhello\r\n0\r\n\r\n", "hello");
	/* Trailers are read and dropped. */
	expect_body("5\r\nhello\r\n0\r\nX-Sum: 1234\r\nX-Other:\r\n\r\n", "hello");
	/* Data may hold anything, CR LF and NUL included. */
	{
		static const char in[] = "4\r\n\r\n\0x\r\n0\r\n\r\n";
		static struct outcome o;

		decode_all_ways(in, sizeof(in) - 1, &o);
		CHECK(o.result == HTTP_CHUNK_DONE && o.data_len == 4 &&
		      memcmp(o.data, "\r\n\0x", 4) == 0);
	}
}

static void bad(void)
{
	static char big[8192];
	size_t n;

	expect_error("\r\n", 2, 400);                      /* no size */
	expect_error("g\r\n", 3, 400);                     /* not hex */
	expect_error("-5\r\nhello\r\n0\r\n\r\n", 17, 400); /* negative */
	expect_error("+5\r\nhello\r\n0\r\n\r\n", 17, 400);
	expect_error("0x5\r\nhello\r\n0\r\n\r\n", 18, 400); /* C hex prefix */
	expect_error("5\nhello\r\n0\r\n\r\n", 15, 400);     /* bare LF */
	expect_error("5\rhello\r\n0\r\n\r\n", 15, 400);     /* bare CR */
	expect_error("5\r\nhelloX\r\n0\r\n\r\n", 17, 400);  /* no CRLF after data */
	expect_error("5\r\nhello\n0\r\n\r\n", 15, 400);
	expect_error("5\r\nhello\r\r\n0\r\n\r\n", 17, 400);
	expect_error("5 \r\nhello\r\n0\r\n\r\n", 17, 400); /* BWS not before ';' */
	expect_error("5 5\r\nhello\r\n0\r\n\r\n", 18, 400);
	expect_error("5;a\x01\r\nhello\r\n0\r\n\r\n", 19, 400); /* control byte in ext */
	expect_error("5;a\0b\r\nhello\r\n0\r\n\r\n", 19, 400);
	/* Sizes: 16 hex digits are the most 64 bits hold; 17 overflow. */
	expect_error("10000000000000000\r\n", 19, 400);
	expect_error("ffffffffffffffff0\r\n", 19, 400);
	{
		struct http_chunked c;
		size_t used, avail;

		http_chunked_init(&c);
		CHECK(http_chunked_step(&c, "ffffffffffffffff\r\nxy", 20, &used, &avail) ==
		      HTTP_CHUNK_DATA);
		CHECK(used == 18 && avail == 2 && c.remaining == UINT64_MAX);
	}
	/* Leading zeros are fine until the line is too long. */
	memset(big, '0', HTTP_CHUNK_LINE_MAX);
	memcpy(big + HTTP_CHUNK_LINE_MAX, "\r\n", 2);
	expect_error(big, HTTP_CHUNK_LINE_MAX + 2, 400);
	memcpy(big + HTTP_CHUNK_LINE_MAX - 2, "\r\n\r\n", 4);
	{
		static struct outcome o;

		decode(big, HTTP_CHUNK_LINE_MAX + 2, 0, 0, &o);
		CHECK(o.result == HTTP_CHUNK_DONE);
	}
	/* An extension that never ends. */
	n = (size_t)sprintf(big, "5;");
	memset(big + n, 'e', 2000);
	expect_error(big, n + 2000, 400);
	/* Trailers: folded, bad names, bare LF; too many; too large. */
	expect_error("0\r\nX: a\r\n b\r\n\r\n", 15, 400);
	expect_error("0\r\nX : a\r\n\r\n", 12, 400);
	expect_error("0\r\n: a\r\n\r\n", 10, 400);
	expect_error("0\r\nX: a\nY: b\r\n\r\n", 16, 400);
	expect_error("0\r\nX: a\x7f\r\n\r\n", 12, 400);
	expect_error("0\r\n\r\r", 5, 400);
	n = (size_t)sprintf(big, "0\r\n");
	for (int i = 0; i <= HTTP_TRAILER_FIELDS_MAX; i++)
		n += (size_t)sprintf(big + n, "T%d: x\r\n", i);
	n += (size_t)sprintf(big + n, "\r\n");
	expect_error(big, n, 431);
	n = (size_t)sprintf(big, "0\r\nT: ");
	memset(big + n, 'v', HTTP_TRAILER_MAX);
	n += HTTP_TRAILER_MAX;
	n += (size_t)sprintf(big + n, "\r\n\r\n");
	expect_error(big, n, 431);
}

static void stops_at_end(void)
{
	static const char in[] = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
	static struct outcome o;

	decode_all_ways(in, sizeof(in) - 1, &o);
	CHECK(o.result == HTTP_CHUNK_DONE && o.end == strlen("3\r\nabc\r\n0\r\n\r\n"));
	CHECK(o.data_len == 3 && memcmp(o.data, "abc", 3) == 0);

	/* Once done it stays done and consumes nothing more. */
	{
		struct http_chunked c;
		size_t used, avail;

		http_chunked_init(&c);
		CHECK(http_chunked_step(&c, "0\r\n\r\nXYZ", 8, &used, &avail) == HTTP_CHUNK_DONE);
		CHECK(used == 5);
		CHECK(http_chunked_step(&c, "XYZ", 3, &used, &avail) == HTTP_CHUNK_DONE);
		CHECK(used == 0);
	}
	/* Incomplete input asks for more, whatever was seen. */
	decode("5\r\nhel", 6, 0, 0, &o);
	CHECK(o.result == HTTP_CHUNK_MORE && o.data_len == 3);
	decode("5\r\nhello\r\n0\r\nX: y\r\n", 19, 0, 0, &o);
	CHECK(o.result == HTTP_CHUNK_MORE && o.data_len == 5);
}

int main(void)
{
	good();
	bad();
	stops_at_end();
	printf("PASS %s\n", test_name);
	return 0;
}
