#!/bin/sh
# Protection and the fault report on x86_64: a null write; writes to
# code, to read-only data and to the IDT; a jump into the heap; a fiber's
# stack overflow into its guard page; an invalid instruction; a double
# fault (reported from its own stack); a smashed canary and abort(). Each
# ends the image with a crash status and a report that names the fault,
# its address, and a stack walk that addr2line resolves.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build tests/x86_64/faults
img=$(x86_image tests/x86_64/faults)
elf=$img.elf

addr_of() { # addr_of SYMBOL: its address as 16 hex digits
	a=$(nm "$elf" | awk -v s="$1" '$3 == s { print $1 }')
	[ -n "$a" ] || fail "no symbol $1 in $elf"
	printf '%s' "$a"
}

fault() { # fault NAME STATUS TEXT...: runs the fault, checks its report
	name=$1
	want=$2
	shift 2
	x86_run "$want" "$img" -- "$name"
	expect_line "$out" "faults: $name"
	printf '%s\n' "$out" | grep -q "did not fault" && fail "$name: did not fault"
	for t in "$@"; do
		expect_text "$out" "$t"
	done
}

fault null 139 "#PF page fault (vector 14), error 0x2 (write, page not present)" \
	"cr2 0x0000000000000000" "null pointer dereference" "keel:   stack: 0x"
# The first address of the walk is the faulting instruction: in do_null.
first=$(printf '%s\n' "$out" | sed -n 's/^keel:   stack: \(0x[0-9a-f]*\).*/\1/p')
fn=$(addr2line -f -e "$elf" "$first" | head -n 1)
[ "$fn" = do_null ] || fail "the stack walk starts at $first ($fn), not in do_null"

fault text 139 "(write, page protection)" "cr2 0x$(addr_of do_null)"
fault rodata 139 "(write, page protection)"
fault idt 139 "(write, page protection)"
fault nx 139 "(instruction fetch, page not executable)"
rip=$(printf '%s\n' "$out" | sed -n 's/.*rip \(0x[0-9a-f]*\).*/\1/p')
cr2=$(printf '%s\n' "$out" | sed -n 's/.*cr2 \(0x[0-9a-f]*\).*/\1/p')
[ -n "$rip" ] && [ "$rip" = "$cr2" ] || fail "nx: rip $rip and cr2 $cr2 should be the heap address"
fault stack 139 "#PF page fault (vector 14)" "cr2 is in a guard page: stack overflow"
fault ud2 132 "#UD invalid opcode (vector 6)"
fault double 139 "#DF double fault (vector 8)"
fault smash 134 "stack smashing detected" "keel: abort"
fault abort 134 "keel: abort"

pass "x86_64 faults: null, text, rodata, idt, nx, stack overflow, #UD, #DF, canary, abort reported"
