#!/bin/sh
# A short run of the DNS answer fuzzer of the socket stack
# (tests/net-socket/dns_fuzz.c, libFuzzer + ASan + UBSan), from one valid
# answer written here as the seed. Inputs go to a scratch folder. Any crash,
# leak or sanitizer report fails the test. FUZZ_SECONDS (default 10) sets
# how long it runs.
set -u
. tests/lib.sh

seconds=${FUZZ_SECONDS:-10}
command -v clang >/dev/null || fail "clang is needed"
make -s nsock-fuzz >/dev/null 2>&1 || {
	make nsock-fuzz 2>&1 | tail -20
	fail "build of the fuzzer failed (clang's libFuzzer is in libclang-rt-14-dev)"
}
work=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP
mkdir "$work/corpus"
# id 9, a response, one question www.keel.test A IN, one answer: a pointer
# to the question's name, A IN, TTL 300, 10.1.2.3.
printf '\000\011\201\200\000\001\000\001\000\000\000\000\003www\004keel\004test\000\000\001\000\001\300\014\000\001\000\001\000\000\001\054\000\004\012\001\002\003' \
	>"$work/corpus/answer"

timeout $((seconds + 60)) build/host/fuzz/nsock_dns -max_total_time="$seconds" -max_len=1500 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" >"$work/log" 2>&1
rc=$?
tail -15 "$work/log"
[ $rc -eq 0 ] || fail "the fuzzer stopped with status $rc"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
pass "nsock_dns: ${runs:-?} inputs in ${seconds}s, no finding"
