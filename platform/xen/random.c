/*
 * random.c — kp_random on Xen: the CPU's generator (RDRAND, or RDSEED;
 * cpu_random.c, shared with x86_64). Xen has no entropy device of its
 * own to mix in; without either instruction there is no source the image
 * trusts, and kp_random says so (KEEL_EIO).
 */
#include "xen_impl.h"

int kp_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	if (!cpu_features.rdrand && !cpu_features.rdseed)
		return KEEL_EIO;
	while (len > 0) {
		uint64_t v;
		size_t n = len < sizeof(v) ? len : sizeof(v);
		bool ok = cpu_features.rdrand ? cpu_rdrand64(&v) : cpu_rdseed64(&v);

		if (!ok)
			return KEEL_EIO;
		for (size_t i = 0; i < n; i++, v >>= 8)
			p[i] = (unsigned char)v;
		p += n;
		len -= n;
	}
	return KEEL_OK;
}
