#!/bin/sh
# xen-run.sh — runs a Keel xen image as a Xen PVH domain and ends with the
# image's exit status.
#
#   xen-run.sh [--mem MB] [--xen-log FILE] [--verbose] [--net NAME=bridge:BR]
#              [--block NAME=FILE]... IMAGE [-- ARGS...]
#
# Where there is a real Xen (this is its dom0: /proc/xen/capabilities says
# control_d, and xl is here), the image becomes a PVH domU: an xl
# configuration is written and `xl create -c` runs it with its console on
# the terminal. Elsewhere Xen itself runs under QEMU, and the image is its
# initial domain, a PVH dom0 with no Linux at all:
#
#   qemu-system-x86_64 -M q35 -cpu max -device amd-iommu -kernel xen \
#       -append "console=com1 dom0=pvh dom0_mem=MBM ..." -initrd "IMAGE ARGS"
#
# Xen boots from QEMU's multiboot loader and builds dom0 from the first
# module by its ELF notes (the PVH entry). Xen insists on an IOMMU for a
# PVH dom0, hence amd-iommu (QEMU's CPU model "max" is AMD-like, with SVM
# and nested paging, which PVH needs). The hypervisor is Debian's
# xen-hypervisor-4.17-amd64, fetched into build/host/xen by
# tools/fetch-xen.sh the first time (XEN=FILE names another).
#
# Devices. On a Xen host each net device of the image gets a vif on
# bridge BR (--net NAME=bridge:BR, default xenbr0) and each block device
# the file --block names, as a disk in manifest order. Under QEMU the initial
# domain has no backends (no xenstore, no netback, no blkback), so an
# image that declares devices runs in the full domU lane instead
# (tools/xen-domu-run.sh: a Linux dom0 with the backends, the vif on its
# bridge where dom0 has 10.0.0.1/24; the --block files are copies there,
# writes are not kept).
#
# Output: the image's lines on standard output; Xen's own lines ("(XEN)
# ...") go to the log (--xen-log FILE, else a temporary file shown only
# when something went wrong), and to standard error with --verbose.
#
# Exit status:
#   0..255  the image's own status: the image prints "keel-exit N" on
#           Xen's console (platform/xen/exit.c) and then shuts its domain
#           down; once Xen says it did ("Hardware Dom0 halted" after a
#           poweroff, "crashed" after a crash), QEMU is stopped and N is
#           the status. A status line Xen did not confirm is not trusted.
#   2       refused: bad option, an image for another target, a declared
#           block device without --block, Xen not fetched
#   125     Xen or the domain ended without a confirmed status (a panic,
#           a reset, a domain that never printed its status)
#   130/143 stopped by SIGINT / SIGTERM
#
# Needs: qemu-system-x86_64, readelf, keel-inspect (built with make when
# missing); for the fetch, apt-get and dpkg-deb.
set -u

PROG=xen-run
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 2
QEMU=${QEMU:-qemu-system-x86_64}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 2
}

usage() {
	cat <<USAGE
usage: xen-run.sh [--mem MB] [--xen-log FILE] [--verbose] [--net NAME=bridge:BR]
                  [--block NAME=FILE]... IMAGE [-- ARGS...]
Runs a Keel xen image as a Xen PVH domain (under xl on a Xen host, else
as the initial domain of Xen under QEMU, or as a domU of a Linux dom0
under QEMU when it declares devices); exits with the image's status.
  --mem MB              the domain's memory in MiB (default 32)
  --xen-log FILE        keep Xen's console lines in FILE
  --verbose             show Xen's lines on standard error too
  --net NAME=bridge:BR  Xen host: the vif's bridge (default xenbr0)
  --block NAME=FILE     the file behind block device NAME
USAGE
}

mem=32
xen_log=
verbose=
image=
bridge=xenbr0
blocks=
while [ $# -gt 0 ]; do
	case "$1" in
	--mem | --xen-log | --net | --block)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case "$1" in
		--mem) mem=$2 ;;
		--xen-log) xen_log=$2 ;;
		--net)
			case "$2" in
			*=bridge:*) bridge=${2#*=bridge:} ;;
			*) die "--net $2: on xen a net device is NAME=bridge:BRIDGE" ;;
			esac
			case "$bridge" in '' | *[!A-Za-z0-9_.-]*) die "--net $2: a bad bridge name" ;; esac
			;;
		--block)
			case "$2" in
			?*=?*) ;;
			*) die "--block $2: want NAME=FILE" ;;
			esac
			[ -f "${2#*=}" ] && [ -r "${2#*=}" ] || die "--block $2: no readable file '${2#*=}'"
			case "$2" in *[\ ,\'\"]*) die "--block $2: no spaces, commas or quotes" ;; esac
			blocks="$blocks $2"
			;;
		esac
		shift 2
		;;
	--verbose) verbose=1; shift ;;
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
case "$mem" in
'' | *[!0-9]*) die "--mem wants a whole number of MiB, not '$mem'" ;;
esac
[ "$mem" -ge 4 ] && [ "$mem" -le 65536 ] || die "--mem $mem is out of range (4..65536 MiB)"

