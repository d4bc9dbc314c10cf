/*
 * tests/core/mock_platform.h — a fake platform for host unit tests of
 * lib/core: a monotonic clock that only moves when kp_yield() sleeps (so
 * timer tests are exact and instant), scripted device input, real guard
 * pages with mprotect, and a console that can be captured.
 */
#ifndef KEEL_TESTS_CORE_MOCK_PLATFORM_H
#define KEEL_TESTS_CORE_MOCK_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <keel/platform.h>

/* The fake monotonic clock; tests may set or advance it. */
extern kp_time mock_now;

/* Handles the next kp_yield() reports as ready (then cleared). */
extern kp_handle_set mock_ready;

/* kp_yield() calls and the deadline of the last one. */
extern unsigned long mock_yields;
extern kp_time mock_last_deadline;

/* false: kp_page_guard() answers KEEL_ENOTSUP, as on a platform without
 * paging. Default true: real guard pages with mprotect(). */
extern bool mock_guard_pages;
/* Guard pages currently set. */
extern long mock_guards_live;

/* Console capture: while on, kp_console_write() appends here instead of
 * writing to standard output. */
void mock_console_capture(bool on);
const char *mock_console_text(void);
size_t mock_console_len(void);
void mock_console_clear(void);

#endif
