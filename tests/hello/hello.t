#!/bin/sh
# examples/hello on the linux target: greeting, three overlapping timer
# sleeps finishing in deadline order, a plausible wall clock, random bytes
# that differ between runs, exit status 0.
set -u
. tests/lib.sh

make -s app APP=examples/hello >/dev/null || fail "build failed"
img=build/linux/apps/hello/hello
run1=$(timeout 20 build/host/bin/keel-launch "$img") || fail "hello exited with $?"
printf '%s\n' "$run1"
run2=$(timeout 20 build/host/bin/keel-launch "$img") || fail "second run exited with $?"

expect_line "$run1" "Hello from Keel"
order=$(printf '%s\n' "$run1" | sed -n 's/^fiber slept \([0-9]*\) ms$/\1/p' | tr '\n' ' ')
[ "$order" = "10 20 30 " ] || fail "fibers woke in order '$order', want '10 20 30 '"

took=$(printf '%s\n' "$run1" | sed -n 's/^3 fibers done in \([0-9]*\) ms$/\1/p')
[ -n "$took" ] || fail "no '3 fibers done' line"
[ "$took" -ge 30 ] || fail "3 sleeps of up to 30 ms finished in $took ms"

wall=$(printf '%s\n' "$run1" | sed -n 's/^wall clock: \([0-9]*\)\.[0-9]* s since the epoch$/\1/p')
[ -n "$wall" ] || fail "no wall clock line"
host=$(date +%s)
d=$((host - wall))
[ "$d" -ge -5 ] && [ "$d" -le 5 ] || fail "wall clock $wall is $d s off the host's $host"

r1=$(printf '%s\n' "$run1" | grep '^random:')
r2=$(printf '%s\n' "$run2" | grep '^random:')
printf '%s\n' "$r1" | grep -Eq '^random:( [0-9a-f]{2}){8}$' || fail "bad random line '$r1'"
[ "$r1" != "$r2" ] || fail "two runs printed the same random bytes"

# The same through the command users type.
out=$(timeout 60 ./keel run examples/hello) || fail "keel run examples/hello exited with $?"
expect_line "$out" "Hello from Keel"
pass "hello: $(wc -c <"$img") bytes, sleeps overlapped ($took ms)"
