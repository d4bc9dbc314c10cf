#!/bin/sh
# The seal of a linux image: after the platform's start, main may use its
# console, clocks, entropy and guard pages, but any other system call —
# opening files, sockets (even exactly as an image linking the socket stack
# may open them), execve, writing to an fd that is neither the
# console nor a device, making memory executable, mapping memory, even
# getpid — kills the whole image with SIGSYS before the kernel acts.
# kp_abort() ends it with SIGABRT. The hardening around it holds too: the
# stack-protector canary is random per run (low byte zero) and catches a
# stack overflow; page 0 is never mapped.
set -u
. tests/lib.sh

make -s app APP=tests/linux/seccomp >/dev/null || fail "build of tests/linux/seccomp failed"
make -s build/host/bin/keel-launch build/host/tests/linux/status >/dev/null ||
	fail "build of the helpers failed"
img=build/linux/apps/seccomp/seccomp
status=build/host/tests/linux/status
launch=build/host/bin/keel-launch

# run MODE: runs the image through the launcher; output and the verdict
# line ("exit N" / "signal SIGNAME") in $out.
run() {
	out=$(timeout 40 "$status" "$launch" "$img" "$1" 2>&1)
}

run ok
printf '%s\n' "$out"
expect_line "$out" "seccomp: ok"
expect_line "$out" "seccomp: stderr ok"
expect_line "$out" "exit 0"

killed=0
for mode in open openat socket socket_hostnet epoll_create execve write0 write3 mprotect_exec \
	mprotect_highbits mmap getpid x32 kill_other; do
	run "$mode"
	expect_line "$out" "before $mode"
	if printf '%s\n' "$out" | grep -q "^after $mode"; then
		fail "$mode: the forbidden call returned to the image"
	fi
	printf '%s\n' "$out" | tail -n 1 | grep -qx "signal SIGSYS" ||
		fail "$mode: want death by SIGSYS, got: $out"
	killed=$((killed + 1))
done

run abort
expect_line "$out" "before abort"
printf '%s\n' "$out" | tail -n 1 | grep -qx "signal SIGABRT" ||
	fail "abort: want death by SIGABRT, got: $out"

run smash
expect_line "$out" "stack smashing detected"
printf '%s\n' "$out" | tail -n 1 | grep -qx "signal SIGABRT" || fail "smash: got: $out"
run null
printf '%s\n' "$out" | tail -n 1 | grep -qx "signal SIGSEGV" || fail "null: got: $out"

run canary
c1=$(printf '%s\n' "$out" | head -n 1)
run canary
c2=$(printf '%s\n' "$out" | head -n 1)
printf '%s\n' "$c1" | grep -Eq '^0x[0-9a-f]{14}00$' || fail "canary '$c1': want 0x...00"
[ "$c1" != "$c2" ] || fail "two runs had the same canary $c1"
[ "$c1" != 0x4b65656c2d5a3600 ] || fail "the canary was not reseeded"

pass "seccomp: allowed calls pass, $killed forbidden calls killed by SIGSYS, kp_abort by SIGABRT, canary and null page hold"
