#!/bin/sh
# keel-cert.sh — makes a TLS certificate and key for development, with the
# host's openssl, as PEM files and as a C file an app compiles in. `keel
# cert` runs it.
#
#   keel cert [--rsa] [--ca PREFIX] [--out DIR] [--force] NAME [ALTNAME...]
#
# Writes DIR/NAME.key, DIR/NAME.crt and DIR/NAME_pem.c (DIR: .). The
# certificate names NAME and each ALTNAME (DNS names, "*.domain", IPv4 or
# IPv6 addresses), is valid for 825 days, and has an ECDSA P-256 key
# (--rsa: RSA 2048). It is self-signed, or signed by the CA in
# PREFIX.crt/PREFIX.key (--ca; made first, self-signed, when those do not
# exist), so that a client can trust PREFIX.crt for several names
# (curl --cacert PREFIX.crt). An existing NAME.key or NAME.crt is kept
# and the command fails, unless --force is given. NAME_pem.c defines
#     const char NAME_cert_pem[], NAME_key_pem[];
# (NAME with every character outside [A-Za-z0-9_] made '_') to give to
# keel_tls_server_add_cert. The key is for development: a real one is not
# compiled into an image kept in a repository.
set -eu
prog=${KEEL_CERT_PROG:-keel-cert}
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 2; }
usage_line="usage: keel cert [--rsa] [--ca PREFIX] [--out DIR] [--force] NAME [ALTNAME...]"

rsa=
ca=
out=.
force=
while [ $# -gt 0 ]; do
	case "$1" in
	--rsa) rsa=1; shift ;;
	--ca) [ $# -ge 2 ] && [ -n "$2" ] || die "--ca needs a file prefix"; ca=$2; shift 2 ;;
	--out) [ $# -ge 2 ] && [ -n "$2" ] || die "--out needs a folder"; out=$2; shift 2 ;;
	--force) force=1; shift ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option '$1' ($usage_line)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die "$usage_line"
command -v openssl >/dev/null 2>&1 || die "openssl not found (Debian: openssl)"
name=$1
case "$name" in
"" | -* | .* | *[!A-Za-z0-9.*_-]*) die "bad name '$name' (a host name: letters, digits, '.', '-', '*')" ;;
esac
for n in "$@"; do
	case "$n" in
	"" | -* | *[!A-Za-z0-9.*:_-]*) die "bad name '$n' (a host name or an IPv4/IPv6 address)" ;;
	esac
done
mkdir -p "$out" 2>/dev/null || die "cannot create the folder '$out'"
if [ -z "$force" ]; then
	for f in "$out/$name.key" "$out/$name.crt"; do
		[ ! -e "$f" ] || die "$f exists; give --force to replace it"
	done
fi

newkey() { # newkey FILE
	if [ -n "$rsa" ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	fi
}

san=
seen=" "
for n in "$@"; do
	case "$seen" in *" $n "*) continue ;; esac
	seen="$seen$n "
	case "$n" in
	*:*) san="${san:+$san,}IP:$n" ;;
	*[!0-9.]*) san="${san:+$san,}DNS:$n" ;;
	*) san="${san:+$san,}IP:$n" ;;
	esac
done

key=$out/$name.key
crt=$out/$name.crt
newkey "$key" || die "openssl could not make a key"
if [ -z "$ca" ]; then
	openssl req -x509 -new -key "$key" -days 825 -subj "/CN=$name" \
		-addext "subjectAltName=$san" -addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
		-out "$crt" 2>/dev/null || die "openssl could not make the certificate"
else
	if [ ! -f "$ca.crt" ] || [ ! -f "$ca.key" ]; then
		newkey "$ca.key"
		openssl req -x509 -new -key "$ca.key" -days 3650 -subj "/CN=Keel development CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-out "$ca.crt" 2>/dev/null || die "openssl could not make the CA"
	fi
	ext=$(mktemp)
	trap 'rm -f "$ext"' EXIT
	printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
		"$san" >"$ext"
	openssl req -new -key "$key" -subj "/CN=$name" 2>/dev/null |
		openssl x509 -req -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 825 \
			-extfile "$ext" -out "$crt" 2>/dev/null || die "openssl could not sign the certificate"
	rm -f "$ca.srl"
fi

# The C file: each PEM line as a string literal.
id=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_' '_')
cfile=$out/${name}_pem.c
{
	printf '/* %s: development certificate and key, made by keel cert. */\n' "$name"
	printf 'const char %s_cert_pem[] =\n' "$id"
	sed 's/.*/\t"&\\n"/' "$crt"
	printf '\t;\nconst char %s_key_pem[] =\n' "$id"
	sed 's/.*/\t"&\\n"/' "$key"
	printf '\t;\n'
} >"$cfile"
printf '%s: wrote %s, %s and %s\n' "$prog" "$crt" "$key" "$cfile"
