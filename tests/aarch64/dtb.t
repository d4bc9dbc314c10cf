#!/bin/sh
# The device tree reader (platform/aarch64/dtb.c, built for the host with
# ASan and UBSan) on QEMU's own trees for the virt board: GICv3 and v2,
# with EL2, more memory, and with the transports' devices; each must be
# read as the board is (PL011, PL031, GIC, timer PPI 27, PSCI's conduit,
# 32 virtio-mmio transports, bootargs, the PCIe host bridge). Then the same trees with bytes
# flipped at random must never make it read outside the blob. Last, an
# image booted on a tree that names no PL011 (QEMU's, its UART's
# compatible renamed) says so on the virt board's PL011, the fallback,
# and ends with status 2 (through semihosting, and through PSCI without
# it), instead of stopping silently.
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

make -s build/host/tests/aarch64/dtb.test >/dev/null 2>&1 || fail "dtb.test does not build"
bin=build/host/tests/aarch64/dtb.test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dump() { # dump NAME MACHINE_OPTS QEMU_ARGS...
	name=$1 opts=$2
	shift 2
	timeout 30 qemu-system-aarch64 -M "virt,$opts,dumpdtb=$tmp/$name.dtb" -display none \
		-nodefaults "$@" >/dev/null 2>&1
	[ -s "$tmp/$name.dtb" ] || fail "QEMU did not dump the $name tree"
}

a64_build examples/hello
a64_flat "$(a64_image examples/hello)" "$tmp/Image"
dump v3 gic-version=3 -cpu max -m 64 -kernel "$tmp/Image" -append "a 'b c'"
dump v2 gic-version=2 -cpu cortex-a72 -m 256
dump el2 gic-version=3,virtualization=on -cpu max -m 64
dump big gic-version=3 -cpu max -m 4096

out=$("$bin" "$tmp/v3.dtb") || fail "v3: $out"
expect_text "$out" "ram 1 ranges, first 0x40000000-0x44000000; uart 0x9000000; rtc 0x9010000; gic v3; timer 27; psci hvc; virtio-mmio 32; bootargs [a 'b c']"
# The PCIe host bridge: ECAM, the 32-bit window, INTA..D of slots 0..3
# swizzled onto SPIs 3..6 (IDs 35..38).
imap="pci ecam 0x4010000000+0x10000000 bus 0; mem 0x10000000+0x2eff0000 at pci 0x10000000; interrupt-map mask 0x1800/7, 16 entries: 0/1>35 0/2>36 0/3>37 0/4>38 800/1>36 800/2>37 800/3>38 800/4>35 1000/1>37 1000/2>38 1000/3>35 1000/4>36 1800/1>38 1800/2>35 1800/3>36 1800/4>37"
expect_text "$out" "$imap"
out=$("$bin" "$tmp/v2.dtb") || fail "v2: $out"
expect_text "$out" "first 0x40000000-0x50000000; uart 0x9000000; rtc 0x9010000; gic v2; timer 27; psci hvc"
expect_text "$out" "$imap"
out=$("$bin" "$tmp/el2.dtb") || fail "el2: $out"
expect_text "$out" "gic v3; timer 27; psci smc"
out=$("$bin" "$tmp/big.dtb") || fail "big: $out"
expect_text "$out" "first 0x40000000-0x140000000"

# Damaged copies: refused or read, but always within the blob (ASan).
size=$(wc -c <"$tmp/v3.dtb")
n=0
while [ $n -lt 40 ]; do
	cp "$tmp/v3.dtb" "$tmp/bad.dtb"
	for _ in 1 2 3; do
		off=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		head -c 1 /dev/urandom | dd of="$tmp/bad.dtb" bs=1 seek=$((off % 8192)) conv=notrunc 2>/dev/null
	done
	"$bin" "$tmp/bad.dtb" >"$tmp/bad.out" 2>&1
	grep -q "ERROR: AddressSanitizer\|runtime error" "$tmp/bad.out" && fail "damaged tree: $(cat "$tmp/bad.out")"
	n=$((n + 1))
done
# A tree without the UART: the message comes out at the fallback address.
LC_ALL=C sed 's/arm,pl011/arm,px011/g' "$tmp/v3.dtb" >"$tmp/nouart.dtb"
cmp -s "$tmp/v3.dtb" "$tmp/nouart.dtb" && fail "could not rename the PL011 in the tree"
[ "$(wc -c <"$tmp/nouart.dtb")" -eq "$size" ] || fail "the renamed tree changed size"
for sh in "-semihosting-config enable=on,target=gdb" ""; do
	# shellcheck disable=SC2086
	a64_direct 2 -M virt -cpu max $sh -kernel "$tmp/Image" -dtb "$tmp/nouart.dtb"
	expect_line "$out" "keel: the device tree names no PL011 UART"
	printf '%s\n' "$out" | grep -q "Hello from Keel" && fail "hello ran on a tree without its UART"
	[ "$got" -eq "$([ -n "$sh" ] && echo 2 || echo 0)" ] || fail "QEMU exited $got (${sh:-no semihosting}); said: $out"
done

pass "aarch64 dtb: QEMU's virt trees (GICv3, v2, EL2, 4 GiB) read as the board is; 40 damaged ones handled; a tree without the UART reported on the fallback PL011"
