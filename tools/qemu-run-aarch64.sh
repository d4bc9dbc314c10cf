#!/bin/sh
# qemu-run-aarch64.sh — runs a Keel aarch64 image on QEMU's virt board and
# ends with the image's exit status.
#
#   qemu-run-aarch64.sh [--cpu cortex-a72|max|...] [--gic 2|3] [--el2] [--pci]
#                       [--mem MB] [--accel auto|kvm|tcg] [--no-semihosting]
#                       [--net NAME=user[:[tcp:|udp:]HOSTPORT-GUESTPORT,...]]
#                       [--net NAME=tap:IFNAME] [--block NAME=FILE]
#                       IMAGE [-- ARGS...]
#
# The image (an ELF file, as the build makes it) is turned into a flat
# arm64 Image (objcopy -O binary: its first bytes are the Image header)
# that QEMU loads with -kernel, handing it the device tree in x0. The
# console is the PL011, on the terminal; ARGS become /chosen/bootargs
# (argv[1..]; arguments with spaces are quoted as the image parses them).
#
# Devices: every device the image's manifest declares must be given, by
# name and kind, and nothing else (read with keel-inspect); they are
# attached in manifest order as virtio-mmio devices (virtio-*-device;
# QEMU fills the board's transports from the lowest address up), or with
# --pci as modern virtio-pci devices (disable-legacy=on) in slots 3, 4,
# ... of the board's PCIe root bus, and a virtio-rng device is added
# last. The options, their forms and checks
# are those of qemu-run.sh (both source tools/qemu-run-lib.sh).
#
# Exit status:
#   0..255  the image's own. The image writes "keel-exit N" as its last
#           console line (the console is also logged to a file here),
#           then ends QEMU through semihosting's SYS_EXIT, which makes
#           QEMU itself exit with N; with --no-semihosting (or a host
#           without it) the image powers the machine off through PSCI
#           instead, QEMU exits 0, and N is read from the console's log
#   2       refused: bad option, unreadable or broken image, an image for
#           another target, or QEMU failed to start
#   125     the VM ended without an exit status
#   130/143 stopped by SIGINT / SIGTERM
#
# Semihosting is enabled as -semihosting-config enable=on,target=gdb:
# QEMU handles SYS_EXIT itself, and would pass every other request (open,
# read, write, remove or rename host files, run a host shell command:
# SYS_SYSTEM) to an attached gdb; none is ever attached (no -gdb/-s), and
# QEMU 7.2 then drops them, so the guest reaches nothing of the host
# (tests/aarch64/semihost.t checks it). target=native, which plain
# -semihosting means when no gdb stub is set up, would do all of those on
# the host with this user's rights: a guest taken over through its
# network would own the host user. The image uses only SYS_EXIT.
#
# --el2 starts the image at EL2 (virtualization=on), which it leaves for
# EL1 first thing. Accelerator: KVM only on an arm64 host where /dev/kvm
# works (with --cpu host); otherwise TCG.
#
# Needs: qemu-system-aarch64 (Debian: qemu-system-arm), objcopy for
# aarch64 (binutils-aarch64-linux-gnu, installed with gcc-aarch64-linux-gnu),
# and keel-inspect (built here with make when missing).
set -u

PROG=qemu-run-aarch64
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 2
QEMU=${QEMU:-qemu-system-aarch64}
QEMU_PACKAGE=qemu-system-arm
OBJCOPY=${OBJCOPY:-aarch64-linux-gnu-objcopy}
TARGET=aarch64
MEM_MIN=8
MEM_MAX=262144
. "$ROOT/tools/qemu-run-lib.sh"

usage() {
	cat <<EOF
usage: qemu-run-aarch64.sh [--cpu CPU] [--gic 2|3] [--el2] [--pci] [--mem MB]
                           [--accel auto|kvm|tcg] [--no-semihosting]
                           [--net ...] [--block ...] IMAGE [-- ARGS...]
Runs a Keel aarch64 image on QEMU's virt board; exits with the image's status.
  --cpu CPU         QEMU CPU model (default max; cortex-a72 has no RNDR)
  --gic V           GIC version 2 or 3 (default 3)
  --el2             enter at EL2 (virtualization=on)
  --pci             devices on PCI Express (virtio-*-pci) instead of virtio-mmio
  --mem MB          guest memory in MiB (default 64)
  --accel A         kvm, tcg, or auto (default: KVM on an arm64 host if it works)
  --no-semihosting  no semihosting exit: the status comes from the console
EOF
}

