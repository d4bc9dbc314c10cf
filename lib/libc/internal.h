/*
 * lib/libc/internal.h — private to lib/libc: what its files share beyond
 * the public headers.
 *
 * Symbols shared between files of the libc (but not part of a standard
 * header) carry the prefix keel__ so they cannot clash with an
 * application's own. libc sits just above the platform: it may call the
 * kp_* interface but nothing of lib/core (so no keel_panic here).
 */
#ifndef KEEL_LIBC_INTERNAL_H
#define KEEL_LIBC_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/platform.h>

/* ---- Fatal errors (misc/fatal.c) ----------------------------------------- */

/*
 * Flushes stdout, prints "<what>" and, when addr is not NULL, " at 0x<addr>"
 * on a line of its own, and aborts the image (kp_abort). For broken
 * invariants the libc detects (heap corruption, double free).
 */
_Noreturn void keel__libc_fatal(const char *what, const void *addr);

/* Writes the NUL-terminated `s` straight to the console. */
void keel__console_puts(const char *s);

/* Writes `v` in decimal (unsigned) or as 0x-prefixed hexadecimal into buf
 * (at least 24 bytes) and returns the NUL-terminated text's start. */
char *keel__utoa_dec(char *buf, size_t size, uintmax_t v);
char *keel__utoa_hex(char *buf, size_t size, uintmax_t v);

/* ---- Stack protector (misc/stack_chk.c) --------------------------------- */

/* The canary the compiler's stack protector compares; the platform
 * reseeds it from kp_random() before main. */
extern uintptr_t __stack_chk_guard;
_Noreturn void __stack_chk_fail(void);

/* ---- Formatted output (stdio/format.c) ----------------------------------- */

/*
 * Where the formatter's output goes. put() receives consecutive pieces of
 * the output; `count` is the total length produced so far (the formatter
 * keeps it). A sink that cannot store more (a full snprintf buffer) sets
 * `full`, and the formatter then only counts.
 */
struct keel__sink {
	void (*put)(struct keel__sink *s, const char *p, size_t n);
	size_t count;
	bool full;
};

/*
 * Formats `fmt` with `ap` into `s` as described in <stdio.h>. Returns the
 * number of bytes produced, or -1 with errno EOVERFLOW when that exceeds
 * INT_MAX (or a field width or precision does).
 */
int keel__vformat(struct keel__sink *s, const char *fmt, va_list ap);

/* ---- Console streams (stdio/file.c) -------------------------------------- */

struct keel__file {
	char *buf;  /* NULL: unbuffered */
	size_t cap; /* size of buf */
	size_t len; /* bytes waiting in buf */
};

/* Writes n bytes to f with its buffering rules (see <stdio.h>). */
void keel__file_write(FILE *f, const char *p, size_t n);

/* ---- Number parsing (stdlib/strtox.c) ------------------------------------ */

/*
 * The common part of strtol() and friends: parses as C11 7.22.1.4 says
 * and returns the magnitude, clamped to `limit` (with *overflow set)
 * when larger. *negative tells whether a '-' sign was seen. Sets errno
 * to EINVAL (and returns 0) for a bad base, but never to ERANGE: the
 * callers decide what is out of range for their type.
 */
unsigned long long keel__strtox(const char *s, char **endptr, int base, unsigned long long limit,
                                bool *negative, bool *overflow);

#endif
