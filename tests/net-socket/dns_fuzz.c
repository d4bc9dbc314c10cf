/*
 * libFuzzer target of lib/net-socket/dns_msg.c (make nsock-fuzz; run
 * briefly by tests/net-socket/fuzz.t). The input is an answer from the
 * network, read as the answer to a query for www.keel.test whose
 * identifier is the input's own first two bytes (so that the fuzzer gets
 * past the identifier check); it is also tried, cut at its first NUL, as a
 * name to encode a query for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t query[NSOCK_DNS_QUERY_MAX];
	struct keel_addr out;
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	char *name;
	int rc;

	rc = nsock_dns_answer(data, size, id, "www.keel.test", &out);
	if (rc != KEEL_OK && rc != KEEL_ENOENT && rc != KEEL_EIO && rc != KEEL_EAGAIN &&
	    rc != KEEL_EINVAL)
		abort();
	if (rc == KEEL_OK && out.family != KEEL_AF_INET4)
		abort();

	name = malloc(size + 1);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	rc = nsock_dns_query(name, id, query, sizeof(query));
	if (rc != KEEL_EINVAL && (rc < 12 + 2 + 4 || rc > (int)sizeof(query)))
		abort();
	free(name);
	return 0;
}