# ---- The image ---------------------------------------------------------------

[ -n "$image" ] || die "no image given (see --help)"
[ -f "$image" ] && [ -r "$image" ] || die "image '$image' is not a readable file"
inspect=$ROOT/build/host/bin/keel-inspect
if [ ! -x "$inspect" ]; then
	make -s -C "$ROOT" tools >/dev/null 2>&1 || die "cannot build keel-inspect (make tools)"
fi
info=$("$inspect" "$image" 2>&1) || die "'$image' is not a valid Keel image: ${info#keel-inspect: }"
target=$(printf '%s\n' "$info" | sed -n 's/^target: *\([a-z0-9_]*\).*/\1/p')
[ "$target" = xen ] ||
	die "'$image' was built for target '${target:-unknown}', not xen (build it with TARGET=xen)"
# The files of the declared block devices, in manifest order.
disks=
for name in $(printf '%s\n' "$info" | sed -n 's/.*handle [0-9]*: *block *\([^ ]*\).*/\1/p'); do
	file=
	for b in $blocks; do
		[ "${b%%=*}" = "$name" ] && file=${b#*=}
	done
	[ -n "$file" ] || die "'$image' declares block device '$name': give it with --block $name=FILE"
	disks="$disks $file"
done
devices=
printf '%s\n' "$info" | grep -q 'handle [0-9][0-9]*:' && devices=1
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

# The command line, quoted as the image's parser (platform/x86_64/
# cmdline.c) understands.
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

xen_host=
if [ -r /proc/xen/capabilities ] && grep -q control_d /proc/xen/capabilities 2>/dev/null &&
	command -v xl >/dev/null 2>&1; then
	xen_host=1
fi

# Without a Xen host, devices need backends, which here only the domU
# lane's Linux dom0 has. (Its arguments are plain words, as $append's.)
if [ -z "$xen_host" ] && [ -n "$devices" ]; then
	printf '%s: the image declares devices: running it in the domU lane\n' "$PROG" >&2
	set --
	for f in $disks; do set -- "$@" --disk "$f"; done
	# shellcheck disable=SC2086
	exec sh "$ROOT/tools/xen-domu-run.sh" ${xen_log:+--xen-log "$xen_log"} "$@" "$image" -- $append
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-xen.XXXXXX") || die "cannot make a temporary folder"
signal=
trap 'rm -rf "$tmp"' EXIT
trap 'signal=2' INT
trap 'signal=15' TERM
trap 'signal=1' HUP
[ -n "$xen_log" ] || xen_log=$tmp/xen.log
: >"$xen_log" || die "cannot write '$xen_log'"

# watch [PID]: the console on standard input; the image's lines to
# standard output, Xen's to the log; the status line and Xen's verdict
# to $tmp/status and $tmp/verdict. Once Xen says the domain is gone,
# process PID (QEMU) is stopped: Xen itself would only halt the machine.
# A shell loop, not awk: mawk holds pipe input back in its buffer.
watch() {
	cr=$(printf '\r')
	while IFS= read -r line; do
		line=${line%"$cr"}
		case "$line" in
		"(XEN)"*)
			printf '%s\n' "$line" >>"$xen_log"
			[ -z "$verbose" ] || printf '%s\n' "$line" >&2
			verdict=
			case "$line" in
			*"Hardware Dom0 halted"*) verdict=poweroff ;;
			*"Hardware Dom0 crashed"*) verdict=crash ;;
			*"Hardware Dom0 shutdown"*) verdict=other ;;
			*"Panic on CPU"*) verdict=panic ;;
			esac
			if [ -n "$verdict" ]; then
				printf '%s\n' "$verdict" >"$tmp/verdict"
				[ -z "${1:-}" ] || kill "$1" 2>/dev/null
			fi
			;;
		"keel-exit "*)
			n=${line#keel-exit }
			case "$n" in
			'' | *[!0-9]*) printf '%s\n' "$line" ;;
			*) printf '%s\n' "$n" >"$tmp/status" ;;
			esac
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

# ---- A real Xen: xl --------------------------------------------------------------

if [ -n "$xen_host" ]; then
	printf '%s: Xen host: running %s as a PVH domU with xl\n' "$PROG" "$image" >&2
	name=keel-$(basename "$image")-$$
	abs=$(cd "$(dirname "$image")" && pwd)/$(basename "$image")
	cmdline=$(printf '%s' "$append" | sed 's/\\/\\\\/g; s/"/\\"/g')
	cat >"$tmp/domain.cfg" <<CFG
