#!/bin/sh
# Faults on the xen target: x86_64's protection and fault report run
# unchanged in a Xen PVH domain. A null write, a stack overflow into a
# guard page, an invalid instruction and abort() each print their report
# on Xen's console and end the domain as crashed (SCHEDOP_shutdown with
# reason crash, which Xen confirms), with the crash status.
set -u
. tests/lib.sh
. tests/xen/lib.sh

xen_build tests/vm/faults
img=$(xen_image tests/vm/faults)

fault() { # fault NAME STATUS TEXT...
	name=$1
	want=$2
	shift 2
	xen_run "$want" "$img" -- "$name"
	expect_line "$out" "faults: $name"
	printf '%s\n' "$out" | grep -q "did not fault" && fail "$name: did not fault"
	for t in "$@"; do
		expect_text "$out" "$t"
	done
	grep -q "Hardware Dom0 crashed" "$xen_log_file" || fail "$name: Xen did not report a crash"
}

fault null 139 "#PF page fault (vector 14), error 0x2 (write, page not present)" \
	"null pointer dereference" "keel:   stack: 0x"
first=$(printf '%s\n' "$out" | sed -n 's/^keel:   stack: \(0x[0-9a-f]*\).*/\1/p')
fn=$(addr2line -f -e "$img.elf" "$first" | head -n 1)
[ "$fn" = do_null ] || fail "the stack walk starts at $first ($fn), not in do_null"
fault stack 139 "cr2 is in a guard page: stack overflow"
fault ud2 132 "#UD invalid opcode (vector 6)"
fault abort 134 "keel: abort"

pass "xen faults: null, stack overflow, #UD, abort reported on Xen's console, domain crashed"
