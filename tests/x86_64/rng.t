#!/bin/sh
# kp_random with virtio-rng: on a CPU without RDRAND and RDSEED (TCG's
# -cpu max with both taken away) examples/hello still gets random bytes
# when the machine has a virtio-rng device — modern virtio-mmio named on
# the command line, legacy virtio-mmio found at microvm's addresses,
# modern virtio-pci on q35 — and different ones each boot; without the
# device it has no entropy and says so. With both sources (qemu-run.sh
# always adds the device, -cpu max has RDRAND) it works too (hello.t).
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build examples/hello
img=$(x86_image examples/hello)
cpu="max,-rdrand,-rdseed"

random_line() {
	line=$(printf '%s\n' "$out" | grep -E '^random:( [0-9a-f]{2}){8}$') ||
		fail "$1: no random line; said: $out"
	printf '%s' "$line"
}

qemu_direct 0 -M microvm -cpu "$cpu" -global virtio-mmio.force-legacy=false \
	-device virtio-rng-device,bus=virtio-mmio-bus.1 -kernel "$img" \
	-append "virtio_mmio.device=512@0xfeb00200:25"
a=$(random_line "modern virtio-mmio")
qemu_direct 0 -M microvm -cpu "$cpu" -device virtio-rng-device -kernel "$img"
b=$(random_line "legacy virtio-mmio")
qemu_direct 0 -M q35 -cpu "$cpu" -device virtio-rng-pci,disable-legacy=on -kernel "$img"
c=$(random_line "virtio-pci")
[ "$a" != "$b" ] && [ "$b" != "$c" ] && [ "$a" != "$c" ] ||
	fail "three boots printed the same random bytes: $a / $b / $c"

# No CPU generator and no device: no entropy, and the image says so.
qemu_direct 1 -M microvm -cpu "$cpu" -kernel "$img"
expect_line "$out" "hello: no entropy"

pass "x86_64 rng: kp_random from virtio-rng alone on modern and legacy MMIO and PCI; none without it"
