/*
 * dns_msg.c — DNS messages (RFC 1035 section 4): host names in wire form,
 * the query, and a strict parser of responses. Pure functions: no stack
 * state, nothing allocated, every read bounded by the length given.
 */
#include "dns_impl.h"

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* ---- Names ----------------------------------------------------------------- */

int dns_name_from_text(const char *text, uint8_t *out)
{
	size_t tlen = strnlen(text, DNS_NAME_TEXT_MAX + 2);
	size_t o = 0, label = 0;

	if (tlen > 0 && text[tlen - 1] == '.')
		tlen--; /* a fully qualified name: the root is implied anyway */
	if (tlen == 0 || tlen > DNS_NAME_TEXT_MAX)
		return KEEL_EINVAL;
	/* out[label] is the length byte of the label being written. */
	out[o++] = 0;
	for (size_t i = 0; i < tlen; i++) {
		char c = text[i];

		if (c == '.') {
			if (out[label] == 0)
				return KEEL_EINVAL; /* empty label: "a..b" or ".a" */
			label = o;
			out[o++] = 0;
			continue;
		}
		if (!host_char(c) || out[label] == DNS_LABEL_MAX)
			return KEEL_EINVAL;
		out[label]++;
		out[o++] = (uint8_t)c;
	}
	if (out[label] == 0)
		return KEEL_EINVAL;
	out[o++] = 0;
	return (int)o; /* tlen + 2 <= 255 */
}

