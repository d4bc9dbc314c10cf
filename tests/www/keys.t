#!/bin/sh
# examples/www-keys: the www site over HTTPS with its certificate and key
# read at start from the block device "tls" (a file holding the PEM text
# and zeros), not compiled in. A pair made here with keel cert (signed by
# a CA made here too, naming keys.test) on:
#   - linux, the direct stack on a TAP in a network namespace of its own:
#     every check of tests/www/checks.sh over HTTPS (curl --cacert with
#     the CA made here), HTTP redirecting to it; then devices that must
#     stop the image with one clear line: zeros only, binary bytes, a
#     certificate without a key, a key without a certificate, text with no
#     zero byte in its first 64 KiB, a PEM block of bad base64;
#   - x86_64 under QEMU with user networking: the same device as a
#     virtio-blk disk, one page over HTTPS.
# Needs root (namespace, TAP), openssl, curl. The namespace is uniquely
# named and always deleted; only PIDs started here are stopped.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh
. tests/www/checks.sh

[ "$(id -u)" -eq 0 ] || fail "www keys needs root (network namespace and TAP)"
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
www_require
make -s app APP=examples/www-keys >/dev/null || fail "build of examples/www-keys failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/www-keys/www-keys

ns=keel-wwwk-$$
tap=kwk$$
pid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

./keel cert --ca "$tmp/ca" --out "$tmp" keys.test keys.test 10.0.0.2 >/dev/null || fail "keel cert failed"
# disk NAME FILE...: the files, then zeros, as a 64 KiB device.
disk() {
	n=$1
	shift
	cat "$@" >"$tmp/$n.img" || fail "cannot make $n.img"
	truncate -s 64K "$tmp/$n.img" || fail "truncate"
}
disk good "$tmp/keys.test.crt" "$tmp/keys.test.key"

ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns exec "$ns" ip link set lo up || fail "lo up"
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
ip netns exec "$ns" ip link set "$tap" up || fail "cannot bring $tap up"

run() { # run DEVICE-FILE: the image in the background, output in $tmp/out
	timeout 200 ip netns exec "$ns" build/host/bin/keel-launch --net service=tap:"$tap" \
		--block tls="$1" "$img" -- --ipv4=10.0.0.2/24 --exit-after=120 >"$tmp/out" 2>&1 &
	pid=$!
}

# ---- A good device -------------------------------------------------------------
run "$tmp/good.img"
tries=0
until grep -q '^www: serving on http://10.0.0.2:80/$' "$tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "www-keys did not start: $(cat "$tmp/out")"
	fi
	sleep 0.1
done
grep -q '^www: TLS certificate and key read from block device tls$' "$tmp/out" ||
	fail "the image did not say where its keys came from: $(cat "$tmp/out")"
grep -q '^www: serving on https://10.0.0.2:443/$' "$tmp/out" || fail "no HTTPS line: $(cat "$tmp/out")"
subject=$(ip netns exec "$ns" timeout 20 openssl s_client -connect 10.0.0.2:443 -servername keys.test \
	-CAfile "$tmp/ca.crt" -verify_return_error </dev/null 2>/dev/null | openssl x509 -noout -subject) ||
	fail "openssl s_client could not fetch the certificate"
[ "$subject" = "subject=CN = keys.test" ] || fail "the image served '$subject', not the device's keys.test"
WWW_SCHEME=https WWW_NAME=keys.test WWW_CACERT=$tmp/ca.crt WWW_HOST=10.0.0.2 WWW_PORT=443 \
	WWW_TMP=$tmp WWW_IN="ip netns exec $ns" WWW_1M=build/linux/apps/www-keys/site-extra/files/1m.bin www_checks
WWW_NAME=keys.test WWW_CACERT=$tmp/ca.crt WWW_HOST=10.0.0.2 WWW_TMP=$tmp WWW_IN="ip netns exec $ns" \
	www_check_https_redirect 80 443
checks=$www_passed
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

# ---- Bad devices: one line each, and the image stops ---------------------------
bad() { # bad NAME PATTERN: the image on NAME.img ends with status 1 and says PATTERN
	run "$tmp/$1.img"
	wait "$pid"
	rc=$?
	pid=
	[ $rc -eq 1 ] || fail "device $1: the image ended with status $rc, want 1: $(cat "$tmp/out")"
	grep -q -- "$2" "$tmp/out" || fail "device $1: no line '$2': $(cat "$tmp/out")"
	grep -q 'serving on' "$tmp/out" && fail "device $1: the image served: $(cat "$tmp/out")"
	printf 'check: device %s: %s\n' "$1" "$(grep -- "$2" "$tmp/out")"
}
truncate -s 64K "$tmp/zeros.img"
bad zeros '^www: block device tls is empty: write the certificate chain and its key'
printf -- '-----BEGIN CERTIFICATE-----\n\377\001' >"$tmp/binary.bin"
disk binary "$tmp/binary.bin"
bad binary '^www: block device tls: byte 28 (0xff) is not PEM text$'
disk nokey "$tmp/keys.test.crt"
bad nokey '^www: block device tls holds no PEM PRIVATE KEY block$'
disk nocert "$tmp/keys.test.key"
bad nocert '^www: block device tls holds no PEM CERTIFICATE block$'
# 128 KiB of text and no zero byte where the keys may be.
{ cat "$tmp/keys.test.crt" "$tmp/keys.test.key"; yes 'padding padding padding padding' | head -c 131072; } |
	head -c 131072 >"$tmp/long.img"
bad long '^www: block device tls: no zero byte in its first 64 KiB'
sed 's/^MI/M!/' "$tmp/keys.test.crt" >"$tmp/garbled.crt"
disk garbled "$tmp/garbled.crt" "$tmp/keys.test.key"
bad garbled '^www: the TLS certificate and key: '

# ---- x86_64: the same device on virtio-blk --------------------------------------
x86_build examples/www-keys
ximg=$(x86_image examples/www-keys)
port=$(test_port)
sport=$((port + 1))
timeout -k 5 200 "$QEMU_RUN" --net service=user:"$port"-80,"$sport"-443 --block tls="$tmp/good.img" \
	"$ximg" -- --https-public-port="$sport" --exit-after=150 >"$tmp/out" 2>&1 </dev/null &
pid=$!
tries=0
until grep -q '^www: serving on http://10.0.2.15:80/$' "$tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "www-keys did not start on x86_64: $(cat "$tmp/out")"
	fi
	sleep 0.1
done
body=$(timeout 30 curl -sS --max-time 20 --cacert "$tmp/ca.crt" --resolve "keys.test:$sport:127.0.0.1" \
	"https://keys.test:$sport/about/") || fail "curl --cacert to x86_64 www-keys failed"
printf '%s\n' "$body" | grep -q 'About Keel' || fail "x86_64 www-keys did not serve /about/"
pass "www-keys: keys from the block device: $checks checks over HTTPS on linux, 6 bad devices refused, x86_64 over virtio-blk"
