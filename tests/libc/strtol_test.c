/*
 * tests/libc/strtol_test.c — strtol, strtoll, strtoul, strtoull (and the
 * ato* wrappers) against glibc: value, errno and end pointer, on edge
 * strings written by hand and on generated ones mixing white space,
 * signs, prefixes, digits of every base, overflowing lengths and
 * trailing junk, in bases 0 and 2..36.
 *
 * One deliberate difference: for an invalid base glibc leaves *endptr
 * alone, the libc sets it to the string (C leaves this open); only the
 * value and errno are compared there.
 */
#include "kl.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static void show(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < size; p++) {
		if (*p >= 32 && *p < 127 && *p != '"')
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
	}
	out[o] = '\0';
}

#define COMPARE(host_fn, kl_fn, fmt, s, base)                                                      \
	do {                                                                                       \
		char *want_end = (char *)0x1, *got_end = (char *)0x1;                              \
		errno = 0;                                                                         \
		kl_errno = 0;                                                                      \
		__typeof__(host_fn(s, NULL, 0)) want = host_fn(s, &want_end, base);                \
		int want_errno = errno;                                                            \
		__typeof__(kl_fn(s, NULL, 0)) got = kl_fn(s, &got_end, base);                      \
		int got_errno = kl_errno;                                                          \
		bool bad_base = base < 0 || base == 1 || base > 36;                                \
		bool ok = want == got && want_errno == got_errno &&                                \
		          (bad_base ? got_end == (s) : want_end == got_end);                       \
		if (!ok) {                                                                         \
			char shown[300];                                                           \
			show(shown, sizeof(shown), s);                                             \
			test_check(false,                                                          \
			           #kl_fn "(\"%s\", base %d): host " fmt " errno %d end +%td, "    \
			                  "libc " fmt " errno %d end +%td",                        \
			           shown, base, want, want_errno, want_end - (s), got, got_errno,  \
			           got_end - (s));                                                 \
		} else {                                                                           \
			test_check(true, "ok");                                                    \
		}                                                                                  \
	} while (0)

static void compare_all(const char *s, int base)
{
	COMPARE(strtol, kl_strtol, "%ld", s, base);
	COMPARE(strtoll, kl_strtoll, "%lld", s, base);
	COMPARE(strtoul, kl_strtoul, "%lu", s, base);
	COMPARE(strtoull, kl_strtoull, "%llu", s, base);
}

static const char *const edge_strings[] = {
	"",
	" ",
	"0",
	"00",
	"1",
	"-1",
	"+1",
	"-0",
	"+0",
	"+",
	"-",
	"+-1",
	"-+1",
	"--1",
	" 42",
	"\t\n\v\f\r 42",
	"42 ",
	"42abc",
	"0x",
	"0X",
	"0x ",
	"0xg",
	"0X1g",
	"-0x",
	"+0x1",
	"0x1p",
	"0xx1",
	"0x0x1",
	"00x1",
	"0b101",
	"0o17",
	"08",
	"09",
	"010",
	"0x10",
	"0X7fffffffffffffff",
	"9223372036854775807",
	"9223372036854775808",
	"-9223372036854775808",
	"-9223372036854775809",
	"18446744073709551615",
	"18446744073709551616",
	"-18446744073709551615",
	"-18446744073709551616",
	"99999999999999999999999999999",
	"-99999999999999999999999999999",
	"0xffffffffffffffff",
	"0x10000000000000000",
	"-0x8000000000000000",
	"-0x8000000000000001",
	"zz",
	"ZZ",
	"Zz",
	"z",
	"10",
	"777",
	"1111111111111111111111111111111111111111111111111111111111111111",
	"10000000000000000000000000000000000000000000000000000000000000000",
	"\xa0"
	"1",
	"\x85"
	"1",
	" \xa0"
	"1",
	"1\xa0",
	"\xd9\xa3",
	"0x\xff",
	"_1",
	"1_000",
	"+ 1",
	"- 1",
	"000000000000000000000000000000000000000000000000000000000000000000000001",
	"-000000000000000000000000000000000000000000000000009223372036854775808",
};

