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

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 2
}

# add_device KIND NAME=SPEC: checks the option's form and records it in
# dev_KIND_NAME (names are [a-z][a-z0-9_]*, so they can name variables).
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
				[ -n "$h" ] && [ -n "$g" ] && [ "$h" -ge 1 ] && [ "$h" -le 65535 ] &&
					[ "$g" -ge 1 ] && [ "$g" -le 65535 ] ||
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
	block:)
		die "--block $name: no file given (want --block $name=FILE)" ;;
	block:*)
		[ -e "$spec" ] || die "--block $name: '$spec' does not exist (create it, e.g. with truncate -s 64M)"
		[ -f "$spec" ] || [ -b "$spec" ] || die "--block $name: '$spec' is neither a file nor a block device"
		[ -r "$spec" ] && [ -w "$spec" ] || die "--block $name: '$spec' is not readable and writable"
		# QEMU would count a partial last sector as whole and extend the
		# file when it is written; the linux target ignores it. Refused.
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
	cat <<EOF
usage: qemu-run.sh [--machine microvm|pc|q35] [--mem MB] [--accel auto|kvm|tcg]
                   IMAGE [-- ARGS...]
Runs a Keel x86_64 image under QEMU; exits with the image's status.
  --machine M   QEMU machine type (default microvm: no firmware, fastest)
  --mem MB      guest memory in MiB (default 64; images need at least 2)
  --accel A     kvm, tcg, or auto (default: KVM if it works here)
EOF
}

machine=microvm
mem=64
accel=auto
image=
given= # "kind name" of each --net/--block, one a line
while [ $# -gt 0 ]; do
	case "$1" in
	--machine | --mem | --accel | --net | --block)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case "$1" in
		--machine) machine=$2 ;;
		--mem) mem=$2 ;;
		--accel) accel=$2 ;;
		--net | --block) add_device "${1#--}" "$2" ;;
		esac
		shift 2
		;;
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

case "$machine" in
microvm | pc | q35) ;;
*) die "unknown machine '$machine' (microvm, pc or q35)" ;;
esac
case "$mem" in
'' | *[!0-9]*) die "--mem wants a whole number of MiB, not '$mem'" ;;
esac
# Below 2 MiB the image (loaded at 1 MiB) does not even fit; from 2 MiB it
# starts, and says itself when too little is left for its heap.
[ "$mem" -ge 2 ] && [ "$mem" -le 1048576 ] || die "--mem $mem is out of range (2..1048576 MiB)"
case "$accel" in
auto | kvm | tcg) ;;
*) die "unknown accelerator '$accel' (auto, kvm or tcg)" ;;
esac

# ---- The image ---------------------------------------------------------------

[ -n "$image" ] || die "no image given (see --help)"
[ -e "$image" ] || die "image '$image' does not exist"
[ -f "$image" ] || die "'$image' is not a file"
[ -r "$image" ] || die "image '$image' is not readable"
command -v "$QEMU" >/dev/null 2>&1 ||
	die "$QEMU not found; install the Debian package qemu-system-x86"

inspect=$ROOT/build/host/bin/keel-inspect
if [ ! -x "$inspect" ]; then
	make -s -C "$ROOT" tools >/dev/null 2>&1 || die "cannot build keel-inspect (make tools)"
fi
info=$("$inspect" "$image" 2>&1) || die "'$image' is not a valid Keel image: ${info#keel-inspect: }"
target=$(printf '%s\n' "$info" | sed -n 's/^target: *\([a-z0-9_]*\).*/\1/p')
[ "$target" = x86_64 ] ||
	die "'$image' was built for target '${target:-unknown}', not x86_64 (build it with TARGET=x86_64)"

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

# ---- Devices --------------------------------------------------------------------

printf '%s\n' "$info" | grep -q '^host: *hostnet' &&
	die "'$image' uses the host's sockets (lib/net-socket), which only the linux target has"
# "kind name", one a line, in manifest order.
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

# shell_quote WORD: WORD in single quotes, for eval.
shell_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
qargs=
add_arg() {
	for a in "$@"; do
		qargs="$qargs $(shell_quote "$a")"
	done
}

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
reachable=
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
		# QEMU options separate with commas: a comma in the path is doubled.
		add_arg -drive "if=none,id=blk$t,format=raw,file=$(printf '%s' "$spec" | sed 's/,/,,/g')"
		;;
	esac
	case "$kind" in
	net) device_at virtio-net "netdev=net$t,mac=52:54:00:12:34:$(printf '%02x' $((0x56 + t)))" ;;
	block) device_at virtio-blk "drive=blk$t" ;;
	esac
done
add_arg -object rng-builtin,id=rng0
device_at virtio-rng "rng=rng0"

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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-qemu.XXXXXX") || die "cannot make a temporary folder"
signal=
trap 'rm -rf "$tmp"' EXIT
# QEMU gets the same signals (same process group) and shuts down; these
# only remember which one came, for the exit status.
trap 'signal=2' INT
trap 'signal=15' TERM
trap 'signal=1' HUP

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
