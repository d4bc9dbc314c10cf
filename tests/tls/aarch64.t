#!/bin/sh
# examples/https on the aarch64 target (QEMU virt board, user networking, no
# root): BearSSL built with the kernel's flags (cross gcc), entropy from
# the platform's kp_random, the page over HTTPS from the host and the HTTP
# redirect naming the forwarded port. Needs qemu-system-aarch64,
# aarch64-linux-gnu-gcc and curl; bounded by timeout.
set -u
. tests/lib.sh

for c in qemu-system-aarch64 aarch64-linux-gnu-gcc curl timeout; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
make -s TARGET=aarch64 libs >/dev/null && make -s TARGET=aarch64 app APP=examples/https >/dev/null ||
	fail "build of examples/https for aarch64 failed"
img=build/aarch64/apps/https/https
crt=build/aarch64/apps/https/cert/localhost.crt
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

hp=$((35000 + $$ % 5000))
pp=$((hp + 1))
timeout 90 tools/qemu-run-aarch64.sh --net service=user:$hp-443,$pp-80 "$img" -- \
	--public-port=$hp --exit-after=60 >"$tmp/out" 2>&1 &
pid=$!
tries=0
until grep -q '^https: serving on' "$tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "the image did not start: $(cat "$tmp/out")"
	fi
	sleep 0.1
done
out=$(timeout 30 curl -sS --cacert "$crt" "https://localhost:$hp/" 2>&1) || fail "HTTPS: $out"
printf '%s\n' "$out" | grep -q 'TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256; server name "localhost"' ||
	fail "unexpected page: $out"
out=$(timeout 30 curl -sS -i "http://127.0.0.1:$pp/x?y=1" 2>&1) || fail "HTTP: $out"
printf '%s\n' "$out" | tr -d '\r' | grep -qx "Location: https://127.0.0.1:$hp/x?y=1" ||
	fail "wrong redirect: $out"
pass "examples/https on aarch64 under QEMU"
