#!/bin/sh
# The test suite: builds everything, runs the host unit tests (ASan+UBSan)
# and every end-to-end test script, and ends with one line
# "N passed, N failed". Exit status 0 only when nothing failed.
#
# A test is either a unit-test binary build/host/tests/*/*.test or a
# script tests/*/*.t (run from the top folder with sh); exit status 0 is a
# pass. Output of each goes to build/test-logs/NAME.log and is shown when
# it fails. TESTS='pattern' runs only the tests whose name matches.
#
# TEST_JOBS=N runs up to N tests at once (default: the number of CPUs);
# TEST_JOBS=1 runs them one after another, in order. The build steps
# run first and one at a time. With N > 1:
#   - the clang build runs as the first of the tests, beside them;
#   - one more build step makes every fuzz target up front, and every
#     `make` a test runs is serialised with the others (flock on
#     build/test-make.lock): tests build their images in the same build
#     folders, and two makes there at once would race;
#   - the tests of ALONE below run after the others, one at a time with
#     nothing else running: they measure time or CPU, load the machine on
#     purpose, or pin work to CPUs;
#   - the tests of FIRST start first (the longest ones), so that no long
#     test is left to start last.
# A line is printed as each test ends, so with N > 1 the order varies.
set -u
cd "$(dirname "$0")/.." || exit 1
logs=build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0
failures=
pattern=${TESTS:-}
cpus=$(nproc 2>/dev/null || echo 2)
jobs=${TEST_JOBS:-$cpus}
case "$jobs" in
'' | *[!0-9]* | 0*)
	printf 'tests/run.sh: TEST_JOBS must be a whole number from 1, not "%s"\n' "$jobs" >&2
	exit 2
	;;
esac
# Each test running beside others has a block of 100 ports below 32768.
if [ "$jobs" -gt 100 ]; then
	printf 'tests/run.sh: TEST_JOBS may be at most 100, not %s\n' "$jobs" >&2
	exit 2
fi

# Run alone, each for the reason given. Others measure time too, with
# bounds that a loaded machine does not reach: faultlink/faultlink (a
# 2 s transfer may take 20 s), reliability/faults (a minute more than
# each transfer needs), the idle tests of x86_64 and aarch64 (QEMU's CPU
# time asleep against spinning, a ratio of ten).
ALONE='
e2e: reliability/attack   floods at a fixed rate, client and image pinned to CPUs 0 and 1
e2e: reliability/load     1,000 connections of wrk pinned to CPU 0, the image to CPU 1
e2e: xen/idle             a 3 s sleep in Xen under TCG timed against the host clock (-300..+1500 ms)
e2e: xen/hello            three sleeps of up to 30 ms under Xen in TCG must end within 1 s
'
# Started first when N > 1, longest first.
FIRST='
e2e: xen/domu
e2e: tls/testssl
e2e: www/hostile
e2e: tls/bearssl
e2e: net/fuzz
e2e: aarch64/www
e2e: net/tcp_echo
e2e: net/dhcp
e2e: aarch64/net
unit: store/crash
'

now_ms() { date +%s%3N; }

selected() { # selected NAME: TESTS matches it
	[ -z "$pattern" ] && return 0
	case "$1" in *$pattern*) return 0 ;; esac
	return 1
}

is_alone() {
	printf '%s\n' "$ALONE" | grep -q "^$1  "
}

log_of() {
	printf '%s/%s.log' "$logs" "$(printf '%s' "$1" | tr '/ ' '__')"
}

# report NAME STATUS MS LOG: counts and prints one verdict.
report() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %-40s %6d ms\n' "$1" "$3"
	else
		failed=$((failed + 1))
		failures="$failures $1"
		printf 'FAIL  %-40s %6d ms (exit %d)\n' "$1" "$3" "$2"
		tail -n 40 "$4" | sed 's/^/      | /'
	fi
}

# run_one NAME CMD...: runs one test now, records its verdict.
run_one() {
	name=$1
	shift
	selected "$name" || return 0
	log=$(log_of "$name")
	t0=$(now_ms)
	"$@" >"$log" 2>&1
	rc=$?
	report "$name" "$rc" $(($(now_ms) - t0)) "$log"
}

# The suite's tests in order, one a line: NAME<TAB>FILE (unit tests first).
list_tests() {
	for t in build/host/tests/*/*.test; do
		[ -x "$t" ] || continue
		n=${t#build/host/tests/}
		printf 'unit: %s\t%s\n' "${n%.test}" "$t"
	done
	for t in tests/*/*.t; do
		[ -f "$t" ] || continue
		n=${t#tests/}
		printf 'e2e: %s\t%s\n' "${n%.t}" "$t"
	done
}

# run_file NAME FILE: runs a test the way its kind is run.
run_file() {
	case "$2" in
	*.t) run_one "$1" sh "$2" ;;
	*) run_one "$1" "$2" ;;
	esac
}

clang_build="build: clang -Werror (linux)"
# Split into words where it is used (no word of it has a space).
clang_cmd="make -j$cpus CC=clang BUILD_DIR=build/linux-clang libs examples"
clang_make() {
	$clang_cmd
}
run_one "build: gcc -Werror (linux)" make -j"$cpus" all
[ "$jobs" -eq 1 ] && run_one "$clang_build" clang_make
run_one "build: unit tests (ASan+UBSan)" make -j"$cpus" unit

