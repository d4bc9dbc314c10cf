/*
 * tests/include/image_util.h — console output and argument parsing for
 * the test images that use nothing above the platform interface (no
 * libc calls, only kp_console_write), so that what they test is the
 * platform alone. Header-only; an image's keel.mk puts this folder on
 * its include path:
 *
 *   APP_CFLAGS := -I$(APP_DIR)/../../include
 */
#ifndef KEEL_TESTS_IMAGE_UTIL_H
#define KEEL_TESTS_IMAGE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <keel/platform.h>

/* Writes the string s to the console. */
static inline void say(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	kp_console_write(s, n);
}

/* Writes v in decimal. */
static inline void say_num(uint64_t v)
{
	char b[24], *p = b + sizeof(b);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kp_console_write(p, (size_t)(b + sizeof(b) - p));
}

/* Writes v as 0x and sixteen lower-case hex digits. */
static inline void say_hex(uint64_t v)
{
	char b[18];

	b[0] = '0';
	b[1] = 'x';
	for (int i = 0; i < 16; i++)
		b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	kp_console_write(b, sizeof(b));
}

/* The decimal number s starts with (0 when it starts with no digit);
 * the tests' own arguments, so not checked for overflow. */
static inline uint64_t parse_num(const char *s)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

#endif
