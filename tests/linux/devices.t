#!/bin/sh
# Devices on the linux target, and everything that must refuse to start:
# the platform (a device missing, of the wrong kind, not read-write, an
# undeclared descriptor open, a bad manifest, heap size or poll window)
# and keel-launch (unknown options, undeclared or missing devices, missing
# files, files that are not Keel images, images for another target or
# machine). Each refusal is exit status 2 and one line naming the problem.
set -u
. tests/lib.sh

for app in devices blockrw netio seccomp dupname; do
	make -s app APP=tests/linux/$app >/dev/null || fail "build of tests/linux/$app failed"
done
make -s build/host/bin/keel-launch build/host/tests/linux/status >/dev/null ||
	fail "build of the helpers failed"
apps=build/linux/apps
status=build/host/tests/linux/status
launch=build/host/bin/keel-launch

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=512 count=16 2>/dev/null || fail "cannot create $disk"
printf 'short' >"$tmp/tiny"

count=0
# refused PATTERN CMD...: CMD, run through the status helper, exits 2
# with exactly one line of output, which holds PATTERN.
refused() {
	pat=$1
	shift
	out=$("$status" "$@" 2>&1)
	verdict=$(printf '%s\n' "$out" | tail -n 1)
	msg=$(printf '%s\n' "$out" | sed '$d')
	[ "$verdict" = "exit 2" ] || fail "'$*' ended with '$verdict', want exit 2: $msg"
	[ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ] || fail "'$*' said more than one line: $msg"
	printf '%s\n' "$msg" | grep -qF -- "$pat" || fail "'$*' said '$msg', want '$pat'"
	count=$((count + 1))
}

# ---- The platform, run by hand with exactly the descriptors given -------
# (--close-from drops anything the test runner itself left open.)

# Which device comes first is the order of the notes in the file.
out=$("$status" --close-from 3 $apps/devices/devices 2>&1)
printf '%s\n' "$out" | grep -Eq "^keel: (net device 'service'|block device 'storage') is not attached \(expected on fd 3\); run the image with 'keel run'$" ||
	fail "devices without devices said: $out"
count=$((count + 1))

refused "fd 3 is open but the image declares no devices" \
	--close-from 4 $apps/seccomp/seccomp ok 3</dev/null
refused "fd 4 is open but the image declares one device, on fd 3" \
	--close-from 5 $apps/blockrw/blockrw 3<>"$disk" 4</dev/null
refused "fd 9 is open but the image declares one device, on fd 3" \
	--close-from 10 $apps/blockrw/blockrw 3<>"$disk" 9</dev/null
refused "net device 'service' on fd 3 is a regular file, not a TAP" \
	--close-from 4 $apps/netio/netio 3<>"$disk"
mkfifo "$tmp/fifo" || fail "mkfifo failed"
refused "net device 'service' on fd 3 is a pipe, not a TAP" \
	--close-from 4 $apps/netio/netio 3<>"$tmp/fifo"
refused "net device 'service' on fd 3 is a character device other than /dev/net/tun" \
	--close-from 4 $apps/netio/netio 3<>/dev/null
refused "block device 'storage' on fd 3 is not open for reading and writing" \
	--close-from 4 $apps/blockrw/blockrw 3<"$disk"
refused "block device 'storage' on fd 3 is neither a regular file nor a block device" \
	--close-from 4 $apps/blockrw/blockrw 3<>/dev/null
refused "block device 'storage' on fd 3 is smaller than one 512-byte block" \
	--close-from 4 $apps/blockrw/blockrw 3<>"$tmp/tiny"
refused "the manifest declares device 'twin' twice" --close-from 3 $apps/dupname/dupname
refused "KEEL_HEAP_MB='lots' is not a whole number of MiB from 1 to 16384" \
	--close-from 3 env KEEL_HEAP_MB=lots $apps/seccomp/seccomp ok
refused "KEEL_HEAP_MB='0' is not a whole number" \
	--close-from 3 env KEEL_HEAP_MB=0 $apps/seccomp/seccomp ok
refused "KEEL_HEAP_MB='16385' is not a whole number" \
	--close-from 3 env KEEL_HEAP_MB=16385 $apps/seccomp/seccomp ok
refused "KEEL_POLL_US='soon' is not a whole number of microseconds from 0 to 1000" \
	--close-from 3 env KEEL_POLL_US=soon $apps/seccomp/seccomp ok
refused "KEEL_POLL_US='1001' is not a whole number" \
	--close-from 3 env KEEL_POLL_US=1001 $apps/seccomp/seccomp ok
refused "KEEL_POLL_US='-5' is not a whole number" \
	--close-from 3 env KEEL_POLL_US=-5 $apps/seccomp/seccomp ok
refused "KEEL_POLL_US='' is not a whole number" \
	--close-from 3 env KEEL_POLL_US= $apps/seccomp/seccomp ok

