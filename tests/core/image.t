#!/bin/sh
# lib/core's scheduler checks as an image on the linux target
# (tests/core/image): 10,000 sleeping fibers, 10,000 timers, wait queues
# and round-robin yields on the real clock, with real guard pages.
set -u
. tests/lib.sh

make -s app APP=tests/core/image >/dev/null || fail "build failed"
img=build/linux/apps/image/image
# 10,000 fibers of 8 KiB stacks plus guard pages want more than the
# default 64 MiB heap.
out=$(timeout 60 build/host/bin/keel-launch --heap-mb 256 "$img" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "core image test exited with $rc"
expect_line "$out" "core image test: ok"
pass "core image: 10,000 sleepers, 10,000 timers, wait queues and yields in order"
