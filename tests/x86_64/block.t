#!/bin/sh
# virtio-blk on the x86_64 target: tests/linux/blockrw checks the
# capacity, refuses bad requests, writes a pattern over sectors 3..10 in
# one call and over the last sector, flushes, and reads it all back; the
# host then checks every byte of the file. On microvm (virtio-mmio,
# modern), on pc and q35 (virtio-pci, modern), and on microvm with QEMU's
# default legacy virtio-mmio (version 1), which qemu-run.sh does not use.
# Two block devices in one image land on the right files (manifest
# order), and a file that is not whole sectors is refused.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build tests/linux/blockrw tests/x86_64/twodisks
img=$(x86_image tests/linux/blockrw)
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

for m in microvm pc q35; do
	disk=$tmp/$m.img
	dd if=/dev/zero of="$disk" bs=512 count=64 2>/dev/null || fail "cannot create $disk"
	x86_run 0 --machine "$m" --block storage="$disk" "$img" -- 32768
	expect_line "$out" "blockrw: capacity 32768 block size 512"
	expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
	check_file "$disk" 32768
done

# Legacy virtio-mmio (QEMU's default for -device virtio-blk-device),
# named on the command line as Firecracker would (transport 1: input 25).
disk=$tmp/legacy.img
dd if=/dev/zero of="$disk" bs=512 count=128 2>/dev/null || fail "cannot create $disk"
qemu_direct 0 -M microvm -cpu max -drive if=none,id=d0,format=raw,file="$disk" \
	-device virtio-blk-device,drive=d0,bus=virtio-mmio-bus.1 \
	-kernel "$img" -append "65536 virtio_mmio.device=512@0xfeb00200:25"
expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
check_file "$disk" 65536

# The same without the command line entry: found at microvm's addresses.
dd if=/dev/zero of="$disk" bs=512 count=128 2>/dev/null
qemu_direct 0 -M microvm -cpu max -drive if=none,id=d0,format=raw,file="$disk" \
	-device virtio-blk-device,drive=d0 -kernel "$img" -append 65536
expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
check_file "$disk" 65536

# Two disks: each name gets its own file, whatever the option order.
two=$(x86_image tests/x86_64/twodisks)
dd if=/dev/zero of="$tmp/a" bs=512 count=8 2>/dev/null
dd if=/dev/zero of="$tmp/b" bs=512 count=16 2>/dev/null
for m in microvm q35; do
	x86_run 0 --machine "$m" --block second="$tmp/b" --block first="$tmp/a" "$two"
	expect_line "$out" "twodisks: first 4096 second 8192"
	[ "$(head -c 5 "$tmp/a")" = first ] || fail "$m: disk a does not start with 'first'"
	[ "$(head -c 6 "$tmp/b")" = second ] || fail "$m: disk b does not start with 'second'"
done

# A file that is not whole sectors: refused before QEMU starts.
head -c 1000 /dev/zero >"$tmp/odd"
x86_run 2 --block storage="$tmp/odd" "$img"
expect_text "$out" "not a whole number of 512-byte sectors"

pass "x86_64 block: 9 sectors written and found on microvm, pc, q35 and legacy virtio-mmio; two disks in order"
