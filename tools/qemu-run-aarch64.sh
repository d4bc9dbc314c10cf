#!/bin/sh
# qemu-run-aarch64.sh — runs a Keel aarch64 image on QEMU's virt board and
# ends with the image's exit status.
#
#   qemu-run-aarch64.sh [--cpu cortex-a72|max|...] [--gic 2|3] [--el2]
#                       [--mem MB] [--accel auto|kvm|tcg]
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
# QEMU fills the board's transports from the lowest address up), and a
# virtio-rng device is added last. The forms are those of qemu-run.sh.
#
# Exit status:
#   0..255  the image's own: it writes "keel-exit N" as its last console
#           line and powers the machine off through PSCI; the console is
#           also logged to a file here, from which N is read
#   2       refused: bad option, unreadable or broken image, an image for
#           another target, or QEMU failed to start
#   125     the VM ended without an exit status
#   130/143 stopped by SIGINT / SIGTERM
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
OBJCOPY=${OBJCOPY:-aarch64-linux-gnu-objcopy}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 2
}

# add_device KIND NAME=SPEC: checks the option's form, records it in
# dev_KIND_NAME.
add_device() {
	kind=$1
	case "$2" in
	*=*) ;;
	*) die "--$kind '$2': want NAME=$([ "$kind" = net ] && echo 'user[:...] or NAME=tap:IFNAME' || echo FILE)" ;;
	esac
	name=${2%%=*}
	spec=${2#*=}
	case "$name" in
	[a-z]*) ;;
	*) die "--$kind '$2': the device name must start with a lower-case letter" ;;
	esac
	case "$name" in
	*[!a-z0-9_]*) die "--$kind '$2': device names use only a-z, 0-9 and _" ;;
	esac
	[ ${#name} -le 31 ] || die "--$kind '$2': the device name is longer than 31 characters"
	if printf '%s' "$given" | grep -q " $name\$"; then
		die "device '$name' is given twice"
	fi
	case "$kind:$spec" in
	net:user | net:user:*)
		for pair in $(printf '%s' "${spec#user}" | tr ',:' '  '); do
			case "$pair" in
			tcp | udp) ;;
			*-*)
				h=${pair%-*}
				g=${pair#*-}
				case "$h$g" in
				'' | *[!0-9]*) die "--net $name: '$pair' is not HOSTPORT-GUESTPORT" ;;
				esac
				[ "$h" -ge 1 ] && [ "$h" -le 65535 ] && [ "$g" -ge 1 ] && [ "$g" -le 65535 ] ||
					die "--net $name: ports in '$pair' must be 1..65535"
				;;
			*) die "--net $name: '$pair' is not HOSTPORT-GUESTPORT" ;;
			esac
		done
		;;
	net:tap:?*)
		ifname=${spec#tap:}
		case "$ifname" in
		*[!A-Za-z0-9_.-]*) die "--net $name: '$ifname' is not an interface name" ;;
		esac
		[ ${#ifname} -le 15 ] || die "--net $name: interface name '$ifname' is longer than 15 characters"
		;;
	net:*) die "--net $name: '$spec' is neither user[:HOSTPORT-GUESTPORT,...] nor tap:IFNAME" ;;
	block:) die "--block $name: no file given (want --block $name=FILE)" ;;
	block:*)
		[ -e "$spec" ] || die "--block $name: '$spec' does not exist (create it, e.g. with truncate -s 64M)"
		[ -f "$spec" ] || [ -b "$spec" ] || die "--block $name: '$spec' is neither a file nor a block device"
		[ -r "$spec" ] && [ -w "$spec" ] || die "--block $name: '$spec' is not readable and writable"
		if [ -f "$spec" ] && [ $(($(wc -c <"$spec") % 512)) -ne 0 ]; then
			die "--block $name: '$spec' is $(wc -c <"$spec") bytes, not a whole number of 512-byte sectors"
		fi
		;;
	esac
	given="$given
$kind $name"
	eval "dev_${kind}_$name=\$spec"
}

