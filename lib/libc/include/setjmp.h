/*
 * <setjmp.h> — non-local jumps (implementation:
 * lib/libc/arch/<arch>/setjmp.S).
 *
 * A jmp_buf holds the callee-saved registers, the stack pointer and the
 * return address of the setjmp() call. It is sized for the largest
 * architecture Keel supports (aarch64: x19-x30, sp and d8-d15, 21 words)
 * so that this header needs no per-architecture variant; x86_64 uses the
 * first 8 words. There are no signals, so there is no sigsetjmp.
 */
#ifndef _SETJMP_H
#define _SETJMP_H

typedef unsigned long long jmp_buf[22] __attribute__((__aligned__(16)));

/* Returns 0 when called directly, and the value passed to longjmp() (1
 * if that was 0) when returning through a longjmp() to `env`. */
int setjmp(jmp_buf env) __attribute__((__returns_twice__));

/* Resumes the setjmp() call that filled `env`, whose function must still
 * be active. Objects of that function that are not volatile and were
 * changed after setjmp() have unspecified values. */
_Noreturn void longjmp(jmp_buf env, int val);

#endif
