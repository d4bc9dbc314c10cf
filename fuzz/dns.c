/*
 * fuzz/dns.c — libFuzzer target for the DNS response parser of lib/net
 * (dns_parse_response and dns_name_read, lib/net/dns_msg.c).
 *
 * The id and question the parser must match are taken from the input
 * itself (when its question decodes), so that mutations reach the answer
 * section and the CNAME chains; a second call with a fixed question
 * covers the refusal path. Every name read from the input is also decoded
 * at each offset, to exercise compression pointers from anywhere.
 */
#include <stdlib.h>

#include "dns_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(int err, const struct dns_result *res)
{
	if (err == KEEL_OK) {
		if (res->chain > DNS_CNAME_MAX || res->cname_len > DNS_NAME_WIRE_MAX ||
		    (res->have_addr && res->cname_len))
			abort();
	} else if (err != KEEL_EINVAL && err != KEEL_ENOENT) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed[] = "\3www\4keel\4test";
	uint8_t name[DNS_NAME_WIRE_MAX];
	size_t name_len, next;
	struct dns_result res;

	if (size >= DNS_HEADER_LEN &&
	    dns_name_read(data, size, DNS_HEADER_LEN, name, &name_len, &next) == KEEL_OK) {
		if (name_len < 1 || name_len > DNS_NAME_WIRE_MAX || name[name_len - 1] != 0 ||
		    next > size)
			abort();
		check_result(dns_parse_response(data, size, net_get16(data), name, name_len, &res),
		             &res);
	}
	check_result(dns_parse_response(data, size, 0xbeef, fixed, sizeof(fixed), &res), &res);

	for (size_t off = 0; off < size && off < 512; off++) {
		if (dns_name_read(data, size, off, name, &name_len, &next) == KEEL_OK) {
			char text[DNS_NAME_TEXT_MAX + 2];

			if (name_len > DNS_NAME_WIRE_MAX || next > size || next <= off)
				abort();
			dns_name_to_text(name, text, sizeof(text));
		}
	}
	return 0;
}
