#!/bin/sh
# qemu-run.sh — runs a Keel x86_64 image under QEMU and ends with the
# image's exit status.
#
#   qemu-run.sh [--machine microvm|pc|q35] [--mem MB] [--accel auto|kvm|tcg]
#               [--net NAME=user[:[tcp:|udp:]HOSTPORT-GUESTPORT,...]]
#               [--net NAME=tap:IFNAME] [--block NAME=FILE]
#               IMAGE [-- ARGS...]
#
# The console is the terminal (serial port on stdio); Ctrl-C stops QEMU.
# ARGS become the image's argv[1..] (QEMU's -append; arguments with
# spaces are quoted, as the image's command-line parser understands).
#
# Devices: every device the image's manifest declares must be given, by
# its name and kind, and nothing else (read with keel-inspect; a mismatch
# is refused with one line saying which). They are attached in manifest
# order, which is the order the image matches them in (platform/x86_64/
# README.md): on microvm as virtio-mmio devices (virtio-*-device, modern,
# on transports 0, 1, ... named to the image with virtio_mmio.device= on
# its command line), on pc and q35 as modern virtio-pci devices
# (disable-legacy=on) in PCI slots 3, 4, ... A virtio-rng device is always
# added last, for kp_random.
#   --net NAME=user          QEMU user-mode networking (no root; the guest
#                            is 10.0.2.15/24, gateway 10.0.2.2, which also
#                            answers DHCP); each HOSTPORT-GUESTPORT pair
#                            forwards a host port (TCP unless udp: is said)
#                            on all host addresses to the guest
#   --net NAME=tap:IFNAME    the existing TAP interface IFNAME (script=no)
#   --block NAME=FILE        FILE (raw bytes, must exist and be writable)
#
# Exit status:
#   0..255  the image's own status, exactly: the image writes it to port
#           0xe9 (an isa-debugcon whose output goes to a file here) just
#           before it ends QEMU through isa-debug-exit, whose own status
#           (2 * N + 1, mod 256) cannot carry all 256 values
#   2       refused: bad option, unreadable or broken image, an image for
#           another target, or QEMU failed to start
#   125     the VM ended without an exit status (a reset or triple fault)
#   130/143 stopped by SIGINT (Ctrl-C) / SIGTERM
#
# Accelerator: KVM when /dev/kvm can be opened and a tiny test VM runs on
# it (some hosts have a /dev/kvm that cannot run guests); the verdict is
# kept in build/host/kvm-probe until the host reboots. Otherwise TCG.
# Which one is used is said on stderr.
#
# Needs: qemu-system-x86_64 (Debian: qemu-system-x86), readelf
# (binutils), and keel-inspect (built here with make when missing).
set -u

PROG=qemu-run
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 2
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_PACKAGE=qemu-system-x86
TARGET=x86_64
# Below 2 MiB the image (loaded at 1 MiB) does not even fit; a larger
# image's own need is read from its segments (below), and the image says
# itself when too little is left for its page tables, heap and devices.
MEM_MIN=2
MEM_MAX=1048576
. "$ROOT/tools/qemu-run-lib.sh"

usage() {
	cat <<EOF
usage: qemu-run.sh [--machine microvm|pc|q35] [--mem MB] [--accel auto|kvm|tcg]
                   [--net ...] [--block ...] IMAGE [-- ARGS...]
Runs a Keel x86_64 image under QEMU; exits with the image's status.
  --machine M   QEMU machine type (default microvm: no firmware, fastest)
  --mem MB      guest memory in MiB (default 64; images need at least 2)
  --accel A     kvm, tcg, or auto (default: KVM if it works here)
EOF
}

machine=microvm
target_option() {
	case "$1" in
	--machine) want_value "$@"; machine=$2; used=2 ;;
	esac
}

parse_options "$@"
shift "$nopts"
check_common_options
case "$machine" in
microvm | pc | q35) ;;
*) die "unknown machine '$machine' (microvm, pc or q35)" ;;
esac

# ---- The image ---------------------------------------------------------------

check_image

# Every loadable segment must be in the file: a truncated image would
# otherwise be loaded with a hole and run into it.
size=$(wc -c <"$image")
segs=$(readelf -lW "$image" 2>/dev/null) || die "'$image': readelf cannot read its program headers"
short=$(printf '%s\n' "$segs" | awk -v size="$size" '
	function hex(s,   i, c, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			if (c < 0) return -1
			v = v * 16 + c
		}
		return v
	}
	$1 == "LOAD" { if (hex($2) + hex($5) > size + 0) { print hex($2) + hex($5); exit } }')
[ -z "$short" ] || die "'$image' is truncated: its segments need $short bytes, the file has $size"

