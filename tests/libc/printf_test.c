/*
 * tests/libc/printf_test.c — the libc's snprintf against the host's
 * (glibc), byte for byte: return value, the bytes stored, the NUL, and
 * nothing written past the given size. Tens of thousands of generated
 * conversions with random flags, width, precision (both also as '*'),
 * length modifier and value, plus edge cases written by hand. Where C11
 * leaves a combination undefined (a '0' flag on %s, a precision on %p...)
 * the libc does what glibc does, and that is tested too, as are glibc's
 * "(null)" and "(nil)".
 */
#include "kl.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

typedef int (*snprintf_fn)(char *, size_t, const char *, ...);

#define BUF_MAX 8192
#define GUARD 32

/* Runs one snprintf with both implementations into guarded buffers and
 * compares everything. `call` runs the format with its arguments. */
struct outcome {
	int ret;
	int err;
	char buf[BUF_MAX + GUARD];
};

static void describe(char *out, size_t size, const char *fmt)
{
	/* The format with non-printing bytes escaped, for the report. */
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)fmt; *p && o + 5 < size; p++) {
		if (*p >= 32 && *p < 127)
			out[o++] = (char)*p;
		else
			o += (size_t)sprintf(out + o, "\\x%02x", *p);
	}
	out[o] = '\0';
}

static bool same(const struct outcome *a, const struct outcome *b, size_t size)
{
	if (a->ret != b->ret)
		return false;
	if (a->ret < 0)
		return a->err == b->err;
	/* Stored: the first min(ret, size - 1) bytes and a NUL; beyond the
	 * size the guard bytes must be untouched. */
	size_t stored = size ? ((size_t)a->ret < size - 1 ? (size_t)a->ret : size - 1) + 1 : 0;

	return memcmp(a->buf, b->buf, stored + GUARD) == 0;
}

/* ---- Generated single conversions ----------------------------------------- */

enum arg_kind {
	K_INT,
	K_UINT,
	K_LONG,
	K_ULONG,
	K_LLONG,
	K_ULLONG,
	K_SIZE,
	K_PTRDIFF,
	K_INTMAX,
	K_UINTMAX,
	K_STR,
	K_PTR,
	K_NONE
};

struct conv {
	char fmt[128];
	int nstars;
	int star[2];
	enum arg_kind kind;
	unsigned long long value;
	const char *str;
};

static int run(snprintf_fn f, char *buf, size_t size, const struct conv *c)
{
	const char *fmt = c->fmt;
	int s0 = c->star[0], s1 = c->star[1];
	unsigned long long v = c->value;

#define DISPATCH(expr)                                                                             \
	switch (c->nstars) {                                                                       \
	case 0:                                                                                    \
		return f(buf, size, fmt, expr);                                                    \
	case 1:                                                                                    \
		return f(buf, size, fmt, s0, expr);                                                \
	default:                                                                                   \
		return f(buf, size, fmt, s0, s1, expr);                                            \
	}

	switch (c->kind) {
	case K_INT:
		DISPATCH((int)v);
	case K_UINT:
		DISPATCH((unsigned)v);
	case K_LONG:
		DISPATCH((long)v);
	case K_ULONG:
		DISPATCH((unsigned long)v);
	case K_LLONG:
		DISPATCH((long long)v);
	case K_ULLONG:
		DISPATCH((unsigned long long)v);
	case K_SIZE:
		DISPATCH((size_t)v);
	case K_PTRDIFF:
		DISPATCH((ptrdiff_t)v);
	case K_INTMAX:
		DISPATCH((intmax_t)v);
	case K_UINTMAX:
		DISPATCH((uintmax_t)v);
	case K_STR:
		DISPATCH(c->str);
	case K_PTR:
		DISPATCH((void *)(uintptr_t)v);
	case K_NONE:
	default:
		switch (c->nstars) {
		case 0:
			return f(buf, size, fmt);
		case 1:
			return f(buf, size, fmt, s0);
		default:
			return f(buf, size, fmt, s0, s1);
		}
	}
#undef DISPATCH
}

static void outcome_of(snprintf_fn f, struct outcome *o, size_t size, const struct conv *c)
{
	memset(o->buf, 0xa5, sizeof(o->buf));
	errno = 0;
	kl_errno = 0;
	o->ret = run(f, size ? o->buf : NULL, size, c);
	o->err = f == snprintf ? errno : kl_errno;
}

