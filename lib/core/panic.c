/*
 * KEEL_PANIC: the end of the image when an internal invariant is broken.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core_impl.h"

void keel_panic(const char *file, int line, const char *fmt, ...)
{
	static bool panicking;
	char text[KEEL_LOG_LINE_MAX];
	int prefix;
	va_list ap;

	/* A panic while formatting or printing a panic must not recurse. */
	if (panicking)
		kp_abort();
	panicking = true;
	prefix = snprintf(text, sizeof(text), "PANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	kp_console_write(text, keel__line_vformat(text, sizeof(text), prefix, fmt, ap));
	va_end(ap);
	kp_abort();
}
