/*
 * tests/libc/ctype_test.c — every <ctype.h> function on EOF and all 256
 * byte values against glibc in the C locale (the host program never calls
 * setlocale, so it runs in "C").
 */
#include "kl.h"

#include <ctype.h>

typedef int (*ctype_fn)(int);

int main(void)
{
	static const struct {
		const char *name;
		ctype_fn host, libc;
		bool exact; /* compare values, not just truth */
	} fns[] = {
		{ "isalnum", isalnum, kl_isalnum, false },
		{ "isalpha", isalpha, kl_isalpha, false },
		{ "isblank", isblank, kl_isblank, false },
		{ "iscntrl", iscntrl, kl_iscntrl, false },
		{ "isdigit", isdigit, kl_isdigit, false },
		{ "isgraph", isgraph, kl_isgraph, false },
		{ "islower", islower, kl_islower, false },
		{ "isprint", isprint, kl_isprint, false },
		{ "ispunct", ispunct, kl_ispunct, false },
		{ "isspace", isspace, kl_isspace, false },
		{ "isupper", isupper, kl_isupper, false },
		{ "isxdigit", isxdigit, kl_isxdigit, false },
		{ "tolower", tolower, kl_tolower, true },
		{ "toupper", toupper, kl_toupper, true },
	};

	for (size_t f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
		for (int c = EOF; c <= 255; c++) {
			int want = fns[f].host(c), got = fns[f].libc(c);

			if (!fns[f].exact) {
				want = want != 0;
				got = got != 0;
			}
			test_check(want == got, "%s(%d): host %d, libc %d", fns[f].name, c, want,
			           got);
		}
	}
	return test_summary("ctype");
}