usage() {
	cat <<EOF2
usage: qemu-run-aarch64.sh [--cpu CPU] [--gic 2|3] [--el2] [--mem MB]
                           [--accel auto|kvm|tcg] [--net ...] [--block ...]
                           IMAGE [-- ARGS...]
Runs a Keel aarch64 image on QEMU's virt board; exits with the image's status.
  --cpu CPU     QEMU CPU model (default max; cortex-a72 has no RNDR)
  --gic V       GIC version 2 or 3 (default 3)
  --el2         enter at EL2 (virtualization=on)
  --mem MB      guest memory in MiB (default 64)
  --accel A     kvm, tcg, or auto (default: KVM on an arm64 host if it works)
EOF2
}

cpu=max
gic=3
el2=
mem=64
accel=auto
image=
given=
while [ $# -gt 0 ]; do
	case "$1" in
	--cpu | --gic | --mem | --accel | --net | --block)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case "$1" in
		--cpu) cpu=$2 ;;
		--gic) gic=$2 ;;
		--mem) mem=$2 ;;
		--accel) accel=$2 ;;
		--net | --block) add_device "${1#--}" "$2" ;;
		esac
		shift 2
		;;
	--el2) el2=,virtualization=on; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*)
		[ -z "$image" ] || die "one image only; got '$image' and '$1' (image arguments go after --)"
		image=$1
		shift
		;;
	esac
done

case "$cpu" in
'' | *[!a-z0-9_.-]*) die "--cpu '$cpu' is not a CPU model name" ;;
esac
case "$gic" in
2 | 3) ;;
*) die "--gic wants 2 or 3, not '$gic'" ;;
esac
case "$mem" in
'' | *[!0-9]*) die "--mem wants a whole number of MiB, not '$mem'" ;;
esac
[ "$mem" -ge 8 ] && [ "$mem" -le 262144 ] || die "--mem $mem is out of range (8..262144 MiB)"
case "$accel" in
auto | kvm | tcg) ;;
*) die "unknown accelerator '$accel' (auto, kvm or tcg)" ;;
esac

# ---- The image ---------------------------------------------------------------

[ -n "$image" ] || die "no image given (see --help)"
[ -f "$image" ] && [ -r "$image" ] || die "image '$image' is not a readable file"
command -v "$QEMU" >/dev/null 2>&1 || die "$QEMU not found; install the Debian package qemu-system-arm"
command -v "$OBJCOPY" >/dev/null 2>&1 || die "$OBJCOPY not found; install the Debian package gcc-aarch64-linux-gnu"

inspect=$ROOT/build/host/bin/keel-inspect
if [ ! -x "$inspect" ]; then
	make -s -C "$ROOT" tools >/dev/null 2>&1 || die "cannot build keel-inspect (make tools)"
fi
info=$("$inspect" "$image" 2>&1) || die "'$image' is not a valid Keel image: ${info#keel-inspect: }"
target=$(printf '%s\n' "$info" | sed -n 's/^target: *\([a-z0-9_]*\).*/\1/p')
[ "$target" = aarch64 ] ||
	die "'$image' was built for target '${target:-unknown}', not aarch64 (build it with TARGET=aarch64)"

# ---- Devices --------------------------------------------------------------------

printf '%s\n' "$info" | grep -q '^host: *hostnet' &&
	die "'$image' uses the host's sockets (lib/net-socket), which only the linux target has"
