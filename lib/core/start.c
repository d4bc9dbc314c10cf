/*
 * keel_start: from the platform's hands to the application's main().
 */
#include <stdlib.h>

#include <keel/heap.h>

#include "core_impl.h"

#define MAIN_STACK_SIZE (256 * 1024)

/* The application's entry point, as in hosted C. */
extern int main(int argc, char **argv);

static const struct kp_start_info *start_info;

static void main_fiber(void *unused)
{
	/* The image ends with main, as a process does, even if other fibers are
	 * still alive; exit() flushes stdout before kp_exit(). */
	exit(main(start_info->argc, start_info->argv));
}

void keel_start(const struct kp_start_info *si)
{
	static const char no_fiber[] = "keel: cannot create the main fiber: out of memory\n";

	start_info = si;
	keel__log_start();
	keel_heap_init((void *)si->heap_start, si->heap_size);
	if (!keel_fiber_spawn(main_fiber, NULL, MAIN_STACK_SIZE)) {
		kp_console_write(no_fiber, sizeof(no_fiber) - 1);
		kp_exit(1);
	}
	keel_loop_run();
	/* Not reached: the loop runs until main's fiber has called exit(). */
	exit(0);
}
