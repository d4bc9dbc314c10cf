/*
 * tests/libc/stdio_test.c — the console streams and the ways an image
 * ends: stdout's line buffering (flushed at '\n', when full, by fflush,
 * before stderr output and at exit), stderr unbuffered, the character and
 * string functions' results, perror, exit/atexit/_Exit, abort, assert and
 * the stack protector's messages. The platform shim records what reaches
 * the console and turns kp_exit/kp_abort into returns.
 */
#include "kl.h"

#include <errno.h>
#include <string.h>

/* The libc's own assert.h (self-contained), to test the macro itself. */
#include "../../lib/libc/include/assert.h"

static bool console_is(const char *want)
{
	return strcmp(shim_console, want) == 0;
}

#define EXPECT_CONSOLE(want, what)                                                                 \
	test_check(console_is(want), "%s: console has \"%s\", want \"%s\"", what, shim_console,    \
	           want)

static void buffering(void)
{
	shim_console_reset();
	test_check(kl_printf("abc") == 3, "printf result");
	EXPECT_CONSOLE("", "printf without newline is buffered");
	kl_printf("def\nghi");
	EXPECT_CONSOLE("abcdef\n", "flushed up to the newline");
	test_check(shim_console_writes == 1, "one console write for the line, not %zu",
	           shim_console_writes);
	kl_fflush(KL_STDOUT);
	EXPECT_CONSOLE("abcdef\nghi", "fflush(stdout)");
	kl_fflush(NULL);
	EXPECT_CONSOLE("abcdef\nghi", "fflush(NULL) with nothing pending");

	/* stderr: unbuffered, and stdout's pending bytes go first. */
	shim_console_reset();
	kl_printf("out ");
	test_check(kl_fprintf(KL_STDERR, "err %d", 1) == 5, "fprintf(stderr) result");
	EXPECT_CONSOLE("out err 1", "stderr after pending stdout");
	kl_fputs("|", KL_STDERR);
	EXPECT_CONSOLE("out err 1|", "fputs(stderr)");

	/* More than the buffer holds, without a newline: written as it fills,
	 * nothing lost or reordered. */
	shim_console_reset();
	char want[3001];
	for (int i = 0; i < 3000; i++)
		want[i] = (char)('a' + i % 26);
	want[3000] = '\0';
	for (int i = 0; i < 3000; i += 100)
		kl_printf("%.100s", want + i);
	test_check(shim_console_len >= 2048 && shim_console_len < 3000,
	           "a full buffer is written out (%zu bytes seen)", shim_console_len);
	kl_fflush(NULL);
	EXPECT_CONSOLE(want, "long output");
	shim_console_reset();
	kl_fwrite(want, 1, 3000, KL_STDOUT); /* larger than the buffer: straight through */
	kl_fflush(KL_STDOUT);
	EXPECT_CONSOLE(want, "fwrite of a long block");
}

static void characters(void)
{
	shim_console_reset();
	test_check(kl_putchar('x') == 'x', "putchar result");
	test_check(kl_putchar(0x1ff) == 0xff, "putchar(0x1ff) returns the unsigned char");
	test_check(kl_fputc('y', KL_STDOUT) == 'y' && kl_putc('z', KL_STDOUT) == 'z', "fputc/putc");
	test_check(kl_fputs("str", KL_STDOUT) >= 0, "fputs result");
	test_check(kl_puts("line") >= 0, "puts result");
	EXPECT_CONSOLE("x\xffyzstrline\n", "character output");
	shim_console_reset();
	test_check(kl_fwrite("abcdef", 2, 3, KL_STDOUT) == 3, "fwrite counts items");
	test_check(kl_fwrite("abcdef", 0, 3, KL_STDOUT) == 0, "fwrite of size 0");
	test_check(kl_fwrite("abcdef", SIZE_MAX, 2, KL_STDOUT) == 0, "fwrite overflow");
	kl_putchar('\n');
	EXPECT_CONSOLE("abcdef\n", "fwrite");

	shim_console_reset();
	kl_errno = ENOMEM;
	kl_perror("open");
	kl_errno = EINVAL;
	kl_perror(NULL);
	EXPECT_CONSOLE("open: out of memory\ninvalid argument\n", "perror");
}