# The image lies in RAM from 1 MiB up to the end of its last segment
# (bss included), and the heap needs at least 512 KiB above it: a lower
# bound on the memory it needs (the page tables and the devices' buffers
# come on top; the image itself says so when those do not fit).
image_kib=$(printf '%s\n' "$segs" | awk '
	function hex(s,   i, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	$1 == "LOAD" { e = hex($3) + hex($6); if (e > end) end = e }
	END { print int((end + 1023) / 1024) }')
need_mib=$(((image_kib + 512 + 1023) / 1024))
[ "$mem" -ge "$need_mib" ] ||
	die "'$image' needs at least $need_mib MiB of memory (its code, data and bss end at $image_kib KiB, and the heap needs 512 KiB more); --mem $mem is too small"

# ---- Devices --------------------------------------------------------------------

check_devices

# Device t (0, 1, ... in manifest order, virtio-rng last): on microvm
# virtio-mmio transport t + 1 (QEMU's bus virtio-mmio-bus.N sits at
# 0xfeb00000 + 512 N on interrupt input 24 + N with microvm's default two
# IOAPICs; transport 0 is skipped: QEMU 7.2 delivers input 0 of every
# IOAPIC on its input 2, so 24 would arrive as 26), named to the image on
# its command line; on pc and q35 PCI slot 3 + t.
mmio_entries=
t=0
device_at() { # device_at DRIVER PROPERTIES: the -device for device $t
	if [ "$machine" = microvm ]; then
		n=$((t + 1))
		add_arg -device "$1-device,$2,bus=virtio-mmio-bus.$n"
		mmio_entries="$mmio_entries virtio_mmio.device=512@0x$(printf '%x' $((0xfeb00000 + n * 512))):$((24 + n))"
	else
		add_arg -device "$1-pci,$2,disable-legacy=on,addr=$(printf '0x%x' $((3 + t)))"
	fi
	t=$((t + 1))
}

[ "$machine" = microvm ] && add_arg -global virtio-mmio.force-legacy=false
attach_devices

# ---- The accelerator ---------------------------------------------------------

# A 64 KiB firmware image for the probe: at the reset vector, a jump to
# code that turns SSE on, moves a value through %xmm1 and writes 0x2a to
# isa-debug-exit (QEMU then exits with 0x2a * 2 + 1 = 85).
write_probe_bios() {
	dd if=/dev/zero of="$1" bs=1024 count=64 2>/dev/null || return 1
	# At 0xf000: mov %cr0,%eax; and $0xfb,%al; or $2,%al; mov %eax,%cr0;
	# mov %cr4,%eax; or $0x600,%eax; mov %eax,%cr4; movd %eax,%xmm1;
	# movd %xmm1,%eax; mov $0x2a,%al; out %al,$0xf4; hlt; jmp .-1
	printf '\017\040\300\044\373\014\002\017\042\300\017\040\340\146\015\000\006\000\000\017\042\340\146\017\156\310\146\017\176\310\260\052\346\364\364\353\375' |
		dd of="$1" bs=1 seek=61440 conv=notrunc 2>/dev/null || return 1
	# At 0xfff0 (the reset vector): jmp 0xf000.
	printf '\351\015\360' | dd of="$1" bs=1 seek=65520 conv=notrunc 2>/dev/null
}

kvm_works() {
	[ -e /dev/kvm ] || { why="no /dev/kvm"; return 1; }
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { why="/dev/kvm is not accessible to $(id -un)"; return 1; }
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) || boot_id=
	cache=$ROOT/build/host/kvm-probe
	if [ -n "$boot_id" ] && [ -r "$cache" ]; then
		case "$(cat "$cache")" in
		"$boot_id ok") return 0 ;;
		"$boot_id fail") why="KVM failed a test run on this host"; return 1 ;;
		esac
	fi
	write_probe_bios "$tmp/probe.bin" || { why="cannot write the probe"; return 1; }
	timeout 3 "$QEMU" -accel kvm -M microvm -m 16 -display none -nodefaults -no-reboot \
		-bios "$tmp/probe.bin" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		>/dev/null 2>&1 </dev/null
	rc=$?
	verdict=fail
	[ $rc -eq 85 ] && verdict=ok
	if [ -n "$boot_id" ]; then
		mkdir -p "$ROOT/build/host" 2>/dev/null && printf '%s %s\n' "$boot_id" "$verdict" >"$cache" 2>/dev/null
	fi
	why="KVM failed a test run on this host"
	[ $verdict = ok ]
}

make_run_dir

why=
case "$accel" in
auto)
	if kvm_works; then accel=kvm; else accel=tcg; fi
	;;
kvm)
	kvm_works || die "--accel kvm: $why"
	;;
esac
if [ "$accel" = kvm ]; then
	printf '%s: accelerator: KVM\n' "$PROG" >&2
	cpu=host
else
	printf '%s: accelerator: TCG (software emulation%s)\n' "$PROG" "${why:+: $why}" >&2
	cpu=max # RDRAND, and whatever else TCG can offer
fi

# ---- The command line -----------------------------------------------------------

make_append "$@"
append="$append$mmio_entries"
[ -z "$reachable" ] || printf '%s\n' "${reachable#?}" >&2

# ---- Run ------------------------------------------------------------------------

status_file=$tmp/status
: >"$status_file"
eval "set -- $qargs"
"$QEMU" -accel "$accel" -M "$machine" -cpu "$cpu" -m "$mem" \
	-display none -nodefaults -no-user-config -no-reboot \
	-serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-chardev file,id=keelstatus,path="$status_file" \
	-device isa-debugcon,iobase=0xe9,chardev=keelstatus \
	"$@" -kernel "$image" -append "$append"
rc=$?

status=$(sed -n 's/^keel-exit \([0-9][0-9]*\)$/\1/p' "$status_file" | tail -n 1)
if [ -n "$status" ]; then
	exit "$status"
fi
if [ -n "$signal" ]; then
	exit $((128 + signal))
fi
if [ $rc -eq 0 ]; then
	printf '%s: the VM stopped without an exit status (a reset or triple fault?)\n' "$PROG" >&2
	exit 125
fi
if [ $rc -ge 3 ] && [ $((rc % 2)) -eq 1 ]; then
	# isa-debug-exit without a status line: an image that ended some
	# other way than kp_exit. Its status, modulo 128.
	exit $(((rc - 1) / 2))
fi
die "QEMU failed (status $rc)"
