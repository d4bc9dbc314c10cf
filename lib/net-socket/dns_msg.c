/*
 * dns_msg.c — a DNS query for an A record, and reading its answer
 * (RFC 1035 sections 4.1 and 4.1.4). See dns_msg.h.
 *
 * Everything in an answer is checked against the message's length before
 * it is read; compressed names may point anywhere in the message, so the
 * number of pointers followed in one name is bounded, which also ends any
 * loop of pointers. Names are compared in lower case, as text.
 */
#include <string.h>

#include "dns_msg.h"

#define HEADER_SIZE 12
#define FLAG_QR 0x8000u /* a response */
#define FLAG_RD 0x0100u /* recursion desired */
#define OPCODE(flags) (((flags) >> 11) & 0xfu)
#define RCODE(flags) ((flags)&0xfu)
#define RCODE_NXDOMAIN 3
#define TYPE_A 1
#define TYPE_CNAME 5
#define CLASS_IN 1

#define NAME_MAX_TEXT 253 /* characters of a name, without a trailing dot */
#define LABEL_MAX 63
#define POINTERS_MAX 32  /* compression pointers followed in one name */
#define RECORDS_MAX 64   /* answer records looked at */
#define CNAME_HOPS_MAX 8 /* aliases followed */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * Checks `name` and writes it in lower case without a trailing dot into
 * text[NAME_MAX_TEXT + 1]. Returns its length, or -1 when it is not a
 * valid name.
 */
static int normalize(const char *name, char *text)
{
	size_t len = strnlen(name, NAME_MAX_TEXT + 2);
	size_t label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > NAME_MAX_TEXT)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return -1; /* empty label */
			label = 0;
		} else if (!name_char(name[i]) || ++label > LABEL_MAX) {
			return -1;
		}
		text[i] = lower(name[i]);
	}
	if (label == 0)
		return -1;
	text[len] = '\0';
	return (int)len;
}

int nsock_dns_query(const char *name, uint16_t id, uint8_t *buf, size_t size)
{
	char text[NAME_MAX_TEXT + 1];
	int len = name ? normalize(name, text) : -1;
	size_t need, at;

	if (len < 0)
		return KEEL_EINVAL;
	/* Each label is preceded by its length; the root label ends it. */
	need = HEADER_SIZE + (size_t)len + 2 + 4;
	if (size < need)
		return KEEL_ERANGE;
	memset(buf, 0, HEADER_SIZE);
	put16(buf, id);
	put16(buf + 2, FLAG_RD);
	put16(buf + 4, 1); /* one question */
	at = HEADER_SIZE;
	for (int start = 0; start < len;) {
		int end = start;

		while (end < len && text[end] != '.')
			end++;
		buf[at++] = (uint8_t)(end - start);
		memcpy(buf + at, text + start, (size_t)(end - start));
		at += (size_t)(end - start);
		start = end + 1;
	}
	buf[at++] = 0;
	put16(buf + at, TYPE_A);
	put16(buf + at + 2, CLASS_IN);
	return (int)(at + 4);
}

/*
 * Reads the name at msg[*pos] into text[NAME_MAX_TEXT + 1] (lower case,
 * dotted, no trailing dot; "" for the root) and moves *pos past the name
 * as it sits there (a pointer ends it). False when it is malformed: out of
 * the message, too long, too many pointers, an unknown label type, or a
 * label holding a dot or a NUL (which would make the text ambiguous).
 */
