#!/bin/sh
# fetch-bearssl.sh VERSION DEST — puts Debian's source package of BearSSL,
# version VERSION (e.g. 0.6+dfsg.1-3), unpacked with its Debian changes, in
# the folder DEST.
#
# The host's apt configuration is left alone: apt-get runs with a private
# source list (one deb-src line for this Debian release) and private state
# under DEST's parent, so no deb-src entry is needed in /etc/apt. apt checks
# the downloaded files against the Sources index, whose signature it checks
# with the Debian archive keyring; dpkg-source checks them against the .dsc.
#
# BEARSSL_MIRROR (default http://deb.debian.org/debian) and BEARSSL_SUITE
# (default: this system's release codename) can be overridden.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 VERSION DEST" >&2; exit 2; }
version=$1
dest=$2
mkdir -p "$(dirname "$dest")"
work=$(cd "$(dirname "$dest")" && pwd)/.bearssl-apt
mirror=${BEARSSL_MIRROR:-http://deb.debian.org/debian}
suite=${BEARSSL_SUITE:-}
if [ -z "$suite" ] && [ -r /etc/os-release ]; then
	suite=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
fi
[ -n "$suite" ] || suite=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

for t in apt-get dpkg-source; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "fetch-bearssl: '$t' not found; BearSSL is built from Debian's source" \
			"package: install apt and dpkg-dev" >&2
		exit 1
	}
done
[ -r "$keyring" ] || {
	echo "fetch-bearssl: $keyring missing (Debian: debian-archive-keyring)" >&2
	exit 1
}

rm -rf "$work" "$dest"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
printf 'deb-src [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$work/sources.list"
: >"$work/status"
apt_opts="-q -o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=/dev/null
 -o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache -o Dir::State::status=$work/status
 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $apt_opts update >"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-bearssl: could not read Debian's source index from $mirror ($suite)" >&2
	exit 1
}
# shellcheck disable=SC2086
(cd "$work/src" && apt-get $apt_opts source --download-only "bearssl=$version") >>"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-bearssl: Debian's source package bearssl=$version could not be fetched;" \
		"if $suite has another version now, build with BEARSSL_VERSION=<it>" >&2
	exit 1
}
dsc=$(ls "$work"/src/bearssl_*.dsc)
dpkg-source -x "$dsc" "$work/tree" >>"$work/log" 2>&1 || {
	cat "$work/log" >&2
	echo "fetch-bearssl: dpkg-source could not unpack $dsc" >&2
	exit 1
}
mv "$work/tree" "$dest"
rm -rf "$work"
