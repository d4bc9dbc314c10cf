/*
 * tests/libc/kl.h — what the host unit tests of lib/libc see of it: the
 * libc under test is compiled with every public name prefixed kl_ (see
 * rename.h) and declared here with host types, next to the host's own C
 * library that it is compared with. Also the tests' shared helpers: a
 * seeded PRNG, failure reporting, and the console/abort shim (shim.c).
 */
#ifndef KEEL_TESTS_LIBC_KL_H
#define KEEL_TESTS_LIBC_KL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <keel/heap.h>

/* ---- The libc under test ------------------------------------------------- */

void *kl_memcpy(void *dst, const void *src, size_t n);
void *klg_memcpy(void *dst, const void *src, size_t n); /* the generic C version */
void *kl_memmove(void *dst, const void *src, size_t n);
void *kl_memset(void *dst, int c, size_t n);
void *klg_memset(void *dst, int c, size_t n);
int kl_memcmp(const void *a, const void *b, size_t n);
void *kl_memchr(const void *s, int c, size_t n);
void *kl_memrchr(const void *s, int c, size_t n);
void *kl_memmem(const void *h, size_t hlen, const void *n, size_t nlen);
size_t kl_strlen(const char *s);
size_t kl_strnlen(const char *s, size_t maxlen);
int kl_strcmp(const char *a, const char *b);
int kl_strncmp(const char *a, const char *b, size_t n);
int kl_strcoll(const char *a, const char *b);
char *kl_strcpy(char *dst, const char *src);
char *kl_strncpy(char *dst, const char *src, size_t n);
char *kl_strcat(char *dst, const char *src);
char *kl_strncat(char *dst, const char *src, size_t n);
char *kl_strchr(const char *s, int c);
char *kl_strrchr(const char *s, int c);
char *kl_strstr(const char *h, const char *n);
size_t kl_strspn(const char *s, const char *accept);
size_t kl_strcspn(const char *s, const char *reject);
char *kl_strpbrk(const char *s, const char *accept);
char *kl_strdup(const char *s);
char *kl_strndup(const char *s, size_t n);
char *kl_strtok(char *s, const char *delim);
char *kl_strtok_r(char *s, const char *delim, char **saveptr);
char *kl_strerror(int errnum);
void kl_explicit_bzero(void *s, size_t n);
int kl_strcasecmp(const char *a, const char *b);
int kl_strncasecmp(const char *a, const char *b, size_t n);

struct keel__file;
extern struct keel__file keel__stdout, keel__stderr;
#define KL_STDOUT (&keel__stdout)
#define KL_STDERR (&keel__stderr)
int kl_snprintf(char *buf, size_t size, const char *fmt, ...);
int kl_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kl_sprintf(char *buf, const char *fmt, ...);
int kl_vsprintf(char *buf, const char *fmt, va_list ap);
int kl_printf(const char *fmt, ...);
int kl_vprintf(const char *fmt, va_list ap);
int kl_fprintf(struct keel__file *f, const char *fmt, ...);
int kl_vfprintf(struct keel__file *f, const char *fmt, va_list ap);
int kl_fputc(int c, struct keel__file *f);
int kl_putc(int c, struct keel__file *f);
int kl_putchar(int c);
int kl_fputs(const char *s, struct keel__file *f);
int kl_puts(const char *s);
size_t kl_fwrite(const void *p, size_t size, size_t nmemb, struct keel__file *f);
int kl_fflush(struct keel__file *f);
void kl_perror(const char *s);

void *kl_malloc(size_t n);
void kl_free(void *p);
void *kl_calloc(size_t nmemb, size_t size);
void *kl_realloc(void *p, size_t n);
void *kl_aligned_alloc(size_t alignment, size_t n);
int kl_posix_memalign(void **memptr, size_t alignment, size_t size);

long kl_strtol(const char *s, char **endptr, int base);
long long kl_strtoll(const char *s, char **endptr, int base);
unsigned long kl_strtoul(const char *s, char **endptr, int base);
unsigned long long kl_strtoull(const char *s, char **endptr, int base);
int kl_atoi(const char *s);
long kl_atol(const char *s);
long long kl_atoll(const char *s);
void kl_qsort(void *base, size_t nmemb, size_t size, int (*cmp)(const void *, const void *));
void *kl_bsearch(const void *key, const void *base, size_t nmemb, size_t size,
                 int (*cmp)(const void *, const void *));
int kl_abs(int j);
long kl_labs(long j);
long long kl_llabs(long long j);
div_t kl_div(int n, int d);
ldiv_t kl_ldiv(long n, long d);
lldiv_t kl_lldiv(long long n, long long d);
int kl_rand(void);
void kl_srand(unsigned seed);
char *kl_getenv(const char *name);
int kl_atexit(void (*fn)(void));
_Noreturn void kl_exit(int status);
_Noreturn void kl__Exit(int status);
_Noreturn void kl_abort(void);

int kl_isalnum(int c);
int kl_isalpha(int c);
int kl_isblank(int c);
int kl_iscntrl(int c);
int kl_isdigit(int c);
int kl_isgraph(int c);
int kl_islower(int c);
int kl_isprint(int c);
int kl_ispunct(int c);
int kl_isspace(int c);
int kl_isupper(int c);
int kl_isxdigit(int c);
int kl_tolower(int c);
int kl_toupper(int c);

extern int kl_errno;

typedef unsigned long long kl_jmp_buf[22] __attribute__((aligned(16)));
int kl_setjmp(kl_jmp_buf env) __attribute__((returns_twice));
_Noreturn void kl_longjmp(kl_jmp_buf env, int val);

extern uintptr_t kl___stack_chk_guard;
_Noreturn void kl___stack_chk_fail(void);
_Noreturn void keel__assert_fail(const char *expr, const char *file, int line, const char *func);

/* ---- The platform shim (shim.c) ------------------------------------------ */

/* Everything the libc wrote with kp_console_write() since the last reset
 * (NUL-terminated; the first bytes only if there were more than fit). */
extern char shim_console[1 << 16];
extern size_t shim_console_len;
extern size_t shim_console_writes; /* number of kp_console_write() calls */
void shim_console_reset(void);
/* When >= 0, console output is also written to this descriptor. */
extern int shim_console_fd;

/* What ended a trapped call (shim_trap_*). */
enum shim_end { SHIM_RETURNED, SHIM_ABORTED, SHIM_EXITED };
extern int shim_exit_status;

/*
 * Runs fn(arg); if it calls kp_abort() or kp_exit(), returns how instead of
 * letting the process end (the stack is unwound with longjmp). Without a
 * trap set, kp_abort() raises SIGABRT and kp_exit() calls _exit().
 */
enum shim_end shim_trap(void (*fn)(void *), void *arg);

/* ---- Test helpers -------------------------------------------------------- */

/* splitmix64: a tiny deterministic PRNG, so every run tests the same cases. */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0; the bias is negligible for test purposes). */
static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return rng_next(state) % n;
}

extern unsigned long test_cases, test_failures;

/* Records one case; on failure prints the message (printf-style) and counts
 * it. Stops printing after 30 failures, but keeps counting. */
bool test_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "NAME: N cases, M failures" and returns the exit status. */
int test_summary(const char *name);

#endif
