#!/bin/sh
# examples/hello on the x86_64 target under QEMU: it boots on microvm, pc
# and q35, prints its greeting, sleeps on timers in deadline order, reads a
# plausible wall clock and random bytes, and exits 0; exit statuses come
# through qemu-run.sh exactly; the command line reaches argv; and the PVH
# entry works as well as the multiboot one QEMU prefers.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build examples/hello tests/keel/exit3 tests/x86_64/args
img=$(x86_image examples/hello)

check_hello() { # check_hello MACHINE
	order=$(printf '%s\n' "$out" | sed -n 's/^fiber slept \([0-9]*\) ms$/\1/p' | tr '\n' ' ')
	[ "$order" = "10 20 30 " ] || fail "$1: fibers woke in order '$order'; said: $out"
	took=$(printf '%s\n' "$out" | sed -n 's/^3 fibers done in \([0-9]*\) ms$/\1/p')
	[ -n "$took" ] && [ "$took" -ge 30 ] || fail "$1: 3 sleeps of up to 30 ms took '$took' ms"
	wall=$(printf '%s\n' "$out" | sed -n 's/^wall clock: \([0-9]*\)\.[0-9]* s since the epoch$/\1/p')
	[ -n "$wall" ] || fail "$1: no wall clock line; said: $out"
	d=$(($(date +%s) - wall))
	[ "$d" -ge -5 ] && [ "$d" -le 5 ] || fail "$1: wall clock $wall is $d s off the host's"
	printf '%s\n' "$out" | grep -Eq '^random:( [0-9a-f]{2}){8}$' || fail "$1: no random line"
}

for m in microvm pc q35; do
	x86_run 0 --machine "$m" "$img"
	expect_line "$out" "Hello from Keel"
	check_hello "$m"
	eval "random_$m=\$(printf '%s\n' \"\$out\" | grep '^random:')"
done
# shellcheck disable=SC2154
[ "$random_microvm" != "$random_pc" ] || fail "two boots printed the same random bytes"

# The smallest memory QEMU offers that it runs in: 2 MiB (the image loads at
# 1 MiB; the heap must be at least 512 KiB).
x86_run 0 --mem 2 "$img"
expect_line "$out" "Hello from Keel"

# Exit statuses, exactly, including those QEMU's own status cannot carry.
x86_run 3 "$(x86_image tests/keel/exit3)"
expect_line "$out" "fiber ran"
expect_line "$out" "main returns 3"
x86_run 3 --machine pc "$(x86_image tests/keel/exit3)"

# The command line: argv[0] is the image's name, quoting is kept.
args=$(x86_image tests/x86_64/args)
x86_run 0 "$args" -- one "two words" "" "it's"
expect_line "$out" "argc 5"
expect_line "$out" "argv[0] [args]"
expect_line "$out" "argv[1] [one]"
expect_line "$out" "argv[2] [two words]"
expect_line "$out" "argv[3] []"
expect_line "$out" "argv[4] [it's]"

# The PVH entry (QEMU takes it when there is no multiboot header).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pvh_only "$args" "$tmp/args"
for m in microvm pc; do
	x86_run 0 --machine "$m" "$tmp/args" -- x "y z"
	expect_line "$out" "argc 3"
	expect_line "$out" "argv[0] [keel]"
	expect_line "$out" "argv[2] [y z]"
done

pass "x86_64 hello: $(wc -c <"$img") bytes; microvm, pc, q35, PVH and multiboot, exit status exact"
