/*
 * tests/libc/string_test.c — <string.h> and <strings.h> against glibc on
 * random buffers, alignments and lengths. Inputs live in exactly-sized
 * host allocations, so AddressSanitizer reports any read or write past
 * their ends. Both memcpy/memset variants are tested: the x86_64 ones
 * (kl_) and the generic C ones (klg_).
 */
#include "kl.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill_random(uint64_t *rng, unsigned char *p, size_t n, unsigned alphabet)
{
	for (size_t i = 0; i < n; i++)
		p[i] = alphabet ? (unsigned char)('a' + rng_below(rng, alphabet))
		                : (unsigned char)rng_next(rng);
}

/* An exactly-sized copy of n bytes (ASan guards both ends). */
static unsigned char *dup_bytes(const void *p, size_t n)
{
	unsigned char *q = malloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

/* A random length, mostly short, sometimes long enough for the word loops. */
static size_t random_len(uint64_t *rng)
{
	switch (rng_below(rng, 8)) {
	case 0:
		return rng_below(rng, 4);
	case 1:
		return rng_below(rng, 5000);
	default:
		return rng_below(rng, 300);
	}
}

/* ---- memcpy, memmove, memset ---------------------------------------------- */

#define ARENA 6000

static void copy_cases(uint64_t *rng)
{
	typedef void *(*copy_fn)(void *, const void *, size_t);
	typedef void *(*set_fn)(void *, int, size_t);
	static const struct {
		const char *name;
		copy_fn fn;
	} copies[] = { { "memcpy", kl_memcpy },
		       { "generic memcpy", klg_memcpy },
		       { "memmove", kl_memmove } };
	static const struct {
		const char *name;
		set_fn fn;
	} sets[] = { { "memset", kl_memset }, { "generic memset", klg_memset } };
	unsigned char *src = malloc(ARENA), *dst = malloc(ARENA), *want = malloc(ARENA);

	for (int i = 0; i < 6000; i++) {
		size_t n = random_len(rng) % (ARENA - 64);
		size_t so = rng_below(rng, 64), doff = rng_below(rng, 64);

		fill_random(rng, src, ARENA, 0);
		fill_random(rng, dst, ARENA, 0);
		memcpy(want, dst, ARENA);
		memcpy(want + doff, src + so, n);
		for (size_t k = 0; k < sizeof(copies) / sizeof(copies[0]); k++) {
			unsigned char *d = dup_bytes(dst, ARENA);
			void *r = copies[k].fn(d + doff, src + so, n);

			test_check(r == d + doff && memcmp(d, want, ARENA) == 0,
			           "%s(dst+%zu, src+%zu, %zu)", copies[k].name, doff, so, n);
			free(d);
		}

		int c = (int)rng_next(rng); /* any int: only its low byte counts */
		memcpy(want, dst, ARENA);
		memset(want + doff, c, n);
		for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
			unsigned char *d = dup_bytes(dst, ARENA);
			void *r = sets[k].fn(d + doff, c, n);

			test_check(r == d + doff && memcmp(d, want, ARENA) == 0,
			           "%s(dst+%zu, %d, %zu)", sets[k].name, doff, c, n);
			free(d);
		}

		/* memmove within one buffer, overlapping either way. */
		size_t a = rng_below(rng, 200), b = rng_below(rng, 200);
		size_t m = rng_below(rng, 2) ? rng_below(rng, 64) : random_len(rng) % (ARENA - 200);
		unsigned char *buf = dup_bytes(src, ARENA), *ref = dup_bytes(src, ARENA);
		memmove(ref + a, ref + b, m);
		void *r = kl_memmove(buf + a, buf + b, m);
		test_check(r == buf + a && memcmp(buf, ref, ARENA) == 0,
		           "memmove(buf+%zu, buf+%zu, %zu)", a, b, m);
		free(buf);
		free(ref);
	}
	free(src);
	free(dst);
	free(want);
}

/* ---- Comparisons and searches over bytes ---------------------------------- */

