#!/bin/sh
# The keel command: exit status propagation, app skeletons, and one clear
# line with a non-zero status for every kind of bad input.
set -u
. tests/lib.sh

expect_status 3 ./keel run tests/keel/exit3
expect_line "$out" "fiber ran"
expect_line "$out" "main returns 3"
# --poll-us reaches the image (a bad value would stop it before main).
expect_status 3 ./keel run --poll-us 0 tests/keel/exit3
expect_line "$out" "main returns 3"

# Every bad input: status 2 and a message naming the problem.
bad() { # bad PATTERN CMD...
	pat=$1
	shift
	expect_status 2 "$@"
	printf '%s\n' "$out" | grep -q -- "$pat" || fail "'$*' said '$out', want '$pat'"
	[ "$(printf '%s\n' "$out" | wc -l)" -le 2 ] || fail "'$*' said more than a line or two: $out"
}
bad "unknown command 'frobnicate'" ./keel frobnicate
bad "unknown option '--frob'" ./keel build --frob examples/hello
bad "unknown option '-x'" ./keel run -x examples/hello
bad "unknown target 'sparc'" ./keel build -t sparc examples/hello
bad "needs a target" ./keel build -t
bad "does not exist" ./keel build no/such/app
bad "is not a folder" ./keel build README.md
bad "has no keel.mk" ./keel build tests
bad "no app folder" ./keel run
bad "--poll-us expects a number of microseconds from 0 to 1000, not '1001'" \
	./keel run --poll-us 1001 tests/keel/exit3
bad "--poll-us is for -t linux" ./keel run -t x86_64 --poll-us 10 tests/keel/exit3
bad "does not exist" ./keel inspect no/such/image
bad "is a folder" ./keel inspect examples
bad "already exists" ./keel new examples
bad "must start with a lower-case letter" ./keel new 9lives

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/noread"
echo 'APP_SRCS := main.c' >"$tmp/noread/keel.mk"
chmod 000 "$tmp/noread/keel.mk"
if [ "$(id -u)" -ne 0 ]; then
	bad "is not readable" ./keel build "$tmp/noread"
fi

# A new skeleton builds and runs.
expect_status 0 ./keel new "$tmp/myapp"
expect_status 0 ./keel run "$tmp/myapp"
expect_line "$out" "myapp: hello"
expect_line "$out" "myapp: worker 1 done"

# inspect names the target and the manifest of a built image.
expect_status 0 ./keel inspect build/linux/apps/hello/hello
printf '%s\n' "$out" | grep -q 'target: *linux' || fail "inspect did not show the target: $out"
expect_status 2 ./keel inspect README.md
pass "keel: status propagation, skeleton, $(grep -c '^bad ' "$0") bad inputs refused"
