/*
 * The libc's own last words: messages built without the formatter, so
 * that reporting a broken heap or a failed assertion depends on as little
 * as possible.
 */
#include "../internal.h"

void keel__console_puts(const char *s)
{
	kp_console_write(s, strlen(s));
}

char *keel__utoa_dec(char *buf, size_t size, uintmax_t v)
{
	char *p = buf + size;

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

char *keel__utoa_hex(char *buf, size_t size, uintmax_t v)
{
	char *p = buf + size;

	*--p = '\0';
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	return p;
}

void keel__libc_fatal(const char *what, const void *addr)
{
	char hex[24];

	fflush(NULL);
	keel__console_puts(what);
	if (addr) {
		keel__console_puts(" at ");
		keel__console_puts(keel__utoa_hex(hex, sizeof(hex), (uintptr_t)addr));
	}
	keel__console_puts("\n");
	kp_abort();
}
