#!/bin/sh
# virtio-blk on the aarch64 target (virtio-mmio from the device tree, the
# driver shared with x86_64 in platform/virtio): tests/linux/blockrw
# checks the capacity, refuses bad requests, writes a pattern over
# sectors 3..10 and the last sector, flushes, and reads it back; the host
# then checks every byte of the file. Modern virtio-mmio (as
# qemu-run-aarch64.sh attaches it) with GICv3 and GICv2, and QEMU's
# default legacy virtio-mmio (version 1). Two block devices land on the
# right files (manifest order).
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

a64_build tests/linux/blockrw tests/x86_64/twodisks
img=$(a64_image tests/linux/blockrw)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_file() { # check_file FILE SIZE
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

for gic in 3 2; do
	disk=$tmp/gic$gic.img
	dd if=/dev/zero of="$disk" bs=512 count=64 2>/dev/null || fail "cannot create $disk"
	a64_run 0 --gic "$gic" --cpu cortex-a72 --block storage="$disk" "$img" -- 32768
	expect_line "$out" "blockrw: capacity 32768 block size 512"
	expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
	check_file "$disk" 32768
done

# Legacy virtio-mmio: QEMU's default for virtio-*-device.
disk=$tmp/legacy.img
dd if=/dev/zero of="$disk" bs=512 count=128 2>/dev/null || fail "cannot create $disk"
a64_flat "$img" "$tmp/Image"
a64_direct 0 -M virt -cpu max -drive if=none,id=d0,format=raw,file="$disk" \
	-device virtio-blk-device,drive=d0 -kernel "$tmp/Image" -append 65536
expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
check_file "$disk" 65536

# Two disks, given in the other order: each name lands on its own file.
two=$(a64_image tests/x86_64/twodisks)
dd if=/dev/zero of="$tmp/a" bs=512 count=8 2>/dev/null
dd if=/dev/zero of="$tmp/b" bs=512 count=16 2>/dev/null
a64_run 0 --block second="$tmp/b" --block first="$tmp/a" "$two"
expect_line "$out" "twodisks: first 4096 second 8192"
[ "$(head -c 5 "$tmp/a")" = first ] || fail "disk a does not start with 'first'"
[ "$(head -c 6 "$tmp/b")" = second ] || fail "disk b does not start with 'second'"

# A declared disk not given: refused by the launcher; and by the image
# itself when the machine has no device for it.
a64_run 2 "$img"
expect_text "$out" "declares block device 'storage'"
a64_flat "$img" "$tmp/Image"
a64_direct 2 -M virt -cpu max -kernel "$tmp/Image" -append 65536
expect_text "$out" "block device 'storage' is declared, but the machine has no virtio-blk device"

pass "aarch64 block: virtio-mmio modern and legacy, GICv3 and v2, two disks in order, missing disk refused"
