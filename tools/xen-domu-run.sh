#!/bin/sh
# xen-domu-run.sh — the full domU lane: runs a Keel xen image as a PVH
# domU under a Linux dom0, all under QEMU, and ends with the image's
# status.
#
#   xen-domu-run.sh [--xen-log FILE] [--disk FILE]... [--dom0-check SCRIPT]
#                   IMAGE [-- ARGS...]
#   xen-domu-run.sh [--xen-log FILE] [--disk FILE]... --batch PLAN
#
# Xen (build/host/xen, tools/fetch-xen.sh) boots under QEMU's TCG with
# Debian's kernel as a PV dom0 and an initramfs made here from
# build/host/xen-dom0 (tools/fetch-xen-dom0.sh: busybox, xenstored,
# xenconsoled, xl, the backends) plus the image. The dom0's init starts
# xenstored and xenconsoled and runs `xl create -c` for the image (type
# pvh, 32 MiB), whose PV console ring xenconsoled serves; then it powers
# the machine off, which ends QEMU. smap=hvm smep=hvm: Linux as a PV
# dom0 faults at once under QEMU's TCG with SMAP/SMEP on for PV guests.
#
# The image's console lines (between the dom0's markers) go to standard
# output, the rest (Xen, Linux, the dom0's own lines) to the log. The
# status is the image's "keel-exit N" line, trusted once xl has returned
# (the domain is gone). 125: no status; 2: refused.
#
# Devices. An image that declares a net device gets a vif (netback in
# dom0) on the bridge br0, where dom0 has 10.0.0.1/24. --disk FILE
# gives it a disk (xvda, xvdb... in order): blkback on a loop device
# over a copy of FILE in dom0's memory, so the image's writes are not
# kept past the run; when the domains are done, a line "dom0-disk: K
# MD5" gives disk K's MD5. The lane's own hotplug scripts (keel-vif,
# keel-block below) stand in for Xen's, which need bash and more.
# --dom0-check SCRIPT runs SCRIPT (sh) in dom0 beside the domain, its
# lines prefixed "dom0-check: " on standard output (300 s at most);
# when it ends, the domain is destroyed and the status is the script's.
#
# One dom0 boot can run several domains, one after the other, sharing
# the disks (what one writes, the next reads): --batch PLAN, one run a
# line, "[check=SCRIPT] [disk=K]... IMAGE [ARGS...]" (K indexes the
# --disk files; blank and # lines skipped). Before each run (just before
# dom0 runs xl create) a line "domu-begin" on standard output, after it
# a line "domu-exit: S" gives its status (none: no
# confirmed status); the lane's status is the last run's.
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
disks=
check=
batch=
while [ $# -gt 0 ]; do
	case "$1" in
	--xen-log | --disk | --dom0-check | --batch)
		[ $# -ge 2 ] || die "$1 needs a value"
		case "$1" in
		--xen-log) xen_log=$2 ;;
		--disk)
			[ -f "$2" ] && [ -r "$2" ] || die "no readable disk file '$2'"
			disks="$disks $2"
			;;
		--dom0-check) check=$2 ;;
		--batch) batch=$2 ;;
		esac
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
set -f
ndisks=0
for d in $disks; do ndisks=$((ndisks + 1)); done
[ "$ndisks" -le 8 ] || die "at most 8 disks"
inspect=$ROOT/build/host/bin/keel-inspect
[ -x "$inspect" ] || make -s -C "$ROOT" tools >/dev/null 2>&1 || die "cannot build keel-inspect"

[ -r "$ROOT/build/host/xen/xen" ] || sh "$ROOT/tools/fetch-xen.sh" "$ROOT/build/host/xen" >&2 ||
	die "cannot fetch Xen (tools/fetch-xen.sh)"
# Layout 2 has the backends' modules and xenstore-write.
grep -qx 'layout 2' "$ROOT/build/host/xen-dom0/version" 2>/dev/null ||
	sh "$ROOT/tools/fetch-xen-dom0.sh" "$ROOT/build/host/xen-dom0" >&2 ||
	die "cannot assemble the dom0 (tools/fetch-xen-dom0.sh)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-domu.XXXXXX") || die "cannot make a temporary folder"
case "$tmp" in *[\ ,]*) die "the temporary folder '$tmp' holds a space or comma; set TMPDIR" ;; esac
trap 'rm -rf "$tmp"' EXIT
[ -n "$xen_log" ] || xen_log=$tmp/xen.log
: >"$xen_log" || die "cannot write '$xen_log'"