if [ "$jobs" -eq 1 ]; then
	list_tests >"$logs/.list"
	while IFS='	' read -r name file; do
		run_file "$name" "$file" </dev/null
	done <"$logs/.list"
else
	run_one "build: fuzz targets (clang, libFuzzer)" make -j"$cpus" fuzz

	# Every make of a test goes through this one, which holds the lock
	# for as long as the make runs; makes it starts (the examples, the
	# recursive ones) find KEEL_MAKE_LOCKED set and run as they are.
	real_make=$(command -v make) || { echo "tests/run.sh: make not found" >&2; exit 2; }
	command -v flock >/dev/null || { echo "tests/run.sh: flock not found (util-linux)" >&2; exit 2; }
	shim=$PWD/build/test-bin
	mkdir -p "$shim"
	cat >"$shim/make" <<EOF
#!/bin/sh
[ -n "\${KEEL_MAKE_LOCKED:-}" ] && exec "$real_make" "\$@"
KEEL_MAKE_LOCKED=1 exec flock "$PWD/build/test-make.lock" "$real_make" "\$@"
EOF
	chmod +x "$shim/make"
	PATH=$shim:$PATH
	export PATH

	all=$logs/.all
	list_tests >"$all"
	# Order: the clang build, FIRST, then the others as listed; ALONE
	# ones apart. The clang build writes only its own folder (what it
	# shares with the gcc build is up to date), so it runs unlocked, at
	# the time the first tests mostly wait (the downloads of xen/domu).
	printf '%s\tbuild-clang\n' "$clang_build" >"$logs/.pool"
	: >"$logs/.alone"
	printf '%s\n' "$FIRST" | while read -r first; do
		[ -n "$first" ] && grep "^$first	" "$all"
	done >>"$logs/.pool"
	while IFS='	' read -r name file; do
		selected "$name" || continue
		if is_alone "$name"; then
			printf '%s\t%s\n' "$name" "$file" >>"$logs/.alone"
		elif ! grep -q "^$name	" "$logs/.pool"; then
			printf '%s\t%s\n' "$name" "$file" >>"$logs/.pool"
		fi
	done <"$all"

	# Each test runs in the background, in a process group of its own
	# named in $groups while it runs, and when it ends leaves the file
	# $verdicts/N holding "SLOT STATUS MS NAME" (written aside, then renamed
	# into place, so that it is read whole). The runner looks for them
	# five times a second: waiting in sleep rather than in a read lets an
	# interrupt stop the run at once.
	groups=$logs/.groups
	verdicts=$logs/.verdicts
	mkdir -p "$groups" "$verdicts"
	# Tests started in the background ignore the terminal's interrupt (as
	# a shell without job control makes them): on one, the runner stops
	# each test still running, whose own traps then clean up, and exits.
	interrupted() {
		trap '' INT TERM HUP
		for g in "$groups"/*; do
			[ -f "$g" ] && kill -TERM "-${g##*/}" 2>/dev/null
		done
		wait
		printf 'tests/run.sh: interrupted; the tests that were running are stopped\n' >&2
		exit 130
	}
	trap interrupted INT TERM HUP
	running=0
	started=0
	# The slots free to run a test in, 0 .. jobs-1.
	free=
	i=0
	while [ "$i" -lt "$jobs" ]; do
		free="$free $i"
		i=$((i + 1))
	done
	collect() { # waits for at least one test to end, reports each that has
		while :; do
			ended=0
			for v in "$verdicts"/*; do
				[ -f "$v" ] || continue
				IFS=' ' read -r c_slot c_rc c_ms c_name <"$v"
				rm -f "$v"
				ended=$((ended + 1))
				running=$((running - 1))
				free="$free $c_slot"
				report "$c_name" "$c_rc" "$c_ms" "$(log_of "$c_name")"
			done
			[ "$ended" -gt 0 ] && return
			sleep 0.2
		done
	}
	while IFS='	' read -r name file; do
		selected "$name" || continue
		while [ "$running" -ge "$jobs" ]; do
			collect
		done
		log=$(log_of "$name")
		started=$((started + 1))
		set -- $free
		slot=$1
		shift
		free="$*"
		# Its own block of ports (tests/lib.sh, test_port).
		KEEL_TEST_PORT=$((21000 + slot * 100))
		export KEEL_TEST_PORT
		(
			t0=$(now_ms)
			case "$file" in
			build-clang)
				KEEL_MAKE_LOCKED=1
				export KEEL_MAKE_LOCKED
				set -- $clang_cmd
				;;
			*.t) set -- sh "$file" ;;
			*) set -- "$file" ;;
			esac
			setsid "$@" >"$log" 2>&1 </dev/null &
			gpid=$!
			: >"$groups/$gpid"
			wait "$gpid"
			rc=$?
			rm -f "$groups/$gpid"
			printf '%d %d %d %s\n' "$slot" "$rc" $(($(now_ms) - t0)) "$name" >"$verdicts/.$started"
			mv "$verdicts/.$started" "$verdicts/$started"
		) &
		running=$((running + 1))
	done <"$logs/.pool"
	while [ "$running" -gt 0 ]; do
		collect
	done
	wait
	unset KEEL_TEST_PORT

	while IFS='	' read -r name file; do
		run_file "$name" "$file" </dev/null
	done <"$logs/.alone"
fi

[ -n "$failures" ] && printf 'failed:%s\n' "$failures"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
