#!/bin/sh
# xen-domu-run.sh — the full domU lane: runs a Keel xen image as a PVH
# domU under a Linux dom0, all under QEMU, and ends with the image's
# status.
#
#   xen-domu-run.sh [--xen-log FILE] IMAGE [-- ARGS...]
#
# Xen (build/host/xen, tools/fetch-xen.sh) boots under QEMU's TCG with
# Debian's kernel as a PV dom0 and an initramfs made here from
# build/host/xen-dom0 (tools/fetch-xen-dom0.sh: busybox, xenstored,
# xenconsoled, xl) plus the image. The dom0's init starts xenstored and
# xenconsoled and runs `xl create -c` for the image (type pvh, 32 MiB),
# whose PV console ring xenconsoled serves; then it powers the machine
# off, which ends QEMU. smap=hvm smep=hvm: Linux as a PV dom0 faults at
# once under QEMU's TCG with SMAP/SMEP on for PV guests.
#
# The image's console lines (between the dom0's markers) go to standard
# output, the rest (Xen, Linux, the dom0's own lines) to the log. The
# status is the image's "keel-exit N" line, trusted once xl has returned
# (the domain is gone). 125: no status; 2: refused.
set -u

PROG=xen-domu-run
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 2
QEMU=${QEMU:-qemu-system-x86_64}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 2
}

xen_log=
image=
while [ $# -gt 0 ]; do
	case "$1" in
	--xen-log)
		[ $# -ge 2 ] || die "$1 needs a value"
		xen_log=$2
		shift 2
		;;
	--) shift; break ;;
	-*) die "unknown option '$1'" ;;
	*)
		[ -z "$image" ] || die "one image only (image arguments go after --)"
		image=$1
		shift
		;;
	esac
done
[ -n "$image" ] && [ -f "$image" ] && [ -r "$image" ] || die "no readable image given"
inspect=$ROOT/build/host/bin/keel-inspect
[ -x "$inspect" ] || make -s -C "$ROOT" tools >/dev/null 2>&1 || die "cannot build keel-inspect"
info=$("$inspect" "$image" 2>&1) || die "'$image' is not a valid Keel image"
printf '%s\n' "$info" | grep -q '^target: *xen' || die "'$image' was not built for target xen"
printf '%s\n' "$info" | grep -q 'handle [0-9][0-9]*:' &&
	die "'$image' declares devices; the xen target has no netfront/blkfront yet"
cmdline=
for a in "$@"; do
	case "$a" in
	*[\"\'\\\ ]* | '') die "argument '$a': only plain words can be passed in this lane" ;;
	esac
	cmdline="${cmdline:+$cmdline }$a"
done

[ -r "$ROOT/build/host/xen/xen" ] || sh "$ROOT/tools/fetch-xen.sh" "$ROOT/build/host/xen" >&2 ||
	die "cannot fetch Xen (tools/fetch-xen.sh)"
[ -r "$ROOT/build/host/xen-dom0/vmlinuz" ] ||
	sh "$ROOT/tools/fetch-xen-dom0.sh" "$ROOT/build/host/xen-dom0" >&2 ||
	die "cannot assemble the dom0 (tools/fetch-xen-dom0.sh)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-domu.XXXXXX") || die "cannot make a temporary folder"
case "$tmp" in *[\ ,]*) die "the temporary folder '$tmp' holds a space or comma; set TMPDIR" ;; esac
trap 'rm -rf "$tmp"' EXIT
[ -n "$xen_log" ] || xen_log=$tmp/xen.log
: >"$xen_log" || die "cannot write '$xen_log'"

tree=$tmp/tree
cp -a "$ROOT/build/host/xen-dom0/base" "$tree" || die "cannot copy the dom0 tree"
cp "$image" "$tree/keel"
cat >"$tree/etc/xen/keel.cfg" <<CFG
name = "keel"
type = "pvh"
kernel = "/keel"
cmdline = "$cmdline"
memory = 32
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
on_reboot = "destroy"
CFG
cat >"$tree/init" <<'INIT'
#!/bin/sh
export PATH=/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do
	insmod /mod/$m.ko || echo "dom0: insmod $m failed"