static const unsigned long long edge_values[] = {
	0,
	1,
	2,
	7,
	8,
	9,
	10,
	15,
	16,
	99,
	100,
	127,
	128,
	255,
	256,
	32767,
	32768,
	65535,
	65536,
	(unsigned long long)INT_MAX,
	(unsigned long long)INT_MIN,
	UINT_MAX,
	(unsigned long long)LLONG_MAX,
	(unsigned long long)LLONG_MIN,
	ULLONG_MAX,
	(unsigned long long)-1,
	(unsigned long long)-2,
	(unsigned long long)-128,
	(unsigned long long)-129,
	(unsigned long long)-32768,
	01234567,
	0xdeadbeef,
	1000000000000ull,
	18446744073709551615ull,
};

static const char long_text[] =
    "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs!";
static const char *const strings[] = {
	"", "a", "hello", "with space", "\xff\x80 high bytes", long_text, NULL,
};

static unsigned long long random_value(uint64_t *rng)
{
	if (rng_below(rng, 3) == 0)
		return edge_values[rng_below(rng, sizeof(edge_values) / sizeof(edge_values[0]))];
	/* Random magnitude: a random number of significant bits. */
	return rng_next(rng) >> rng_below(rng, 64);
}

static int random_star(uint64_t *rng)
{
	static const int edges[] = { 0, 1, -1, 5, -5, 20, -20, 300, -300 };

	if (rng_below(rng, 2))
		return edges[rng_below(rng, sizeof(edges) / sizeof(edges[0]))];
	return (int)rng_below(rng, 61) - 30;
}

/* Appends random literal text (no '%') to f. */
static void add_literal(uint64_t *rng, char *f)
{
	static const char *const pieces[] = { "", "", "x", "abc ", " = ", "\n", "[", "]", "\t|" };

	strcat(f, pieces[rng_below(rng, sizeof(pieces) / sizeof(pieces[0]))]);
}

static void generate(uint64_t *rng, struct conv *c)
{
	static const char convs[] = "diuxXocsp%";
	char conv = convs[rng_below(rng, sizeof(convs) - 1)];
	bool integer = strchr("diuxXo", conv) != NULL;
	bool is_signed = conv == 'd' || conv == 'i';
	char *f = c->fmt;

	memset(c, 0, sizeof(*c));
	add_literal(rng, f);
	strcat(f, "%");
	if (conv == '%') {
		strcat(f, "%");
		add_literal(rng, f);
		c->kind = K_NONE;
		return;
	}

	/* Flags, in any order and possibly repeated. C leaves '#' undefined
	 * except for o x X, '0' except for numbers, and a precision for c and p,
	 * but glibc defines them all and the libc does the same. */
	const char *allowed = "-+ #0";
	for (int n = (int)rng_below(rng, 4); n > 0; n--) {
		size_t len = strlen(f);

		f[len] = allowed[rng_below(rng, strlen(allowed))];
		f[len + 1] = '\0';
	}

	/* Width. */
	switch (rng_below(rng, 5)) {
	case 0:
		break;
	case 1:
		strcat(f, "*");
		c->star[c->nstars++] = random_star(rng);
		break;
	case 2:
		sprintf(f + strlen(f), "%d", (int)rng_below(rng, 1000) + 1000);
		break;
	default:
		sprintf(f + strlen(f), "%d", (int)rng_below(rng, 25) + 1);
		break;
	}

	/* Precision. */
	switch (rng_below(rng, 6)) {
	case 0:
	case 1:
		break;
	case 2:
		strcat(f, ".");
		break;
	case 3:
		strcat(f, ".*");
		c->star[c->nstars++] = random_star(rng);
		break;
	default:
		sprintf(f + strlen(f), ".%d", (int)rng_below(rng, 30));
		break;
	}

	/* Length modifier and argument type. */
	c->value = random_value(rng);
	if (integer) {
		static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
		unsigned l = (unsigned)rng_below(rng, 8);

		strcat(f, lengths[l]);
		static const enum arg_kind signed_kind[] = { K_INT,   K_INT,  K_INT,     K_LONG,
			                                     K_LLONG, K_SIZE, K_PTRDIFF, K_INTMAX };
		static const enum arg_kind unsigned_kind[] = { K_UINT,    K_UINT,   K_UINT,
			                                       K_ULONG,   K_ULLONG, K_SIZE,
			                                       K_PTRDIFF, K_UINTMAX };
		c->kind = is_signed ? signed_kind[l] : unsigned_kind[l];
	} else if (conv == 's') {
		c->kind = K_STR;
		c->str = strings[rng_below(rng, sizeof(strings) / sizeof(strings[0]))];
	} else if (conv == 'p') {
		c->kind = K_PTR;
		if (rng_below(rng, 4) == 0)
			c->value = 0;
	} else {
		c->kind = K_INT;
		c->value = rng_below(rng, 256);
	}
	size_t len = strlen(f);
	f[len] = conv;
	f[len + 1] = '\0';
	add_literal(rng, f);
}