static void mem_cases(uint64_t *rng)
{
	for (int i = 0; i < 20000; i++) {
		size_t n = random_len(rng);
		unsigned char *a0 = malloc(n + 16), *b0 = malloc(n + 16);
		size_t ao = rng_below(rng, 16), bo = rng_below(rng, 16);
		unsigned char *a = a0 + ao, *b = b0 + bo;

		fill_random(rng, a, n, rng_below(rng, 2) ? 3 : 0);
		memcpy(b, a, n);
		if (n && rng_below(rng, 3)) /* usually one difference somewhere */
			b[rng_below(rng, n)] = (unsigned char)rng_next(rng);
		test_check(sign(kl_memcmp(a, b, n)) == sign(memcmp(a, b, n)),
		           "memcmp(+%zu, +%zu, %zu): host %d, libc %d", ao, bo, n, memcmp(a, b, n),
		           kl_memcmp(a, b, n));

		int c = rng_below(rng, 2) ? (int)'a' + (int)rng_below(rng, 3) : (int)rng_next(rng);
		test_check(kl_memchr(a, c, n) == memchr(a, c, n), "memchr(%zu, %d)", n, c);
		test_check(kl_memrchr(a, c, n) == memrchr(a, c, n), "memrchr(%zu, %d)", n, c);
		free(a0);
		free(b0);
	}
}

static void memmem_cases(uint64_t *rng)
{
	for (int i = 0; i < 40000; i++) {
		/* Small alphabets and periodic needles exercise both branches
		 * of the Two-Way search and its shifts. */
		unsigned alphabet = (unsigned)rng_below(rng, 3) + 1;
		size_t hlen = rng_below(rng, 4) == 0 ? rng_below(rng, 3000) : rng_below(rng, 120);
		size_t nlen = rng_below(rng, 3) == 0 ? rng_below(rng, 40) : rng_below(rng, 8);
		unsigned char *h = malloc(hlen + 1), *nd = malloc(nlen + 1);

		fill_random(rng, h, hlen, alphabet);
		switch (rng_below(rng, 4)) {
		case 0: /* a piece of the haystack: a match exists */
			if (nlen <= hlen) {
				memcpy(nd, h + rng_below(rng, hlen - nlen + 1), nlen);
				break;
			}
			/* fall through */
		case 1: { /* periodic: a short pattern repeated, maybe one change */
			size_t period = rng_below(rng, 4) + 1;
			fill_random(rng, nd, period < nlen ? period : nlen, alphabet);
			for (size_t k = period; k < nlen; k++)
				nd[k] = nd[k - period];
			if (nlen && rng_below(rng, 2))
				nd[rng_below(rng, nlen)] =
				    (unsigned char)('a' + rng_below(rng, alphabet));
			break;
		}
		default:
			fill_random(rng, nd, nlen, alphabet);
			break;
		}
		h[hlen] = nd[nlen] = '\0';

		void *want = memmem(h, hlen, nd, nlen), *got = kl_memmem(h, hlen, nd, nlen);
		test_check(want == got, "memmem(\"%.*s\", \"%.*s\"): host %td, libc %td", (int)hlen,
		           h, (int)nlen, nd, want ? (unsigned char *)want - h : -1,
		           got ? (unsigned char *)got - h : -1);
		char *ws = strstr((char *)h, (char *)nd), *gs = kl_strstr((char *)h, (char *)nd);
		test_check(ws == gs, "strstr(\"%s\", \"%s\"): host %td, libc %td", h, nd,
		           ws ? ws - (char *)h : -1, gs ? gs - (char *)h : -1);
		free(h);
		free(nd);
	}

	/* Worst cases for naive search stay fast (linear). */
	size_t big = 1 << 20;
	char *h = malloc(big + 1), *nd = malloc(1001);
	memset(h, 'a', big);
	h[big] = '\0';
	memset(nd, 'a', 999);
	nd[999] = 'b';
	nd[1000] = '\0';
	test_check(kl_strstr(h, nd) == NULL, "strstr(a^1M, a^999 b) found something");
	test_check(kl_memmem(h, big, nd, 1000) == NULL, "memmem(a^1M, a^999 b) found something");
	nd[0] = 'b';
	memset(nd + 1, 'a', 999);
	test_check(kl_memmem(h, big, nd, 1000) == NULL, "memmem(a^1M, b a^999) found something");
	free(h);
	free(nd);
}

