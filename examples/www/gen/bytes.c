/*
 * bytes — writes COUNT pseudo-random bytes to standard output, the same
 * ones on every machine and every run:
 *
 *     bytes COUNT > FILE
 *
 * The build of examples/www makes the site's files/1m.bin with it, so that
 * the mebibyte is not kept in the repository and yet every image, and
 * every test that checks its SHA-256, agrees on its bytes. The generator
 * is xorshift64* (Vigna, 2014) from a fixed seed; the bytes of each 64-bit
 * output are taken lowest first, so the result does not depend on the
 * host's byte order. The bytes do not compress: the site holds no gzip
 * copy of this file, which is what a large download is usually like.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	uint64_t state = 0x6b65656c2d777777ull; /* "keel-www" */
	unsigned long long count;
	unsigned char buf[4096];
	char *end;

	if (argc != 2 || argv[1][0] < '0' || argv[1][0] > '9') {
		fprintf(stderr, "usage: bytes COUNT\n");
		return 2;
	}
	count = strtoull(argv[1], &end, 10);
	if (*end) {
		fprintf(stderr, "bytes: '%s' is not a count\n", argv[1]);
		return 2;
	}
	while (count > 0) {
		size_t n = count < sizeof(buf) ? (size_t)count : sizeof(buf);

		for (size_t i = 0; i < n; i += 8) {
			uint64_t v;

			state ^= state >> 12;
			state ^= state << 25;
			state ^= state >> 27;
			v = state * 0x2545f4914f6cdd1dull;
			for (size_t j = 0; j < 8 && i + j < n; j++)
				buf[i + j] = (unsigned char)(v >> (8 * j));
		}
		if (fwrite(buf, 1, n, stdout) != n) {
			perror("bytes: write");
			return 1;
		}
		count -= n;
	}
	if (fflush(stdout) != 0) {
		perror("bytes: write");
		return 1;
	}
	return 0;
}
