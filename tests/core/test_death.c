/*
 * What must end the image: a deadlock, blocking calls made outside a
 * fiber, and a fiber overflowing its stack into the guard page. Each case
 * runs in a forked child; the parent checks how it died and what it said.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keel/core.h>

#include "check.h"
#include "mock_platform.h"

const char test_name[] = "core/death";

static char out[1 << 16];

/* Runs fn in a child with stdout and stderr captured in out[]; returns
 * the wait status. */
static int run_child(void (*fn)(void))
{
	int fd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	CHECK(pipe(fd) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		fn();
		_exit(0);
	}
	close(fd[1]);
	while ((n = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(fd[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static void expect_signal(const char *what, void (*fn)(void), int sig, const char *text)
{
	int status = run_child(fn);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig || !strstr(out, text)) {
		printf("%s: %s: wanted signal %d and \"%s\"; got status 0x%x and:\n%s\n", test_name,
		       what, sig, text, status, out);
		CHECK(0);
	}
	printf("%s: %s: %s", test_name, what, strstr(out, "PANIC") ? strstr(out, "PANIC") : "\n");
}

/* ---- Deadlock ----------------------------------------------------------------- */

static struct keel_waitq nobody_wakes = KEEL_WAITQ_INIT(nobody_wakes);

static void stuck(void *arg)
{
	keel_wait(&nobody_wakes, KEEL_FOREVER);
}

static void sleeps_then_stuck(void *arg)
{
	keel_sleep(KEEL_MSEC);
	keel_wait(&nobody_wakes, KEEL_FOREVER);
}

static void asleep_forever(void *arg)
{
	keel_sleep_until(KEEL_FOREVER);
}

static void deadlock(void)
{
	keel_fiber_spawn(stuck, NULL, 0);
	keel_fiber_spawn(sleeps_then_stuck, NULL, 0);
	keel_fiber_spawn(asleep_forever, NULL, 0);
	keel_loop_run();
	printf("loop returned\n");
}

/* Not a deadlock: a watched device can still wake someone. */
static void on_input(kp_handle h, void *arg)
{
	keel_wake_all(&nobody_wakes);
}

static void waits_for_device(void *arg)
{
	mock_ready = 1u << 2;
	keel_wait(&nobody_wakes, KEEL_FOREVER);
	keel_io_unwatch(2);
}

/* ---- Misuse from the loop ----------------------------------------------------- */

static struct keel_timer misuse;

static void wait_in_callback(struct keel_timer *t, void *arg)
{
	keel_wait(&nobody_wakes, KEEL_FOREVER);
}

static void sleep_in_callback(struct keel_timer *t, void *arg)
{
	keel_sleep(1);
}

static void sleeper(void *arg)
{
	keel_sleep(100);
}

static void misuse_from(keel_timer_fn fn)
{
	keel_timer_init(&misuse, fn, NULL);
	keel_timer_arm(&misuse, keel_now() + 10);
	keel_fiber_spawn(sleeper, NULL, 0);
	keel_loop_run();
}

static void wait_outside_fiber(void)
{
	misuse_from(wait_in_callback);
}

static void sleep_outside_fiber(void)
{
	misuse_from(sleep_in_callback);
}

static void yield_outside_fiber(void)
{
	keel_fiber_yield();
}

static void runs_loop(void *arg)
{
	keel_loop_run();
}

static void loop_inside_fiber(void)
{
	keel_fiber_spawn(runs_loop, NULL, 0);
	keel_loop_run();
}

/* ---- Stack overflow ----------------------------------------------------------- */

static int recurse(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth > 1000000)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static void overflow(void *arg)
{
	printf("recursing\n");
	fflush(stdout);
	recurse(0);
}

static void stack_overflow(void)
{
	/* The default action, so the child dies of the fault itself (ASan's
	 * handler would report and exit instead). */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	keel_fiber_spawn(overflow, NULL, KEEL_FIBER_STACK_MIN);
	keel_loop_run();
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	expect_signal("deadlock", deadlock, SIGABRT, "PANIC at lib/core/loop.c:");
	CHECK(strstr(out, "deadlock: 3 fibers blocked"));
	CHECK(!strstr(out, "loop returned"));

	keel_io_watch(2, on_input, NULL);
	CHECK(keel_fiber_spawn(waits_for_device, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);

	expect_signal("keel_wait in a callback", wait_outside_fiber, SIGABRT,
	              "keel_wait called outside a fiber");
	expect_signal("keel_sleep in a callback", sleep_outside_fiber, SIGABRT,
	              "keel_sleep called outside a fiber");
	expect_signal("keel_fiber_yield outside a fiber", yield_outside_fiber, SIGABRT,
	              "keel_fiber_yield called outside a fiber");
	expect_signal("keel_loop_run in a fiber", loop_inside_fiber, SIGABRT,
	              "keel_loop_run called from a fiber");
	expect_signal("stack overflow into the guard page", stack_overflow, SIGSEGV, "recursing");
	printf("PASS %s\n", test_name);
	return 0;
}
