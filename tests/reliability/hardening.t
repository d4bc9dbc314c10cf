#!/bin/sh
# Hardening of the linux target's images, each check an attack that must
# be stopped:
#   - W^X in the file: no loadable segment of the www image (or of the
#     probe) is both writable and executable, and the stack segment is
#     not executable (readelf);
#   - W^X at run time (tests/reliability/hardening): writing over code,
#     writing a string constant, and running code placed in the heap, on
#     the stack or in static data each kill the image with SIGSEGV before
#     it can say "after";
#   - guard pages: a fiber recursing without end hits the guard page
#     under its stack (SIGSEGV) instead of running into what lies below.
# The rest of the hardening is tested where it lives: the seccomp seal,
# mprotect(PROT_EXEC) and mmap refused, the stack protector's random
# canary catching a smashed stack, page 0 unmapped (tests/linux/seccomp.t);
# the same attacks and more on the VM targets, with the fault report
# (tests/x86_64/faults.t, tests/aarch64/faults.t).
set -u
. tests/lib.sh

command -v readelf >/dev/null || fail "readelf (binutils) is needed"
make -s app APP=tests/reliability/hardening >/dev/null || fail "build of the probe failed"
make -s app APP=examples/www >/dev/null || fail "build of examples/www failed"
make -s build/host/bin/keel-launch build/host/tests/linux/status >/dev/null ||
	fail "build of the helpers failed"
img=build/linux/apps/hardening/hardening

for elf in build/linux/apps/www/www.elf $img.elf; do
	segs=$(readelf -lW "$elf" | awk '$1 == "LOAD" || $1 == "GNU_STACK"')
	[ -n "$segs" ] || fail "$elf: no segments read"
	# Flags are the fields between the memory size and the alignment.
	flags() { awk -v t="$1" '$1 == t {f = ""; for (i = 7; i < NF; i++) f = f $i; print f}'; }
	printf '%s\n' "$segs" | flags LOAD | grep -q W || fail "$elf: no writable segment read"
	printf '%s\n' "$segs" | flags LOAD | grep 'W' | grep -q 'E' &&
		fail "$elf has a segment both writable and executable: $segs"
	st=$(printf '%s\n' "$segs" | flags GNU_STACK)
	[ -n "$st" ] || fail "$elf has no PT_GNU_STACK"
	case $st in *E*) fail "$elf asks for an executable stack" ;; esac
done

run() {
	out=$(timeout 40 build/host/tests/linux/status build/host/bin/keel-launch "$img" "$1" 2>&1)
}
run ok
expect_line "$out" "hardening: ok 4"
expect_line "$out" "exit 0"
n=0
for mode in code_write rodata_write heap_exec stack_exec data_exec guard; do
	run "$mode"
	expect_line "$out" "before $mode"
	printf '%s\n' "$out" | grep -q "^after $mode" && fail "$mode: the attack went through"
	printf '%s\n' "$out" | grep -q "^recursed" && fail "guard: the recursion ended without a fault"
	printf '%s\n' "$out" | tail -n 1 | grep -qx "signal SIGSEGV" ||
		fail "$mode: want death by SIGSEGV, got: $out"
	echo "$mode: stopped by SIGSEGV"
	n=$((n + 1))
done
pass "hardening: no W+X segment, no executable stack; $n attacks on memory stopped"