static bool read_name(const uint8_t *msg, size_t len, size_t *pos, char *text)
{
	size_t at = *pos, out = 0;
	unsigned pointers = 0;
	bool jumped = false;

	for (;;) {
		uint8_t b;

		if (at >= len)
			return false;
		b = msg[at];
		if ((b & 0xc0) == 0xc0) {
			if (at + 1 >= len || ++pointers > POINTERS_MAX)
				return false;
			if (!jumped)
				*pos = at + 2;
			jumped = true;
			at = (size_t)(b & 0x3f) << 8 | msg[at + 1];
			continue;
		}
		if (b & 0xc0)
			return false;
		if (b == 0) {
			if (!jumped)
				*pos = at + 1;
			text[out] = '\0';
			return true;
		}
		if (b > len - at - 1 || out + (out ? 1 : 0) + b > NAME_MAX_TEXT)
			return false;
		if (out)
			text[out++] = '.';
		for (unsigned i = 0; i < b; i++) {
			char c = (char)msg[at + 1 + i];

			if (c == '.' || c == '\0')
				return false;
			text[out++] = lower(c);
		}
		at += 1 + (size_t)b;
	}
}

struct record {
	char owner[NAME_MAX_TEXT + 1];
	uint16_t type, class;
	size_t data, data_len; /* where its data sits in the message */
};

/* Reads the resource record at msg[*pos] and moves *pos past it. */
static bool read_record(const uint8_t *msg, size_t len, size_t *pos, struct record *r)
{
	if (!read_name(msg, len, pos, r->owner) || len - *pos < 10)
		return false;
	r->type = get16(msg + *pos);
	r->class = get16(msg + *pos + 2);
	r->data_len = get16(msg + *pos + 8); /* after the 32-bit TTL */
	r->data = *pos + 10;
	if (r->data_len > len - r->data)
		return false;
	*pos = r->data + r->data_len;
	return true;
}

int nsock_dns_answer(const uint8_t *msg, size_t len, uint16_t id, const char *name,
                     struct keel_addr *out)
{
	char want[NAME_MAX_TEXT + 1], qname[NAME_MAX_TEXT + 1];
	uint16_t flags, answers;
	size_t pos = HEADER_SIZE, first_answer;
	struct record r;

	if (!name || normalize(name, want) < 0)
		return KEEL_EINVAL;
	if (!msg || len < HEADER_SIZE)
		return KEEL_EINVAL;
	flags = get16(msg + 2);
	if (get16(msg) != id || !(flags & FLAG_QR) || OPCODE(flags) != 0)
		return KEEL_EAGAIN;
	/* The question must be ours, echoed. */
	if (get16(msg + 4) != 1)
		return KEEL_EINVAL;
	if (!read_name(msg, len, &pos, qname) || len - pos < 4)
		return KEEL_EINVAL;
	if (strcmp(qname, want) != 0 || get16(msg + pos) != TYPE_A ||
	    get16(msg + pos + 2) != CLASS_IN)
		return KEEL_EAGAIN;
	pos += 4;
	if (RCODE(flags) == RCODE_NXDOMAIN)
		return KEEL_ENOENT;
	if (RCODE(flags) != 0)
		return KEEL_EIO;

	/*
	 * The A record of the name, or of the name its aliases lead to. A
	 * server lists the CNAME records first, but nothing requires it: each
	 * pass over the answers follows the aliases it meets, and another pass
	 * is made only when the name changed.
	 */
	answers = get16(msg + 6);
	if (answers > RECORDS_MAX)
		answers = RECORDS_MAX;
	first_answer = pos;
	for (int pass = 0; pass <= CNAME_HOPS_MAX; pass++) {
		bool renamed = false;

		pos = first_answer;
		for (unsigned i = 0; i < answers; i++) {
			if (!read_record(msg, len, &pos, &r))
				return KEEL_EINVAL;
			if (r.class != CLASS_IN || strcmp(r.owner, want) != 0)
				continue;
			if (r.type == TYPE_A && r.data_len == 4) {
				const uint8_t *a = msg + r.data;

				*out = keel_addr_ipv4(a[0], a[1], a[2], a[3]);
				return KEEL_OK;
			}
			if (r.type == TYPE_CNAME) {
				size_t at = r.data;

				if (!read_name(msg, len, &at, want) || at > r.data + r.data_len)
					return KEEL_EINVAL;
				renamed = true;
			}
		}
		if (!renamed)
			break;
	}
	return KEEL_ENOENT;
}
