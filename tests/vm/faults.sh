#!/bin/sh
# Protection and the fault report on a hypervisor target, run as
# `sh tests/vm/faults.sh TARGET` (tests/<target>/faults.t), with the
# fault image built for the target (tests/vm/faults: one fault on purpose
# per run, named by its argument). Both: a null write; writes to code and to
# read-only data; a jump into the heap; a fiber's stack overflow into its
# guard page; an invalid instruction; a smashed canary and abort(). Each
# ends the image with 128 + the signal Linux would send and a report that
# names the fault, its address, and a stack walk that addr2line resolves.
# Only x86_64: a write to the IDT, a double fault (reported from its own
# stack). Only aarch64: a breakpoint, a fault with the stack pointer in
# unmapped memory (reported from the exception stack).
set -u
. tests/lib.sh
. tests/vm/lib.sh

vm_build tests/vm/faults
img=$(vm_image tests/vm/faults)
elf=$img.elf

addr_of() { # addr_of SYMBOL: its address as 16 hex digits
	a=$($VM_NM "$elf" | awk -v s="$1" '$3 == s { print $1 }')
	[ -n "$a" ] || fail "no symbol $1 in $elf"
	printf '%s' "$a"
}

fault() { # fault NAME STATUS TEXT...: runs the fault, checks its report
	name=$1
	want=$2
	shift 2
	vm_run "$want" "$img" -- "$name"
	expect_line "$out" "faults: $name"
	printf '%s\n' "$out" | grep -q "did not fault" && fail "$name: did not fault"
	for t in "$@"; do
		expect_text "$out" "$t"
	done
}

# walk_fn N: the function of the stack walk's Nth address.
walk_fn() {
	a=$(printf '%s\n' "$out" | sed -n 's/^keel:   stack: //p' | cut -d' ' -f"$1")
	[ -n "$a" ] || fail "no address $1 in the stack walk: $out"
	$VM_ADDR2LINE -f -e "$elf" "$a" | head -n 1
}

case "$VM_TARGET" in
x86_64)
	fault null 139 "#PF page fault (vector 14), error 0x2 (write, page not present)" \
		"cr2 0x0000000000000000" "null pointer dereference" "keel:   stack: 0x"
	[ "$(walk_fn 1)" = do_null ] || fail "the stack walk starts in $(walk_fn 1), not in do_null"
	fault text 139 "(write, page protection)" "cr2 0x$(addr_of do_null)"
	fault rodata 139 "(write, page protection)"
	fault idt 139 "(write, page protection)"
	fault nx 139 "(instruction fetch, page not executable)"
	pc=$(printf '%s\n' "$out" | sed -n 's/.*rip \(0x[0-9a-f]*\).*/\1/p')
	addr=$(printf '%s\n' "$out" | sed -n 's/.*cr2 \(0x[0-9a-f]*\).*/\1/p')
	fault stack 139 "#PF page fault (vector 14)" "cr2 is in a guard page: stack overflow"
	fault ud2 132 "#UD invalid opcode (vector 6)"
	fault double 139 "#DF double fault (vector 8)"
	what="null, text, rodata, idt, nx, stack overflow, #UD, #DF, canary, abort"
	;;
aarch64)
	fault null 139 "data abort (EC 0x25)" "(write, translation fault" "far 0x0000000000000000" \
		"null pointer dereference" "keel:   stack: 0x"
	[ "$(walk_fn 1)" = do_null ] || fail "the stack walk starts in $(walk_fn 1), not in do_null"
	[ "$(walk_fn 2)" = main ] || fail "the stack walk's second address is in $(walk_fn 2), not main"
	fault text 139 "(write, permission fault, page protection" "far 0x$(addr_of do_null)"
	fault rodata 139 "(write, permission fault, page protection"
	fault nx 139 "instruction abort (EC 0x21)" "(instruction fetch, permission fault, page not executable"
	pc=$(printf '%s\n' "$out" | sed -n 's/.*elr \(0x[0-9a-f]*\).*/\1/p')
	addr=$(printf '%s\n' "$out" | sed -n 's/.*far \(0x[0-9a-f]*\).*/\1/p')
	fault stack 139 "data abort" "far is in a guard page: stack overflow"
	fault udf 132 "undefined instruction (EC 0x0)"
	fault brk 133 "brk (EC 0x3c)"
	fault badsp 139 "data abort" "sp 0x0000000000001000"
	what="null, text, rodata, nx, stack overflow, udf, brk, bad sp, canary, abort"
	;;
esac
# The jump into the heap faults at the heap address itself.
[ -n "$pc" ] && [ "$pc" = "$addr" ] || fail "nx: pc $pc and fault address $addr should be the heap address"
fault smash 134 "stack smashing detected" "keel: abort"
fault abort 134 "keel: abort"

pass "$VM_TARGET faults: $what reported"
