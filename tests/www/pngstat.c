/*
 * pngstat — what a screenshot holds, for tests/www/browser.t:
 *
 *     pngstat FILE.png [RRGGBB...]
 *
 * prints "WIDTH HEIGHT COLOURS" (the number of distinct colours, alpha
 * left out), then for each RRGGBB given "RRGGBB N", the number of pixels
 * of exactly that colour. Exit status 1 when the file is not a PNG this
 * reads: 8 bits per channel, grey, RGB or RGBA (with or without alpha),
 * not interlaced, which is what a browser's screenshot is. Chunk CRCs are
 * checked; the image data is inflated with zlib and unfiltered (PNG
 * specification, section 9).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_SIDE 16384
#define SET_SIZE (1u << 22) /* open-addressing table of colours; > 800 x 600 */

static const char *path;

static void die(const char *why)
{
	fprintf(stderr, "pngstat: %s: %s\n", path, why);
	exit(1);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned char *slurp(size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		die("cannot open");
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const int channels_of[7] = { 1, 0, 3, 0, 2, 0, 4 };
	unsigned char *file, *idat = NULL, *raw;
	size_t len, pos = 8, idat_len = 0;
	uint32_t width = 0, height = 0, colours = 0;
	int channels = 0;
	uLongf raw_len;
	size_t stride;
	uint32_t *set;

	if (argc < 2) {
		fprintf(stderr, "usage: pngstat FILE.png [RRGGBB...]\n");
		return 2;
	}
	path = argv[1];
	file = slurp(&len);
	if (len < 8 || memcmp(file, sig, 8))
		die("not a PNG");
	while (pos + 12 <= len) {
		uint32_t n = get32(file + pos);
		const unsigned char *type = file + pos + 4, *data = file + pos + 8;

		if (n > len - pos - 12)
			die("a chunk runs past the end");
		if (crc32(crc32(0, NULL, 0), type, n + 4) != get32(data + n))
			die("bad chunk CRC");
		if (!memcmp(type, "IHDR", 4)) {
			if (n != 13)
				die("bad IHDR");
			width = get32(data);
			height = get32(data + 4);
			if (data[8] != 8 || data[12] != 0)
				die("not 8 bits per channel, or interlaced");
			/* Colour types 0 grey, 2 RGB, 4 grey + alpha, 6 RGBA. */
			channels = data[9] <= 6 ? channels_of[data[9]] : 0;
			if (!channels)
				die("colour type not grey, RGB or RGBA");
		} else if (!memcmp(type, "IDAT", 4)) {
			idat = realloc(idat, idat_len + n);
			if (!idat)
				die("out of memory");
			memcpy(idat + idat_len, data, n);
			idat_len += n;
		} else if (!memcmp(type, "IEND", 4)) {
			break;
		}
		pos += 12 + (size_t)n;
	}
	if (!channels || !width || !height || width > MAX_SIDE || height > MAX_SIDE || !idat)
		die("no header or no image data");

	stride = (size_t)width * (size_t)channels;
	raw_len = (uLongf)((stride + 1) * height);
	raw = malloc(raw_len);
	if (!raw)
		die("out of memory");
	if (uncompress(raw, &raw_len, idat, (uLong)idat_len) != Z_OK ||
	    raw_len != (stride + 1) * height)
		die("image data does not inflate to its size");

	/* Unfilter in place: each row is a filter byte and `stride` bytes. */
	for (uint32_t y = 0; y < height; y++) {
		unsigned char *row = raw + y * (stride + 1) + 1;
		const unsigned char *up = y ? row - (stride + 1) : NULL;
		int filter = row[-1];

		for (size_t i = 0; i < stride; i++) {
			int a = i >= (size_t)channels ? row[i - channels] : 0;
			int b = up ? up[i] : 0;
			int c = up && i >= (size_t)channels ? up[i - channels] : 0;

			switch (filter) {
			case 0:
				break;
			case 1:
				row[i] = (unsigned char)(row[i] + a);
				break;
			case 2:
				row[i] = (unsigned char)(row[i] + b);
				break;
			case 3:
				row[i] = (unsigned char)(row[i] + (a + b) / 2);
				break;
			case 4:
				row[i] = (unsigned char)(row[i] + paeth(a, b, c));
				break;
			default:
				die("unknown row filter");
			}
		}
	}

	/* Distinct colours: RGB as 24 bits (+1, so that 0 marks a free slot). */
	set = calloc(SET_SIZE, sizeof(*set));
	if (!set)
		die("out of memory");
	for (uint32_t y = 0; y < height; y++) {
		const unsigned char *p = raw + y * (stride + 1) + 1;

		for (uint32_t x = 0; x < width; x++, p += channels) {
			uint32_t rgb = channels >= 3 ? (uint32_t)p[0] << 16 | p[1] << 8 | p[2]
			                             : (uint32_t)p[0] * 0x010101u;
			uint32_t h = (rgb * 2654435761u) & (SET_SIZE - 1);

			while (set[h] && set[h] != rgb + 1)
				h = (h + 1) & (SET_SIZE - 1);
			if (!set[h]) {
				set[h] = rgb + 1;
				colours++;
			}
		}
	}
	printf("%u %u %u\n", width, height, colours);

	for (int i = 2; i < argc; i++) {
		unsigned long want = strtoul(argv[i], NULL, 16);
		unsigned long count = 0;

		for (uint32_t y = 0; y < height; y++) {
			const unsigned char *p = raw + y * (stride + 1) + 1;

			for (uint32_t x = 0; x < width; x++, p += channels) {
				unsigned long rgb =
				    channels >= 3 ? (unsigned long)p[0] << 16 | p[1] << 8 | p[2]
				                  : p[0] * 0x010101ul;
				count += rgb == want;
			}
		}
		printf("%s %lu\n", argv[i], count);
	}
	free(set);
	free(raw);
	free(idat);
	free(file);
	return 0;
}
