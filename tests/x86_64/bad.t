#!/bin/sh
# Bad input to tools/qemu-run.sh and to an x86_64 image: every case ends
# with a clear message and a non-zero status, never a hang. Truncated,
# empty and garbage files, an image for linux, and devices that do not
# match the image's manifest (missing, undeclared, of the wrong kind,
# given twice, malformed) are refused before QEMU starts (status 2); an
# image whose boot code is damaged stops the VM (status 125); too little
# memory is refused by qemu-run.sh when the image's segments show it,
# and by the image itself otherwise; a declared device the machine does
# not have, by the image before main (status 2).
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build examples/hello tests/x86_64/netdev tests/linux/blockrw tests/x86_64/bigbss \
	tests/x86_64/hugebss
img=$(x86_image examples/hello)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

refused() { # refused PATTERN ARGS...: qemu-run.sh ARGS exits 2 saying PATTERN
	pat=$1
	shift
	x86_run 2 "$@"
	expect_text "$out" "$pat"
}

size=$(wc -c <"$img")
head -c $((size / 2)) "$img" >"$tmp/half"
refused "truncated" "$tmp/half"
head -c 1000 "$img" >"$tmp/head"
refused "not a valid Keel image" "$tmp/head"
: >"$tmp/empty"
refused "not a valid Keel image" "$tmp/empty"
head -c 40000 /dev/urandom >"$tmp/garbage"
refused "not a valid Keel image" "$tmp/garbage"
refused "does not exist" "$tmp/missing"
refused "is not a file" "$tmp"

# Built for linux: refused, naming the target.
make -s app APP=examples/hello >/dev/null 2>&1 || fail "hello does not build for linux"
refused "built for target 'linux', not x86_64" build/linux/apps/hello/hello

# Options.
refused "unknown option '--frob'" --frob "$img"
refused "unknown machine 'isapc'" --machine isapc "$img"
refused "out of range" --mem 1 "$img"
refused "whole number" --mem 2x "$img"
refused "both kinds of quotes" "$img" -- "it's \"quoted\""

# Damaged boot code (the first 16 bytes of .text, both entry points,
# overwritten with 0xff: an invalid instruction however it is decoded):
# with no IDT yet the CPU resets, and QEMU (-no-reboot) stops. No hang.
cp "$img" "$tmp/damaged"
off=$(readelf -SW "$img" | sed -n 's/.* \.text  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
[ -n "$off" ] || fail "no .text in $img"
printf '\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377' |
	dd of="$tmp/damaged" bs=1 seek=$(printf '%d' "0x$off") conv=notrunc 2>/dev/null
x86_run 125 "$tmp/damaged"
expect_text "$out" "without an exit status"

# Too little memory. qemu-run.sh reads from the segments how far the
# image reaches and refuses a --mem below that plus 512 KiB of heap
# (bigbss ends above 1.5 MiB, hugebss above 7 MiB).
bigbss=$(x86_image tests/x86_64/bigbss)
hugebss=$(x86_image tests/x86_64/hugebss)
refused "needs at least 3 MiB of memory" --mem 2 "$bigbss"
refused "needs at least 8 MiB of memory" --mem 4 "$hugebss"
# Started by hand, the image says so itself: bigbss (600 KiB of bss in
# 2 MiB) fits but leaves too little heap; hugebss (6 MiB of bss in
# 4 MiB) does not even fit, which boot.S finds before touching its bss,
# through multiboot and through PVH.
qemu_direct 2 -M microvm -cpu max -m 2 -kernel "$bigbss"
expect_text "$out" "Keel needs at least 512 KiB"
printf '%s\n' "$out" | grep -q "main ran" && fail "bigbss: main ran"
pvh_only "$hugebss" "$tmp/hugebss-pvh"
for k in "$hugebss" "$tmp/hugebss-pvh"; do
	qemu_direct 2 -M microvm -cpu max -m 4 -kernel "$k"
	expect_text "$out" "the image does not fit in this machine's memory: its code, data and bss end at "
	printf '%s\n' "$out" | grep -q "main ran" && fail "hugebss: main ran in 4 MiB"
done
qemu_direct 2 -M pc -cpu max -m 4 -kernel "$hugebss"
expect_text "$out" "the image does not fit in this machine's memory"
x86_run 0 --mem 8 "$hugebss"
expect_line "$out" "main ran (1)"

# No clock to measure the TSC against (microvm without its PIT; TCG's
# CPUID states no frequency): refused with a message, not a hang.
qemu_direct 2 -M microvm,pit=off -cpu max -kernel "$img"
expect_text "$out" "there is no PIT to measure it against"

# Devices that do not match the manifest: qemu-run.sh says which.
netdev=$(x86_image tests/x86_64/netdev)
blockrw=$(x86_image tests/linux/blockrw)
dd if=/dev/zero of="$tmp/disk" bs=512 count=64 2>/dev/null
refused "the image declares net device 'service'; give it with --net service=" "$netdev"
refused "the image declares block device 'storage'; give it with --block storage=FILE" "$blockrw"
refused "--block disk: the image declares no block device 'disk' (it declares: net service)" \
	--net service=user --block disk="$tmp/disk" "$netdev"
refused "--block service: 'service' is a net device in the image; give it with --net" \
	--block service="$tmp/disk" "$netdev"
refused "device 'service' is given twice" --net service=user --net service=user "$netdev"
refused "neither user[:HOSTPORT-GUESTPORT,...] nor tap:IFNAME" --net service=bridge "$netdev"
refused "'80' is not HOSTPORT-GUESTPORT" --net service=user:80 "$netdev"
refused "ports in '8080-99999' must be 1..65535" --net service=user:8080-99999 "$netdev"
refused "want NAME=" --net service "$netdev"
refused "does not exist" --block storage="$tmp/nodisk" "$blockrw"
refused "must start with a lower-case letter" --net Service=user "$netdev"
refused "device names use only a-z, 0-9 and _" --net ser-vice=user "$netdev"

# Started by hand without its device: the image refuses before main.
qemu_direct 2 -M microvm -cpu max -kernel "$netdev"
expect_text "$out" "net device 'service' is declared, but the machine has no virtio-net device"
printf '%s\n' "$out" | grep -q "main ran" && fail "netdev: main ran without its device"
qemu_direct 2 -M q35 -cpu max -device virtio-net-pci,disable-legacy=on,netdev=n \
	-netdev user,id=n -kernel "$blockrw"
expect_text "$out" "block device 'storage' is declared, but the machine has no virtio-blk device"

# Device entries on the command line that make no sense are ignored
# with a warning, never mapped: registers in RAM, malformed ones.
qemu_direct 0 -M microvm -cpu max -kernel "$img" \
	-append "virtio_mmio.device=4K@0x200000:5 virtio_mmio.device=4K@nowhere"
expect_text "$out" "virtio-mmio at 0x200000: the register window lies in RAM; ignored"
expect_text "$out" "ignoring malformed 'virtio_mmio.device=4K@nowhere'"
expect_line "$out" "Hello from Keel"

# With its device it starts; it never calls kp_net_*, so the driver is
# not in the image at all.
x86_run 0 --net service=user "$netdev"
expect_line "$out" "netdev: main ran"
nm "$netdev.elf" | grep -q ' kp_net_acquire$' && fail "netdev links the virtio-net driver it never uses"

pass "x86_64 bad input: 36 cases refused with a message, none hung"