tree=$tmp/tree
cp -a "$ROOT/build/host/xen-dom0/base" "$tree" || die "cannot copy the dom0 tree"
i=0
for d in $disks; do
	cp "$d" "$tree/disk$i" || die "cannot copy disk '$d'"
	i=$((i + 1))
done

# add_run N [check=SCRIPT] [disk=K]... IMAGE [ARGS...]: domain N's image,
# configuration and check in the dom0 tree.
add_run() {
	n=$1
	shift
	run_check=
	run_disks=
	while [ $# -gt 0 ]; do
		case "$1" in
		check=*) run_check=${1#check=} ;;
		disk=*)
			case "${1#disk=}" in
			[0-7]) [ "${1#disk=}" -lt "$ndisks" ] || die "$1: only $ndisks --disk given" ;;
			*) die "'$1': want disk=0 to disk=7" ;;
			esac
			run_disks="$run_disks ${1#disk=}"
			;;
		*) break ;;
		esac
		shift
	done
	run_image=${1:-}
	[ -n "$run_image" ] && [ -f "$run_image" ] && [ -r "$run_image" ] || die "no readable image given"
	shift
	info=$("$inspect" "$run_image" 2>&1) || die "'$run_image' is not a valid Keel image"
	printf '%s\n' "$info" | grep -q '^target: *xen' || die "'$run_image' was not built for target xen"
	nnet=$(printf '%s\n' "$info" | grep -c 'handle [0-9][0-9]*: *net ')
	nblock=$(printf '%s\n' "$info" | grep -c 'handle [0-9][0-9]*: *block ')
	[ "$nnet" -le 1 ] || die "'$run_image' declares $nnet net devices; this lane gives one vif"
	k=0
	for d in $run_disks; do k=$((k + 1)); done
	[ "$nblock" -le "$k" ] || die "'$run_image' declares $nblock block device(s) and $k disk(s) given"
	cmdline=
	for a in "$@"; do
		case "$a" in
		*[\"\'\\\ ]* | '') die "argument '$a': only plain words can be passed in this lane" ;;
		esac
		cmdline="${cmdline:+$cmdline }$a"
	done
	cp "$run_image" "$tree/keel$n" || die "cannot copy '$run_image'"
	vif=
	[ "$nnet" -eq 0 ] ||
		vif='vif = [ "mac=00:16:3e:4b:45:01,bridge=br0,script=/etc/xen/keel-vif" ]'
	disk=
	k=0
	for d in $run_disks; do
		letter=$(printf '%s' abcdefgh | cut -c $((k + 1)))
		disk="$disk${disk:+, }\"format=raw, vdev=xvd$letter, access=rw, backendtype=phy, script=/etc/xen/keel-block, target=/disk$d\""
		k=$((k + 1))
	done
	[ -z "$disk" ] || disk="disk = [ $disk ]"
	cat >"$tree/etc/xen/keel$n.cfg" <<CFG
name = "keel"
type = "pvh"
kernel = "/keel$n"
cmdline = "$cmdline"
memory = 32
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
on_reboot = "destroy"
$vif
$disk
CFG
	if [ -n "$run_check" ]; then
		[ -f "$run_check" ] && [ -r "$run_check" ] || die "no readable script '$run_check'"
		cp "$run_check" "$tree/check$n" || die "cannot copy '$run_check'"
	fi
}

runs=0
if [ -n "$batch" ]; then
	[ -z "$image" ] && [ -z "$check" ] || die "--batch takes no image or --dom0-check"
	[ -r "$batch" ] || die "cannot read '$batch'"
	while read -r line; do
		case "$line" in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2086
		add_run "$runs" $line
		runs=$((runs + 1))
	done <"$batch"
	[ "$runs" -gt 0 ] || die "'$batch' names no run"
else
	all=
	i=0
	for d in $disks; do
		all="$all disk=$i"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	add_run 0 ${check:+check=$check} $all "$image" "$@"
	runs=1
fi
set +f
# For checks that speak HTTPS to www: the development CA, if built.
cp "$ROOT/build/cert/ca.crt" "$tree/ca.crt" 2>/dev/null

# The hotplug scripts libxl runs for the devices (as root, in dom0):
# the vif joins the bridge; the disk's file gets a loop device whose
# numbers blkback reads. Each reports to its backend through
# hotplug-status, which the backend waits for.
cat >"$tree/etc/xen/keel-vif" <<'VIF'
#!/bin/sh
dev=${vif:-vif$(echo "$XENBUS_PATH" | sed 's|.*/vif/\([0-9]*\)/\([0-9]*\)$|\1.\2|')}
case "$1" in
add | online)
	brctl addif br0 "$dev" && ip link set "$dev" up &&
		xenstore-write "$XENBUS_PATH/hotplug-status" connected ;;
