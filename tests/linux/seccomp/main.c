/*
 * seccomp — probes the filter that sealed this image.
 *
 *   seccomp ok        does only what a sealed image may do; exits 0
 *   seccomp MODE      prints "before MODE", makes one forbidden system call
 *                     (raw, bypassing the platform), prints "after MODE"
 *                     and exits 3 — which the test counts as a failure,
 *                     since the filter must have killed it with SIGSYS
 *   seccomp abort     kp_abort(): must die of SIGABRT
 *   seccomp canary    prints the stack-protector guard the platform seeded
 *   seccomp smash     overflows a stack buffer: the canary check must catch
 *                     it (SIGABRT, "stack smashing detected")
 *   seccomp null      writes through a null pointer: SIGSEGV (page 0 is
 *                     never mapped)
 *
 * Output goes straight to kp_console_write so the test depends on nothing
 * above the platform.
 */
#include <stddef.h>
#include <stdint.h>

#include <keel/platform.h>

#include "image_util.h"

#define SYS_write 1
#define SYS_open 2
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_getpid 39
#define SYS_socket 41
#define SYS_execve 59
#define SYS_kill 62
#define SYS_openat 257
#define SYS_epoll_create1 291

int main(int argc, char **argv);

static long raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* One line: a, then b. */
static void say_line(const char *a, const char *b)
{
	say(a);
	say(b);
	say("\n");
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Defined by libc, seeded by the platform before main. */
extern uintptr_t __stack_chk_guard;

/* Writes `n` bytes into a 16-byte buffer; `n` comes from a volatile so the
 * compiler cannot see (and refuse) the overflow. */
__attribute__((noinline)) static void overflow(size_t n)
{
	char buf[16];

	for (size_t i = 0; i < n; i++)
		((volatile char *)buf)[i] = 'x';
}

/* A page of our own for the mprotect probes. */
static char page[4096] __attribute__((aligned(4096)));

static int fail(const char *why)
{
	say_line("seccomp: FAIL: ", why);
	return 1;
}

/* Everything a sealed image may do; none of it may be killed. */
static int allowed(void)
{
	unsigned char bytes[64] = { 0 };
	kp_handle_set ready = 1;
	kp_time t0 = kp_clock_monotonic();
	unsigned nonzero = 0;

	if (!same(kp_target(), "linux"))
		return fail("kp_target is not linux");
	if (kp_clock_wall() < (uint64_t)1600000000 * 1000000000u)
		return fail("wall clock before 2020");
	if (kp_random(bytes, sizeof(bytes)) != 0)
		return fail("kp_random");
	for (unsigned i = 0; i < sizeof(bytes); i++)
		nonzero += bytes[i] != 0;
	if (nonzero < 32)
		return fail("kp_random gave mostly zeros");
	/* No devices: a yield with a near deadline is a plain sleep. */
	kp_yield(t0 + 20 * 1000 * 1000, &ready);
	if (ready != 0)
		return fail("kp_yield reported input without devices");
	if (kp_clock_monotonic() - t0 < 15 * 1000 * 1000)
		return fail("kp_yield returned before its deadline");
	kp_yield(0, &ready); /* a deadline in the past polls */
	if (kp_page_guard(page, sizeof(page), 1) != 0 || kp_page_guard(page, sizeof(page), 0) != 0)
		return fail("kp_page_guard");
	page[0] = 1;
	if (kp_page_guard(page + 1, sizeof(page), 1) != KEEL_EINVAL)
		return fail("kp_page_guard took an unaligned address");
	if (kp_net_acquire("service", &(kp_handle){ 0 }, &(struct kp_net_info){ { 0 }, 0, 0 }) !=
	    KEEL_ENODEV)
		return fail("kp_net_acquire found an undeclared device");
	/* The filter lets messages through on fd 2 as well. */
	raw6(SYS_write, 2, (long)"seccomp: stderr ok\n", 19, 0, 0, 0);
	say_line("seccomp: ", "ok");
	return 0;
}

int main(int argc, char **argv)
{
	static char *const no_args[] = { NULL };
	const char *mode = argc > 1 ? argv[1] : "ok";

	if (same(mode, "ok"))
		return allowed();
	if (same(mode, "abort")) {
		say_line("before ", mode);
		kp_abort();
	}
	if (same(mode, "canary")) {
		say_hex(__stack_chk_guard);
		say("\n");
		return 0;
	}
	if (same(mode, "smash")) {
		static volatile size_t len = 64;

		say_line("before ", mode);
		overflow(len);
		say_line("after ", mode);
		return 3;
	}
	if (same(mode, "null")) {
		static int *volatile nowhere;

		say_line("before ", mode);
		*nowhere = 1;
		say_line("after ", mode);
		return 3;
	}

	say_line("before ", mode);
	if (same(mode, "open"))
		raw6(SYS_open, (long)"/etc/passwd", 0, 0, 0, 0, 0);
	else if (same(mode, "openat"))
		raw6(SYS_openat, -100, (long)"/etc/passwd", 0, 0, 0, 0);
	else if (same(mode, "socket"))
		raw6(SYS_socket, 2, 1, 0, 0, 0, 0);
	else if (same(mode, "socket_hostnet"))
		/* Exactly what the socket stack's seal allows: not here. */
		raw6(SYS_socket, 2, 1 | 04000 | 02000000, 0, 0, 0, 0);
	else if (same(mode, "epoll_create"))
		raw6(SYS_epoll_create1, 02000000, 0, 0, 0, 0, 0);
	else if (same(mode, "execve"))
		raw6(SYS_execve, (long)"/bin/true", (long)no_args, (long)no_args, 0, 0, 0);
	else if (same(mode, "write0"))
		raw6(SYS_write, 0, (long)"x\n", 2, 0, 0, 0);
	else if (same(mode, "write3"))
		raw6(SYS_write, 3, (long)"x\n", 2, 0, 0, 0);
	else if (same(mode, "mprotect_exec"))
		raw6(SYS_mprotect, (long)page, sizeof(page), 1 | 4, 0, 0, 0);
	else if (same(mode, "mprotect_highbits"))
		raw6(SYS_mprotect, (long)page, sizeof(page), (long)(3ul | 1ul << 32), 0, 0, 0);
	else if (same(mode, "mmap"))
		raw6(SYS_mmap, 0, 4096, 7, 0x22, -1, 0);
	else if (same(mode, "getpid"))
		raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
	else if (same(mode, "x32"))
		raw6(0x40000000 | SYS_getpid, 0, 0, 0, 0, 0, 0);
	else if (same(mode, "kill_other"))
		/* Only SIGABRT to ourselves passes. Signal 0 only probes, so
		 * even a broken filter would not harm pid 1. */
		raw6(SYS_kill, 1, 0, 0, 0, 0, 0);
	else
		return fail("unknown mode");
	say_line("after ", mode);
	return 3;
}
