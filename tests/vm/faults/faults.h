/*
 * faults.h — the fault image's two halves: main.c has the faults every
 * hypervisor target shares and picks one by name; x86_64.c or aarch64.c
 * (keel.mk takes the one of the target's architecture) has the faults of
 * that architecture, and its return instruction.
 */
#ifndef KEEL_TESTS_VM_FAULTS_H
#define KEEL_TESTS_VM_FAULTS_H

#include <stddef.h>
#include <stdint.h>

struct fault {
	const char *name;
	void (*fn)(void);
};

/* The architecture's own faults. */
extern const struct fault arch_faults[];
extern const size_t arch_nfaults;

/* The machine code of a bare return, which the text and nx faults copy
 * over a function and into the heap. */
extern const uint8_t arch_ret[];
extern const size_t arch_ret_size;

#endif
