#!/bin/sh
# Bad input to tools/qemu-run.sh and to an x86_64 image: every case ends
# with a clear message and a non-zero status, never a hang. Truncated,
# empty and garbage files and an image for linux are refused before QEMU
# starts (status 2); an image whose boot code is damaged stops the VM
# (status 125); too little memory and a device the platform cannot
# provide are refused by the image itself, before main (status 2).
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build examples/hello tests/x86_64/netdev tests/x86_64/bigbss
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

# Too little memory: the image itself says so (600 KiB of bss in 2 MiB).
x86_run 2 --mem 2 "$(x86_image tests/x86_64/bigbss)"
expect_text "$out" "Keel needs at least 512 KiB"
printf '%s\n' "$out" | grep -q "main ran" && fail "bigbss: main ran"

# A device the platform cannot provide: refused before main.
x86_run 2 "$(x86_image tests/x86_64/netdev)"
expect_text "$out" "this image needs net device 'service'"
printf '%s\n' "$out" | grep -q "main ran" && fail "netdev: main ran"

pass "x86_64 bad input: 15 cases refused with a message, none hung"