done
mount -t xenfs xenfs /proc/xen || echo "dom0: no xenfs"
xenstored --pid-file /run/xenstored.pid
xen-init-dom0 >/dev/null || echo "dom0: xen-init-dom0 failed"
xenconsoled --pid-file /run/xenconsoled.pid --log=none
echo "dom0: domain console begins"
# xl -c returns when the domain is gone, which libxl's monitoring child
# sees to (on_poweroff/on_crash = destroy). Should that child die (it
# has been seen to segfault here), xl would wait on a domain that has
# shut down for good: a watcher destroys a domain left shut down or
# crashed for 3 s, so that xl returns.
(
	n=0
	while [ $n -lt 300 ]; do
		st=$(xl list keel 2>/dev/null | { read -r _; read -r _ _ _ _ s _; echo "$s"; })
		case "$st" in *s* | *c*)
			sleep 3
			xl destroy keel 2>/dev/null && echo "dom0: destroyed the domain left shut down"
			exit 0 ;;
		esac
		sleep 1
		n=$((n + 1))
	done
) &
watcher=$!
xl create -c /etc/xen/keel.cfg 2>&1
echo "dom0: xl exited $?"
kill $watcher 2>/dev/null
poweroff -f
INIT
chmod +x "$tree/init"
(cd "$tree" && find . | ./bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$tmp/initrd.gz" ||
	die "cannot pack the initramfs"
cp "$ROOT/build/host/xen-dom0/vmlinuz" "$tmp/vmlinuz"

printf '%s: Xen under QEMU (TCG), Linux dom0, the image as a PVH domU through xl\n' "$PROG" >&2
: >"$tmp/console"
"$QEMU" -accel tcg -M q35 -cpu max -m 1024 -smp 1 -display none -nodefaults -no-user-config \
	-no-reboot -serial "file:$tmp/console" -kernel "$ROOT/build/host/xen/xen" \
	-append "console=com1 com1=115200 loglvl=warning dom0_mem=512M bootscrub=false smap=hvm smep=hvm" \
	-initrd "$tmp/vmlinuz console=hvc0 quiet,$tmp/initrd.gz" </dev/null >"$tmp/qemu.err" 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null; exit 130' INT
trap 'kill $qemu 2>/dev/null; exit 143' TERM
cr=$(printf '\r')
inside=
tail -n +1 -f --pid="$qemu" "$tmp/console" | while IFS= read -r line; do
	# Serial lines end in \r\n, console lines passed through hvc0 in
	# \r\r\n.
	while :; do
		case "$line" in
		*"$cr") line=${line%"$cr"} ;;
		*) break ;;
		esac
	done
	case "$line" in
	"dom0: domain console begins") inside=1; printf '%s\n' "$line" >>"$xen_log" ;;
	"dom0: xl exited "*)
		inside=
		printf '%s\n' "$line" >>"$xen_log"
		: >"$tmp/xl-done"
		;;
	"keel-exit "*) [ -z "$inside" ] || printf '%s\n' "${line#keel-exit }" >"$tmp/status" ;;
	"Parsing config from "* | "dom0: destroyed "*) printf '%s\n' "$line" >>"$xen_log" ;;
	*)
		if [ -n "$inside" ]; then
			printf '%s\n' "$line"
		else
			printf '%s\n' "$line" >>"$xen_log"
		fi
		;;
	esac
done
wait "$qemu"
status=$(cat "$tmp/status" 2>/dev/null)
case "$status" in
'' | *[!0-9]*) ;;
*) [ -e "$tmp/xl-done" ] && exit "$status" ;;
esac
printf '%s: no confirmed exit status; the end of the log:\n' "$PROG" >&2
tail -n 15 "$xen_log" | sed 's/^/  /' >&2
exit 125
