/*
 * fuzz/dhcp.c — libFuzzer target for the DHCP reply parser of lib/net
 * (dhcp_parse_reply, lib/net/dhcp_msg.c).
 *
 * The xid and MAC the parser must match are taken from the input itself,
 * so that mutations get past those checks into the options; a second
 * call with a fixed xid and MAC covers the refusal path. Whatever the
 * parser accepts must keep the promises dhcp_impl.h makes.
 */
#include <stdlib.h>

#include "dhcp_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed_mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	struct dhcp_reply r;
	uint8_t mac[6] = { 0 };
	uint32_t xid = 0;
	int err;

	if (size >= 34) {
		xid = net_get32(data + 4);
		memcpy(mac, data + 28, 6);
	}
	err = dhcp_parse_reply(data, size, xid, mac, &r);
	if (err == KEEL_OK) {
		struct dhcp_times t;

		if ((r.type != DHCP_OFFER && r.type != DHCP_ACK && r.type != DHCP_NAK) ||
		    r.dns_count > DHCP_MAX_DNS || r.xid != xid)
			abort();
		dhcp_lease_times(&r, &t);
		if (t.t1_s > t.t2_s || t.t2_s > t.lease_s)
			abort();
	} else if (err != KEEL_EINVAL && err != KEEL_ENOENT) {
		abort();
	}
	err = dhcp_parse_reply(data, size, 0x12345678, fixed_mac, &r);
	if (err != KEEL_OK && err != KEEL_EINVAL && err != KEEL_ENOENT)
		abort();
	return 0;
}
