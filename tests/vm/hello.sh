#!/bin/sh
# examples/hello on a hypervisor target, run as `sh tests/vm/hello.sh
# TARGET` (tests/x86_64/hello.t, tests/aarch64/hello.t). On every machine
# variant it prints its greeting, sleeps on timers in deadline order,
# reads a plausible wall clock and random bytes (different on each boot),
# and exits 0; it boots in the launcher's smallest memory; exit statuses
# 0, 3 and 255 come through the launcher exactly; the command line
# reaches argv. Variants and boot paths:
#   x86_64   microvm, pc and q35; the PVH entry as well as the multiboot
#            one QEMU prefers; argv[0] is the image's name (multiboot)
#   aarch64  cortex-a72 (no RNDR: virtio-rng alone) and max, GICv2 and
#            v3, entered at EL1 and EL2, virtio-rng on PCI Express too; the flat Image and the ELF file
#            by hand; exit through semihosting (QEMU's own status is the
#            image's) and without it (PSCI; the status from the console,
#            and no fault report from the semihosting trap); argv[0] is
#            "keel" (the loader passes only the arguments)
set -u
. tests/lib.sh
. tests/vm/lib.sh

vm_build examples/hello tests/keel/exit3 tests/vm/exitn tests/x86_64/args
img=$(vm_image examples/hello)
exitn=$(vm_image tests/vm/exitn)
args=$(vm_image tests/x86_64/args)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
	r=$(printf '%s\n' "$out" | grep -E '^random:( [0-9a-f]{2}){8}$') || fail "$1: no random line"
	printf '%s' "$seen" | grep -qxF "$r" && fail "$1: two boots printed the same random bytes"
	seen="$seen
$r"
}

# The machine variants, as launcher options ("_" between words).
case "$VM_TARGET" in
x86_64)
	variants="--machine_microvm --machine_pc --machine_q35"
	small="--mem 2"  # the image loads at 1 MiB; the heap needs 512 KiB
	other="--machine pc"
	argv0=args
	;;
aarch64)
	variants="--cpu_cortex-a72_--gic_2 --cpu_cortex-a72_--gic_3 --cpu_max_--gic_2
		--cpu_max_--gic_3 --el2_--cpu_cortex-a72_--gic_3 --el2_--cpu_max_--gic_2
		--pci_--cpu_cortex-a72_--gic_3"
	small="--mem 8"  # the launcher's floor
	other="--gic 2 --cpu cortex-a72"
	argv0=keel
	;;
esac
seen=
for v in $variants; do
	# shellcheck disable=SC2046
	vm_run 0 $(printf '%s' "$v" | tr _ ' ') "$img"
	check_hello "$v"
done

# shellcheck disable=SC2086
vm_run 0 $small "$img"
expect_line "$out" "Hello from Keel"

# Exit statuses, exactly, including those QEMU's own status cannot carry
# on x86_64 (isa-debug-exit: 2 N + 1).
vm_run 3 "$(vm_image tests/keel/exit3)"
expect_line "$out" "fiber ran"
expect_line "$out" "main returns 3"
# shellcheck disable=SC2086
vm_run 3 $other "$(vm_image tests/keel/exit3)"
for n in 0 3 255; do
	vm_run "$n" "$exitn" -- "$n"
	expect_line "$out" "exitn: returning $n"
done

# The command line: quoting is kept.
vm_run 0 "$args" -- one "two words" "" "it's"
expect_line "$out" "argc 5"
expect_line "$out" "argv[0] [$argv0]"
expect_line "$out" "argv[1] [one]"
expect_line "$out" "argv[2] [two words]"
expect_line "$out" "argv[3] []"
expect_line "$out" "argv[4] [it's]"

case "$VM_TARGET" in
x86_64)
	# The PVH entry (QEMU takes it when there is no multiboot header).
	pvh_only "$args" "$tmp/args"
	for m in microvm pc; do
		vm_run 0 --machine "$m" "$tmp/args" -- x "y z"
		expect_line "$out" "argc 3"
		expect_line "$out" "argv[0] [keel]"
		expect_line "$out" "argv[2] [y z]"
	done
	what="microvm, pc, q35, PVH and multiboot"
	;;
aarch64)
	# Without semihosting: the status from the console's line after PSCI
	# SYSTEM_OFF, and the semihosting trap is not reported as a fault.
	for n in 0 3 255; do
		vm_run "$n" --no-semihosting "$exitn" -- "$n"
		expect_line "$out" "exitn: returning $n"
		printf '%s\n' "$out" | grep -q "fatal exception" && fail "--no-semihosting $n: a fault was reported: $out"
	done
	vm_run 3 --no-semihosting --el2 --gic 2 "$exitn" -- 3

	# By hand: QEMU's own status is the image's with semihosting (all
	# of 0, 3, 255; at EL1 and EL2) and 0 without (PSCI), the console's
	# line N either way. The flat Image (Linux boot protocol: the tree in
	# x0) and the ELF file (QEMU's bare-metal path: the tree at the start
	# of RAM) both boot.
	a64_flat "$exitn" "$tmp/exitn"
	for n in 0 3 255; do
		for m in virt virt,virtualization=on; do
			a64_direct "$n" -M "$m" -cpu max -semihosting-config enable=on,target=gdb \
				-kernel "$tmp/exitn" -append "$n"
			[ "$got" -eq "$n" ] || fail "semihosting, $m: QEMU exited $got, want $n; said: $out"
		done
		a64_direct "$n" -M virt -cpu cortex-a53 -kernel "$tmp/exitn" -append "$n"
		[ "$got" -eq 0 ] || fail "no semihosting: QEMU exited $got, want 0 (PSCI); said: $out"
		printf '%s\n' "$out" | grep -q "fatal exception" && fail "no semihosting, $n: a fault was reported: $out"
	done
	a64_flat "$args" "$tmp/Image"
	a64_direct 0 -M virt -cpu cortex-a53 -kernel "$tmp/Image" -append "x 'y z'"
	expect_line "$out" "argc 3"
	expect_line "$out" "argv[2] [y z]"
	a64_direct 0 -M virt,gic-version=3 -cpu max -kernel "$args" -append "x"
	expect_line "$out" "argc 2"
	what="cortex-a72 and max, GICv2 and v3, EL1 and EL2, virtio-mmio and PCI, Image and ELF, with and without semihosting"
	;;
esac

pass "$VM_TARGET hello: $(wc -c <"$img") bytes; $what; exit statuses 0, 3, 255 exact"
