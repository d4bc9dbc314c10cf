/*
 * mergefn.c — the merge functions a path can be given: conflict,
 * counters, last writer wins, line-based text.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

int keel_store_merge_conflict(void *arg, const char *path, const struct keel_store_side *base,
                              const struct keel_store_side *ours,
                              const struct keel_store_side *theirs, uint8_t **out, size_t *out_len)
{
	return KEEL_EAGAIN;
}

static int copy_out(const struct keel_store_side *s, uint8_t **out, size_t *out_len)
{
	*out = malloc(s->len ? s->len : 1);
	if (!*out)
		return KEEL_ENOMEM;
	if (s->len)
		memcpy(*out, s->data, s->len);
	*out_len = s->len;
	return KEEL_OK;
}

int keel_store_merge_lww(void *arg, const char *path, const struct keel_store_side *base,
                         const struct keel_store_side *ours, const struct keel_store_side *theirs,
                         uint8_t **out, size_t *out_len)
{
	return copy_out(ours->time > theirs->time ? ours : theirs, out, out_len);
}

/* A decimal integer, optionally negative, optionally ending in '\n'. */
static bool counter_value(const struct keel_store_side *s, int64_t *v)
{
	size_t i = 0, n = s->len;
	bool neg = false;
	uint64_t acc = 0;

	if (!s->data) {
		*v = 0;
		return true;
	}
	if (n && s->data[n - 1] == '\n')
		n--;
	if (i < n && s->data[i] == '-')
		neg = true, i++;
	if (i == n || n - i > 18)
		return false;
	for (; i < n; i++) {
		if (s->data[i] < '0' || s->data[i] > '9')
			return false;
		acc = acc * 10 + (uint64_t)(s->data[i] - '0');
	}
	*v = neg ? -(int64_t)acc : (int64_t)acc;
	return true;
}

