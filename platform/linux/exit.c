/*
 * exit.c — ending the image: normally with exit_group, as a crash with
 * SIGABRT sent to itself.
 */
#include "platform_impl.h"

int linux_pid;

/*
 * Makes SIGABRT able to kill us: an ignored disposition and the blocked
 * mask both survive execve(), so a parent could otherwise leave kp_abort()
 * without effect. Also records our pid, since after sealing getpid() is
 * not allowed and the filter only lets us signal exactly this pid.
 */
void linux_abort_init(void)
{
	struct linux_sigaction dfl = { 0, 0, 0, 0 };
	uint64_t set = LINUX_SIGBIT(LINUX_SIGABRT);

	linux_syscall4(LINUX_SYS_rt_sigaction, LINUX_SIGABRT, (long)&dfl, 0, LINUX_SIGSET_SIZE);
	linux_syscall4(LINUX_SYS_rt_sigprocmask, LINUX_SIG_UNBLOCK, (long)&set, 0,
	               LINUX_SIGSET_SIZE);
	linux_pid = (int)linux_syscall0(LINUX_SYS_getpid);
}

void kp_exit(int status)
{
	for (;;)
		linux_syscall1(LINUX_SYS_exit_group, status & 0xff);
}

void kp_abort(void)
{
	linux_syscall2(LINUX_SYS_kill, linux_pid, LINUX_SIGABRT);
	/* Not reached: SIGABRT is unblocked with its default action. Should
	 * the host still refuse, end with the status a shell shows for it. */
	kp_exit(128 + LINUX_SIGABRT);
}
