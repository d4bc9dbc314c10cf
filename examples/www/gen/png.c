/*
 * png — draws the site's img/keel.png (a boat on the sea, its keel under
 * the water line, 128 x 64 pixels in 16 colours) and writes the PNG file
 * to standard output:
 *
 *     png > examples/www/site/img/keel.png
 *
 * The committed picture was made this way; tests/www/site.t makes it again
 * and checks that the bytes are the same. To keep them the same on every
 * machine the image data is not compressed: it goes into "stored" deflate
 * blocks (RFC 1951 section 3.2.4), with the zlib wrapper's Adler-32 and
 * each chunk's CRC-32 computed here, so no library (and no library
 * version) is involved. 4-bit palette pixels keep the file near 4 KiB.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 128
#define HEIGHT 64
#define ROW_BYTES (1 + WIDTH / 2) /* filter byte, then two pixels a byte */
#define WATER 34                  /* first row of the sea */

enum colour {
	SKY_HIGH,
	SKY_MID,
	SKY_LOW,
	SUN,
	SEA_TOP,
	SEA_MID,
	SEA_DEEP,
	FOAM,
	HULL,
	HULL_SHADE,
	KEEL,
	KEEL_WET,
	MAST,
	SAIL,
	SAIL_SHADE,
	OUTLINE,
	COLOURS
};

static const uint8_t palette[COLOURS][3] = {
	[SKY_HIGH] = { 0x8e, 0xc3, 0xe6 },   [SKY_MID] = { 0xa9, 0xd3, 0xee },
	[SKY_LOW] = { 0xc8, 0xe3, 0xf4 },    [SUN] = { 0xf6, 0xd3, 0x5b },
	[SEA_TOP] = { 0x2f, 0x7d, 0xb0 },    [SEA_MID] = { 0x1d, 0x5c, 0x85 },
	[SEA_DEEP] = { 0x12, 0x3f, 0x5e },   [FOAM] = { 0xe4, 0xf1, 0xf8 },
	[HULL] = { 0xf4, 0xf1, 0xea },       [HULL_SHADE] = { 0xc9, 0xc3, 0xb6 },
	[KEEL] = { 0x17, 0x20, 0x2a },       [KEEL_WET] = { 0x0b, 0x2a, 0x40 },
	[MAST] = { 0x5a, 0x3e, 0x2b },       [SAIL] = { 0xff, 0xff, 0xff },
	[SAIL_SHADE] = { 0xdd, 0xe4, 0xea }, [OUTLINE] = { 0x17, 0x20, 0x2a },
};

/* The colour of pixel (x, y), y growing downwards. */
static enum colour pixel(int x, int y)
{
	int dx = x - 104, dy = y - 12;

	/* The mast and the sail, above the deck. */
	if (x >= 63 && x <= 64 && y >= 3 && y <= 26)
		return MAST;
	if (y >= 5 && y <= 24 && x >= 66 && x <= 66 + (y - 5) * 4 / 5)
		return x - 66 < (y - 5) / 3 ? SAIL_SHADE : SAIL;
	if (y >= 8 && y <= 24 && x <= 61 && x >= 61 - (y - 8) * 3 / 4)
		return SAIL;
	/* The hull: a deck line, sides narrowing to the bottom. */
	if (y >= 26 && y <= 37) {
		int left = 26 + (y - 26) * 3 / 2, right = 101 - (y - 26) * 2;

		if (x >= left && x <= right) {
			/* The sides slope by more than a pixel a row: a line two
			 * pixels wide keeps them unbroken. */
			if (y == 26 || y == 37 || x <= left + 1 || x >= right - 1)
				return OUTLINE;
			return y >= 33 ? HULL_SHADE : HULL;
		}
	}
	/* The keel: a fin under the hull and a bulb at its foot. */
	if (y > 37 && y <= 54 && x >= 60 && x <= 67 - (y - 38) / 6)
		return y >= WATER ? KEEL_WET : KEEL;
	if (y > 54 && y <= 58 && x >= 54 && x <= 73)
		return KEEL_WET;
	if (y < WATER) {
		if (dx * dx + dy * dy <= 49)
			return SUN;
		return y < 11 ? SKY_HIGH : y < 22 ? SKY_MID : SKY_LOW;
	}
	/* Waves on the surface, then the sea darkening with depth. */
	if (y == WATER && (x / 6) % 3 == 0)
		return FOAM;
	if (y == WATER + 4 && (x / 9 + 1) % 4 == 0)
		return SEA_TOP;
	return y < WATER + 8 ? SEA_TOP : y < WATER + 18 ? SEA_MID : SEA_DEEP;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writes one chunk: length, type, data, CRC of type and data. */
static void chunk(const char *type, const uint8_t *data, size_t len)
{
	uint8_t head[8], tail[4];
	uint32_t crc;

	put32(head, (uint32_t)len);
	memcpy(head + 4, type, 4);
	crc = crc32(0, head + 4, 4);
	crc = crc32(crc, data, len);
	put32(tail, crc);
	fwrite(head, 1, 8, stdout);
	fwrite(data, 1, len, stdout);
	fwrite(tail, 1, 4, stdout);
}

int main(void)
{
	static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static uint8_t raw[HEIGHT * ROW_BYTES];
	static uint8_t idat[2 + sizeof(raw) + 5 * (sizeof(raw) / 65535 + 1) + 4];
	uint8_t ihdr[13], plte[COLOURS * 3];
	uint32_t a = 1, b = 0;
	size_t n = 0, done = 0;

	crc_init();
	for (int y = 0; y < HEIGHT; y++) {
		uint8_t *row = raw + y * ROW_BYTES;

		row[0] = 0; /* filter: none */
		for (int x = 0; x < WIDTH; x += 2)
			row[1 + x / 2] = (uint8_t)(pixel(x, y) << 4 | pixel(x + 1, y));
	}

	/* zlib stream: header (deflate, 32 KiB window, no dictionary), stored
	 * blocks of at most 65535 bytes, Adler-32 of the raw bytes. */
	idat[n++] = 0x78;
	idat[n++] = 0x01;
	while (done < sizeof(raw)) {
		size_t len = sizeof(raw) - done < 65535 ? sizeof(raw) - done : 65535;

		idat[n++] = done + len == sizeof(raw) ? 1 : 0; /* BFINAL, BTYPE 00 */
		idat[n++] = (uint8_t)len;
		idat[n++] = (uint8_t)(len >> 8);
		idat[n++] = (uint8_t)~len;
		idat[n++] = (uint8_t)(~len >> 8);
		memcpy(idat + n, raw + done, len);
		n += len;
		done += len;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		a = (a + raw[i]) % 65521;
		b = (b + a) % 65521;
	}
	put32(idat + n, b << 16 | a);
	n += 4;

	put32(ihdr, WIDTH);
	put32(ihdr + 4, HEIGHT);
	ihdr[8] = 4;  /* bits per pixel */
	ihdr[9] = 3;  /* palette */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filters */
	ihdr[12] = 0; /* not interlaced */
	for (int c = 0; c < COLOURS; c++)
		memcpy(plte + 3 * c, palette[c], 3);

	fwrite(signature, 1, sizeof(signature), stdout);
	chunk("IHDR", ihdr, sizeof(ihdr));
	chunk("PLTE", plte, sizeof(plte));
	chunk("IDAT", idat, n);
	chunk("IEND", NULL, 0);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("png: write");
		return 1;
	}
	return 0;
}
