#!/bin/sh
# A block device on the linux target: the image writes a pattern over
# several sectors in one call and over the last sector, flushes, reads it
# all back; the host then checks every byte of the file, and that the
# partial block at its end was neither counted nor touched. As root, the
# same through a loop block device (capacity from BLKGETSIZE64).
set -u
. tests/lib.sh

make -s app APP=tests/linux/blockrw >/dev/null || fail "build of tests/linux/blockrw failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/blockrw/blockrw

tmp=$(mktemp -d) || fail "mktemp failed"
loop=
cleanup() {
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
disk=$tmp/disk.img
# 64 whole sectors and 100 bytes more: the capacity must be 32768.
dd if=/dev/zero of="$disk" bs=1 count=0 seek=32868 2>/dev/null || fail "cannot create $disk"

out=$(timeout 30 build/host/bin/keel-launch --block storage="$disk" "$img" 32768 2>&1) ||
	fail "blockrw exited with $?: $out"
printf '%s\n' "$out"
expect_line "$out" "blockrw: capacity 32768 block size 512"
expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"

# check_file FILE SIZE: byte o of sectors 3..10 and of the last whole
# sector holds (o * 31 + 7) % 251, every other byte 0.
check_file() {
	[ "$(wc -c <"$1")" -eq "$2" ] || fail "$1 changed size"
	bad=$(od -An -v -tu1 "$1" | tr -s ' \t' '\n\n' | sed '/^$/d' | awk -v size="$2" '
		BEGIN { last = int(size / 512) * 512 - 512 }
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
check_file "$disk" 32868
what="a file"

if [ "$(id -u)" -eq 0 ] && command -v losetup >/dev/null; then
	dd if=/dev/zero of="$tmp/loop.img" bs=512 count=128 2>/dev/null || fail "cannot create loop.img"
	if loop=$(losetup -f --show "$tmp/loop.img" 2>/dev/null) && [ -b "$loop" ]; then
		out=$(timeout 30 build/host/bin/keel-launch --block storage="$loop" "$img" 65536 2>&1) ||
			fail "blockrw on $loop exited with $?: $out"
		expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
		losetup -d "$loop" || fail "cannot detach $loop"
		loop=
		check_file "$tmp/loop.img" 65536
		what="a file and a loop device"
	else
		loop=
		echo "note: no loop device available; block device path not tested"
	fi
fi

pass "block: 9 sectors written, flushed, read back and found on $what"
