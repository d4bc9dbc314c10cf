/*
 * dhcp_msg.c — DHCP messages: the client's requests and a strict parser of
 * server replies (RFC 2131 section 2, RFC 2132). Pure functions: no stack
 * state, nothing allocated, every read bounded by the length given.
 */
#include "dhcp_impl.h"

static const uint8_t dhcp_cookie[4] = { 99, 130, 83, 99 };

/* Addresses stay in network order: the bytes as they are on the wire. */
static uint32_t get_addr(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put_addr(uint8_t *p, uint32_t v_be)
{
	memcpy(p, &v_be, 4);
}

static uint8_t addr_byte0(uint32_t v_be)
{
	uint8_t b[4];

	memcpy(b, &v_be, 4);
	return b[0];
}

/* ---- Parsing --------------------------------------------------------------- */

/* Takes one option (code, value of `len` bytes) into the reply. The first
 * occurrence of a code counts; a length that does not suit the code makes
 * the whole message invalid. */
static int take_option(struct dhcp_reply *r, uint8_t code, const uint8_t *v, size_t len,
                       uint8_t *overload)
{
	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (len != 1 || v[0] < DHCP_DISCOVER || v[0] > DHCP_INFORM)
			return KEEL_EINVAL;
		if (!r->type)
			r->type = v[0];
		break;
	case DHCP_OPT_OVERLOAD:
		if (!overload)
			break; /* inside file or sname it means nothing */
		if (len != 1 || v[0] < 1 || v[0] > 3)
			return KEEL_EINVAL;
		if (!*overload)
			*overload = v[0];
		break;
	case DHCP_OPT_SUBNET_MASK:
		if (len != 4)
			return KEEL_EINVAL;
		if (!(r->have & DHCP_HAVE_NETMASK)) {
			r->netmask_be = get_addr(v);
			r->have |= DHCP_HAVE_NETMASK;
		}
		break;
	case DHCP_OPT_SERVER_ID:
		if (len != 4)
			return KEEL_EINVAL;
		if (!(r->have & DHCP_HAVE_SERVER_ID)) {
			r->server_id_be = get_addr(v);
			r->have |= DHCP_HAVE_SERVER_ID;
		}
		break;
	case DHCP_OPT_ROUTER:
		if (len < 4 || len % 4)
			return KEEL_EINVAL;
		if (!(r->have & DHCP_HAVE_ROUTER)) {
			r->router_be = get_addr(v);
			r->have |= DHCP_HAVE_ROUTER;
		}
		break;
	case DHCP_OPT_DNS:
		if (len < 4 || len % 4)
			return KEEL_EINVAL;
		if (!(r->have & DHCP_HAVE_DNS)) {
			for (size_t i = 0; i < len / 4 && r->dns_count < DHCP_MAX_DNS; i++)
				r->dns_be[r->dns_count++] = get_addr(v + 4 * i);
			r->have |= DHCP_HAVE_DNS;
		}
		break;
	case DHCP_OPT_LEASE_TIME:
	case DHCP_OPT_T1:
	case DHCP_OPT_T2: {
		uint16_t bit = code == DHCP_OPT_LEASE_TIME ? DHCP_HAVE_LEASE
		               : code == DHCP_OPT_T1       ? DHCP_HAVE_T1
		                                           : DHCP_HAVE_T2;
		uint32_t *field = code == DHCP_OPT_LEASE_TIME ? &r->lease_s
		                  : code == DHCP_OPT_T1       ? &r->t1_s
		                                              : &r->t2_s;

		if (len != 4)
			return KEEL_EINVAL;
		if (!(r->have & bit)) {
			*field = net_get32(v);
			r->have |= bit;
		}
		break;
	}
	default:
		break; /* options we do not use are skipped whole */
	}
	return KEEL_OK;
}

/*
 * Walks the options in area[0..len). Pad bytes are skipped; End stops the
 * walk; running off the end of the area without End is accepted when the
 * last option ended exactly there (the bounds are what matter), but an
 * option whose length byte or value would cross the end is not.
 * `overload` is non-NULL only for the options field proper: option 52
 * means something only there.
 */
static int walk_options(struct dhcp_reply *r, const uint8_t *area, size_t len, uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = area[i];
		size_t olen;
		int err;

		if (code == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == DHCP_OPT_END)
			return KEEL_OK;
		if (len - i < 2)
			return KEEL_EINVAL;
		olen = area[i + 1];
		if (olen > len - i - 2)
			return KEEL_EINVAL;
		err = take_option(r, code, area + i + 2, olen, overload);
		if (err)
			return err;
		i += 2 + olen;
	}
	return KEEL_OK;
}

int dhcp_parse_reply(const uint8_t *msg, size_t len, uint32_t xid, const uint8_t mac[6],
                     struct dhcp_reply *out)
{
	uint8_t overload = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (len < DHCP_OPTIONS_OFF)
		return KEEL_EINVAL;
	if (msg[0] != DHCP_OP_REPLY || msg[1] != 1 || msg[2] != 6)
		return KEEL_EINVAL;
	if (memcmp(msg + DHCP_COOKIE_OFF, dhcp_cookie, 4) != 0)
		return KEEL_EINVAL;
	out->xid = net_get32(msg + 4);
	if (out->xid != xid || memcmp(msg + 28, mac, 6) != 0)
		return KEEL_ENOENT;
	out->yiaddr_be = get_addr(msg + 16);
	out->siaddr_be = get_addr(msg + 20);