size_t dns_name_to_text(const uint8_t *wire, char *buf, size_t size)
{
	size_t n = 0, i = 0;

	while (i < DNS_NAME_WIRE_MAX && wire[i]) {
		uint8_t l = wire[i++];

		if (n > 0) {
			if (n + 1 < size)
				buf[n] = '.';
			n++;
		}
		for (uint8_t k = 0; k < l && i < DNS_NAME_WIRE_MAX; k++, i++) {
			char c = (char)wire[i];

			if (wire[i] < 0x21 || wire[i] > 0x7e || c == '.')
				c = '?';
			if (n + 1 < size)
				buf[n] = c;
			n++;
		}
	}
	if (size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

bool dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	/* Length bytes are at most 63, below 'A': lower() leaves them be. */
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

int dns_name_read(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t *out_len,
                  size_t *next)
{
	size_t pos = off, run_start = off, o = 0;
	bool jumped = false;
	unsigned jumps = 0;

	for (;;) {
		uint8_t b;

		if (pos >= len)
			return KEEL_EINVAL;
		b = msg[pos];
		if (b == 0) {
			out[o++] = 0;
			if (!jumped)
				*next = pos + 1;
			*out_len = o;
			return KEEL_OK;
		}
		if ((b & 0xc0) == 0xc0) {
			size_t target;

			if (len - pos < 2)
				return KEEL_EINVAL;
			target = (size_t)(b & 0x3f) << 8 | msg[pos + 1];
			/* Strictly before the run this pointer ends: each jump
			 * lowers run_start, so the walk always terminates. */
			if (target >= run_start || ++jumps > DNS_JUMPS_MAX)
				return KEEL_EINVAL;
			if (!jumped)
				*next = pos + 2;
			jumped = true;
			pos = run_start = target;
			continue;
		}
		if (b & 0xc0)
			return KEEL_EINVAL; /* extended (0x40) and reserved (0x80) types */
		/* A label of b (1..63) bytes; the name's final zero must fit too. */
		if (len - pos - 1 < b || o + 1 + b + 1 > DNS_NAME_WIRE_MAX)
			return KEEL_EINVAL;
		memcpy(out + o, msg + pos, 1 + (size_t)b);
		o += 1 + (size_t)b;
		pos += 1 + (size_t)b;
	}
}

/* ---- Query ----------------------------------------------------------------- */

size_t dns_build_query(uint8_t *buf, size_t size, uint16_t id, const uint8_t *qname,
                       size_t qname_len, uint16_t qtype)
{
	size_t len = DNS_HEADER_LEN + qname_len + 4;

	if (size < len)
		return 0;
	memset(buf, 0, DNS_HEADER_LEN);
	net_put16(buf, id);
	buf[2] = 0x01;         /* RD: recursion desired; QR 0, opcode 0 */
	net_put16(buf + 4, 1); /* QDCOUNT */
	memcpy(buf + DNS_HEADER_LEN, qname, qname_len);
	net_put16(buf + DNS_HEADER_LEN + qname_len, qtype);
	net_put16(buf + DNS_HEADER_LEN + qname_len + 2, DNS_CLASS_IN);
	return len;
}

/* ---- Response -------------------------------------------------------------- */

/* One resource record, as located in the message. */
struct dns_rr {
	uint8_t owner[DNS_NAME_WIRE_MAX];
	size_t owner_len;
	uint16_t type, class;
	uint32_t ttl;
	size_t rdata, rdlen; /* offset and length of the data */
};

/* Reads the record at *off and moves *off past it. */
static int read_rr(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr)
{
	size_t p;

	if (dns_name_read(msg, len, *off, rr->owner, &rr->owner_len, &p))
		return KEEL_EINVAL;
	if (len - p < 10)
		return KEEL_EINVAL;
	rr->type = net_get16(msg + p);
	rr->class = net_get16(msg + p + 2);
	rr->ttl = net_get32(msg + p + 4);
	if (rr->ttl > 0x7fffffffu)
		rr->ttl = 0; /* RFC 2181 8: a TTL with the top bit set means zero */
	rr->rdlen = net_get16(msg + p + 8);
	rr->rdata = p + 10;
	if (len - rr->rdata < rr->rdlen)
		return KEEL_EINVAL;
	*off = rr->rdata + rr->rdlen;
	return KEEL_OK;
}

/* Checks one answer record's data for the types we use. */
static int check_rr(const uint8_t *msg, const struct dns_rr *rr)
{
	uint8_t name[DNS_NAME_WIRE_MAX];
	size_t name_len, next;

	if (rr->class != DNS_CLASS_IN)
		return KEEL_OK;
	if (rr->type == DNS_TYPE_A && rr->rdlen != 4)
		return KEEL_EINVAL;
	if (rr->type == DNS_TYPE_CNAME) {
		/* The name may point back into the message, but its own bytes
		 * must end exactly where the data does. */
		if (dns_name_read(msg, rr->rdata + rr->rdlen, rr->rdata, name, &name_len, &next) ||
		    next != rr->rdata + rr->rdlen)
			return KEEL_EINVAL;
	}
	return KEEL_OK;
}

int dns_parse_response(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *qname,
                       size_t qname_len, struct dns_result *res)
{
	uint8_t name[DNS_NAME_WIRE_MAX], current[DNS_NAME_WIRE_MAX];
	size_t name_len, current_len, off, answers_off;
	unsigned ancount, complete = 0;
	struct dns_rr rr;

	memset(res, 0, sizeof(*res));
	if (len < DNS_HEADER_LEN)
		return KEEL_EINVAL;
	if (net_get16(msg) != id || !(msg[2] & 0x80))
		return KEEL_ENOENT; /* another id, or a query */
	if ((msg[2] >> 3 & 0xf) != 0)
		return KEEL_EINVAL; /* not a standard query's response */
	res->truncated = (msg[2] & 0x02) != 0;
	res->rcode = msg[3] & 0x0f;
	if (net_get16(msg + 4) != 1)
		return KEEL_ENOENT;
	ancount = net_get16(msg + 6);

	/* The question must be ours. */
	if (dns_name_read(msg, len, DNS_HEADER_LEN, name, &name_len, &off) || len - off < 4)
		return KEEL_EINVAL;
	if (!dns_name_equal(name, name_len, qname, qname_len) ||
	    net_get16(msg + off) != DNS_TYPE_A || net_get16(msg + off + 2) != DNS_CLASS_IN)
		return KEEL_ENOENT;
	answers_off = off + 4;

	/* One pass to check every answer record; under TC, the complete ones
	 * before the cut. Records after the answers (authority, additional)
	 * are not read at all. */
	off = answers_off;
	for (unsigned i = 0; i < ancount; i++) {
		if (read_rr(msg, len, &off, &rr)) {
			if (res->truncated)
				break;
			return KEEL_EINVAL;
		}
		if (check_rr(msg, &rr))
			return KEEL_EINVAL;
		complete++;
	}
	if (res->rcode != DNS_RCODE_OK)
		return KEEL_OK;

	/* Follow the chain from qname: an A record of the current name ends
	 * it; else a CNAME of the current name moves it on. */
	memcpy(current, qname, qname_len);
	current_len = qname_len;
	res->ttl = UINT32_MAX;
	for (;;) {
		bool moved = false;

		off = answers_off;
		for (unsigned i = 0; i < complete; i++) {
			read_rr(msg, len, &off, &rr); /* checked above */
			if (rr.class != DNS_CLASS_IN || rr.type != DNS_TYPE_A ||
			    !dns_name_equal(rr.owner, rr.owner_len, current, current_len))
				continue;
			memcpy(&res->addr_be, msg + rr.rdata, 4);
			res->have_addr = true;
			res->ttl = rr.ttl < res->ttl ? rr.ttl : res->ttl;
			res->cname_len = 0;
			return KEEL_OK;
		}
		off = answers_off;
		for (unsigned i = 0; i < complete && !moved; i++) {
			size_t next;

			read_rr(msg, len, &off, &rr);
			if (rr.class != DNS_CLASS_IN || rr.type != DNS_TYPE_CNAME ||
			    !dns_name_equal(rr.owner, rr.owner_len, current, current_len))
				continue;
			if (res->chain == DNS_CNAME_MAX) {
				res->chain_too_long = true; /* or a loop */
				res->ttl = 0;
				return KEEL_OK;
			}
			dns_name_read(msg, len, rr.rdata, current, &current_len, &next);
			res->chain++;
			res->ttl = rr.ttl < res->ttl ? rr.ttl : res->ttl;
			moved = true;
		}
		if (!moved)
			break;
	}
	if (res->chain) {
		memcpy(res->cname, current, current_len);
		res->cname_len = current_len;
	} else {
		res->ttl = 0;
	}
	return KEEL_OK;
}
