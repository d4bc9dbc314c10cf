/*
 * keel_start: hands the heap region to the allocator, runs main() in a
 * fiber, and ends the image with main's status as soon as main returns,
 * whatever other fibers are still doing. lib/core/start.c is built for
 * this test with main renamed core_test_app_main.
 */
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keel/core.h>
#include <keel/log.h>

#include "check.h"
#include "core_impl.h"
#include "mock_platform.h"

const char test_name[] = "core/start";

int core_test_app_main(int argc, char **argv);
extern void *mock_heap_base;
extern size_t mock_heap_size;

void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
static bool refuse_alloc;

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	return refuse_alloc ? NULL : __real_aligned_alloc(align, size);
}

static char heap_region[1 << 20];
static char arg0[] = "image", arg1[] = "--flag";
static char *args[] = { arg0, arg1, NULL };
static const struct kp_start_info start_info = {
	.argc = 2,
	.argv = args,
	.heap_start = (uintptr_t)heap_region,
	.heap_size = sizeof(heap_region),
};

/* Busy for ever; the mock clock only moves when the loop sleeps, so this
 * fiber moves it as real work would. */
static void forever_busy(void *arg)
{
	for (;;) {
		mock_now += 10 * KEEL_USEC;
		keel_fiber_yield();
	}
}

static void long_sleeper(void *arg)
{
	keel_sleep(3600 * KEEL_SEC);
	printf("sleeper woke: wrong\n");
}

int core_test_app_main(int argc, char **argv)
{
	struct keel_fiber *self = keel_fiber_self();

	CHECK(self != NULL);
	CHECK(argc == 2 && strcmp(argv[0], "image") == 0 && strcmp(argv[1], "--flag") == 0);
	CHECK(argv[2] == NULL);
	CHECK(mock_heap_base == heap_region && mock_heap_size == sizeof(heap_region));
	CHECK(self->stack_size >= 256 * 1024 - 256);
	CHECK(keel_fiber_spawn(forever_busy, NULL, 0));
	CHECK(keel_fiber_spawn(long_sleeper, NULL, 0));
	keel_fiber_yield();
	keel_sleep(KEEL_MSEC);
	KEEL_INFO("main done");
	printf("main returns 7\n");
	return 7;
}

static char out[4096];

static int run_start(void)
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
		/* The image ends with fibers alive; LeakSanitizer then scans their
		 * stacks at exit and must not meet a PROT_NONE guard page. */
		mock_guard_pages = false;
		keel_start(&start_info);
	}
	close(fd[1]);
	while ((n = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(fd[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

int main(void)
{
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	status = run_start();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 7 || !strstr(out, "main returns 7") ||
	    !strstr(out, "] info: main done\n") || strstr(out, "wrong")) {
		printf("status 0x%x, output:\n%s\n", status, out);
		CHECK(0);
	}
	printf("%s: main's status ended the image with two fibers still alive\n", test_name);

	refuse_alloc = true;
	status = run_start();
	refuse_alloc = false;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 ||
	    !strstr(out, "cannot create the main fiber")) {
		printf("status 0x%x, output:\n%s\n", status, out);
		CHECK(0);
	}
	printf("%s: no memory for main's fiber: a clear message and status 1\n", test_name);
	printf("PASS %s\n", test_name);
	return 0;
}
