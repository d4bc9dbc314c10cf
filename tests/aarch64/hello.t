#!/bin/sh
# examples/hello on the aarch64 target (QEMU virt, TCG): it boots on
# cortex-a72 (no RNDR: entropy from virtio-rng alone) and on max (RNDR
# mixed with virtio-rng), with GICv2 and GICv3, entered at EL1 and at EL2;
# prints its greeting, sleeps on timers in deadline order, reads a
# plausible wall clock (PL031) and random bytes, and exits 0. Exit
# statuses come through exactly; the command line reaches argv; the flat
# Image and the ELF file both boot when QEMU is run by hand.
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

a64_build examples/hello tests/keel/exit3 tests/x86_64/args
img=$(a64_image examples/hello)

check_hello() { # check_hello WHAT
	expect_line "$out" "Hello from Keel"
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

seen=
for cpu in cortex-a72 max; do
	for gic in 2 3; do
		a64_run 0 --cpu "$cpu" --gic "$gic" "$img"
		check_hello "$cpu GICv$gic"
		r=$(printf '%s\n' "$out" | grep '^random:')
		printf '%s' "$seen" | grep -qxF "$r" && fail "two boots printed the same random bytes"
		seen="$seen
$r"
	done
done
a64_run 0 --el2 --cpu cortex-a72 --gic 3 "$img"
check_hello "EL2 entry"
a64_run 0 --el2 --cpu max --gic 2 "$img"
check_hello "EL2 entry, GICv2"

# Little memory: 8 MiB still leaves the heap its 512 KiB.
a64_run 0 --mem 8 "$img"
expect_line "$out" "Hello from Keel"

# Exit statuses, exactly.
a64_run 3 "$(a64_image tests/keel/exit3)"
expect_line "$out" "fiber ran"
expect_line "$out" "main returns 3"
a64_run 3 --gic 2 --cpu cortex-a72 "$(a64_image tests/keel/exit3)"

# The command line: argv[0] is "keel" (the loader passes only the
# arguments), quoting is kept.
args=$(a64_image tests/x86_64/args)
a64_run 0 "$args" -- one "two words" "" "it's"
expect_line "$out" "argc 5"
expect_line "$out" "argv[0] [keel]"
expect_line "$out" "argv[1] [one]"
expect_line "$out" "argv[2] [two words]"
expect_line "$out" "argv[3] []"
expect_line "$out" "argv[4] [it's]"

# By hand: the flat Image (Linux boot protocol: device tree in x0) and the
# ELF file (QEMU's bare-metal path: the tree at the start of RAM).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
a64_flat "$args" "$tmp/Image"
a64_direct 0 -M virt -cpu cortex-a53 -kernel "$tmp/Image" -append "x 'y z'"
expect_line "$out" "argc 3"
expect_line "$out" "argv[2] [y z]"
a64_direct 0 -M virt,gic-version=3 -cpu max -kernel "$args" -append "x"
expect_line "$out" "argc 2"

pass "aarch64 hello: $(wc -c <"$img") bytes; cortex-a72 and max, GICv2 and v3, EL1 and EL2, Image and ELF, exit status exact"
