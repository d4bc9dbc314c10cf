#!/bin/sh
# examples/https on the x86_64 target under QEMU (user networking, no
# root): BearSSL built with the kernel's flags, entropy from virtio-rng or
# the CPU, the page over HTTPS from the host and the HTTP redirect naming
# the forwarded port. Needs qemu-system-x86_64 and curl; bounded by timeout.
set -u
. tests/lib.sh

for c in qemu-system-x86_64 curl timeout; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
make -s TARGET=x86_64 libs >/dev/null && make -s TARGET=x86_64 app APP=examples/https >/dev/null ||
	fail "build of examples/https for x86_64 failed"
img=build/x86_64/apps/https/https
crt=build/x86_64/apps/https/cert/localhost.crt
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

hp=$((40000 + $$ % 10000))
pp=$((hp + 1))
timeout 90 tools/qemu-run.sh --net service=user:$hp-443,$pp-80 "$img" -- \
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
out=$(timeout 30 curl -sS -i "http://127.0.0.1:$pp/z" 2>&1) || fail "HTTP: $out"
printf '%s\n' "$out" | tr -d '\r' | grep -qx "Location: https://127.0.0.1:$hp/z" ||
	fail "wrong redirect without a query: $out"
pass "examples/https on x86_64 under QEMU"
