#!/bin/sh
# Booting through GRUB 2's multiboot loader, as from a disk or CD: a
# bootable ISO made with grub-mkrescue holds the image, and a grub.cfg
# that boots it at once with `multiboot`; QEMU's pc machine boots the
# ISO (SeaBIOS, then GRUB). hello runs and exits 0; exitn, given "3"
# on GRUB's command line, exits 3, which reaches QEMU's exit device.
# GRUB 2 passes only the arguments (not the image's path, as QEMU's own
# multiboot loader does), so argv[1] must be "3", not a path.
#
# Needs grub-mkrescue (Debian: grub-common, grub-pc-bin) and what it
# uses, xorriso and mtools; `keel setup --test` installs them.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

for t in grub-mkrescue xorriso mformat; do
	command -v "$t" >/dev/null 2>&1 ||
		fail "$t is missing (Debian packages grub-common grub-pc-bin xorriso mtools)"
done
[ -d /usr/lib/grub/i386-pc ] || fail "GRUB's i386-pc modules are missing (Debian package grub-pc-bin)"

x86_build examples/hello tests/vm/exitn
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# iso NAME ARGS...: $tmp/NAME.iso boots build/.../NAME with ARGS.
iso() {
	name=$1
	shift
	rm -rf "$tmp/root"
	mkdir -p "$tmp/root/boot/grub" || fail "mkdir failed"
	cp "$(x86_image "$name")" "$tmp/root/boot/" || fail "cannot copy $name"
	cat >"$tmp/root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "$(basename "$name")" {
	multiboot /boot/$(basename "$name") $*
	boot
}
CFG
	grub-mkrescue -d /usr/lib/grub/i386-pc -o "$tmp/$(basename "$name").iso" "$tmp/root" \
		>"$tmp/mkrescue.log" 2>&1 || fail "grub-mkrescue failed: $(tail -n 5 "$tmp/mkrescue.log")"
}

iso examples/hello
qemu_direct 0 -M pc -cpu max -cdrom "$tmp/hello.iso"
expect_line "$out" "Hello from Keel"

iso tests/vm/exitn 3
qemu_direct 3 -M pc -cpu max -cdrom "$tmp/exitn.iso"
expect_line "$out" "exitn: returning 3"

pass "x86_64 GRUB: hello boots from a grub-mkrescue ISO and exits 0; exitn 3 exits 3"