/* ---- Endings ----------------------------------------------------------------- */

static char order[64];
static void first_registered(void)
{
	strcat(order, "1");
}
static void second_registered(void)
{
	strcat(order, "2");
	kl_printf("from atexit\n");
}

static void call_exit(void *arg)
{
	kl_printf("pending");
	kl_exit(*(int *)arg);
}

static void call_quick_exit(void *arg)
{
	kl_printf("lost");
	kl__Exit(*(int *)arg);
}

static void call_abort(void *arg)
{
	kl_printf("last words");
	kl_abort();
}

static void call_assert_false(void *arg)
{
	int x = *(int *)arg;

	assert(x == 1);
}

static void call_assert_true(void *arg)
{
	int x = *(int *)arg;

	assert(x == 2);
}

static void call_stack_chk_fail(void *arg)
{
	kl_printf("unflushed");
	kl___stack_chk_fail();
}

static void endings(void)
{
	int status = 256 + 3;

	shim_console_reset();
	kl_atexit(first_registered);
	kl_atexit(second_registered);
	enum shim_end how = shim_trap(call_exit, &status);
	test_check(how == SHIM_EXITED && shim_exit_status == 3, "exit(259): how %d, status %d", how,
	           shim_exit_status);
	test_check(strcmp(order, "21") == 0, "atexit order \"%s\"", order);
	EXPECT_CONSOLE("pendingfrom atexit\n", "exit flushes after the atexit functions");

	int registered = 0;
	while (kl_atexit(first_registered) == 0 && registered < 100)
		registered++;
	test_check(registered == 32, "atexit took %d functions, want 32", registered);
	strcpy(order, "");
	shim_trap(call_exit, &status); /* runs (and forgets) them all */
	test_check(strlen(order) == 32, "%zu atexit functions ran", strlen(order));

	shim_console_reset();
	status = 0;
	how = shim_trap(call_quick_exit, &status);
	test_check(how == SHIM_EXITED && shim_exit_status == 0, "_Exit");
	EXPECT_CONSOLE("", "_Exit does not flush");
	kl_fflush(NULL); /* the "lost" bytes are still buffered: drop them */
	shim_console_reset();

	how = shim_trap(call_abort, NULL);
	test_check(how == SHIM_ABORTED, "abort: how %d", how);
	EXPECT_CONSOLE("last wordsabort\n", "abort flushes stdout, then says abort");

	shim_console_reset();
	int x = 2;
	how = shim_trap(call_assert_false, &x);
	test_check(how == SHIM_ABORTED, "failed assert: how %d", how);
	test_check(strstr(shim_console, "assertion failed: x == 1 (") == shim_console &&
	               strstr(shim_console, "stdio_test.c:") &&
	               strstr(shim_console, ", call_assert_false)\n"),
	           "assert message: \"%s\"", shim_console);
	shim_console_reset();
	how = shim_trap(call_assert_true, &x);
	test_check(how == SHIM_RETURNED && shim_console_len == 0, "passing assert");

	shim_console_reset();
	how = shim_trap(call_stack_chk_fail, NULL);
	test_check(how == SHIM_ABORTED, "__stack_chk_fail: how %d", how);
	EXPECT_CONSOLE("stack smashing detected\n", "__stack_chk_fail (stdout is not trusted)");
	test_check(kl___stack_chk_guard != 0 && (kl___stack_chk_guard & 0xff) == 0,
	           "the default canary %#lx is non-zero with a zero low byte",
	           (unsigned long)kl___stack_chk_guard);
	kl_fflush(NULL);
	shim_console_reset();
}

int main(void)
{
	buffering();
	characters();
	endings();
	return test_summary("stdio");
}