/* ---- NUL-terminated strings ------------------------------------------------ */

static char *random_string(uint64_t *rng, size_t *len_out)
{
	size_t len = rng_below(rng, 4) == 0 ? rng_below(rng, 400) : rng_below(rng, 20);
	char *s = malloc(len + 1);

	fill_random(rng, (unsigned char *)s, len, rng_below(rng, 2) ? 4 : 0);
	for (size_t i = 0; i < len; i++) {
		if (!s[i])
			s[i] = 'z';
	}
	s[len] = '\0';
	if (len_out)
		*len_out = len;
	return s;
}

static void str_cases(uint64_t *rng)
{
	for (int i = 0; i < 20000; i++) {
		size_t la, lb;
		char *a = random_string(rng, &la), *b;

		if (rng_below(rng, 3) == 0) {
			b = random_string(rng, &lb);
		} else { /* equal, or a prefix, or one change: the interesting cases */
			b = strdup(a);
			lb = la;
			if (lb && rng_below(rng, 2))
				b[rng_below(rng, lb)] = (char)('a' + rng_below(rng, 5));
			if (lb && rng_below(rng, 3) == 0)
				b[lb = rng_below(rng, lb)] = '\0';
		}
		size_t n = rng_below(rng, 30);
		int c = rng_below(rng, 4) ? 'a' + (int)rng_below(rng, 4) : (int)rng_below(rng, 256);

		test_check(kl_strlen(a) == la, "strlen(%zu)", la);
		test_check(kl_strnlen(a, n) == strnlen(a, n), "strnlen(%zu, %zu)", la, n);
		test_check(sign(kl_strcmp(a, b)) == sign(strcmp(a, b)), "strcmp(\"%s\", \"%s\")", a,
		           b);
		test_check(sign(kl_strcoll(a, b)) == sign(strcmp(a, b)), "strcoll(\"%s\", \"%s\")",
		           a, b);
		test_check(sign(kl_strncmp(a, b, n)) == sign(strncmp(a, b, n)),
		           "strncmp(\"%s\", \"%s\", %zu)", a, b, n);
		test_check(sign(kl_strcasecmp(a, b)) == sign(strcasecmp(a, b)),
		           "strcasecmp(\"%s\", \"%s\")", a, b);
		test_check(sign(kl_strncasecmp(a, b, n)) == sign(strncasecmp(a, b, n)),
		           "strncasecmp(\"%s\", \"%s\", %zu)", a, b, n);
		test_check(kl_strchr(a, c) == strchr(a, c), "strchr(\"%s\", %d)", a, c);
		test_check(kl_strrchr(a, c) == strrchr(a, c), "strrchr(\"%s\", %d)", a, c);
		test_check(kl_strchr(a, 0) == a + la && kl_strrchr(a, 0) == a + la, "strchr(s, 0)");
		test_check(kl_strspn(a, b) == strspn(a, b), "strspn(\"%s\", \"%s\")", a, b);
		test_check(kl_strcspn(a, b) == strcspn(a, b), "strcspn(\"%s\", \"%s\")", a, b);
		test_check(kl_strpbrk(a, b) == strpbrk(a, b), "strpbrk(\"%s\", \"%s\")", a, b);

		/* Copies into exactly-sized destinations. */
		char *d = malloc(la + 1);
		test_check(kl_strcpy(d, a) == d && strcmp(d, a) == 0, "strcpy(%zu)", la);
		free(d);
		d = malloc(n ? n : 1);
		char *w = malloc(n ? n : 1);
		memset(d, 'X', n);
		memset(w, 'X', n);
		kl_strncpy(d, a, n);
		strncpy(w, a, n);
		test_check(memcmp(d, w, n) == 0, "strncpy(\"%s\", %zu)", a, n);
		free(d);
		free(w);
		d = malloc(la + lb + 1);
		w = malloc(la + lb + 1);
		strcpy(d, a);
		strcpy(w, a);
		test_check(kl_strcat(d, b) == d && strcmp(d, strcat(w, b)) == 0, "strcat");
		free(d);
		free(w);
		size_t nb = strnlen(b, n);
		d = malloc(la + nb + 1);
		w = malloc(la + nb + 1);
		strcpy(d, a);
		strcpy(w, a);
		test_check(kl_strncat(d, b, n) == d && strcmp(d, strncat(w, b, n)) == 0,
		           "strncat(%zu)", n);
		free(d);
		free(w);
		free(a);
		free(b);
	}
}

