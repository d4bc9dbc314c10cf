/*
 * Log lines with levels: "[    1.234567] warn: message\n", formatted on
 * the stack (no allocation, so logging works when the heap is exhausted)
 * and written to the console in one call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core_impl.h"

static enum keel_log_level log_level = KEEL_LOG_INFO;
static keel_time log_epoch;
static bool log_epoch_set;

static const char *const level_names[] = {
	[KEEL_LOG_ERROR] = "error",
	[KEEL_LOG_WARN] = "warn",
	[KEEL_LOG_INFO] = "info",
	[KEEL_LOG_DEBUG] = "debug",
};

/* Called by keel_start(): timestamps count from here. */
void keel__log_start(void)
{
	log_epoch = keel_now();
	log_epoch_set = true;
}

void keel_log_set_level(enum keel_log_level level)
{
	log_level = level;
}

enum keel_log_level keel_log_get_level(void)
{
	return log_level;
}

/*
 * Formats fmt after the prefix_len bytes of prefix already in line[], ends
 * the line with a newline and returns its length, at most `size`. A line
 * that does not fit is cut and ends in "..." so a reader knows.
 */
size_t keel__line_vformat(char *line, size_t size, int prefix_len, const char *fmt, va_list ap)
{
	size_t prefix = prefix_len < 0 ? 0 : (size_t)prefix_len;
	size_t len;
	int text;

	/* The last byte is kept for the newline (vsnprintf puts a NUL there). */
	if (prefix > size - 1)
		prefix = size - 1;
	text = vsnprintf(line + prefix, size - prefix, fmt, ap);
	len = prefix + (text < 0 ? 0 : (size_t)text);
	if (len > size - 1) {
		len = size - 1;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	return len;
}

void keel_log(enum keel_log_level level, const char *fmt, ...)
{
	char line[KEEL_LOG_LINE_MAX];
	keel_time t;
	int prefix;
	va_list ap;

	if (level > log_level || level < KEEL_LOG_ERROR)
		return;
	if (!log_epoch_set)
		keel__log_start();
	t = keel_now() - log_epoch;
	prefix =
	    snprintf(line, sizeof(line), "[%5llu.%06llu] %s: ", (unsigned long long)(t / KEEL_SEC),
	             (unsigned long long)(t % KEEL_SEC / KEEL_USEC), level_names[level]);
	va_start(ap, fmt);
	kp_console_write(line, keel__line_vformat(line, sizeof(line), prefix, fmt, ap));
	va_end(ap);
}
