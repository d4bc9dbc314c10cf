#!/bin/sh
# virtio-blk on a hypervisor target (the driver shared in platform/virtio),
# run as `sh tests/vm/block.sh TARGET` (tests/<target>/block.t):
# tests/linux/blockrw checks the capacity, refuses bad requests, writes a
# pattern over sectors 3..10 in one call and over the last sector,
# flushes, and reads it all back; the host then checks every byte of the
# file. Each transport the target has, modern (as the launcher attaches
# it) and QEMU's default legacy virtio-mmio (version 1), which the
# launcher does not use:
#   x86_64   microvm (virtio-mmio), pc and q35 (virtio-pci); legacy mmio
#            named on the command line as Firecracker would, and found
#            at microvm's addresses without it
#   aarch64  virtio-mmio from the device tree with GICv3 and GICv2; and
#            virtio-pci on the PCIe host bridge (BARs placed by the image,
#            INTx through the interrupt-map) with both GICs, a
#            transitional device (disable-legacy=off) by hand, and two
#            disks on slots 3 and 7, which share one INTx interrupt
# Large transfers (tests/x86_64/blockbulk: 6 MiB, calls the driver cuts
# into more requests than it has in flight at once) come back whole and
# land in the file where they should.
# Two block devices in one image land on the right files (manifest
# order), a file that is not whole sectors is refused, and a declared
# disk not given is refused by the launcher, and by the image itself
# when the machine has no device for it.
set -u
. tests/lib.sh
. tests/vm/lib.sh

vm_build tests/linux/blockrw tests/x86_64/twodisks tests/x86_64/blockbulk
img=$(vm_image tests/linux/blockrw)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_file FILE SIZE: byte o of sectors 3..10 and of the last sector
# holds (o * 31 + 7) % 251, every other byte 0.
check_file() {
	[ "$(wc -c <"$1")" -eq "$2" ] || fail "$1 changed size"
	bad=$(od -An -v -tu1 "$1" | tr -s ' \t' '\n\n' | sed '/^$/d' | awk -v size="$2" '
		BEGIN { last = size - 512 }
		{
			o = NR - 1
			want = 0
			if ((o >= 1536 && o < 5632) || (o >= last && o < last + 512))
				want = (o * 31 + 7) % 251
			if ($1 != want) { printf "offset %d holds %d, want %d\n", o, $1, want; exit }
		}
		END { if (NR != size) printf "read %d bytes, want %d\n", NR, size }')
	[ -z "$bad" ] || fail "content of $1: $bad"
}

case "$VM_TARGET" in
x86_64)
	variants="--machine_microvm --machine_pc --machine_q35"
	two_variants="--machine_microvm --machine_q35"
	;;
aarch64)
	variants="--gic_3_--cpu_cortex-a72 --gic_2_--cpu_cortex-a72 --pci_--gic_3 --pci_--gic_2"
	two_variants="--gic_3 --pci"
	;;
esac

for v in $variants; do
	disk=$tmp/disk$v.img
	dd if=/dev/zero of="$disk" bs=512 count=64 2>/dev/null || fail "cannot create $disk"
	# shellcheck disable=SC2046
	vm_run 0 $(printf '%s' "$v" | tr _ ' ') --block storage="$disk" "$img" -- 32768
	expect_line "$out" "blockrw: capacity 32768 block size 512"
	expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
	check_file "$disk" 32768
done

# Legacy virtio-mmio: QEMU's default for -device virtio-blk-device.
disk=$tmp/legacy.img
dd if=/dev/zero of="$disk" bs=512 count=128 2>/dev/null || fail "cannot create $disk"
case "$VM_TARGET" in
x86_64)
	# Named on the command line as Firecracker would (transport 1: input 25).
	qemu_direct 0 -M microvm -cpu max -drive if=none,id=d0,format=raw,file="$disk" \
		-device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.1 \
		-kernel "$img" -append "65536 virtio_mmio.device=512@0xfeb00200:25"
	expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
	check_file "$disk" 65536
	# The same without the command line entry: found at microvm's addresses.
	dd if=/dev/zero of="$disk" bs=512 count=128 2>/dev/null
	qemu_direct 0 -M microvm -cpu max -drive if=none,id=d0,format=raw,file="$disk" \
		-device virtio-blk-device,drive=d0 -kernel "$img" -append 65536
	;;
aarch64)
	a64_flat "$img" "$tmp/Image"
	a64_direct 0 -M virt -cpu max -drive if=none,id=d0,format=raw,file="$disk" \
		-device virtio-blk-device,drive=d0 -kernel "$tmp/Image" -append 65536
	;;
esac
expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
check_file "$disk" 65536

