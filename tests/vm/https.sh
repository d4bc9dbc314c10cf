#!/bin/sh
# examples/https on a hypervisor target under QEMU, run as
# `sh tests/vm/https.sh TARGET` (tests/tls/x86_64.t, tests/tls/aarch64.t):
# user networking, no root. BearSSL built with the kernel's flags, entropy
# from the platform's kp_random (virtio-rng or the CPU); the page over
# HTTPS from the host, and the HTTP redirects naming the forwarded port,
# with and without a query. Needs QEMU for the target and curl; every run
# is bounded by timeout and only the PID started here is stopped.
set -u
. tests/lib.sh
. tests/vm/lib.sh

for c in curl timeout; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
vm_build examples/https
img=$(vm_image examples/https)
crt=build/$VM_TARGET/apps/https/cert/localhost.crt
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

hp=$(test_port)
pp=$((hp + 1))
timeout 90 "$QEMU_RUN" --net service=user:$hp-443,$pp-80 "$img" -- \
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
pass "examples/https on $VM_TARGET under QEMU"