name = "$name"
type = "pvh"
kernel = "$abs"
cmdline = "$cmdline"
memory = $mem
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
on_reboot = "destroy"
CFG
	# One vif for each net device the image declares, in order, all on
	# the one bridge.
	v=
	for _ in $(printf '%s\n' "$info" | grep 'handle [0-9]*: *net ' | sed 's/.*/x/'); do
		v="$v${v:+, }\"bridge=$bridge\""
	done
	[ -z "$v" ] || printf 'vif = [ %s ]\n' "$v" >>"$tmp/domain.cfg"
	d=
	i=0
	for f in $disks; do
		letter=$(printf '%s' abcdefghijklmnop | cut -c $((i + 1)))
		absf=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
		d="$d${d:+, }\"format=raw, vdev=xvd$letter, access=rw, target=$absf\""
		i=$((i + 1))
	done
	[ -z "$d" ] || printf 'disk = [ %s ]\n' "$d" >>"$tmp/domain.cfg"
	xl create -c "$tmp/domain.cfg" 2>&1 | watch
	xl destroy "$name" >/dev/null 2>&1
	status=$(cat "$tmp/status" 2>/dev/null)
	[ -n "$status" ] && exit "$status"
	[ -n "$signal" ] && exit $((128 + signal))
	printf '%s: the domain ended without printing its status\n' "$PROG" >&2
	exit 125
fi

# ---- Xen under QEMU ----------------------------------------------------------------

command -v "$QEMU" >/dev/null 2>&1 || die "$QEMU not found; install the Debian package qemu-system-x86"
xen=${XEN:-$ROOT/build/host/xen/xen}
if [ ! -r "$xen" ]; then
	[ -z "${XEN:-}" ] || die "XEN=$XEN: no such file"
	printf '%s: fetching the Xen hypervisor (Debian xen-hypervisor-4.17-amd64) into build/host/xen\n' "$PROG" >&2
	sh "$ROOT/tools/fetch-xen.sh" "$ROOT/build/host/xen" >&2 || die "cannot fetch Xen (tools/fetch-xen.sh)"
fi

# QEMU's multiboot loader takes a module's file name up to the first
# space and separates modules with commas (",," is a comma): the image
# goes in under a plain name, and commas in arguments are doubled.
case "$tmp" in *[\ ,]*) die "the temporary folder '$tmp' holds a space or comma; set TMPDIR" ;; esac
cp "$image" "$tmp/keel" || die "cannot copy '$image'"
module="$tmp/keel${append:+ $(printf '%s' "$append" | sed 's/,/,,/g')}"

# TCG: Xen under KVM would need nested virtualization (SVM or VMX in
# the guest), which QEMU's "max" CPU offers only under TCG.
printf '%s: Xen %s under QEMU (TCG), the image as its PVH dom0 (%s MiB)\n' "$PROG" \
	"$(cat "$(dirname "$xen")/version" 2>/dev/null || echo '?')" "$mem" >&2

# Xen needs about 64 MiB of its own beside dom0. loglvl=warning keeps its
# boot messages short; its free memory is scrubbed on demand, not at
# boot (bootscrub=false), which under emulation would take seconds.
# QEMU runs in the background so that its pid is known to the watcher;
# a background command ignores SIGINT, so Ctrl-C is passed on by hand.
# The serial line goes to a file that tail follows until QEMU ends.
: >"$tmp/console"
"$QEMU" -accel tcg -M q35 -cpu max -m $((mem + 96)) -smp 1 \
	-display none -nodefaults -no-user-config -no-reboot -serial "file:$tmp/console" \
	-device amd-iommu -kernel "$xen" \
	-append "console=com1 com1=115200 loglvl=warning dom0=pvh dom0_mem=${mem}M bootscrub=false" \
	-initrd "$module" </dev/null >"$tmp/qemu.err" 2>&1 &
qemu=$!
trap 'signal=2; kill $qemu 2>/dev/null' INT
trap 'signal=15; kill $qemu 2>/dev/null' TERM
trap 'signal=1; kill $qemu 2>/dev/null' HUP
tail -n +1 -f --pid="$qemu" "$tmp/console" | watch "$qemu"
wait "$qemu"
status=$(cat "$tmp/status" 2>/dev/null)
verdict=$(cat "$tmp/verdict" 2>/dev/null)
if [ -n "$status" ] && { [ "$verdict" = poweroff ] || [ "$verdict" = crash ]; }; then
	if [ "$verdict" = crash ] && { [ "$status" -lt 129 ] || [ "$status" -gt 159 ]; }; then
		printf '%s: note: Xen reports a crash; the image said status %s\n' "$PROG" "$status" >&2
	fi
	exit "$status"
fi
[ -n "$signal" ] && exit $((128 + signal))
grep -v 'terminating on signal' "$tmp/qemu.err" >"$tmp/qemu.err2" 2>/dev/null
if [ -s "$tmp/qemu.err2" ]; then
	printf '%s: QEMU said: %s\n' "$PROG" "$(cat "$tmp/qemu.err2")" >&2
fi
printf '%s: Xen or the domain ended without a confirmed exit status (%s); the last of Xen'"'"'s log:\n' \
	"$PROG" "${status:+status line $status, }Xen: ${verdict:-no shutdown seen}" >&2
tail -n 15 "$xen_log" | sed 's/^/  /' >&2
exit 125