cpu=max
gic=3
el2=
semihosting=on
pci=
target_option() {
	case "$1" in
	--cpu) want_value "$@"; cpu=$2; used=2 ;;
	--gic) want_value "$@"; gic=$2; used=2 ;;
	--el2) el2=,virtualization=on; used=1 ;;
	--no-semihosting) semihosting=; used=1 ;;
	--pci) pci=1; used=1 ;;
	esac
}

parse_options "$@"
shift "$nopts"
check_common_options
case "$cpu" in
'' | *[!a-z0-9_.-]*) die "--cpu '$cpu' is not a CPU model name" ;;
esac
case "$gic" in
2 | 3) ;;
*) die "--gic wants 2 or 3, not '$gic'" ;;
esac

# ---- The image ---------------------------------------------------------------

check_image
command -v "$OBJCOPY" >/dev/null 2>&1 || die "$OBJCOPY not found; install the Debian package gcc-aarch64-linux-gnu"

# ---- Devices --------------------------------------------------------------------

check_devices
device_at() { # device_at DRIVER PROPERTIES: the -device for device $t
	if [ -n "$pci" ]; then
		add_arg -device "$1-pci,$2,disable-legacy=on,addr=$(printf '0x%x' $((3 + t)))"
	else
		add_arg -device "$1-device,$2"
	fi
	t=$((t + 1))
}
attach_devices

# ---- Accelerator, command line ---------------------------------------------------

make_run_dir
if [ "$accel" = auto ]; then
	accel=tcg
	[ "$(uname -m)" = aarch64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && accel=kvm
fi
if [ "$accel" = kvm ]; then
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || die "--accel kvm: /dev/kvm is not usable here"
	printf '%s: accelerator: KVM\n' "$PROG" >&2
	[ "$cpu" = max ] && cpu=host
else
	printf '%s: accelerator: TCG (software emulation)\n' "$PROG" >&2
fi

make_append "$@"
[ -z "$reachable" ] || printf '%s\n' "${reachable#?}" >&2

"$OBJCOPY" -O binary "$image" "$tmp/Image" 2>"$tmp/objcopy.err" ||
	die "'$image': cannot make the flat Image: $(cat "$tmp/objcopy.err")"
[ "$(dd if="$tmp/Image" bs=1 skip=56 count=4 2>/dev/null)" = "ARMd" ] ||
	die "'$image' has no arm64 Image header (magic) at its start"
[ -z "$semihosting" ] || add_arg -semihosting-config enable=on,target=gdb

# ---- Run ------------------------------------------------------------------------

console=$tmp/console
eval "set -- $qargs"
"$QEMU" -accel "$accel" -M "virt,gic-version=$gic$el2" -cpu "$cpu" -m "$mem" \
	-global virtio-mmio.force-legacy=false \
	-display none -nodefaults -no-user-config -no-reboot \
	-chardev "stdio,id=con,logfile=$console,signal=on" -serial chardev:con \
	"$@" -kernel "$tmp/Image" -append "$append"
rc=$?

# The console's last "keel-exit N" and, with semihosting, QEMU's own
# status must agree. QEMU exits 0 when the image powered the machine off
# (no semihosting after all: N from the console), and some other status
# of its own when it failed.
status=$(sed -n 's/.*keel-exit \([0-9][0-9]*\)\r*$/\1/p' "$console" 2>/dev/null | tail -n 1)
if [ -n "$status" ]; then
	if [ -n "$semihosting" ] && [ "$rc" -ne "$status" ] && [ "$rc" -ne 0 ]; then
		die "the image said keel-exit $status, but QEMU exited with $rc"
	fi
	exit "$status"
fi
if [ -n "$signal" ]; then
	exit $((128 + signal))
fi
if [ $rc -eq 0 ]; then
	printf '%s: the VM stopped without an exit status\n' "$PROG" >&2
	exit 125
fi
die "QEMU failed (status $rc)"
