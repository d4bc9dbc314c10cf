/*
 * random.c — kp_random: the CPU's generator (RDRAND, or RDSEED) mixed
 * with the host's, through a virtio-rng device when the machine has one
 * (virtio_rng.c; tools/qemu-run.sh always attaches one).
 *
 * Mixing is by XOR: the device's bytes are read into the buffer, and the
 * CPU's are XORed over them. Each source's bytes are used once, and the
 * two are independent, so the result is as unpredictable as the better
 * of them: neither a broken RDRAND nor a host that lies can make it
 * worse than the other source alone. With one source, it is used alone;
 * with none (or both failing), KEEL_EIO. The CPU's side is cpu_random.c.
 * On QEMU under TCG, `-cpu max` offers RDRAND.
 */
#include "platform_impl.h"

int kp_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	bool device = virtio_rng_read(buf, len);

	if (!cpu_features.rdrand && !cpu_features.rdseed)
		return device ? KEEL_OK : KEEL_EIO;
	while (len > 0) {
		uint64_t v;
		size_t n = len < sizeof(v) ? len : sizeof(v);
		bool ok = cpu_features.rdrand ? cpu_rdrand64(&v) : cpu_rdseed64(&v);

		if (!ok)
			return device ? KEEL_OK : KEEL_EIO;
		for (size_t i = 0; i < n; i++, v >>= 8)
			p[i] = (unsigned char)(device ? p[i] ^ v : v);
		p += n;
		len -= n;
	}
	return KEEL_OK;
}
