/*
 * lib/libc/string/word.h — word-at-a-time helpers for the string files.
 *
 * `keel__word` lets the byte functions move machine words through
 * pointers into any object without breaking the aliasing rules
 * (may_alias). Words are only ever accessed at addresses aligned to their
 * size, and never beyond the bytes the caller handed in, so the helpers
 * stay correct where unaligned access faults (aarch64 before its MMU is
 * on) and under AddressSanitizer.
 */
#ifndef KEEL_LIBC_WORD_H
#define KEEL_LIBC_WORD_H

#include "../internal.h"

typedef uintptr_t __attribute__((__may_alias__)) keel__word;

#define WORD_SIZE sizeof(keel__word)
#define WORD_MASK (WORD_SIZE - 1)

/* (unsigned char)c repeated in every byte of a word. */
static inline uintptr_t word_splat(int c)
{
	return (uintptr_t)(unsigned char)c * (UINTPTR_MAX / 0xff);
}

static inline bool word_aligned(const void *p)
{
	return ((uintptr_t)p & WORD_MASK) == 0;
}

#endif