static void tok_cases(uint64_t *rng)
{
	for (int i = 0; i < 5000; i++) {
		char *s = random_string(rng, NULL);
		char delim[4] = { 0 };
		for (int k = (int)rng_below(rng, 4); k > 0; k--)
			delim[k - 1] = (char)('a' + rng_below(rng, 4));
		char *s1 = strdup(s), *s2 = strdup(s), *save1, *save2;
		char *t1 = strtok_r(s1, delim, &save1), *t2 = kl_strtok_r(s2, delim, &save2);

		for (;;) {
			if (!test_check((t1 == NULL) == (t2 == NULL) && (!t1 || t1 - s1 == t2 - s2),
			                "strtok_r(\"%s\", \"%s\")", s, delim))
				break;
			if (!t1)
				break;
			t1 = strtok_r(NULL, delim, &save1);
			t2 = kl_strtok_r(NULL, delim, &save2);
		}
		test_check(memcmp(s1, s2, strlen(s) + 1) == 0, "strtok_r left \"%s\" differently",
		           s);
		free(s);
		free(s1);
		free(s2);
	}

	char line[] = "  GET /index.html  HTTP/1.1 ";
	const char *want[] = { "GET", "/index.html", "HTTP/1.1" };
	int k = 0;
	for (char *t = kl_strtok(line, " "); t; t = kl_strtok(NULL, " "), k++)
		test_check(k < 3 && strcmp(t, want[k]) == 0, "strtok token %d: \"%s\"", k, t);
	test_check(k == 3, "strtok gave %d tokens", k);
	test_check(kl_strtok(NULL, " ") == NULL, "strtok after the end");
}

static void misc_cases(void)
{
	static unsigned char heap[1 << 16];

	keel_heap_init(heap, sizeof(heap));
	char *d = kl_strdup("duplicate me");
	test_check(d && strcmp(d, "duplicate me") == 0, "strdup");
	kl_free(d);
	d = kl_strndup("abcdef", 3);
	test_check(d && strcmp(d, "abc") == 0, "strndup short");
	kl_free(d);
	d = kl_strndup("ab", 10);
	test_check(d && strcmp(d, "ab") == 0, "strndup long");
	kl_free(d);

	unsigned char secret[37];
	memset(secret, 0x77, sizeof(secret));
	kl_explicit_bzero(secret + 1, 35);
	test_check(secret[0] == 0x77 && secret[36] == 0x77 && secret[1] == 0 && secret[35] == 0,
	           "explicit_bzero");

	/* strerror: every errno value has its own text; others a fixed one. */
	static const int codes[] = {
		EPERM, ENOENT, EIO,       EAGAIN,    ENOMEM,     EINVAL,
		EDOM,  ERANGE, EOVERFLOW, ETIMEDOUT, ECONNRESET, ECONNREFUSED
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *t = kl_strerror(codes[i]);
		test_check(t && *t && strcmp(t, "unknown error") != 0, "strerror(%d) = \"%s\"",
		           codes[i], t);
		for (size_t j = 0; j < i; j++)
			test_check(strcmp(t, kl_strerror(codes[j])) != 0,
			           "strerror(%d) == strerror(%d)", codes[i], codes[j]);
	}
	test_check(strcmp(kl_strerror(-1), "unknown error") == 0 &&
	               strcmp(kl_strerror(100000), "unknown error") == 0,
	           "strerror of unknown values");
	test_check(strcmp(kl_strerror(ENOMEM), "out of memory") == 0, "strerror(ENOMEM) = \"%s\"",
	           kl_strerror(ENOMEM));
}

int main(void)
{
	uint64_t rng = 99;

	copy_cases(&rng);
	mem_cases(&rng);
	memmem_cases(&rng);
	str_cases(&rng);
	tok_cases(&rng);
	misc_cases();
	return test_summary("string");
}
