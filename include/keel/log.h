/*
 * keel/log.h — logging with levels, and KEEL_PANIC (implementation:
 * lib/core/log.c).
 *
 * Lines go to the console as
 *     [    1.234567] warn: message
 * with monotonic seconds since boot. Messages are formatted with the libc's
 * vsnprintf and truncated at KEEL_LOG_LINE_MAX bytes (marked with "...").
 */
#ifndef KEEL_LOG_H
#define KEEL_LOG_H

#define KEEL_LOG_LINE_MAX 512

enum keel_log_level {
	KEEL_LOG_ERROR = 0,
	KEEL_LOG_WARN = 1,
	KEEL_LOG_INFO = 2,
	KEEL_LOG_DEBUG = 3,
};

/* Lines above `level` are dropped. Default: KEEL_LOG_INFO. */
void keel_log_set_level(enum keel_log_level level);
enum keel_log_level keel_log_get_level(void);

void keel_log(enum keel_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define KEEL_ERROR(...) keel_log(KEEL_LOG_ERROR, __VA_ARGS__)
#define KEEL_WARN(...) keel_log(KEEL_LOG_WARN, __VA_ARGS__)
#define KEEL_INFO(...) keel_log(KEEL_LOG_INFO, __VA_ARGS__)
#define KEEL_DEBUG(...) keel_log(KEEL_LOG_DEBUG, __VA_ARGS__)

/*
 * For broken internal invariants only — never for anything a peer or user
 * can cause. Prints "PANIC at file:line: message" and aborts (kp_abort).
 */
void keel_panic(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

#define KEEL_PANIC(...) keel_panic(__FILE__, __LINE__, __VA_ARGS__)

#endif
