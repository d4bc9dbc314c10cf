/*
 * <assert.h> — assert(expr).
 *
 * Deliberately without an include guard: as C11 7.2 requires, each
 * inclusion redefines assert according to whether NDEBUG is defined at
 * that point.
 *
 * A failing assertion prints
 *     assertion failed: EXPR (FILE:LINE, FUNCTION)
 * on the console (after flushing stdout) and aborts the image.
 */
#undef assert

#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#define assert(expr) ((expr) ? (void)0 : keel__assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#ifndef _ASSERT_H
#define _ASSERT_H

#define static_assert _Static_assert

_Noreturn void keel__assert_fail(const char *expr, const char *file, int line, const char *func);

#endif