declared=$(printf '%s\n' "$info" | sed -n 's/^.*handle [0-9][0-9]*: *\([a-z]*\)  *\([a-z0-9_]*\).*/\1 \2/p')
declared_list=$(printf '%s\n' "$declared" | sed '/^$/d' | tr '\n' ',' | sed 's/,$//; s/,/, /g')
for d in $(printf '%s\n' "$given" | sed '/^$/d' | tr ' ' ':'); do
	kind=${d%%:*}
	name=${d#*:}
	printf '%s\n' "$declared" | grep -qx "$kind $name" && continue
	other=$(printf '%s\n' "$declared" | sed -n "s/^\([a-z]*\) $name\$/\1/p")
	[ -n "$other" ] && die "--$kind $name: '$name' is a $other device in the image; give it with --$other"
	die "--$kind $name: the image declares no $kind device '$name' (it declares: ${declared_list:-none})"
done

shell_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
qargs=
add_arg() {
	for a in "$@"; do
		qargs="$qargs $(shell_quote "$a")"
	done
}

reachable=
t=0
for d in $(printf '%s\n' "$declared" | sed '/^$/d' | tr ' ' ':'); do
	kind=${d%%:*}
	name=${d#*:}
	eval "spec=\${dev_${kind}_$name-}"
	if [ -z "$spec" ]; then
		if [ "$kind" = net ]; then
			die "the image declares net device '$name'; give it with --net $name=user[:HOSTPORT-GUESTPORT,...] or --net $name=tap:IFNAME"
		fi
		die "the image declares block device '$name'; give it with --block $name=FILE"
	fi
	case "$kind:$spec" in
	net:user*)
		fwd=
		proto=tcp
		for p in $(printf '%s' "${spec#user}" | tr ',:' '  '); do
			case "$p" in
			tcp | udp) proto=$p; continue ;;
			esac
			fwd="$fwd,hostfwd=$proto:127.0.0.1:${p%-*}-:${p#*-}"
			reachable="$reachable
$PROG: net $name: host $proto port ${p%-*} -> guest port ${p#*-} (user networking, guest 10.0.2.15)"
			proto=tcp
		done
		add_arg -netdev "user,id=net$t$fwd"
		;;
	net:tap:*)
		add_arg -netdev "tap,id=net$t,ifname=${spec#tap:},script=no,downscript=no"
		reachable="$reachable
$PROG: net $name: TAP ${spec#tap:}"
		;;
	block:*)
		add_arg -drive "if=none,id=blk$t,format=raw,file=$(printf '%s' "$spec" | sed 's/,/,,/g')"
		;;
	esac
	case "$kind" in
	net) add_arg -device "virtio-net-device,netdev=net$t,mac=52:54:00:12:34:$(printf '%02x' $((0x56 + t)))" ;;
	block) add_arg -device "virtio-blk-device,drive=blk$t" ;;
	esac
	t=$((t + 1))
done
add_arg -object rng-builtin,id=rng0 -device virtio-rng-device,rng=rng0

# ---- Accelerator, command line ---------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-qemu.XXXXXX") || die "cannot make a temporary folder"
signal=
trap 'rm -rf "$tmp"' EXIT
trap 'signal=2' INT
trap 'signal=15' TERM
trap 'signal=1' HUP

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

append=
for a in "$@"; do
	case "$a" in
	*\"*\'* | *\'*\"*) die "argument '$a' holds both kinds of quotes, which the image cannot parse" ;;
	'' | *[\ \	\'\"]*)
		case "$a" in
		*\"*) a="'$a'" ;;
		*) a="\"$a\"" ;;
		esac
		;;
	esac
	append="${append:+$append }$a"
done
[ -z "$reachable" ] || printf '%s\n' "${reachable#?}" >&2

"$OBJCOPY" -O binary "$image" "$tmp/Image" 2>"$tmp/objcopy.err" ||
	die "'$image': cannot make the flat Image: $(cat "$tmp/objcopy.err")"
[ "$(dd if="$tmp/Image" bs=1 skip=56 count=4 2>/dev/null)" = "ARMd" ] ||
	die "'$image' has no arm64 Image header (magic) at its start"

# ---- Run ------------------------------------------------------------------------

console=$tmp/console
eval "set -- $qargs"
"$QEMU" -accel "$accel" -M "virt,gic-version=$gic$el2" -cpu "$cpu" -m "$mem" \
	-global virtio-mmio.force-legacy=false \
	-display none -nodefaults -no-user-config -no-reboot \
	-chardev "stdio,id=con,logfile=$console,signal=on" -serial chardev:con \
	"$@" -kernel "$tmp/Image" -append "$append"
rc=$?

status=$(sed -n 's/.*keel-exit \([0-9][0-9]*\)\r*$/\1/p' "$console" 2>/dev/null | tail -n 1)
if [ -n "$status" ]; then
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
