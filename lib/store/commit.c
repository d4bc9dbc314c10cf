/*
 * commit.c — Git commit objects:
 *
 *   tree HEX\n  (parent HEX\n)*  author PERSON\n  committer PERSON\n
 *   \n MESSAGE
 *
 * where PERSON is "NAME <EMAIL> SECONDS +HHMM".
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

static bool person_text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<' || s[i] == '>' || s[i] == '\n' || s[i] == 0)
			return false;
	}
	return true;
}

static bool person_ok(const struct keel_store_person *p)
{
	return person_text_ok(p->name, p->name_len) && person_text_ok(p->email, p->email_len) &&
	       p->tz_minutes >= -5999 && p->tz_minutes <= 5999 && p->time >= 0;
}

static size_t put(uint8_t *o, const void *s, size_t n)
{
	memcpy(o, s, n);
	return n;
}

static size_t put_u64(uint8_t *o, uint64_t v)
{
	char tmp[24];
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		o[k++] = (uint8_t)tmp[--n];
	return k;
}

static size_t put_person(uint8_t *o, const char *what, const struct keel_store_person *p)
{
	size_t k = put(o, what, strlen(what));
	int tz = p->tz_minutes < 0 ? -p->tz_minutes : p->tz_minutes;
	int hhmm = tz / 60 * 100 + tz % 60;

	o[k++] = ' ';
	k += put(o + k, p->name, p->name_len);
	o[k++] = ' ';
	o[k++] = '<';
	k += put(o + k, p->email, p->email_len);
	o[k++] = '>';
	o[k++] = ' ';
	k += put_u64(o + k, (uint64_t)p->time);
	o[k++] = ' ';
	o[k++] = p->tz_minutes < 0 ? '-' : '+';
	o[k++] = (uint8_t)('0' + hhmm / 1000);
	o[k++] = (uint8_t)('0' + hhmm / 100 % 10);
	o[k++] = (uint8_t)('0' + hhmm / 10 % 10);
	o[k++] = (uint8_t)('0' + hhmm % 10);
	o[k++] = '\n';
	return k;
}

int keel_store_commit_encode(const struct keel_store_commit *c, uint8_t **out, size_t *len)
{
	size_t total, k = 0;
	uint8_t *buf;
	char hex[KEEL_STORE_HEX_LEN + 1];

	if (c->n_parents > KEEL_STORE_PARENTS_MAX || !person_ok(&c->author) ||
	    !person_ok(&c->committer))
		return KEEL_EINVAL;
	total = 46 + c->n_parents * 48 + 2 * 64 + c->author.name_len + c->author.email_len +
	        c->committer.name_len + c->committer.email_len + 1 + c->message_len;
	buf = malloc(total);
	if (!buf)
		return KEEL_ENOMEM;
	keel_store_id_hex(&c->tree, hex);
	k += put(buf + k, "tree ", 5);
	k += put(buf + k, hex, KEEL_STORE_HEX_LEN);
	buf[k++] = '\n';
	for (unsigned i = 0; i < c->n_parents; i++) {
		keel_store_id_hex(&c->parents[i], hex);
		k += put(buf + k, "parent ", 7);
		k += put(buf + k, hex, KEEL_STORE_HEX_LEN);
		buf[k++] = '\n';
	}
	k += put_person(buf + k, "author", &c->author);
	k += put_person(buf + k, "committer", &c->committer);
	buf[k++] = '\n';
	if (c->message_len)
		k += put(buf + k, c->message, c->message_len);
	*out = buf;
	*len = k;
	return KEEL_OK;
}

/* Parses "NAME <EMAIL> SECONDS +HHMM" (the `n` bytes at s). */
static int parse_person(const char *s, size_t n, struct keel_store_person *p)
{
	const char *lt = memchr(s, '<', n), *gt, *end = s + n, *q;
	uint64_t t = 0;
	int hh, mm;

	if (!lt)
		return KEEL_EINVAL;
	gt = memchr(lt, '>', (size_t)(end - lt));
	if (!gt)
		return KEEL_EINVAL;
	p->name = s;
	p->name_len = (size_t)(lt - s);
	if (p->name_len > 0) {
		if (lt[-1] != ' ')
			return KEEL_EINVAL;
		p->name_len--;
	}
	p->email = lt + 1;
	p->email_len = (size_t)(gt - lt - 1);
	if (!person_text_ok(p->name, p->name_len) || !person_text_ok(p->email, p->email_len))
		return KEEL_EINVAL;
	q = gt + 1;
	if (q >= end || *q++ != ' ' || q >= end || *q < '0' || *q > '9')
		return KEEL_EINVAL;
	if (*q == '0' && q + 1 < end && q[1] != ' ')
		return KEEL_EINVAL;
	for (int digits = 0; q < end && *q >= '0' && *q <= '9'; q++) {
		if (++digits > 18)
			return KEEL_EINVAL;
		t = t * 10 + (uint64_t)(*q - '0');
	}
	if (end - q != 6 || q[0] != ' ' || (q[1] != '+' && q[1] != '-'))
		return KEEL_EINVAL;
	for (int i = 2; i < 6; i++) {
		if (q[i] < '0' || q[i] > '9')
			return KEEL_EINVAL;
	}
	hh = (q[2] - '0') * 10 + (q[3] - '0');
	mm = (q[4] - '0') * 10 + (q[5] - '0');
	if (mm >= 60)
		return KEEL_EINVAL;
	p->time = (int64_t)t;
	p->tz_minutes = (hh * 60 + mm) * (q[1] == '-' ? -1 : 1);
	return KEEL_OK;
}

