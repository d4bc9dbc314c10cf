/*
 * Entity-tag lists (RFC 9110 section 8.8.3) as If-Match and If-None-Match
 * carry them:
 *
 *   "*"  /  1#entity-tag      entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
 *
 * Tags are scanned by hand rather than split at commas, because a comma
 * is a valid character inside a tag. Weak comparison ignores "W/"; strong
 * comparison needs both tags strong and equal.
 */
#include <string.h>

#include "http_impl.h"

static bool etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

/* Splits a tag into weakness and the quoted part; false when malformed. */
static bool tag_parts(const char *t, size_t len, bool *weak, const char **q, size_t *qlen)
{
	*weak = len >= 2 && t[0] == 'W' && t[1] == '/';
	if (*weak) {
		t += 2;
		len -= 2;
	}
	if (len < 2 || t[0] != '"' || t[len - 1] != '"')
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (!etagc((unsigned char)t[i]))
			return false;
	*q = t;
	*qlen = len;
	return true;
}

bool http_etag_match(const char *list, size_t len, const char *etag, size_t etag_len, bool weak)
{
	bool our_weak, their_weak;
	const char *ours, *theirs;
	size_t our_len, their_len, i = 0;
	bool found = false;

	if (!tag_parts(etag, etag_len, &our_weak, &ours, &our_len))
		return false;
	while (i < len && (list[i] == ' ' || list[i] == '\t'))
		i++;
	if (i < len && list[i] == '*') {
		for (i++; i < len; i++)
			if (list[i] != ' ' && list[i] != '\t')
				return false;
		return true;
	}
	while (i < len) {
		size_t start;

		while (i < len && (list[i] == ' ' || list[i] == '\t' || list[i] == ','))
			i++;
		if (i == len)
			break;
		start = i;
		if (len - i >= 2 && list[i] == 'W' && list[i + 1] == '/')
			i += 2;
		if (i >= len || list[i] != '"')
			return false;
		for (i++; i < len && list[i] != '"'; i++)
			;
		if (i == len)
			return false;
		i++;
		if (!tag_parts(list + start, i - start, &their_weak, &theirs, &their_len))
			return false;
		if (their_len == our_len && memcmp(theirs, ours, our_len) == 0 &&
		    (weak || (!their_weak && !our_weak)))
			found = true;
		while (i < len && (list[i] == ' ' || list[i] == '\t'))
			i++;
		if (i < len && list[i] != ',')
			return false;
	}
	return found;
}
