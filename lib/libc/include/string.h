/*
 * <string.h> — byte and string functions (implementation:
 * lib/libc/string).
 *
 * All follow C11 7.24 (and POSIX for the non-C11 ones). None allocates
 * except strdup() and strndup(), whose result the caller frees; they
 * return NULL (errno ENOMEM) when the heap is exhausted.
 */
#ifndef _STRING_H
#define _STRING_H

#define __need_size_t
#define __need_NULL
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

/* The last occurrence of (unsigned char)c in the n bytes at s, or NULL. */
void *memrchr(const void *s, int c, size_t n);

/* The first occurrence of the nlen bytes at needle in the hlen bytes at
 * haystack; haystack itself when nlen is 0; NULL when absent. */
void *memmem(const void *haystack, size_t hlen, const void *needle, size_t nlen);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strncat(char *restrict dst, const char *restrict src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strpbrk(const char *s, const char *accept);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);
char *strtok(char *restrict s, const char *restrict delim);
char *strtok_r(char *restrict s, const char *restrict delim, char **restrict saveptr);

/* Only the C locale exists, so collation is byte order. */
int strcoll(const char *a, const char *b);

/* A short description of the errno value `errnum` ("out of memory");
 * never NULL. The string is constant: do not modify it. */
char *strerror(int errnum);

/* Like memset(s, 0, n), but never removed by the optimiser: for secrets. */
void explicit_bzero(void *s, size_t n);

/*
 * -ffreestanding turns off the compiler's knowledge of these four, so every
 * fixed-size copy (a 4-byte header field, a struct) would be a call. The
 * builtins inline what is small and still call the functions above for the
 * rest. The library's own definitions are compiled with KEEL_LIBC_BUILD.
 */
#ifndef KEEL_LIBC_BUILD
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#endif

#endif