static size_t random_size(uint64_t *rng, int expected)
{
	switch (rng_below(rng, 6)) {
	case 0:
		return 0;
	case 1:
		return rng_below(rng, 4) + 1;
	case 2:
		return expected >= 0 && expected < BUF_MAX ? (size_t)expected : BUF_MAX;
	case 3:
		return expected >= 0 && expected + 1 < BUF_MAX ? (size_t)expected + 1 : BUF_MAX;
	case 4:
		return rng_below(rng, 40) + 1;
	default:
		return BUF_MAX;
	}
}

static void compare(const struct conv *c, size_t size)
{
	static struct outcome want, got;
	char shown[400];

	outcome_of(snprintf, &want, size, c);
	outcome_of(kl_snprintf, &got, size, c);
	if (same(&want, &got, size)) {
		test_check(true, "ok");
		return;
	}
	describe(shown, sizeof(shown), c->fmt);
	test_check(false,
	           "snprintf(size %zu, \"%s\", stars %d %d, value %#llx / \"%s\"): "
	           "host %d \"%.60s\", libc %d \"%.60s\"",
	           size, shown, c->nstars > 0 ? c->star[0] : 0, c->nstars > 1 ? c->star[1] : 0,
	           c->value, c->str ? c->str : "(null)", want.ret, size ? want.buf : "", got.ret,
	           size ? got.buf : "");
}

static void generated_cases(void)
{
	uint64_t rng = 20240601;

	for (int i = 0; i < 200000; i++) {
		struct conv c;

		generate(&rng, &c);
		/* Learn the length first, so that sizes around it get tested. */
		int expected = run(snprintf, NULL, 0, &c);
		compare(&c, random_size(&rng, expected));
	}
}

/* ---- Edge cases by hand --------------------------------------------------- */

/* Hides a format from -Wformat: some cases below are deliberately odd
 * (conflicting flags, widths past INT_MAX) and glibc still defines them. */
static const char *opaque(const char *fmt)
{
	const char *volatile hidden = fmt;

	return hidden;
}

