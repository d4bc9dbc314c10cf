/*
 * entry.c — from the kernel's initial stack to keel_start().
 *
 * Order matters: the stack-protector canary is seeded before any function
 * that has a canary runs; every check that can refuse to start (manifest,
 * devices, heap, poll window) runs before sealing, so its message can
 * still be printed and nothing of main has run; sealing is the last step
 * before the runtime, so main never runs unsealed.
 */
#include "platform_impl.h"

/* Defined by libc; the compiler checks it in every protected function
 * (-mstack-protector-guard=global: there is no thread pointer to hold it). */
extern uintptr_t __stack_chk_guard;

void linux_entry(uintptr_t *sp) __attribute__((noreturn, used));

/*
 * The canary comes from the 16 bytes the kernel puts at AT_RANDOM (no
 * system call needed); getrandom is the fallback for a loader that gives
 * none. Its low byte is cleared so that a string overflow running into
 * the canary can neither read it out nor write it back (a C string stops at
 * the NUL). Compiled without a canary itself: the guard changes under it.
 */
__attribute__((no_stack_protector)) static void seed_canary(const uint64_t *auxv)
{
	uintptr_t guard = 0;
	const unsigned char *random = NULL;

	for (; auxv[0] != LINUX_AT_NULL; auxv += 2) {
		if (auxv[0] == LINUX_AT_RANDOM)
			random = (const unsigned char *)(uintptr_t)auxv[1];
	}
	if (random) {
		for (unsigned i = 0; i < sizeof(guard); i++)
			guard = guard << 8 | random[i];
	} else {
		linux_syscall3(LINUX_SYS_getrandom, (long)&guard, sizeof(guard), 0);
	}
	__stack_chk_guard = guard & ~(uintptr_t)0xff;
}

/* The rest of the start, with the canary in place. */
static void __attribute__((noreturn, noinline))
platform_start(int argc, char **argv, char **envp, const uint64_t *auxv)
{
	/* execve() allows an empty argv; main is promised argv[0]. */
	static char unnamed[] = "keel";
	static char *unnamed_argv[] = { unnamed, NULL };
	struct kp_start_info si = { .argc = argc, .argv = argv };

	if (argc < 1) {
		si.argc = 1;
		si.argv = unnamed_argv;
	}

	linux_clock_init(auxv);
	linux_console_init();
	linux_abort_init();
	linux_manifest_load();
	linux_devices_attach();
	linux_heap_reserve(envp, &si.heap_start, &si.heap_size);
	linux_poll_configure(envp);
	linux_hostpoll_open();
	linux_seal();
	keel_start(&si);
}

__attribute__((no_stack_protector)) void linux_entry(uintptr_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char **p = envp;

	while (*p)
		p++;
	seed_canary((const uint64_t *)(p + 1));
	platform_start(argc, argv, envp, (const uint64_t *)(p + 1));
}
