/*
 * keys_device.c — the certificate chain and key of examples/www-keys, read
 * at start from the block device "tls": PEM text from its first byte up to
 * the first zero byte (or the device's end), at most KEYS_MAX bytes. The
 * bytes are the host's, so they are checked before lib/tls decodes them:
 * only text (printable ASCII, tab, CR, LF), and both a CERTIFICATE block
 * and a PRIVATE KEY block present. Anything else stops the image with one
 * line saying what is wrong with the device.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/block.h>
#include <keel/err.h>
#include <keel/manifest.h>

#include "www.h"

KEEL_BLOCK_DEVICE(tls);

#define KEYS_DEVICE "tls"
/* A chain of a few certificates and a key, RSA 4096 included, is well
 * under this. */
#define KEYS_MAX (64 * 1024)

static char *text;

static bool is_text(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
}

/* Checks text[0..len): prints why and returns false when it is not PEM. */
static bool check(const char *t, size_t len, uint64_t capacity)
{
	for (size_t i = 0; i < len; i++) {
		if (!is_text((unsigned char)t[i])) {
			printf("www: block device %s: byte %zu (0x%02x) is not PEM text\n",
			       KEYS_DEVICE, i, (unsigned char)t[i]);
			return false;
		}
	}
	if (len == 0) {
		printf("www: block device %s is empty: write the certificate chain and its key to "
		       "it in PEM (cat NAME.crt NAME.key >FILE)\n",
		       KEYS_DEVICE);
		return false;
	}
	if (len == KEYS_MAX && capacity > KEYS_MAX) {
		printf("www: block device %s: no zero byte in its first %d KiB: the PEM text must "
		       "be shorter and followed by zeros\n",
		       KEYS_DEVICE, KEYS_MAX / 1024);
		return false;
	}
	if (!strstr(t, "-----BEGIN CERTIFICATE-----")) {
		printf("www: block device %s holds no PEM CERTIFICATE block\n", KEYS_DEVICE);
		return false;
	}
	if (!strstr(t, "PRIVATE KEY-----")) {
		printf("www: block device %s holds no PEM PRIVATE KEY block\n", KEYS_DEVICE);
		return false;
	}
	return true;
}

static int keys(const char **pem, size_t *len)
{
	struct keel_block_config cfg = { .no_cache = true };
	struct keel_block *b;
	uint64_t capacity;
	size_t size;
	char *end;
	int rc;

	if ((rc = keel_block_open(KEYS_DEVICE, &cfg, &b)) != KEEL_OK) {
		printf("www: block device %s: %s\n", KEYS_DEVICE, keel_strerror(rc));
		return rc;
	}
	capacity = b->capacity;
	size = capacity < KEYS_MAX ? (size_t)capacity : KEYS_MAX;
	if (!(text = malloc(size + 1))) {
		keel_block_close(b);
		printf("www: out of memory for the keys\n");
		return KEEL_ENOMEM;
	}
	rc = keel_block_read(b, 0, text, size);
	keel_block_close(b);
	if (rc != KEEL_OK) {
		printf("www: block device %s: reading %zu bytes: %s\n", KEYS_DEVICE, size,
		       keel_strerror(rc));
		return rc;
	}
	text[size] = '\0';
	end = memchr(text, '\0', size);
	if (!check(text, end ? (size_t)(end - text) : size, capacity))
		return KEEL_EINVAL;
	*pem = text;
	*len = strlen(text);
	return KEEL_OK;
}

static const struct www_tls tls_device = {
	.keys_from = "read from block device " KEYS_DEVICE,
	.keys = keys,
	.listen = www_https_listen,
	.serve = www_https_serve,
	.metrics = www_https_metrics,
};

const struct www_tls *const www_tls = &tls_device;
