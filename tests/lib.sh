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
