#!/bin/sh
# lib/core's aarch64 context switch: the host unit tests of the scheduler,
# cross-built for aarch64 (no sanitizers) and run under qemu-aarch64.
# Needs aarch64-linux-gnu-gcc and qemu-aarch64 (Debian: gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, qemu-user), which './keel test' installs.
set -u
. tests/lib.sh

if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 ||
	! command -v qemu-aarch64 >/dev/null 2>&1; then
	fail "aarch64-linux-gnu-gcc or qemu-aarch64 is not installed (./keel setup --test installs them)"
fi

out=build/host/tests/core/aarch64
mkdir -p "$out"
core="lib/core/err.c lib/core/fiber.c lib/core/log.c lib/core/loop.c lib/core/panic.c
	lib/core/sched.c lib/core/sleep.c lib/core/stats.c lib/core/timer.c lib/core/waitq.c
	lib/core/arch/aarch64/switch.S tests/core/mock_platform.c"
for t in sleep timer waitq yield death log; do
	case $t in
	timer) wrap=-Wl,--wrap=realloc ;;
	yield) wrap=-Wl,--wrap=aligned_alloc ;;
	*) wrap= ;;
	esac
	# shellcheck disable=SC2086
	aarch64-linux-gnu-gcc -std=c11 -O2 -g -static -D_GNU_SOURCE -Iinclude -Ilib/core \
		-Itests/core -Wall -Wextra -Werror -Wno-unused-parameter \
		-o "$out/$t" "tests/core/test_$t.c" $core $wrap || fail "$t: build failed"
	res=$(timeout 120 qemu-aarch64 "$out/$t" 2>&1) || fail "$t under qemu-aarch64: $res"
	expect_line "$res" "PASS core/$t"
done
pass "core on aarch64 (qemu-aarch64): sleep timer waitq yield death log"