static void edge_cases(void)
{
	for (size_t i = 0; i < sizeof(edge_strings) / sizeof(edge_strings[0]); i++) {
		for (int base = -1; base <= 37; base++)
			compare_all(edge_strings[i], base);
	}
}

static void generated_cases(void)
{
	static const char *const spaces[] = {
		"", "", "", " ", "  ", "\t", "\n\v", "\f\r ", "\xa0"
	};
	static const char *const signs[] = { "", "", "", "-", "+", "+-", "--", " -" };
	static const char *const prefixes[] = { "", "", "", "0", "0x", "0X", "00x", "0b", "x" };
	static const char digits[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char *const junk[] = { "", "", "", " ", "!", "g", "z", "\xff", "0", "x1" };
	uint64_t rng = 7;

	for (int i = 0; i < 30000; i++) {
		char s[200];
		int base;

		switch (rng_below(&rng, 4)) {
		case 0:
			base = 0;
			break;
		case 1:
			base = (int[]){ 2, 8, 10, 16 }[rng_below(&rng, 4)];
			break;
		default:
			base = (int)rng_below(&rng, 35) + 2;
			break;
		}
		strcpy(s, spaces[rng_below(&rng, sizeof(spaces) / sizeof(spaces[0]))]);
		strcat(s, signs[rng_below(&rng, sizeof(signs) / sizeof(signs[0]))]);
		strcat(s, prefixes[rng_below(&rng, sizeof(prefixes) / sizeof(prefixes[0]))]);

		/* Digits mostly valid for the base; lengths up to past overflow
		 * in base 2. */
		size_t len = strlen(s);
		size_t ndigits =
		    rng_below(&rng, 4) == 0 ? rng_below(&rng, 80) : rng_below(&rng, 22);
		int alphabet = base ? base : 16;
		for (size_t d = 0; d < ndigits; d++) {
			if (rng_below(&rng, 30) == 0)
				s[len++] = digits[rng_below(&rng, sizeof(digits) - 1)];
			else if (alphabet > 10 && rng_below(&rng, 2))
				s[len++] = digits[10 + rng_below(&rng, (uint64_t)alphabet - 10) +
				                  (rng_below(&rng, 2) ? 26 : 0)];
			else
				s[len++] = digits[rng_below(&rng, alphabet < 10 ? (uint64_t)alphabet
				                                                : 10)];
		}
		s[len] = '\0';
		strcat(s, junk[rng_below(&rng, sizeof(junk) / sizeof(junk[0]))]);
		compare_all(s, base);
	}
}

static void wrappers(void)
{
	static const char *const samples[] = { "0",
		                               "42",
		                               "-42",
		                               " +7x",
		                               "2147483647",
		                               "-2147483648",
		                               "9223372036854775807",
		                               "-9223372036854775808",
		                               "junk" };

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const char *s = samples[i];
		long long want_ll = atoll(s);
		long want_l = atol(s);

		test_check(kl_atoll(s) == want_ll && kl_atol(s) == want_l,
		           "atol/atoll(\"%s\"): host %ld %lld, libc %ld %lld", s, want_l, want_ll,
		           kl_atol(s), kl_atoll(s));
		if (want_ll >= INT_MIN && want_ll <= INT_MAX)
			test_check(kl_atoi(s) == atoi(s), "atoi(\"%s\"): host %d, libc %d", s,
			           atoi(s), kl_atoi(s));
	}

	/* errno is left alone on success: callers clear it themselves. */
	kl_errno = 12345;
	(void)kl_strtol("10", NULL, 10);
	test_check(kl_errno == 12345, "strtol changed errno on success: %d", kl_errno);
}

int main(void)
{
	edge_cases();
	generated_cases();
	wrappers();
	return test_summary("strtol");
}
