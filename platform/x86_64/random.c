/*
 * random.c — kp_random from the CPU's generator (RDRAND, or RDSEED).
 *
 * RDRAND output comes from a generator the hardware reseeds itself, and
 * Intel's guidance is that ten failed tries in a row mean a broken unit;
 * RDSEED may run dry under load and gets more tries with a pause between
 * them. Without either the platform has no entropy it trusts and says
 * so (KEEL_EIO); on QEMU under TCG, `-cpu max` offers RDRAND.
 */
#include "platform_impl.h"

#define RDRAND_TRIES 10
#define RDSEED_TRIES 100

/* No canary in these two: canary.c calls them before it exists. */
__attribute__((no_stack_protector)) bool cpu_rdrand64(uint64_t *out)
{
	for (unsigned i = 0; i < RDRAND_TRIES; i++) {
		uint64_t v;
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok)::"cc");
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

__attribute__((no_stack_protector)) bool cpu_rdseed64(uint64_t *out)
{
	for (unsigned i = 0; i < RDSEED_TRIES; i++) {
		uint64_t v;
		uint8_t ok;

		__asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok)::"cc");
		if (ok) {
			*out = v;
			return true;
		}
		__asm__ volatile("pause");
	}
	return false;
}

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
			*p++ = (unsigned char)v;
		len -= n;
	}
	return KEEL_OK;
}
