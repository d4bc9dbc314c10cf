#!/bin/sh
# Bad input on the xen target: a clear message, a non-zero status, no
# hang. tools/xen-run.sh refuses images for other targets, broken files,
# a declared block device without its file, and bad options before Xen
# starts (status 2). The image refuses by itself too: booted by Xen
# directly as the initial domain (no launcher, no xenstore, so no
# backends), an image declaring a device stops before main with a
# message on Xen's console and status 2; booted on a machine without
# Xen, it says so on COM1 and ends.
set -u
. tests/lib.sh
. tests/xen/lib.sh

xen_build examples/hello tests/x86_64/netdev tests/linux/blockrw
img=$(xen_image examples/hello)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$xen_log_file" "$xen_err_file"' EXIT

refused() { # refused PATTERN ARGS...: xen-run.sh ARGS exits 2 saying PATTERN
	pat=$1
	shift
	xen_run 2 "$@"
	expect_text "$err" "$pat"
}

head -c $(($(wc -c <"$img") / 2)) "$img" >"$tmp/half"
refused "truncated" "$tmp/half"
head -c 40000 /dev/urandom >"$tmp/garbage"
refused "not a valid Keel image" "$tmp/garbage"
refused "not a readable file" "$tmp/missing"
make -s TARGET=x86_64 app APP=examples/hello >/dev/null 2>&1 || fail "hello does not build for x86_64"
refused "built for target 'x86_64', not xen" build/x86_64/apps/hello/hello
refused "declares block device 'storage': give it with --block storage=FILE" \
	"$(xen_image tests/linux/blockrw)"
refused "on xen a net device is NAME=bridge:BRIDGE" --net service=tap:t0 "$img"
refused "no readable file" --block storage="$tmp/missing" "$img"
refused "unknown option '--frob'" --frob "$img"
refused "out of range" --mem 2 "$img"
refused "both kinds of quotes" "$img" -- "it's \"quoted\""

# The initial domain has no xenstore: the client says so, cleanly.
xen_build tests/xen/xsread
xen_run 0 "$(xen_image tests/xen/xsread)"
expect_line "$out" "xenstore: none"

# Xen booting an image that declares a device, without the launcher.
cp "$(xen_image tests/x86_64/netdev)" "$tmp/netdev"
qemu-system-x86_64 -accel tcg -M q35 -cpu max -m 128 -display none -nodefaults -no-user-config \
	-no-reboot -serial "file:$tmp/console" -device amd-iommu \
	-kernel build/host/xen/xen -initrd "$tmp/netdev" \
	-append "console=com1 loglvl=warning dom0=pvh dom0_mem=32M bootscrub=false" \
	</dev/null >/dev/null 2>&1 &
qemu=$!
for _ in $(seq 600); do # up to 60 s: until Xen reports the domain gone
	grep -q "Hardware Dom0" "$tmp/console" 2>/dev/null && break
	sleep 0.1
done
kill "$qemu" 2>/dev/null
wait "$qemu"
out=$(tr -d '\r' <"$tmp/console")
expect_text "$out" "keel: net device 'service' is declared, but the domain has no xenstore to find its backend through"
expect_text "$out" "keel-exit 2"
expect_text "$out" "Hardware Dom0 halted"
printf '%s\n' "$out" | grep -q "netdev: main ran" && fail "main ran without its device"

# The xen image on a machine without Xen: QEMU's own PVH loader.
out=$(timeout -k 5 30 qemu-system-x86_64 -accel tcg -M microvm -m 64 -display none -nodefaults \
	-no-user-config -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$img" </dev/null 2>&1)
got=$?
[ "$got" -eq 5 ] || fail "without Xen: QEMU exited $got, want 5 (image status 2); said: $out"
expect_text "$out" "no Xen hypervisor was found"

pass "xen bad input: launcher refusals, a declared device refused by the image as the initial domain, no Xen"
