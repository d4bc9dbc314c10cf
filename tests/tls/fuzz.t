#!/bin/sh
# The libFuzzer target of the TLS handshake (fuzz/tls_handshake.c, built by
# fuzz/fuzz.mk: make tls-fuzz): lib/tls and BearSSL behind a mock flow
# whose bytes are a hostile peer's, as server and as client, run for
# FUZZ_SECONDS (default 8) from a copy of its seed corpus
# (fuzz/corpus/tls_handshake: ClientHellos of openssl, curl, and server
# flights of openssl s_server). A crash, a sanitizer report or a broken
# promise (the target aborts) fails the test. Needs clang with libFuzzer
# (Debian: clang, libclang-rt-14-dev).
set -u
. tests/lib.sh

seconds=${FUZZ_SECONDS:-8}
command -v clang >/dev/null || fail "clang is needed for the fuzz target"
make -s tls-fuzz >/dev/null 2>&1 ||
	fail "build of the fuzz target failed: $(make tls-fuzz 2>&1 | tail -n 20)"

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$tmp/corpus"
cp fuzz/corpus/tls_handshake/* "$tmp/corpus/" || fail "no seed corpus in fuzz/corpus/tls_handshake"
# New inputs go to the copy; the seeds in the tree stay as they are.
build/host/fuzz/tls_handshake -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-max_len=20000 -print_final_stats=1 -artifact_prefix="$tmp/" "$tmp/corpus" \
	>"$tmp/log" 2>&1 || fail "fuzz/tls_handshake failed: $(tail -n 40 "$tmp/log")"
runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$tmp/log")
pass "fuzz/tls_handshake: ${runs:-?} runs in ${seconds} s, corpus $(ls "$tmp/corpus" | wc -l) inputs, no crash"
