/*
 * random.c — kp_random from RNDR (FEAT_RNG: QEMU's -cpu max has it, as
 * do recent cores). RNDR reports failure when its source is not ready;
 * ten failures in a row are taken as a broken generator. Without RNDR
 * there is no source yet: KEEL_EIO (virtio-rng is to come with the
 * virtio-mmio drivers, README.md).
 */
#include "platform_impl.h"

#define RNDR_TRIES 10

__attribute__((no_stack_protector)) bool cpu_has_rndr(void)
{
	return (sysreg_read(id_aa64isar0_el1) >> 60) != 0;
}

__attribute__((no_stack_protector)) bool cpu_rndr64(uint64_t *out)
{
	for (unsigned i = 0; i < RNDR_TRIES; i++) {
		uint64_t v;
		uint32_t ok;

		__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %w1, ne" : "=r"(v), "=r"(ok)::"cc");
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

int kp_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	bool device = virtio_rng_read(buf, len);

	if (!cpu_has_rndr())
		return device ? KEEL_OK : KEEL_EIO;
	while (len > 0) {
		uint64_t v;
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (!cpu_rndr64(&v))
			return device ? KEEL_OK : KEEL_EIO;
		for (size_t i = 0; i < n; i++, v >>= 8)
			p[i] = (unsigned char)(device ? p[i] ^ v : v);
		p += n;
		len -= n;
	}
	return KEEL_OK;
}