if [ "$VM_TARGET" = aarch64 ]; then
	# A transitional virtio-pci device (legacy interface too; driven
	# through its modern one), and two disks whose INTx share a line
	# (slots 3 and 7 meet on the same interrupt-map entry).
	dd if=/dev/zero of="$disk" bs=512 count=128 2>/dev/null
	a64_direct 0 -M virt,gic-version=2 -cpu cortex-a72 \
		-drive if=none,id=d0,format=raw,file="$disk" \
		-device virtio-blk-pci,drive=d0,disable-legacy=off,addr=5 -kernel "$tmp/Image" -append 65536
	expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
	check_file "$disk" 65536
	a64_flat "$(vm_image tests/x86_64/twodisks)" "$tmp/two"
	dd if=/dev/zero of="$tmp/a" bs=512 count=8 2>/dev/null
	dd if=/dev/zero of="$tmp/b" bs=512 count=16 2>/dev/null
	# In manifest order (keel-inspect: second, then first), slot order.
	a64_direct 0 -M virt -cpu max -drive if=none,id=d0,format=raw,file="$tmp/b" \
		-device virtio-blk-pci,drive=d0,disable-legacy=on,addr=3 \
		-drive if=none,id=d1,format=raw,file="$tmp/a" \
		-device virtio-blk-pci,drive=d1,disable-legacy=on,addr=7 -kernel "$tmp/two"
	expect_line "$out" "twodisks: first 4096 second 8192"
	[ "$(head -c 5 "$tmp/a")" = first ] || fail "shared INTx: disk a does not start with 'first'"
	[ "$(head -c 6 "$tmp/b")" = second ] || fail "shared INTx: disk b does not start with 'second'"
fi

# Large transfers, several requests in flight: blockbulk writes 6 MiB in
# calls of 3 MiB and reads it back in calls of 2 MiB + 512 bytes (17
# requests of at most 128 KiB: more than the driver's 16 slots, so slots
# are reused within a call), checking each word; the host then checks
# the file: every 32-bit word of sector s holds s ^ 0x5a5a0000, which is
# 0x5a5a0000 + s for these sectors.
bulk=$(vm_image tests/x86_64/blockbulk)
for v in $two_variants; do
	dd if=/dev/zero of="$tmp/bulk" bs=1024 count=6200 2>/dev/null
	# shellcheck disable=SC2046
	vm_run 0 $(printf '%s' "$v" | tr _ ' ') --block storage="$tmp/bulk" "$bulk" -- 6144 3072
	expect_line "$out" "blockbulk: ok"
	bad=$(od -An -v -tu4 -w512 "$tmp/bulk" | awk '
		NR <= 12288 { for (i = 1; i <= NF; i++) if ($i != 1515847680 + NR - 1) { print "sector " NR - 1 " holds " $i; exit } }
		NR > 12288 { for (i = 1; i <= NF; i++) if ($i != 0) { print "sector " NR - 1 " (past the end) holds " $i; exit } }
		END { if (NR != 12400) print NR " sectors, want 12400" }')
	[ -z "$bad" ] || fail "$v: blockbulk's file: $bad"
done

# Two disks, given in the other order: each name lands on its own file.
two=$(vm_image tests/x86_64/twodisks)
for v in $two_variants; do
	dd if=/dev/zero of="$tmp/a" bs=512 count=8 2>/dev/null
	dd if=/dev/zero of="$tmp/b" bs=512 count=16 2>/dev/null
	# shellcheck disable=SC2046
	vm_run 0 $(printf '%s' "$v" | tr _ ' ') --block second="$tmp/b" --block first="$tmp/a" "$two"
	expect_line "$out" "twodisks: first 4096 second 8192"
	[ "$(head -c 5 "$tmp/a")" = first ] || fail "$v: disk a does not start with 'first'"
	[ "$(head -c 6 "$tmp/b")" = second ] || fail "$v: disk b does not start with 'second'"
done

# A file that is not whole sectors: refused before QEMU starts.
head -c 1000 /dev/zero >"$tmp/odd"
vm_run 2 --block storage="$tmp/odd" "$img"
expect_text "$out" "not a whole number of 512-byte sectors"

# A declared disk not given: refused by the launcher; and by the image
# itself when the machine has no device for it.
vm_run 2 "$img"
expect_text "$out" "declares block device 'storage'"
case "$VM_TARGET" in
x86_64) qemu_direct 2 -M microvm -cpu max -kernel "$img" -append 65536 ;;
aarch64) a64_direct 2 -M virt -cpu max -kernel "$tmp/Image" -append 65536 ;;
esac
expect_text "$out" "block device 'storage' is declared, but the machine has no virtio-blk device"

pass "$VM_TARGET block: 6 MiB in large calls, several requests in flight; 9 sectors written and found over every transport ($(printf '%s\n' $variants | sed 's/--//g; s/_/ /g' | paste -sd, | sed 's/,/, /g')), and legacy virtio-mmio; two disks in order; odd and missing disks refused"
