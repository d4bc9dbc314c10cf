#!/bin/sh
# examples/www as an x86_64 unikernel in 4 MiB of guest memory (QEMU -m 4,
# user networking, host ports on the loopback forwarded to its ports 80
# and 443): the image boots, sizes its packet pool from what its heap has
# free, and serves the 1 MiB file whole over HTTPS (SHA-256 checked)
# three times in a row and to two clients at once; /metrics shows the pool it chose and no
# allocation that failed while it served them.
# Every run is bounded by timeout; only the PID started here is stopped.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

command -v curl >/dev/null || fail "curl is needed (Debian: curl)"
command -v sha256sum >/dev/null || fail "sha256sum is needed (coreutils)"
x86_build examples/www
img=$(x86_image examples/www)
big=build/x86_64/apps/www/site-extra/files/1m.bin
[ -f "$big" ] || fail "no $big"

pid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(test_port)
sport=$((port + 1))
[ -f build/cert/ca.crt ] || fail "the build made no build/cert/ca.crt"
timeout -k 5 300 "$QEMU_RUN" --mem 4 --net service=user:"$port"-80,"$sport"-443 "$img" -- --https-public-port="$sport" --exit-after=280 \
	>"$tmp/out" 2>&1 </dev/null &
pid=$!
tries=0
until grep -q '^www: serving on http://10.0.2.15:80/$' "$tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "www did not start in 4 MiB: $(cat "$tmp/out")"
	fi
	sleep 0.1
done

want=$(sha256sum "$big" | cut -d' ' -f1)
url=https://localhost:$sport/files/1m.bin
# fetch N: the SHA-256 of the body (of nothing when the fetch failed) in $tmp/got.N
fetch() {
	curl -s -m 60 --cacert build/cert/ca.crt --resolve localhost:"$sport":127.0.0.1 "$url" | sha256sum | cut -d' ' -f1 >"$tmp/got.$1"
}
for i in 1 2 3; do
	fetch "$i"
	[ "$(cat "$tmp/got.$i")" = "$want" ] || fail "fetch $i of the 1 MiB file in 4 MiB: wrong or cut short"
done
fetch 4 &
a=$!
fetch 5 &
b=$!
wait "$a"
wait "$b"
for i in 4 5; do
	[ "$(cat "$tmp/got.$i")" = "$want" ] || fail "concurrent fetch $i of the 1 MiB file in 4 MiB: wrong or cut short"
done
metrics=$(curl -s -m 10 "http://127.0.0.1:$port/metrics")
printf '%s\n' "$metrics" | grep -E '^(heap_size|heap_high_water|heap_failures|net_buffers_total) '
failures=$(printf '%s\n' "$metrics" | awk '$1 == "heap_failures" {print $2}')
buffers=$(printf '%s\n' "$metrics" | awk '$1 == "net_buffers_total" {print $2}')
[ "$failures" = 0 ] || fail "allocations failed while serving in 4 MiB: ${failures:-no metric}"
[ -n "$buffers" ] && [ "$buffers" -ge 32 ] || fail "no packet pool of at least 32 buffers: ${buffers:-no metric}"
pass "www in 4 MiB on x86_64: the 1 MiB file whole over HTTPS 5 times (2 at once), pool of $buffers buffers"
