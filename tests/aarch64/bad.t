#!/bin/sh
# Bad input to tools/qemu-run-aarch64.sh and to an aarch64 image: every
# case ends with a clear message and a non-zero status, never a hang.
# Empty, garbage and truncated files, images for linux and x86_64, bad
# options, and devices that do not match the manifest are refused before
# QEMU starts (status 2); a flat Image without its header is refused; a
# declared device the machine lacks is refused by the image, before main.
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

a64_build examples/hello tests/linux/blockrw tests/x86_64/netdev
img=$(a64_image examples/hello)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

refused() { # refused PATTERN ARGS...: qemu-run-aarch64.sh ARGS exits 2 saying PATTERN
	pat=$1
	shift
	a64_run 2 "$@"
	expect_text "$out" "$pat"
}

: >"$tmp/empty"
refused "not a valid Keel image" "$tmp/empty"
head -c 40000 /dev/urandom >"$tmp/garbage"
refused "not a valid Keel image" "$tmp/garbage"
head -c 1000 "$img" >"$tmp/head"
refused "not a valid Keel image" "$tmp/head"
refused "does not exist" "$tmp/missing"
refused "is not a file" "$tmp"

make -s app APP=examples/hello >/dev/null 2>&1 || fail "hello does not build for linux"
refused "built for target 'linux', not aarch64" build/linux/apps/hello/hello
if make -s TARGET=x86_64 app APP=examples/hello >/dev/null 2>&1; then
	refused "built for target 'x86_64', not aarch64" build/x86_64/apps/hello/hello
fi

refused "unknown option '--frob'" --frob "$img"
refused "--gic wants 2 or 3" --gic 4 "$img"
refused "out of range" --mem 2 "$img"
refused "whole number" --mem 2x "$img"
refused "not a CPU model name" --cpu 'a b' "$img"
refused "both kinds of quotes" "$img" -- "it's \"quoted\""

# Devices against the manifest.
refused "declares no net device 'x'" --net x=user "$img"
blk=$(a64_image tests/linux/blockrw)
refused "declares block device 'storage'" "$blk"
refused "is a block device in the image" --net storage=user "$blk"
: >"$tmp/disk"
head -c 1000 /dev/zero >"$tmp/odd"
refused "not a whole number of 512-byte sectors" --block storage="$tmp/odd" "$blk"

# By hand, without the device the image declares: the image refuses.
a64_flat "$(a64_image tests/x86_64/netdev)" "$tmp/Image"
a64_direct 2 -M virt -cpu max -kernel "$tmp/Image"
expect_text "$out" "is declared, but the machine has no virtio-net device"

pass "aarch64 bad input: files, targets, options, devices refused with a message"
