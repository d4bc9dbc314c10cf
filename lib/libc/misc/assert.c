/* The failure half of assert() (see <assert.h>). */
#include <assert.h>

#include "../internal.h"

void keel__assert_fail(const char *expr, const char *file, int line, const char *func)
{
	char num[24];

	fflush(NULL);
	keel__console_puts("assertion failed: ");
	keel__console_puts(expr);
	keel__console_puts(" (");
	keel__console_puts(file);
	keel__console_puts(":");
	keel__console_puts(keel__utoa_dec(num, sizeof(num), (unsigned)line));
	keel__console_puts(", ");
	keel__console_puts(func);
	keel__console_puts(")\n");
	kp_abort();
}
