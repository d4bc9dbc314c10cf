#!/bin/sh
# The libFuzzer target of lib/store's readers of foreign bytes (trees,
# commits, the open scan of a damaged disk, the line merge: fuzz/store.c,
# built by fuzz/fuzz.mk: make store-fuzz), run for FUZZ_SECONDS (default
# 8) from a copy of its seed corpus (fuzz/corpus/store). A crash, a
# sanitizer report or a broken promise (the target aborts) fails the
# test. Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev).
set -u
. tests/lib.sh

seconds=${FUZZ_SECONDS:-8}
command -v clang >/dev/null || fail "clang is needed for the fuzz target"
make -s store-fuzz >/dev/null 2>&1 ||
	fail "build of the fuzz target failed: $(make store-fuzz 2>&1 | tail -n 20)"

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$tmp/corpus"
# New inputs go to the copy; the seeds in the tree stay as they are.
cp fuzz/corpus/store/* "$tmp/corpus/" || fail "no seed corpus in fuzz/corpus/store"
build/host/fuzz/store -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-max_len=8192 -print_final_stats=1 -artifact_prefix="$tmp/" "$tmp/corpus" \
	>"$tmp/log" 2>&1 || fail "fuzz/store failed: $(tail -n 40 "$tmp/log")"
runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$tmp/log")
pass "fuzz/store: ${runs:-?} runs in ${seconds} s, no crash"
