#!/bin/sh
# The test suite: builds everything, runs the host unit tests (ASan+UBSan)
# and every end-to-end test script, and ends with one line
# "N passed, N failed". Exit status 0 only when nothing failed.
#
# A test is either a unit-test binary build/host/tests/*/*.test or a
# script tests/*/*.t (run from the top folder with sh); exit status 0 is a
# pass. Output of each goes to build/test-logs/NAME.log and is shown when
# it fails. TESTS='pattern' runs only the tests whose name matches.
set -u
cd "$(dirname "$0")/.." || exit 1
logs=build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0
failures=
pattern=${TESTS:-}

now_ms() { date +%s%3N; }

# run_one NAME CMD...: runs one test, records its verdict.
run_one() {
	name=$1
	shift
	if [ -n "$pattern" ]; then
		case "$name" in *$pattern*) ;; *) return 0 ;; esac
	fi
	log=$logs/$(printf '%s' "$name" | tr '/ ' '__').log
	t0=$(now_ms)
	"$@" >"$log" 2>&1
	rc=$?
	ms=$(($(now_ms) - t0))
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %-40s %6d ms\n' "$name" "$ms"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		printf 'FAIL  %-40s %6d ms (exit %d)\n' "$name" "$ms" "$rc"
		tail -n 40 "$log" | sed 's/^/      | /'
	fi
}

jobs=$(nproc 2>/dev/null || echo 2)
run_one "build: gcc -Werror (linux)" make -j"$jobs" all
run_one "build: clang -Werror (linux)" make -j"$jobs" CC=clang BUILD_DIR=build/linux-clang libs examples
run_one "build: unit tests (ASan+UBSan)" make -j"$jobs" unit

for t in build/host/tests/*/*.test; do
	[ -x "$t" ] || continue
	n=${t#build/host/tests/}
	run_one "unit: ${n%.test}" "$t"
done

for t in tests/*/*.t; do
	[ -f "$t" ] || continue
	n=${t#tests/}
	run_one "e2e: ${n%.t}" sh "$t"
done

[ -n "$failures" ] && printf 'failed:%s\n' "$failures"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
