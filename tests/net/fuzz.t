#!/bin/sh
# A short run of the frame-input fuzzer of lib/net (fuzz/net_frames.c,
# libFuzzer + ASan + UBSan) from the seeds in fuzz/corpus/net_frames/.
# New inputs go to a scratch folder, never into the committed seeds. Any
# crash, leak or sanitizer report fails the test. FUZZ_SECONDS (default
# 10) sets how long it runs.
set -u
. tests/lib.sh

seconds=${FUZZ_SECONDS:-10}
command -v clang >/dev/null || fail "clang is needed"
make -s net-fuzz >/dev/null 2>&1 || {
	make net-fuzz 2>&1 | tail -20
	fail "build of the fuzzer failed (clang's libFuzzer is in libclang-rt-14-dev)"
}
work=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

timeout $((seconds + 60)) build/host/fuzz/net_frames -max_total_time="$seconds" \
	-max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work" fuzz/corpus/net_frames >"$work/log" 2>&1
rc=$?
tail -15 "$work/log"
[ $rc -eq 0 ] || fail "the fuzzer stopped with status $rc"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
pass "net_frames: ${runs:-?} inputs in ${seconds}s, no finding"
