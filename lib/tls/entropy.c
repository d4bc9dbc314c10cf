/*
 * Entropy for TLS: one HMAC-DRBG (SHA-256) per image, seeded from
 * kp_random() and given fresh platform entropy every RESEED_EVERY
 * sessions. Each session's own generator (BearSSL's engine keeps one) gets
 * 32 bytes from it. BearSSL's own OS seeder is compiled out (no
 * /dev/urandom, no RDRAND: see build.mk), so without this an engine would
 * refuse to run; and without a platform source this refuses first, once
 * with a clear message.
 */
#include <keel/log.h>
#include <keel/platform.h>

#include "tls_impl.h"

#define SEED_BYTES 48
#define RESEED_EVERY 256

static br_hmac_drbg_context drbg;
static bool seeded;
static bool told;
static uint32_t since_reseed;

static void no_entropy(void)
{
	keel_tls__stats.no_entropy++;
	if (!told) {
		KEEL_ERROR("tls: the platform has no entropy source (kp_random failed); "
		           "refusing to start TLS");
		told = true;
	}
}

int keel_tls__entropy_init(void)
{
	unsigned char seed[SEED_BYTES];

	if (seeded)
		return KEEL_OK;
	if (kp_random(seed, sizeof seed) != KEEL_OK) {
		no_entropy();
		return KEEL_EIO;
	}
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof seed);
	br_hmac_drbg_update(&drbg, "keel tls", 8);
	seeded = true;
	since_reseed = 0;
	return KEEL_OK;
}

bool keel_tls__seed(br_ssl_engine_context *eng)
{
	unsigned char out[32];

	if (keel_tls__entropy_init() != KEEL_OK)
		return false;
	if (++since_reseed >= RESEED_EVERY) {
		unsigned char fresh[SEED_BYTES];

		/* A failed reseed keeps the generator as it is: it was seeded. */
		if (kp_random(fresh, sizeof fresh) == KEEL_OK)
			br_hmac_drbg_update(&drbg, fresh, sizeof fresh);
		since_reseed = 0;
	}
	br_hmac_drbg_generate(&drbg, out, sizeof out);
	br_ssl_engine_inject_entropy(eng, out, sizeof out);
	return true;
}
