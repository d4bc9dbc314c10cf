/*
 * print.c — the platform's own messages, written straight to the console
 * (console_write_now, the target's), shared by the hypervisor targets.
 *
 * Built by hand rather than with the C library's printf: the platform sits
 * below libc, prints before the runtime exists, and must still print when
 * a fault has left the heap or libc in an unknown state.
 */
#include <stdarg.h>

#include "platform_impl.h"

#define FAIL_LINE_MAX 512

size_t platform_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void print_str(const char *s)
{
	console_write_now(s, platform_strlen(s));
}

static void print_hex_digits(uint64_t v, unsigned digits)
{
	char buf[18];
	unsigned i = 0;

	buf[i++] = '0';
	buf[i++] = 'x';
	while (digits--)
		buf[i++] = "0123456789abcdef"[(v >> (digits * 4)) & 0xf];
	console_write_now(buf, i);
}

void print_hex(uint64_t v)
{
	print_hex_digits(v, 16);
}

void print_xnum(uint64_t v)
{
	unsigned digits = 1;

	while (digits < 16 && (v >> (digits * 4)))
		digits++;
	print_hex_digits(v, digits);
}

void print_dec(uint64_t v)
{
	char buf[PLATFORM_NUM_BUF];

	print_str(platform_num(buf, v));
}

const char *platform_num(char buf[PLATFORM_NUM_BUF], uint64_t value)
{
	char *p = buf + PLATFORM_NUM_BUF - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	return p;
}

bool platform_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

void platform_fail(const char *first, ...)
{
	static const char prefix[] = "keel: ";
	char line[FAIL_LINE_MAX];
	size_t len = 0;
	va_list ap;

	/* One write of the whole line; an over-long one is cut, not lost. */
	for (const char *p = prefix; *p; p++)
		line[len++] = *p;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		while (*s && len < sizeof(line) - 1)
			line[len++] = *s++;
	}
	va_end(ap);
	line[len++] = '\n';
	console_write_now(line, len);
	kp_exit(PLATFORM_EXIT_REFUSED);
}