	err = walk_options(out, msg + DHCP_OPTIONS_OFF, len - DHCP_OPTIONS_OFF, &overload);
	/* RFC 2131 4.1: with overload the file field is read before sname. */
	if (!err && (overload & 1))
		err = walk_options(out, msg + DHCP_FILE_OFF, DHCP_FILE_LEN, NULL);
	if (!err && (overload & 2))
		err = walk_options(out, msg + DHCP_SNAME_OFF, DHCP_SNAME_LEN, NULL);
	if (err)
		return err;
	/* A BOOTP reply without a DHCP message type is not for a DHCP client,
	 * and only these types come from a server. */
	if (out->type != DHCP_OFFER && out->type != DHCP_ACK && out->type != DHCP_NAK)
		return KEEL_EINVAL;
	return KEEL_OK;
}

/* ---- Building -------------------------------------------------------------- */

size_t dhcp_build_request(uint8_t *buf, size_t size, const struct dhcp_request *req)
{
	/* What we ask for (option 55): mask, router, DNS, lease and T1/T2,
	 * server id. */
	static const uint8_t params[] = { DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER,    DHCP_OPT_DNS,
		                          DHCP_OPT_LEASE_TIME,  DHCP_OPT_SERVER_ID, DHCP_OPT_T1,
		                          DHCP_OPT_T2 };
	/* Fixed part, cookie, and the longest option list we write:
	 * 53 (3) + 61 (9) + 50 (6) + 54 (6) + 55 (2 + 7) + 57 (4) + End. */
	const size_t need = DHCP_OPTIONS_OFF + 3 + 9 + 6 + 6 + 2 + sizeof(params) + 4 + 1;
	uint8_t *o;

	if (size < need || size < DHCP_MIN_MSG)
		return 0;
	memset(buf, 0, DHCP_MIN_MSG);
	buf[0] = DHCP_OP_REQUEST;
	buf[1] = 1; /* Ethernet */
	buf[2] = 6;
	net_put32(buf + 4, req->xid);
	net_put16(buf + 8, req->secs);
	net_put16(buf + 10, req->broadcast ? DHCP_FLAG_BROADCAST : 0);
	put_addr(buf + 12, req->ciaddr_be);
	memcpy(buf + 28, req->mac, 6);
	memcpy(buf + DHCP_COOKIE_OFF, dhcp_cookie, 4);

	o = buf + DHCP_OPTIONS_OFF;
	*o++ = DHCP_OPT_MSG_TYPE;
	*o++ = 1;
	*o++ = req->type;
	/* Client identifier: hardware type 1 and the MAC (RFC 2132 9.14). */
	*o++ = DHCP_OPT_CLIENT_ID;
	*o++ = 7;
	*o++ = 1;
	memcpy(o, req->mac, 6);
	o += 6;
	if (req->requested_be) {
		*o++ = DHCP_OPT_REQUESTED_IP;
		*o++ = 4;
		put_addr(o, req->requested_be);
		o += 4;
	}
	if (req->server_id_be) {
		*o++ = DHCP_OPT_SERVER_ID;
		*o++ = 4;
		put_addr(o, req->server_id_be);
		o += 4;
	}
	if (req->type == DHCP_DISCOVER || req->type == DHCP_REQUEST) {
		*o++ = DHCP_OPT_PARAM_LIST;
		*o++ = sizeof(params);
		memcpy(o, params, sizeof(params));
		o += sizeof(params);
		*o++ = DHCP_OPT_MAX_SIZE;
		*o++ = 2;
		net_put16(o, DHCP_MAX_MSG);
		o += 2;
	}
	*o++ = DHCP_OPT_END;
	if ((size_t)(o - buf) < DHCP_MIN_MSG)
		return DHCP_MIN_MSG;
	return (size_t)(o - buf);
}

/* ---- Timing and addresses ---------------------------------------------------- */

keel_time dhcp_backoff_ms(unsigned attempt, uint64_t rnd)
{
	keel_time base = attempt >= 4 ? 64000 : (keel_time)4000 << attempt;

	/* Uniform in [-1000, +1000] ms. */
	return base - 1000 + rnd % 2001;
}

void dhcp_lease_times(const struct dhcp_reply *r, struct dhcp_times *out)
{
	uint32_t lease = (r->have & DHCP_HAVE_LEASE) ? r->lease_s : DHCP_INFINITE;

	if (lease == DHCP_INFINITE) {
		out->t1_s = out->t2_s = out->lease_s = DHCP_INFINITE;
		return;
	}
	if (lease < DHCP_MIN_LEASE)
		lease = DHCP_MIN_LEASE;
	out->lease_s = lease;
	out->t1_s = lease / 2;
	out->t2_s = (uint32_t)((uint64_t)lease * 7 / 8);
	/* The server's T1 and T2 count only when they keep the order
	 * t1 <= t2 <= lease; each defaults alone otherwise. */
	if ((r->have & DHCP_HAVE_T2) && r->t2_s <= lease)
		out->t2_s = r->t2_s;
	if ((r->have & DHCP_HAVE_T1) && r->t1_s <= out->t2_s)
		out->t1_s = r->t1_s;
	if (out->t1_s > out->t2_s)
		out->t1_s = out->t2_s;
}

uint32_t dhcp_default_netmask(uint32_t ip_be)
{
	static const uint8_t a[4] = { 255, 0, 0, 0 }, b[4] = { 255, 255, 0, 0 },
	                     c[4] = { 255, 255, 255, 0 };
	uint8_t first = addr_byte0(ip_be);

	return get_addr(first < 128 ? a : first < 192 ? b : c);
}

bool dhcp_addr_usable(uint32_t ip_be)
{
	uint8_t first = addr_byte0(ip_be);

	return ip_be != 0 && ip_be != 0xffffffffu && first != 0 && first != 127 && first < 224;
}