#define SAME(size, fmt, ...)                                                                       \
	do {                                                                                       \
		char want_[256], got_[256];                                                        \
		memset(want_, 0x5a, sizeof(want_));                                                \
		memset(got_, 0x5a, sizeof(got_));                                                  \
		errno = 0;                                                                         \
		kl_errno = 0;                                                                      \
		int w_ = snprintf((size) ? want_ : NULL, (size), opaque(fmt), ##__VA_ARGS__);      \
		int we_ = errno;                                                                   \
		int g_ = kl_snprintf((size) ? got_ : NULL, (size), fmt, ##__VA_ARGS__);            \
		int ge_ = kl_errno;                                                                \
		/* After an error (-1) the buffer's contents are unspecified. */                   \
		test_check(w_ == g_ &&                                                             \
		               (w_ >= 0 ? memcmp(want_, got_, sizeof(want_)) == 0 : we_ == ge_),   \
		           "line %d: snprintf(%d, %s): host %d (errno %d) \"%.80s\", "             \
		           "libc %d (errno %d) \"%.80s\"",                                         \
		           __LINE__, (int)(size), fmt, w_, we_, (size) ? want_ : "", g_, ge_,      \
		           (size) ? got_ : "");                                                    \
	} while (0)

static void edge_cases(void)
{
	SAME(100, "%d %d %d", INT_MIN, INT_MAX, 0);
	SAME(100, "%ld %ld", LONG_MIN, LONG_MAX);
	SAME(100, "%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	SAME(100, "%jd %ju %zd %zu %td", INTMAX_MIN, UINTMAX_MAX, (size_t)-1, SIZE_MAX,
	     PTRDIFF_MIN);
	SAME(100, "%hhd %hhu %hd %hu", 200, 300, 40000, 70000);
	SAME(100, "[%.0d] [%.0u] [%.0x] [%.0o]", 0, 0u, 0u, 0u);
	SAME(100, "[%#.0x] [%#.0o] [%#o] [%#x] [%#X]", 0u, 0u, 0u, 0u, 0u);
	SAME(100, "[%#o] [%#.3o] [%#.1o] [%#5o] [%#-5o|] [%#05o]", 8u, 8u, 8u, 8u, 8u, 8u);
	SAME(100, "[%#x] [%#X] [%#10x] [%#-10x] [%#010x] [%#.6x]", 255u, 255u, 255u, 255u, 255u,
	     255u);
	SAME(100, "[%+d] [% d] [%+ d] [% +d] [%+d] [% d]", 5, 5, 5, 5, -5, -5);
	SAME(100, "[%05d] [%-05d] [%05.2d] [%+05d] [% 05d] [%05d]", 42, 42, 42, 42, 42, -42);
	SAME(100, "[%*d] [%-*d] [%*d] [%.*d] [%.*d]", 6, 1, 6, 1, -6, 1, 4, 1, -4, 1);
	SAME(100, "[%0*d] [%0-*d]", 5, -3, 5, -3);
	SAME(100, "[%s] [%.3s] [%10s] [%-10s|] [%.0s]", "hello", "hello", "hello", "hello", "hi");
	SAME(100, "[%s] [%.6s] [%.5s] [%10s] [%-10.3s|]", (char *)NULL, (char *)NULL, (char *)NULL,
	     (char *)NULL, (char *)NULL);
	SAME(100, "[%c] [%5c] [%-5c|]", 'x', 'y', 'z');
	SAME(100, "[%p] [%20p] [%-20p|]", (void *)0x1234, (void *)0xdeadbeef, (void *)1);
	SAME(100, "[%p] [%10p] [%-10p|] [%3p]", NULL, NULL, NULL, NULL);
	SAME(100, "100%% [%%] %s%%", "x");
	SAME(100, "%s", "");
	SAME(100, "", 0); /* an unused argument is allowed */
	SAME(100, "no conversions at all", 0);

	/* Truncation at every size of a fixed output. */
	for (size_t size = 0; size < 40; size++)
		SAME(size, "%s-%d-%#x-%c", "truncate", -12345, 0xabcu, '!');

	/* Huge widths into small buffers: only the count grows. */
	SAME(16, "%1000000d|%s", 7, "end");
	SAME(16, "%-1000000s|", "x");
	SAME(16, "%.1000000d", 1);
	/* Past INT_MAX: -1 with EOVERFLOW. */
	SAME(16, "%2147483648d", 1);
	SAME(16, "%.2147483648d", 1);

	/* A width between the % of "%%": glibc ignores it, so does the libc
	 * (ASan's printf interceptor warns about it, so the host is not run). */
	char pct[8];
	int rp = kl_snprintf(pct, sizeof(pct), opaque("%5%|"));
	test_check(rp == 2 && strcmp(pct, "%|") == 0, "%%5%%: got %d \"%s\"", rp, pct);

	/* Output of exactly INT_MAX bytes is fine, one more is not. (glibc
	 * takes seconds to pad this much, so only the libc runs these.) */
	char small[16];
	kl_errno = 0;
	int r = kl_snprintf(small, sizeof(small), opaque("%2147483646d%d"), 1, 2);
	test_check(r == INT_MAX && kl_errno == 0 && strcmp(small, "               ") == 0,
	           "INT_MAX bytes: got %d (errno %d) \"%s\"", r, kl_errno, small);
	r = kl_snprintf(small, sizeof(small), opaque("%2147483647d%d"), 1, 2);
	test_check(r == -1 && kl_errno == EOVERFLOW, "INT_MAX + 1 bytes: got %d (errno %d)", r,
	           kl_errno);
	kl_errno = 0;
	r = kl_snprintf(small, sizeof(small), "%*d", INT_MIN, 2);
	test_check(r == -1 && kl_errno == EOVERFLOW, "width -INT_MIN: got %d (errno %d)", r,
	           kl_errno);

	/* The same through the other entry points. */
	char a[64], b[64];
	int ra = sprintf(a, opaque("%08.3x|%-6s|%+i"), 0x1fu, "ab", 3);
	int rb = kl_sprintf(b, "%08.3x|%-6s|%+i", 0x1fu, "ab", 3);
	test_check(ra == rb && strcmp(a, b) == 0, "sprintf: host %d \"%s\", libc %d \"%s\"", ra, a,
	           rb, b);
}

/* Conversions the libc does not support are copied out as written (and
 * their arguments are not consumed). */

static void unsupported_cases(void)
{
	char buf[128];
	int n = 12345;
	int ret = kl_snprintf(buf, sizeof(buf), "[%f] [%.2e] [%g] [%La] [%lc] [%ls] [%1$d] [%y]");
	const char *want = "[%f] [%.2e] [%g] [%La] [%lc] [%ls] [%1$d] [%y]";

	test_check(ret == (int)strlen(want) && strcmp(buf, want) == 0,
	           "unsupported conversions: got %d \"%s\"", ret, buf);
	ret = kl_snprintf(buf, sizeof(buf), "ab%ncd", &n);
	test_check(ret == 4 && strcmp(buf, "abcd") == 0 && n == 12345,
	           "%%n: got %d \"%s\", n = %d (must be untouched)", ret, buf, n);
	ret = kl_snprintf(buf, sizeof(buf), "50%");
	test_check(ret == 3 && strcmp(buf, "50%") == 0, "trailing %%: got %d \"%s\"", ret, buf);
}

int main(void)
{
	generated_cases();
	edge_cases();
	unsupported_cases();
	return test_summary("printf");
}
