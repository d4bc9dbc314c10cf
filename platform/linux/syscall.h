/*
 * syscall.h — the one way the platform enters the kernel.
 *
 * Every system call an image makes goes through these few inline
 * functions, so the list of calls the seccomp filter must allow can be
 * read off the callers of linux_syscallN(). They return the kernel's raw
 * result: a value >= 0 on success, -errno on failure (-4095..-1).
 *
 * x86_64 convention: number in rax, arguments in rdi, rsi, rdx, r10, r8,
 * r9; the `syscall` instruction clobbers rcx and r11. The "memory" clobber
 * keeps the compiler from caching memory the kernel reads or writes.
 */
#ifndef KEEL_LINUX_SYSCALL_H
#define KEEL_LINUX_SYSCALL_H

#include "abi.h"

static inline long linux_syscall0(long n)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return ret;
}

static inline long linux_syscall1(long n, long a1)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a1) : "rcx", "r11", "memory");
	return ret;
}

static inline long linux_syscall2(long n, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2) : "rcx", "r11", "memory");
	return ret;
}

static inline long linux_syscall3(long n, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3)
	                 : "rcx", "r11", "memory");
	return ret;
}

static inline long linux_syscall4(long n, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
	                 : "rcx", "r11", "memory");
	return ret;
}

static inline long linux_syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
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

#endif
