# Helpers for end-to-end test scripts (sourced; POSIX sh).

fail() {
	printf 'FAIL: %s\n' "$*"
	exit 1
}

pass() {
	printf 'ok: %s\n' "$*"
	exit 0
}

# expect_line TEXT LINE: TEXT holds LINE as a whole line.
expect_line() {
	printf '%s\n' "$1" | grep -qxF -- "$2" || fail "missing line '$2'"
}

# expect_status WANT CMD...: runs CMD, fails unless it exits with WANT;
# leaves its output in $out.
expect_status() {
	want=$1
	shift
	out=$("$@" 2>&1)
	got=$?
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, want $want; said: $out"
}

# test_port [K]: a TCP/UDP port on the host's loopback this test may use,
# K (0..99, default 0) past its first. tests/run.sh gives each test that
# runs at the same time as others its own block of 100 in KEEL_TEST_PORT;
# alone, a block chosen from the PID. All blocks lie below the kernel's
# range for outgoing connections (32768 and up), which a client of
# another test could hold.
test_port() {
	echo $((${KEEL_TEST_PORT:-$((21000 + $$ % 100 * 100))} + ${1:-0}))
}
