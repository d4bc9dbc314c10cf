/*
 * tests/store/check.h — helpers the store tests share.
 */
#ifndef KEEL_TESTS_STORE_CHECK_H
#define KEEL_TESTS_STORE_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
			printf("FAIL %s\n", test_name);                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* As CHECK, for a call returning a keel_err: shows the value. */
#define CHECK_OK(call)                                                                             \
	do {                                                                                       \
		long check_rc_ = (long)(call);                                                     \
		if (check_rc_ < 0) {                                                               \
			printf("%s:%d: %s returned %ld\n", __FILE__, __LINE__, #call, check_rc_);  \
			printf("FAIL %s\n", test_name);                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

extern const char test_name[];

/* xorshift64*, seeded by test_seed(), so runs are repeatable. */
static unsigned long long test_rand_state = 0x9e3779b97f4a7c15ull;

static inline void test_seed(unsigned long long s)
{
	test_rand_state = s ? s : 1;
}

static inline unsigned long long test_rand(void)
{
	unsigned long long s = test_rand_state;

	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	test_rand_state = s;
	return s * 0x2545f4914f6cdd1dull;
}

#endif
