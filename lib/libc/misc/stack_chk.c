/*
 * The stack protector's runtime. Images are built with
 * -fstack-protector-strong (and, on x86_64, -mstack-protector-guard=global)
 * so protected functions compare a copy of __stack_chk_guard kept in their
 * frame against the global before returning, and call __stack_chk_fail()
 * when it changed.
 */
#include "../internal.h"

/*
 * A fixed non-zero value until the platform reseeds it from kp_random()
 * before main (it must do so before any protected function that will
 * return has started). The low byte is zero so that a string overflow
 * cannot reproduce the canary.
 */
uintptr_t __stack_chk_guard = (uintptr_t)0x4b65656c2d5a3600ull;

/* The stack is damaged: trust nothing (not even stdout's buffer) and stop. */
void __stack_chk_fail(void)
{
	keel__console_puts("stack smashing detected\n");
	kp_abort();
}
