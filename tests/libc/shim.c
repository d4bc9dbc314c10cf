/*
 * tests/libc/shim.c — the platform calls the libc under test makes
 * (kp_console_write, kp_abort, kp_exit), captured for inspection, and the
 * tests' reporting helpers.
 */
#include "kl.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <keel/platform.h>

char shim_console[1 << 16];
size_t shim_console_len;
size_t shim_console_writes;
int shim_console_fd = -1;
int shim_exit_status;

static jmp_buf *trap;

void shim_console_reset(void)
{
	shim_console_len = 0;
	shim_console_writes = 0;
	shim_console[0] = '\0';
}

void kp_console_write(const char *buf, size_t len)
{
	size_t room = sizeof(shim_console) - 1 - shim_console_len;
	size_t k = len < room ? len : room;

	memcpy(shim_console + shim_console_len, buf, k);
	shim_console_len += k;
	shim_console[shim_console_len] = '\0';
	shim_console_writes++;
	if (shim_console_fd >= 0 && write(shim_console_fd, buf, len) < 0)
		_exit(99);
}

void kp_abort(void)
{
	if (trap)
		longjmp(*trap, 1 + SHIM_ABORTED);
	signal(SIGABRT, SIG_DFL);
	abort();
}

void kp_exit(int status)
{
	shim_exit_status = status;
	if (trap)
		longjmp(*trap, 1 + SHIM_EXITED);
	_exit(status);
}

enum shim_end shim_trap(void (*fn)(void *), void *arg)
{
	jmp_buf env;
	jmp_buf *saved = trap;
	int how = setjmp(env);

	if (how == 0) {
		trap = &env;
		fn(arg);
		trap = saved;
		return SHIM_RETURNED;
	}
	trap = saved;
	return (enum shim_end)(how - 1);
}

unsigned long test_cases, test_failures;

bool test_check(bool ok, const char *fmt, ...)
{
	test_cases++;
	if (ok)
		return true;
	if (++test_failures <= 30) {
		va_list ap;

		fputs("FAIL: ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		fputc('\n', stdout);
		fflush(stdout); /* seen even if a later case crashes */
	}
	return false;
}

int test_summary(const char *name)
{
	printf("%s: %lu cases, %lu failures\n", name, test_cases, test_failures);
	return test_failures ? 1 : 0;
}
