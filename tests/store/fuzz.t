#!/bin/sh
# The libFuzzer target of lib/store's readers of foreign bytes (trees,
# commits, the open scan of a damaged disk, the line merge:
# tests/store/fuzz_store.c, built by tests/store/test.mk: make store-fuzz),
# run for FUZZ_SECONDS (default 8) from a few seeds made here. A crash,
# a sanitizer report or a broken promise (the target aborts) fails the
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
c=$tmp/corpus
printf '\000100644 a\000aaaaaaaaaaaaaaaaaaaa40000 b\000bbbbbbbbbbbbbbbbbbbb' >"$c/tree"
printf '\001tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1 +0100\ncommitter C <c@d> 2 -0130\n\nmsg\n' >"$c/commit"
printf '\002\000\002\377\377\377\377' >"$c/store-header"
printf '\002\020\000\000\000\000\000\000\000\000\000\000\000' >"$c/store-record"
printf '\003a\nb\nc\n\000a\nB\nc\n\000a\nb\nc\nd\n' >"$c/lines"
build/host/fuzz/store -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-max_len=8192 -print_final_stats=1 -artifact_prefix="$tmp/" "$c" \
	>"$tmp/log" 2>&1 || fail "fuzz/store failed: $(tail -n 40 "$tmp/log")"
runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$tmp/log")
pass "fuzz/store: ${runs:-?} runs in ${seconds} s, no crash"
