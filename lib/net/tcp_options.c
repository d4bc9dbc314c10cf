/*
 * TCP options: parsing what a peer sent (every length checked against
 * the header) and writing ours.
 *
 * Kinds understood: 0 end of list, 1 no-op, 2 MSS (RFC 9293), 3 window
 * scale (RFC 7323), 4 SACK-permitted and 5 SACK (RFC 2018), 8 timestamps
 * (RFC 7323). Options we write are laid out on 4-byte boundaries with
 * no-ops, as the RFCs' appendices suggest, so that a receiver can read
 * them as aligned words.
 */
#include "tcp_impl.h"

enum {
	OPT_END = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WSCALE = 3,
	OPT_SACK_PERM = 4,
	OPT_SACK = 5,
	OPT_TS = 8,
};

#define WSCALE_MAX 14 /* RFC 7323 2.3 */

int tcp_options_parse(const uint8_t *p, size_t len, bool syn, struct tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i];
		uint8_t olen;

		if (kind == OPT_END)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return KEEL_EINVAL; /* a kind without its length byte */
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return KEEL_EINVAL;
		switch (kind) {
		case OPT_MSS:
			if (olen == 4 && syn) {
				o->has_mss = true;
				o->mss = net_get16(p + i + 2);
			}
			break;
		case OPT_WSCALE:
			if (olen == 3 && syn) {
				o->has_wscale = true;
				o->wscale = p[i + 2] > WSCALE_MAX ? WSCALE_MAX : p[i + 2];
			}
			break;
		case OPT_SACK_PERM:
			if (olen == 2 && syn)
				o->sack_ok = true;
			break;
		case OPT_SACK:
			if (olen >= 10 && (olen - 2) % 8 == 0 && !syn) {
				unsigned n = (olen - 2u) / 8u;

				if (n > TCP_SACK_BLOCKS_MAX)
					n = TCP_SACK_BLOCKS_MAX;
				for (unsigned b = 0; b < n; b++) {
					o->sack[b][0] = net_get32(p + i + 2 + 8 * b);
					o->sack[b][1] = net_get32(p + i + 6 + 8 * b);
				}
				o->nsack = (uint8_t)n;
			}
			break;
		case OPT_TS:
			if (olen == 10) {
				o->has_ts = true;
				o->ts_val = net_get32(p + i + 2);
				o->ts_ecr = net_get32(p + i + 6);
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return KEEL_OK;
}

size_t tcp_options_write(uint8_t *p, const struct tcp_opts_out *o)
{
	size_t n = 0;

	if (o->syn) {
		p[n++] = OPT_MSS;
		p[n++] = 4;
		net_put16(p + n, o->mss);
		n += 2;
		if (o->ws) {
			p[n++] = OPT_NOP;
			p[n++] = OPT_WSCALE;
			p[n++] = 3;
			p[n++] = o->wscale;
		}
		if (o->sack_perm && o->ts) {
			p[n++] = OPT_SACK_PERM;
			p[n++] = 2;
		} else if (o->sack_perm) {
			p[n++] = OPT_NOP;
			p[n++] = OPT_NOP;
			p[n++] = OPT_SACK_PERM;
			p[n++] = 2;
		}
	}
	if (o->ts) {
		if (!(o->syn && o->sack_perm)) {
			p[n++] = OPT_NOP;
			p[n++] = OPT_NOP;
		}
		p[n++] = OPT_TS;
		p[n++] = 10;
		net_put32(p + n, o->ts_val);
		net_put32(p + n + 4, o->ts_ecr);
		n += 8;
	}
	if (!o->syn && o->nsack > 0) {
		size_t room = (TCP_OPTS_MAX - n - 4) / 8;
		size_t blocks = o->nsack < room ? o->nsack : room;

		if (blocks > 0) {
			p[n++] = OPT_NOP;
			p[n++] = OPT_NOP;
			p[n++] = OPT_SACK;
			p[n++] = (uint8_t)(2 + 8 * blocks);
			for (size_t b = 0; b < blocks; b++) {
				net_put32(p + n, o->sack[b][0]);
				net_put32(p + n + 4, o->sack[b][1]);
				n += 8;
			}
		}
	}
	return n;
}
