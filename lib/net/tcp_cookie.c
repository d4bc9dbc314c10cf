/*
 * SYN cookies (RFC 4987 3.6): when the SYN backlog is full, the SYN-ACK's
 * initial sequence number carries everything needed to build the
 * connection from the final ACK, and nothing is kept meanwhile.
 *
 * Layout of the 32-bit ISN:
 *
 *     31                     9  8 7  6 5   4    3     0
 *    +------------------------+-----+-----+----+-------+
 *    |   MAC, 23 bits         | t&3 | mss | sk | ws+1  |
 *    +------------------------+-----+-----+----+-------+
 *
 *   t     a counter of 64-second periods; a cookie is good in the period
 *         it was made and the next one
 *   mss   index into a table of common MSS values (the largest not above
 *         the peer's)
 *   sk    the peer offered SACK
 *   ws+1  the peer's window scale plus one; 0 when it offered none
 *   MAC   SipHash-2-4, under a random key, of the 4-tuple, the peer's ISN,
 *         the full counter and the low nine bits
 *
 * Timestamps need no bit: an ACK that carries the option proves both
 * sides offered it (we only echo it when the SYN had it).
 */
#include "tcp_impl.h"

static const uint16_t mss_table[4] = { 536, 1200, 1440, 1460 };

#define DATA_BITS 9
#define DATA_MASK ((1u << DATA_BITS) - 1)

uint8_t tcp_cookie_wscale(void)
{
	return tcp_wscale_for(TCP_MAX_BUF);
}

static uint32_t cookie_mac(struct tcp_state *ts, const struct tcp_seg *seg, uint32_t peer_isn,
                           uint32_t count, uint32_t data)
{
	uint8_t m[24];

	__builtin_memcpy(m, &seg->src_be, 4);
	__builtin_memcpy(m + 4, &seg->dst_be, 4);
	__builtin_memcpy(m + 8, &seg->sport_be, 2);
	__builtin_memcpy(m + 10, &seg->dport_be, 2);
	net_put32(m + 12, peer_isn);
	net_put32(m + 16, count);
	net_put32(m + 20, data);
	return (uint32_t)tcp_siphash(ts->cookie_key, m, sizeof(m)) & ~DATA_MASK;
}

static uint32_t period_now(void)
{
	return (uint32_t)(keel_now() / TCP_COOKIE_PERIOD);
}

uint32_t tcp_cookie_make(struct tcp_state *ts, const struct tcp_seg *seg, uint16_t mss,
                         uint8_t peer_wscale, bool sack_ok, uint16_t *mss_out)
{
	uint32_t count = period_now();
	uint32_t idx = 0, data;

	for (uint32_t i = 0; i < 4; i++)
		if (mss_table[i] <= mss)
			idx = i;
	*mss_out = mss_table[idx];
	data = (count & 3u) << 7 | idx << 5 | (sack_ok ? 1u : 0u) << 4 |
	       (peer_wscale == 0xff ? 0u : (uint32_t)peer_wscale + 1u);
	return cookie_mac(ts, seg, seg->seq, count, data) | data;
}

bool tcp_cookie_check(struct tcp_state *ts, const struct tcp_seg *seg, uint16_t *mss,
                      uint8_t *wscale, bool *sack_ok)
{
	uint32_t cookie = seg->ack - 1;
	uint32_t data = cookie & DATA_MASK;
	uint32_t now = period_now();

	for (uint32_t age = 0; age < 2 && age <= now; age++) {
		uint32_t count = now - age;

		if ((count & 3u) != (data >> 7))
			continue;
		if (cookie_mac(ts, seg, seg->seq - 1, count, data) != (cookie & ~DATA_MASK))
			return false;
		*mss = mss_table[(data >> 5) & 3u];
		*sack_ok = (data >> 4) & 1u;
		*wscale = (data & 15u) ? (uint8_t)((data & 15u) - 1) : 0xff;
		if (*wscale != 0xff && *wscale > 14)
			return false;
		return true;
	}
	return false;
}
