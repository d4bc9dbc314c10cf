/*
 * <stdlib.h> — memory, number parsing, sorting, and ending the image
 * (implementation: lib/libc/stdlib and lib/libc/malloc).
 */
#ifndef _STDLIB_H
#define _STDLIB_H

#define __need_size_t
#define __need_wchar_t
#define __need_NULL
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff
#define MB_CUR_MAX ((size_t)1)

typedef struct {
	int quot, rem;
} div_t;
typedef struct {
	long quot, rem;
} ldiv_t;
typedef struct {
	long long quot, rem;
} lldiv_t;

/*
 * The allocator (see keel/heap.h). Blocks are 16-byte aligned. On
 * exhaustion these return NULL and set errno to ENOMEM; they never crash
 * the image for lack of memory. free() and realloc() abort the image
 * with a message naming the address when handed a pointer that is not a
 * live block (double free, corrupted header). malloc(0) returns a unique
 * pointer; realloc(p, 0) shrinks p to the smallest block and returns it
 * (it does not free it). aligned_alloc() accepts any power-of-two
 * alignment and any size (NULL and EINVAL otherwise).
 */
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void *aligned_alloc(size_t alignment, size_t size);
/* POSIX: `alignment` must be a power of two multiple of sizeof(void *).
 * Returns 0, EINVAL or ENOMEM (errno is left alone). */
int posix_memalign(void **memptr, size_t alignment, size_t size);

/*
 * C11 7.22.1.4: optional white space and sign, then digits of `base`
 * (0: decimal, octal after "0", hexadecimal after "0x"/"0X"; 16 also
 * accepts the prefix). *endptr gets the first unparsed character, or
 * `s` itself when there were no digits. Out of range: the nearest
 * limit, errno ERANGE. A base other than 0 or 2..36: 0, errno EINVAL.
 */
long strtol(const char *restrict s, char **restrict endptr, int base);
long long strtoll(const char *restrict s, char **restrict endptr, int base);
unsigned long strtoul(const char *restrict s, char **restrict endptr, int base);
unsigned long long strtoull(const char *restrict s, char **restrict endptr, int base);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);

/* Introsort: O(n log n) comparisons in the worst case; not stable. */
void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
              int (*compar)(const void *, const void *));

int abs(int j);
long labs(long j);
long long llabs(long long j);
div_t div(int numer, int denom);
ldiv_t ldiv(long numer, long denom);
lldiv_t lldiv(long long numer, long long denom);

/* A deterministic pseudo-random sequence (not for secrets: use
 * kp_random()). srand(1) restarts the default sequence. */
int rand(void);
void srand(unsigned seed);

/* There is no environment: always NULL. */
char *getenv(const char *name);

/* Registers fn to run at exit(), last registered first; up to 32.
 * Returns 0, or -1 when the table is full. */
int atexit(void (*fn)(void));

/* Runs the atexit() functions, flushes stdout and ends the image with
 * status & 0xff. */
_Noreturn void exit(int status);
/* Ends the image at once: no atexit() functions, no flush. */
_Noreturn void _Exit(int status);
/* Flushes stdout, prints "abort" on the console and ends the image
 * abnormally (kp_abort). */
_Noreturn void abort(void);

#endif