/* The line starting at data[*pos] (without its '\n'); false at the end or
 * when the line has no '\n'. */
static bool next_line(const uint8_t *data, size_t len, size_t *pos, const char **line,
                      size_t *line_len)
{
	const uint8_t *nl;

	if (*pos >= len)
		return false;
	nl = memchr(data + *pos, '\n', len - *pos);
	if (!nl)
		return false;
	*line = (const char *)data + *pos;
	*line_len = (size_t)(nl - (data + *pos));
	*pos += *line_len + 1;
	return true;
}

static bool starts(const char *line, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n > w && memcmp(line, word, w) == 0 && line[w] == ' ';
}

int keel_store_commit_parse(const uint8_t *data, size_t len, struct keel_store_commit *out)
{
	size_t pos = 0, n;
	const char *line;
	bool author = false, committer = false;

	memset(out, 0, sizeof(*out));
	if (!next_line(data, len, &pos, &line, &n) || !starts(line, n, "tree") ||
	    keel_store_id_parse(line + 5, n - 5, &out->tree) != KEEL_OK)
		return KEEL_EINVAL;
	for (;;) {
		if (!next_line(data, len, &pos, &line, &n))
			return KEEL_EINVAL; /* no blank line before the message */
		if (n == 0)
			break;
		if (starts(line, n, "parent")) {
			if (author || out->n_parents == KEEL_STORE_PARENTS_MAX ||
			    keel_store_id_parse(line + 7, n - 7, &out->parents[out->n_parents]) !=
			        KEEL_OK)
				return KEEL_EINVAL;
			out->n_parents++;
		} else if (starts(line, n, "author")) {
			if (author || parse_person(line + 7, n - 7, &out->author) != KEEL_OK)
				return KEEL_EINVAL;
			author = true;
		} else if (starts(line, n, "committer")) {
			if (!author || committer ||
			    parse_person(line + 10, n - 10, &out->committer) != KEEL_OK)
				return KEEL_EINVAL;
			committer = true;
		} else if (!committer) {
			return KEEL_EINVAL; /* only author and committer follow parents */
		}
		/* Anything after committer (encoding, gpgsig and its ' '
		 * continuation lines, mergetag) is skipped. */
	}
	if (!author || !committer)
		return KEEL_EINVAL;
	out->message = (const char *)data + pos;
	out->message_len = len - pos;
	return KEEL_OK;
}

/* A tag name: at least one byte, no NUL (Git checks no more of it in
 * the object; the ref's name is checked where it is used). */
static bool tag_name_ok(const char *s, size_t n)
{
	return n > 0 && !memchr(s, 0, n);
}

int keel_store_tag_parse(const uint8_t *data, size_t len, struct keel_store_tag *out)
{
	size_t pos = 0, n;
	const char *line;
	int type;

	memset(out, 0, sizeof(*out));
	if (!next_line(data, len, &pos, &line, &n) || !starts(line, n, "object") ||
	    keel_store_id_parse(line + 7, n - 7, &out->object) != KEEL_OK)
		return KEEL_EINVAL;
	if (!next_line(data, len, &pos, &line, &n) || !starts(line, n, "type"))
		return KEEL_EINVAL;
	type = keel_store_type_from_name(line + 5, n - 5);
	if (type < 0)
		return KEEL_EINVAL;
	out->type = (enum keel_store_type)type;
	if (!next_line(data, len, &pos, &line, &n) || !starts(line, n, "tag") ||
	    !tag_name_ok(line + 4, n - 4))
		return KEEL_EINVAL;
	out->name = line + 4;
	out->name_len = n - 4;
	for (bool first = true;; first = false) {
		if (pos == len) { /* no message, not even the blank line */
			out->message = (const char *)data + len;
			return KEEL_OK;
		}
		if (!next_line(data, len, &pos, &line, &n))
			return KEEL_EINVAL;
		if (n == 0)
			break;
		if (starts(line, n, "tagger")) {
			/* Only right after the tag line, and once. */
			if (!first || parse_person(line + 7, n - 7, &out->tagger) != KEEL_OK)
				return KEEL_EINVAL;
			out->has_tagger = true;
		} else if (starts(line, n, "object") || starts(line, n, "type") ||
		           starts(line, n, "tag")) {
			return KEEL_EINVAL;
		}
		/* Other header lines (and their continuations) are skipped. */
	}
	out->message = (const char *)data + pos;
	out->message_len = len - pos;
	return KEEL_OK;
}