int keel_store_merge_counter(void *arg, const char *path, const struct keel_store_side *base,
                             const struct keel_store_side *ours,
                             const struct keel_store_side *theirs, uint8_t **out, size_t *out_len)
{
	int64_t b, o, t, r;
	char tmp[32];
	size_t n = 0;
	uint64_t mag;

	if (!counter_value(base, &b) || !counter_value(ours, &o) || !counter_value(theirs, &t))
		return KEEL_EAGAIN;
	/* |values| < 10^18, so this cannot overflow. */
	r = o + t - b;
	mag = r < 0 ? (uint64_t)0 - (uint64_t)r : (uint64_t)r;
	do {
		tmp[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag);
	if (r < 0)
		tmp[n++] = '-';
	*out = malloc(n + 1);
	if (!*out)
		return KEEL_ENOMEM;
	for (size_t i = 0; i < n; i++)
		(*out)[i] = (uint8_t)tmp[n - 1 - i];
	*out_len = n;
	if (ours->len && ours->data[ours->len - 1] == '\n')
		(*out)[(*out_len)++] = '\n';
	return KEEL_OK;
}

/* ---- Lines ----------------------------------------------------------------- */

#define LINES_MAX 2000

struct lines {
	const uint8_t **p;
	size_t *len;
	size_t n;
};

static int split(const struct keel_store_side *s, struct lines *l)
{
	size_t cap = 0;

	l->n = 0;
	for (size_t i = 0; s->data && i < s->len; i++)
		cap += s->data[i] == '\n';
	cap += 1;
	if (cap > LINES_MAX + 1)
		return KEEL_EAGAIN;
	l->p = malloc(cap * sizeof(*l->p));
	l->len = malloc(cap * sizeof(*l->len));
	if (!l->p || !l->len)
		return KEEL_ENOMEM;
	for (size_t i = 0, start = 0; s->data && i < s->len; i++) {
		if (s->data[i] == '\n' || i + 1 == s->len) {
			l->p[l->n] = s->data + start;
			l->len[l->n++] = i + 1 - start;
			start = i + 1;
		}
	}
	return KEEL_OK;
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* m[i]: the line of `side` matched to base line i by a longest common
 * subsequence, or -1. */
static int match(const struct lines *base, const struct lines *side, long *m)
{
	size_t n = base->n, k = side->n;
	uint16_t *dp = calloc((n + 1) * (k + 1), sizeof(*dp));

	if (!dp)
		return KEEL_ENOMEM;
	for (size_t i = n; i-- > 0;) {
		for (size_t j = k; j-- > 0;) {
			uint16_t *c = &dp[i * (k + 1) + j];

			if (line_eq(base, i, side, j))
				*c = (uint16_t)(dp[(i + 1) * (k + 1) + j + 1] + 1);
			else
				*c = dp[(i + 1) * (k + 1) + j] > dp[i * (k + 1) + j + 1]
				         ? dp[(i + 1) * (k + 1) + j]
				         : dp[i * (k + 1) + j + 1];
		}
	}
	for (size_t i = 0, j = 0; i < n;) {
		if (j < k && line_eq(base, i, side, j) &&
		    dp[i * (k + 1) + j] == dp[(i + 1) * (k + 1) + j + 1] + 1) {
			m[i++] = (long)j++;
		} else if (j < k && dp[i * (k + 1) + j + 1] >= dp[(i + 1) * (k + 1) + j]) {
			j++;
		} else {
			m[i++] = -1;
		}
	}
	free(dp);
	return KEEL_OK;
}

static bool range_eq(const struct lines *a, size_t a0, size_t a1, const struct lines *b, size_t b0,
                     size_t b1)
{
	if (a1 - a0 != b1 - b0)
		return false;
	for (size_t i = 0; i < a1 - a0; i++) {
		if (!line_eq(a, a0 + i, b, b0 + i))
			return false;
	}
	return true;
}

static void emit(uint8_t *out, size_t *o, const struct lines *l, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		memcpy(out + *o, l->p[i], l->len[i]);
		*o += l->len[i];
	}
}

int keel_store_merge_lines(void *arg, const char *path, const struct keel_store_side *base,
                           const struct keel_store_side *ours, const struct keel_store_side *theirs,
                           uint8_t **out, size_t *out_len)
{
	struct lines b = { 0 }, o = { 0 }, t = { 0 };
	long *mo = NULL, *mt = NULL;
	uint8_t *res = NULL;
	size_t r = 0, pb = 0, po = 0, pt = 0;
	int err;

	err = split(base, &b);
	if (err == KEEL_OK)
		err = split(ours, &o);
	if (err == KEEL_OK)
		err = split(theirs, &t);
	if (err == KEEL_OK) {
		mo = malloc((b.n + 1) * sizeof(*mo));
		mt = malloc((b.n + 1) * sizeof(*mt));
		res = malloc(base->len + ours->len + theirs->len + 1);
		if (!mo || !mt || !res)
			err = KEEL_ENOMEM;
	}
	if (err == KEEL_OK)
		err = match(&b, &o, mo);
	if (err == KEEL_OK)
		err = match(&b, &t, mt);
	/* Walk the lines all three share ("stable"); between two of them each
	 * side either kept the base's chunk or changed it. */
	for (size_t i = 0; err == KEEL_OK && i <= b.n; i++) {
		bool end = i == b.n;

		if (!end && (mo[i] < 0 || mt[i] < 0))
			continue;
		size_t eo = end ? o.n : (size_t)mo[i], et = end ? t.n : (size_t)mt[i];

		if (range_eq(&o, po, eo, &b, pb, i))
			emit(res, &r, &t, pt, et);
		else if (range_eq(&t, pt, et, &b, pb, i) || range_eq(&o, po, eo, &t, pt, et))
			emit(res, &r, &o, po, eo);
		else
			err = KEEL_EAGAIN;
		if (!end && err == KEEL_OK)
			emit(res, &r, &b, i, i + 1);
		pb = i + 1, po = eo + 1, pt = et + 1;
	}
	free(b.p), free(b.len), free(o.p), free(o.len), free(t.p), free(t.len);
	free(mo), free(mt);
	if (err != KEEL_OK) {
		free(res);
		return err;
	}
	*out = res;
	*out_len = r;
	return KEEL_OK;
}
