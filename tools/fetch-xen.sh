#!/bin/sh
# fetch-xen.sh DEST — puts Debian's Xen hypervisor (the package
# xen-hypervisor-4.17-amd64, version XEN_VERSION or the newest the
# archive has) in DEST: DEST/xen (the hypervisor, an ELF that QEMU -kernel
# boots as multiboot) and DEST/version (the package version).
#
# Nothing is installed on the host: the package is downloaded with
# apt-get download and unpacked with dpkg-deb -x, so no boot-loader hook
# runs. apt-get runs with a private source list (this Debian release and
# its security updates) and private state under DEST's parent, so the
# host's apt configuration is neither needed nor changed. apt checks the
# downloaded package against the Packages index, whose signature it
# checks with the Debian archive keyring.
#
# XEN_MIRROR (default http://deb.debian.org/debian), XEN_SECURITY_MIRROR
# (default http://deb.debian.org/debian-security) and XEN_SUITE (default:
# this system's release codename) can be overridden.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DEST" >&2; exit 2; }
dest=$1
pkg=xen-hypervisor-4.17-amd64
mkdir -p "$(dirname "$dest")"
work=$(cd "$(dirname "$dest")" && pwd)/.xen-apt
mirror=${XEN_MIRROR:-http://deb.debian.org/debian}
security=${XEN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=${XEN_SUITE:-}
if [ -z "$suite" ] && [ -r /etc/os-release ]; then
	suite=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
fi
[ -n "$suite" ] || suite=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

for t in apt-get dpkg-deb gzip; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "fetch-xen: '$t' not found (Debian: apt, dpkg, gzip)" >&2
		exit 1
	}
done
[ -r "$keyring" ] || {
	echo "fetch-xen: $keyring missing (Debian: debian-archive-keyring)" >&2
	exit 1
}

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
apt-get $apt_opts update >"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-xen: could not read Debian's package index from $mirror ($suite)" >&2
	exit 1
}
want=$pkg
[ -z "${XEN_VERSION:-}" ] || want="$pkg=$XEN_VERSION"
# shellcheck disable=SC2086
(cd "$work/dl" && apt-get $apt_opts download "$want") >>"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-xen: Debian's package $want could not be fetched" >&2
	exit 1
}
deb=$(ls "$work"/dl/${pkg}_*.deb)
dpkg-deb -x "$deb" "$work/root" >>"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-xen: dpkg-deb could not unpack $deb" >&2
	exit 1
}
mkdir -p "$work/out"
gzip -dc "$work/root/boot/xen-4.17-amd64.gz" >"$work/out/xen" || {
	echo "fetch-xen: $deb holds no boot/xen-4.17-amd64.gz" >&2
	exit 1
}
dpkg-deb -f "$deb" Version >"$work/out/version"
mv "$work/out" "$dest"
rm -rf "$work"