esac
exit 0
VIF
cat >"$tree/etc/xen/keel-block" <<'BLOCK'
#!/bin/sh
case "$1" in
add)
	file=$(xenstore-read "$XENBUS_PATH/params") || exit 1
	loop=$(losetup -f) && losetup "$loop" "$file" || exit 1
	xenstore-write "$XENBUS_PATH/node" "$loop" \
		"$XENBUS_PATH/physical-device" "$(stat -L -c '%t:%T' "$loop")" \
		"$XENBUS_PATH/hotplug-status" connected ;;
remove)
	loop=$(xenstore-read "$XENBUS_PATH/node") && losetup -d "$loop" ;;
esac
exit 0
BLOCK
chmod +x "$tree/etc/xen/keel-vif" "$tree/etc/xen/keel-block"
cat >"$tree/init" <<'INIT'
#!/bin/sh
export PATH=/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs $(cat /mod/order); do
	insmod /mod/$m.ko || echo "dom0: insmod $m failed"
done
ip link set lo up
# No spanning tree, no forwarding delay: ports forward at once.
brctl addbr br0 && echo 0 >/sys/class/net/br0/bridge/forward_delay &&
	ip addr add 10.0.0.1/24 dev br0 && ip link set br0 up || echo "dom0: no bridge"
mkdir -p /etc/hotplug /var/run/xen-hotplug
mount -t xenfs xenfs /proc/xen || echo "dom0: no xenfs"
xenstored --pid-file /run/xenstored.pid
xen-init-dom0 >/dev/null || echo "dom0: xen-init-dom0 failed"
xenconsoled --pid-file /run/xenconsoled.pid --log=none
# xl -c returns when the domain is gone, which libxl's monitoring child
# sees to (on_poweroff/on_crash = destroy). Should that child die (it
# has been seen to segfault here), xl would wait on a domain that has
# shut down for good: a watcher destroys a domain left shut down or
# crashed for 3 s, so that xl returns. A check runs beside its domain;
# when it ends, so does the domain.
i=0
while [ -e /etc/xen/keel$i.cfg ]; do
	echo "dom0: domain console begins"
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
	checker=
	if [ -e /check$i ]; then
		(
			sleep 1
			{ timeout 300 sh /check$i 2>&1; echo $? >/tmp/check-status; } |
				sed 's/^/dom0-check: /'
			echo "dom0: check exited $(cat /tmp/check-status)"
			xl destroy keel 2>/dev/null
		) &
		checker=$!
	fi
	xl create -c /etc/xen/keel$i.cfg 2>&1
	rc=$?
	kill $watcher 2>/dev/null
	[ -z "$checker" ] || wait $checker
	echo "dom0: xl exited $rc"
	i=$((i + 1))
done
for f in /disk*; do
	[ -e "$f" ] || continue
	set -- $(busybox md5sum "$f")
	echo "dom0-disk: ${f#/disk} $1"
done
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
status=
checked=
: >"$tmp/done"
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
	"dom0: domain console begins")
		inside=1
		status=
		checked=
		printf '%s\n' "$line" >>"$xen_log"
		[ -z "$batch" ] || printf 'domu-begin\n'
		;;
	"dom0: xl exited "*)
		inside=
		printf '%s\n' "$line" >>"$xen_log"
		printf '%s\n' "${status:-none}" >>"$tmp/done"
		[ -z "$batch" ] || printf 'domu-exit: %s\n' "${status:-none}"
		;;
	"keel-exit "*) [ -z "$inside" ] || [ -n "$checked" ] || status=${line#keel-exit } ;;
	"dom0-check: "* | "dom0-disk: "*) printf '%s\n' "$line" ;;
	"dom0: check exited "*)
		printf '%s\n' "$line" >>"$xen_log"
		status=${line#dom0: check exited }
		checked=1
		;;
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
# The status of the last run, once every run has ended (xl returned).
if [ "$(grep -c . "$tmp/done")" -eq "$runs" ]; then
	status=$(tail -n 1 "$tmp/done")
	case "$status" in
	'' | *[!0-9]*) ;;
	*) exit "$status" ;;
	esac
fi
printf '%s: no confirmed exit status; the end of the log:\n' "$PROG" >&2
tail -n 15 "$xen_log" | sed 's/^/  /' >&2
exit 125
