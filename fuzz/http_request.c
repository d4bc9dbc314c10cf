/*
 * fuzz/http_request.c — libFuzzer target for the request parser of
 * lib/http and everything that reads peer bytes after it: the meaning of
 * the head (head.c), the chunked decoder (chunked.c), and the evaluators
 * of field values (Range, entity tags, Accept-Encoding, HTTP-dates,
 * percent-decoding).
 *
 * Promises checked (a broken one aborts):
 *   - the parser's verdict, status, head length and every field offset
 *     are the same whether the input comes whole, in two pieces split at
 *     a place the input chooses, or byte by byte;
 *   - offsets and lengths stay inside the head; refusals carry one of the
 *     statuses the parser may give;
 *   - the chunked decoder gives the same bytes and end whole and byte by
 *     byte, and never points outside its input;
 *   - ranges lie inside the representation; dates parse only to what
 *     formats back to a valid date.
 */
#include <stdlib.h>
#include <string.h>

#include "http_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_parser whole, split, bytes;

static int run_parser(struct http_parser *p, const char *buf, size_t len, size_t step, size_t cut)
{
	size_t have = 0;
	int r = HTTP_PARSE_MORE;

	http_parser_init(p);
	while (have < len && r == HTTP_PARSE_MORE) {
		if (step)
			have = have + step < len ? have + step : len;
		else
			have = have < cut ? cut : len;
		r = http_parse(p, buf, have);
	}
	return r;
}

static void same(const struct http_parser *a, const struct http_parser *b, int ra, int rb)
{
	if (ra != rb)
		abort();
	if (ra == HTTP_PARSE_ERROR && a->status != b->status)
		abort();
	if (ra != HTTP_PARSE_DONE)
		return;
	if (a->head_len != b->head_len || a->nfields != b->nfields ||
	    a->method_len != b->method_len || a->target_off != b->target_off ||
	    a->target_len != b->target_len || a->line_start != b->line_start ||
	    memcmp(a->fields, b->fields, a->nfields * sizeof(a->fields[0])) != 0)
		abort();
}

/* Decodes a chunked body from in[0..len) in pieces of `step`; returns the
 * result and fills out/out_len/end. */
static int run_chunked(const char *in, size_t len, size_t step, char *out, size_t *out_len,
                       size_t *end)
{
	struct http_chunked c;
	size_t pos = 0, have = 0;

	http_chunked_init(&c);
	*out_len = 0;
	for (;;) {
		size_t used, avail;
		int r;

		if (pos == have) {
			if (have == len)
				return HTTP_CHUNK_MORE;
			have = step && have + step < len ? have + step : len;
		}
		r = http_chunked_step(&c, in + pos, have - pos, &used, &avail);
		if (used > have - pos)
			abort();
		pos += used;
		if (r == HTTP_CHUNK_DATA) {
			if (avail == 0 || avail > have - pos)
				abort();
			memcpy(out + *out_len, in + pos, avail);
			*out_len += avail;
			http_chunked_consume(&c, avail);
			pos += avail;
		} else if (r != HTTP_CHUNK_MORE) {
			if (r == HTTP_CHUNK_ERROR && c.status != 400 && c.status != 431)
				abort();
			*end = pos;
			return r;
		}
	}
}

static void values(const char *v, size_t len)
{
	static const uint64_t sizes[] = { 0, 1, 10, 1000, UINT64_MAX };
	uint64_t first, last, secs;
	char buf[64];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (http_range_parse(v, len, sizes[i], &first, &last) == HTTP_RANGE_OK &&
		    (first > last || last >= sizes[i]))
			abort();
	}
	http_etag_match(v, len, "\"abc\"", 5, true);
	http_etag_match(v, len, "W/\"abc\"", 7, false);
	http_accepts_gzip(v, len);
	if (keel_http_date_parse(v, len, &secs) == KEEL_OK) {
		uint64_t again;

		if (keel_http_date_format(secs, buf, sizeof(buf)) != HTTP_DATE_LEN ||
		    keel_http_date_parse(buf, HTTP_DATE_LEN, &again) != KEEL_OK || again != secs)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t cut = size ? data[0] % (size + 1) : 0;
	int r1, r2, r3;
	struct http_head h;

	if (size > 40000)
		return 0;
	r1 = run_parser(&whole, buf, size, 0, size);
	r2 = run_parser(&split, buf, size, 0, cut);
	r3 = run_parser(&bytes, buf, size, 1, 0);
	same(&whole, &split, r1, r2);
	same(&whole, &bytes, r1, r3);
	if (r1 == HTTP_PARSE_ERROR) {
		switch (whole.status) {
		case 400:
		case 414:
		case 431:
		case 501:
		case 505:
			break;
		default:
			abort();
		}
		return 0;
	}
	if (r1 != HTTP_PARSE_DONE)
		return 0;
	if (whole.head_len > size || whole.head_len > HTTP_HEAD_MAX)
		abort();
	for (int i = 0; i < whole.nfields; i++) {
		const struct http_field *f = &whole.fields[i];

		if (f->name_len == 0 || f->name_off + f->name_len > whole.head_len ||
		    f->value_off + f->value_len > whole.head_len)
			abort();
		values(buf + f->value_off, f->value_len);
	}

	if (http_head_check(&whole, buf, &h) != 0)
		return 0;
	if (h.path_off + h.path_len > whole.head_len ||
	    h.query_off + h.query_len > whole.head_len ||
	    h.host_off + h.host_len > whole.head_len || (h.version != 10 && h.version != 11))
		abort();
	{
		char path[KEEL_HTTP_LINE_MAX + 1];

		keel_http_percent_decode(buf + h.path_off, h.path_len, path, sizeof(path));
	}
	if (h.body == HTTP_BODY_CHUNKED) {
		const char *body = buf + whole.head_len;
		size_t blen = size - whole.head_len, l1, l2, e1 = 0, e2 = 0;
		char *o1 = malloc(blen + 1), *o2 = malloc(blen + 1);
		int c1, c2;

		if (!o1 || !o2)
			abort();
		c1 = run_chunked(body, blen, 0, o1, &l1, &e1);
		c2 = run_chunked(body, blen, 1, o2, &l2, &e2);
		if (c1 != c2 || l1 != l2 || memcmp(o1, o2, l1) != 0 ||
		    (c1 == HTTP_CHUNK_DONE && (e1 != e2 || e1 > blen)))
			abort();
		free(o1);
		free(o2);
	}
	return 0;
}
