/*
 * tests/xen/check.h — CHECK for the host tests of the split drivers'
 * pieces (frontend_stubs.h, ring_test.c): stops the test at the first
 * failed condition, saying which and where.
 */
#ifndef KEEL_TESTS_XEN_CHECK_H
#define KEEL_TESTS_XEN_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#endif
