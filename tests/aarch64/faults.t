#!/bin/sh
# Protection and the fault report on aarch64: a null write; writes to
# code and to read-only data; a jump into the heap; a fiber's stack
# overflow into its guard page; an undefined instruction; a breakpoint;
# a fault with the stack pointer in unmapped memory (reported from the
# exception stack); a smashed canary and abort(). Each ends the image
# with 128 + the signal Linux would send and a report that names the
# fault, its address, and a stack walk that addr2line resolves.
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

a64_build tests/aarch64/faults
img=$(a64_image tests/aarch64/faults)
elf=$img.elf
ADDR2LINE=aarch64-linux-gnu-addr2line
NM=aarch64-linux-gnu-nm

addr_of() { # addr_of SYMBOL: its address as 16 hex digits
	a=$($NM "$elf" | awk -v s="$1" '$3 == s { print $1 }')
	[ -n "$a" ] || fail "no symbol $1 in $elf"
	printf '%s' "$a"
}

fault() { # fault NAME STATUS TEXT...: runs the fault, checks its report
	name=$1
	want=$2
	shift 2
	a64_run "$want" "$img" -- "$name"
	expect_line "$out" "faults: $name"
	printf '%s\n' "$out" | grep -q "did not fault" && fail "$name: did not fault"
	for t in "$@"; do
		expect_text "$out" "$t"
	done
}

fault null 139 "data abort (EC 0x25)" "(write, translation fault" "far 0x0000000000000000" \
	"null pointer dereference" "keel:   stack: 0x"
first=$(printf '%s\n' "$out" | sed -n 's/^keel:   stack: \(0x[0-9a-f]*\).*/\1/p')
fn=$($ADDR2LINE -f -e "$elf" "$first" | head -n 1)
[ "$fn" = do_null ] || fail "the stack walk starts at $first ($fn), not in do_null"
fn=$($ADDR2LINE -f -e "$elf" $(printf '%s\n' "$out" | sed -n 's/^keel:   stack: \(0x[0-9a-f]*\) \(0x[0-9a-f]*\).*/\2/p') | head -n 1)
[ "$fn" = main ] || fail "the stack walk's second address is in $fn, not main"

fault text 139 "(write, permission fault, page protection" "far 0x$(addr_of do_null)"
fault rodata 139 "(write, permission fault, page protection"
fault nx 139 "instruction abort (EC 0x21)" "(instruction fetch, permission fault, page not executable"
elr=$(printf '%s\n' "$out" | sed -n 's/.*elr \(0x[0-9a-f]*\).*/\1/p')
far=$(printf '%s\n' "$out" | sed -n 's/.*far \(0x[0-9a-f]*\).*/\1/p')
[ -n "$elr" ] && [ "$elr" = "$far" ] || fail "nx: elr $elr and far $far should be the heap address"
fault stack 139 "data abort" "far is in a guard page: stack overflow"
fault udf 132 "undefined instruction (EC 0x0)"
fault brk 133 "brk (EC 0x3c)"
fault badsp 139 "data abort" "sp 0x0000000000001000"
fault smash 134 "stack smashing detected" "keel: abort"
fault abort 134 "keel: abort"

pass "aarch64 faults: null, text, rodata, nx, stack overflow, udf, brk, bad sp, canary, abort reported"