# What the platform accepts: the right descriptors, a small heap, an
# O_APPEND file (pwrite must still honour offsets).
out=$("$status" --close-from 4 $apps/blockrw/blockrw 8192 3<>"$disk" 2>&1)
expect_line "$out" "exit 0"
out=$("$status" --close-from 4 $apps/blockrw/blockrw 8192 3>>"$disk" 2>&1)
printf '%s\n' "$out" | grep -q "not open for reading and writing" || fail "O_WRONLY|O_APPEND: $out"
out=$("$status" --close-from 3 env KEEL_HEAP_MB=2 $apps/seccomp/seccomp ok 2>&1)
expect_line "$out" "exit 0"
for us in 0 1000; do
	out=$("$status" --close-from 3 env KEEL_POLL_US=$us $apps/seccomp/seccomp ok 2>&1)
	expect_line "$out" "exit 0"
done

# ---- keel-launch ------------------------------------------------------------

img=$apps/blockrw/blockrw
refused "unknown option '--frob'" $launch --frob $img
refused "no IMAGE given" $launch --block storage="$disk"
refused "--block expects NAME=FILE" $launch --block storage $img
refused "--heap-mb expects a number of MiB from 1 to 16384, not 'x'" $launch --heap-mb x $img
refused "--poll-us expects a number of microseconds from 0 to 1000, not '1001'" \
	$launch --poll-us 1001 $img
refused "--poll-us expects a number of microseconds from 0 to 1000, not '+5'" \
	$launch --poll-us=+5 $img
refused "$img needs block device 'storage': give --block storage=FILE" $launch $img
refused "$img declares no device 'other' (it declares block storage)" \
	$launch --block storage="$disk" --block other="$disk" $img
refused "'storage' is a block device of $img: give it with --block NAME=FILE" \
	$launch --net storage=tap:none0 $img
refused "device 'storage' is given twice" \
	$launch --block storage="$disk" --block storage="$disk" $img
refused "block device 'storage': cannot open '$tmp/nope': No such file or directory" \
	$launch --block storage="$tmp/nope" $img
refused "block device 'storage': '/dev/null' is neither a regular file nor a block device" \
	$launch --block storage=/dev/null $img
refused "block device 'storage': cannot open '$tmp': Is a directory" \
	$launch --block storage="$tmp" $img
refused "block device 'storage': '$tmp/tiny' is smaller than one 512-byte block" \
	$launch --block storage="$tmp/tiny" $img
refused "net device 'service': no network interface 'nosuch0'" \
	$launch --net service=tap:nosuch0 $apps/netio/netio
refused "--net service=eth0: the value must be tap:IFNAME" \
	$launch --net service=eth0 $apps/netio/netio
refused "$tmp/nope: cannot open: No such file or directory" $launch "$tmp/nope"
refused "$tmp/tiny: not an ELF file" $launch "$tmp/tiny"
refused "not an ELF file" $launch tests/linux/devices.t
head -c 2000 $img >"$tmp/truncated"
refused "$tmp/truncated: truncated ELF" $launch "$tmp/truncated"
refused "malformed manifest: device 'twin' is declared twice" $launch $apps/dupname/dupname
refused "not an ELF executable" $launch "$status"

# An image whose target note names another target. The notes are rebuilt
# byte by byte (keel/manifest.h: namesz 5, descsz 32, type, "Keel" padded
# to 8, the name padded to 32) and must first match the real section.
note() { # note TYPE NAME (TYPE a digit 1-7)
	printf '\005\000\000\000\040\000\000\000'
	printf "\\00$1\\000\\000\\000"
	printf 'Keel\000\000\000\000%s' "$2"
	head -c $((32 - ${#2})) /dev/zero
}
objcopy --dump-section .note.keel="$tmp/notes" $img "$tmp/scratch" || fail "objcopy --dump-section"
{ note 3 storage; note 1 linux; } >"$tmp/linux.notes"
cmp -s "$tmp/notes" "$tmp/linux.notes" || fail "the rebuilt notes differ from the image's"
{ note 3 storage; note 1 xen; } >"$tmp/xen.notes"
objcopy --update-section .note.keel="$tmp/xen.notes" $img "$tmp/xen-image" ||
	fail "objcopy --update-section"
refused "$tmp/xen-image was built for target 'xen', not linux" \
	$launch --block storage="$disk" "$tmp/xen-image"
refused "this image was built for target 'xen', not linux" \
	--close-from 4 "$tmp/xen-image" 3<>"$disk"

# A linux image for another machine (e_machine, bytes 18-19, set to 183).
cp $img "$tmp/arm-image"
printf '\267\000' | dd of="$tmp/arm-image" bs=1 seek=18 conv=notrunc 2>/dev/null
refused "$tmp/arm-image is a linux image for aarch64" $launch --block storage="$disk" "$tmp/arm-image"

# Help, and a good launch with arguments and a heap size.
out=$($launch --help) || fail "--help exited with $?"
printf '%s\n' "$out" | grep -q "^usage: keel-launch" || fail "--help: $out"
out=$("$status" $launch --heap-mb 8 --block storage="$disk" $img -- 8192 2>&1)
expect_line "$out" "blockrw: capacity 8192 block size 512"
expect_line "$out" "exit 0"

pass "devices: $count refusals, each one line with exit status 2"
