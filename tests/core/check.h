/*
 * tests/core/check.h — the few helpers the core tests share.
 */
#ifndef KEEL_TESTS_CORE_CHECK_H
#define KEEL_TESTS_CORE_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* Stops the test with the failed condition and where it is. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
			printf("FAIL %s\n", test_name);                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* Each test defines its name once; every verdict line carries it. */
extern const char test_name[];

/* A small deterministic generator (xorshift64*), so runs are repeatable. */
static inline unsigned long long test_rand(void)
{
	static unsigned long long s = 0x9e3779b97f4a7c15ull;

	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 0x2545f4914f6cdd1dull;
}

#endif
