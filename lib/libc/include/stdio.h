/*
 * <stdio.h> — formatted output to the console (implementation:
 * lib/libc/stdio).
 *
 * There are no files: `stdout` and `stderr` both write to the platform
 * console (kp_console_write). stdout is line-buffered in a small static
 * buffer: it is flushed at each '\n', when the buffer fills, by
 * fflush(stdout) or fflush(NULL), before anything is written to stderr,
 * and by exit(). stderr is not buffered. Output cannot fail, so the
 * functions below never return EOF for an I/O error.
 *
 * Formats follow C11 7.21.6.1 for the flags "-+ #0", field width and
 * precision (both may be '*'), the length modifiers hh h l ll j z t and
 * the conversions d i u o x X c s p %. Like glibc, a NULL %s argument
 * prints "(null)" (or nothing when the precision is below 6) and a NULL
 * %p prints "(nil)". Not supported, and copied to the output as written
 * so the omission is visible: floating point (%f %F %e %E %g %G %a %A),
 * wide characters (%lc %ls), positional arguments (%1$d) and %n (which
 * never writes anything).
 *
 * None of these functions allocates, and none blocks the fiber.
 */
#ifndef _STDIO_H
#define _STDIO_H

#define __need_size_t
#define __need_NULL
#include <stddef.h>

#define EOF (-1)
#define BUFSIZ 512

typedef struct keel__file FILE;

extern FILE keel__stdout, keel__stderr;
#define stdout (&keel__stdout)
#define stderr (&keel__stderr)

/*
 * Write at most `size` bytes to `buf`, always NUL-terminated when size
 * > 0 (buf may be NULL when size is 0). Return the length the whole
 * output would have had, not counting the NUL, or -1 (errno EOVERFLOW)
 * when that exceeds INT_MAX.
 */
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, __builtin_va_list ap)
    __attribute__((__format__(__printf__, 3, 0)));
/* As snprintf with an unbounded buffer: prefer snprintf. */
int sprintf(char *restrict buf, const char *restrict fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));
int vsprintf(char *restrict buf, const char *restrict fmt, __builtin_va_list ap)
    __attribute__((__format__(__printf__, 2, 0)));

/* Return the number of bytes written, or -1 (errno EOVERFLOW) when it
 * would exceed INT_MAX. */
int printf(const char *restrict fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
int vprintf(const char *restrict fmt, __builtin_va_list ap)
    __attribute__((__format__(__printf__, 1, 0)));
int fprintf(FILE *restrict f, const char *restrict fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));
int vfprintf(FILE *restrict f, const char *restrict fmt, __builtin_va_list ap)
    __attribute__((__format__(__printf__, 2, 0)));

/* Character and string output; they return what C11 says (the character,
 * a non-negative value, or the count written). */
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fputs(const char *restrict s, FILE *restrict f);
int puts(const char *s);
size_t fwrite(const void *restrict ptr, size_t size, size_t nmemb, FILE *restrict f);

/* Writes out what stdout holds (f NULL: every stream). Returns 0. */
int fflush(FILE *f);

/* Writes "s: <strerror(errno)>\n" (or just the description when s is
 * NULL or empty) to stderr. */
void perror(const char *s);

#endif
