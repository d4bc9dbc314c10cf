#!/bin/sh
# fetch-xen-dom0.sh DEST — assembles, in DEST, a small Linux dom0 for the
# full domU lane (tools/xen-domu-run.sh) from Debian packages: DEST/vmlinuz
# (linux-image-amd64's kernel), DEST/base/ (an initramfs tree: busybox,
# xenstored, xenconsoled, xenconsole, xen-init-dom0, xl, xenstore-write
# and the shared libraries they load, the Xen driver modules, the
# backends' modules: xen-netback and the bridge for vifs, xen-blkback
# and loop for file-backed disks; the host's curl when it has one) and
# DEST/version (its last line is the layout, checked by xen-domu-run.sh).
#
# As tools/fetch-xen.sh: apt-get with a private source list and state
# under DEST's parent, packages checked by apt against the signed index
# and unpacked with dpkg-deb -x; nothing is installed on the host. The
# host's own C library and the few system libraries the Xen tools load
# (zlib, lzma, zstd, uuid, libgcc_s) are copied from this Debian system.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DEST" >&2; exit 2; }
dest=$1
mkdir -p "$(dirname "$dest")"
work=$(cd "$(dirname "$dest")" && pwd)/.xen-dom0-apt
mirror=${XEN_MIRROR:-http://deb.debian.org/debian}
security=${XEN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=${XEN_SUITE:-}
if [ -z "$suite" ] && [ -r /etc/os-release ]; then
	suite=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
fi
[ -n "$suite" ] || suite=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for t in apt-get apt-cache dpkg-deb gzip ldd; do
	command -v "$t" >/dev/null 2>&1 || { echo "fetch-xen-dom0: '$t' not found" >&2; exit 1; }
done

rm -rf "$work" "$dest"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/dl"
{
	printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite"
	printf 'deb [signed-by=%s] %s %s-security main\n' "$keyring" "$security" "$suite"
} >"$work/sources.list"
: >"$work/status"
apt_opts="-q -o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=/dev/null
 -o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache -o Dir::State::status=$work/status
 -o APT::Architecture=amd64 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $apt_opts update >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
# shellcheck disable=SC2086
kernel=$(apt-cache $apt_opts depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
[ -n "$kernel" ] || { echo "fetch-xen-dom0: cannot tell linux-image-amd64's kernel package" >&2; exit 1; }
pkgs="$kernel xen-utils-4.17 libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1
 libxenmisc4.17 libxenstore4 libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1
 libyajl2 busybox-static xenstore-utils"
# shellcheck disable=SC2086
(cd "$work/dl" && apt-get $apt_opts download $pkgs) >>"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-xen-dom0: could not fetch: $pkgs" >&2
	exit 1
}
mkdir -p "$work/root"
for d in "$work"/dl/*.deb; do
	dpkg-deb -x "$d" "$work/root"
done

R=$work/root
B=$work/out/base
xbin=$R/usr/lib/xen-4.17/bin
mkdir -p "$B/bin" "$B/lib/x86_64-linux-gnu" "$B/lib64" "$B/mod" "$B/proc" "$B/sys" "$B/dev" \
	"$B/tmp" "$B/run" "$B/var/run/xen" "$B/var/lib/xen" "$B/var/log/xen" \
	"$B/var/lib/xenstored" "$B/var/lock" "$B/etc/xen" "$B/usr/lib/xen-4.17/bin"
cp "$R/bin/busybox" "$B/bin/"
for a in sh mount insmod mkdir echo sleep poweroff cat cpio brctl ip ifconfig ping wget losetup \
	stat grep sed head tr kill timeout; do
	ln -s busybox "$B/bin/$a"
done
for b in xl xenconsoled xenstored xen-init-dom0; do
	cp "$xbin/$b" "$B/bin/"
done
# The hotplug scripts of the lane write the backends' state with it.
cp "$R/usr/bin/xenstore" "$B/bin/"
ln -s xenstore "$B/bin/xenstore-write"
ln -s xenstore "$B/bin/xenstore-read"
# curl for the HTTP check from dom0, when this system has one.
tools_extra=
if command -v curl >/dev/null 2>&1; then
	cp -L "$(command -v curl)" "$B/bin/curl"
	tools_extra=$(command -v curl)
fi
# libxl runs the console client from its own folder.
cp "$xbin/xenconsole" "$B/usr/lib/xen-4.17/bin/"
LD_LIBRARY_PATH=$R/usr/lib/x86_64-linux-gnu ldd "$xbin/xl" "$xbin/xenconsoled" "$xbin/xenstored" \
	"$xbin/xen-init-dom0" "$xbin/xenconsole" "$R/usr/bin/xenstore" $tools_extra | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | sort -u |
	while read -r f; do cp -L "$f" "$B/lib/x86_64-linux-gnu/"; done
# Loaded with dlopen by glibc's pthread_cancel, which xl uses.
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$B/lib/x86_64-linux-gnu/"
cp -L /lib64/ld-linux-x86-64.so.2 "$B/lib64/"
: >"$B/etc/xen/xl.conf"
kdir=$(ls -d "$R"/lib/modules/* | head -n 1)
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs/xenfs; do
	cp "$kdir/kernel/drivers/xen/$m.ko" "$B/mod/"
done
# The backends, in the order they load (each after what it needs); a
# module the kernel has built in is not needed.
: >"$B/mod/order"
for m in net/llc/llc net/802/stp net/bridge/bridge drivers/net/xen-netback/xen-netback \
	drivers/block/loop drivers/block/xen-blkback/xen-blkback; do
	if [ -r "$kdir/kernel/$m.ko" ]; then
		cp "$kdir/kernel/$m.ko" "$B/mod/"
		basename "$m" >>"$B/mod/order"
	elif ! grep -q "/$m.ko\$" "$kdir/modules.builtin"; then
		echo "fetch-xen-dom0: the kernel has no $m module" >&2
		exit 1
	fi
done
cp "$R"/boot/vmlinuz-* "$work/out/vmlinuz"
printf '%s\n' "$kernel" "$(dpkg-deb -f "$work"/dl/xen-utils-4.17_*.deb Version)" "layout 2" \
	>"$work/out/version"
mv "$work/out" "$dest"
rm -rf "$work"
