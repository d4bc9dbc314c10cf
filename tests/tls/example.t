#!/bin/sh
# examples/https on the direct stack: the image runs on a TAP in a network
# namespace made here (10.0.0.2, the host side 10.0.0.1) with the
# development certificate its build made for "localhost":
#   - curl --cacert over HTTPS (port 443): the page, TLS 1.2 with ECDHE and
#     an AEAD suite, ALPN http/1.1, HSTS;
#   - plain HTTP (port 80): a 308 to the same path and query over HTTPS;
#   - openssl s_client: resumption and close.
# Needs root, ip, curl, openssl. Bounded by timeouts; the namespace and the
# image are removed on exit.
set -u
. tests/lib.sh
. tests/net/netns.sh

[ "$(id -u)" -eq 0 ] || fail "needs root (network namespace and TAP)"
for c in ip curl openssl timeout; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
make -s app APP=examples/https >/dev/null || fail "build of examples/https failed"
make -s "$NET_LAUNCH" >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/https/https
crt=build/linux/apps/https/cert/localhost.crt
trap net_cleanup EXIT
trap 'exit 1' INT TERM HUP
net_tmp=$(mktemp -d) || fail "mktemp failed"
net_ns=keel-https-$$
net_tap=kh$$
ip netns add "$net_ns" || fail "cannot create network namespace $net_ns"
in_ns ip link set lo up || fail "lo up"
in_ns ip tuntap add dev "$net_tap" mode tap || fail "cannot create TAP $net_tap"
in_ns ip addr add 10.0.0.1/24 dev "$net_tap" || fail "cannot address $net_tap"
in_ns ip link set "$net_tap" up || fail "cannot bring $net_tap up"
timeout 60 ip netns exec "$net_ns" "$NET_LAUNCH" --net service=tap:"$net_tap" \
	"$img" -- --ipv4=10.0.0.2/24 --exit-after=45 >"$net_tmp/out" 2>&1 &
net_pid=$!
tries=0
until grep -q '^https: serving on https://10.0.0.2:443/$' "$net_tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$net_pid" 2>/dev/null; then
		fail "the image did not start: $(cat "$net_tmp/out")"
	fi
	sleep 0.1
done

out=$(in_ns timeout 10 curl -sS -i --cacert "$crt" --resolve localhost:443:10.0.0.2 \
	https://localhost/ 2>&1) || fail "HTTPS GET failed: $out"
printf '%s\n' "$out" | grep -q '^HTTP/1.1 200' || fail "no 200: $out"
printf '%s\n' "$out" | grep -qi '^strict-transport-security: max-age=63072000' || fail "no HSTS: $out"
printf '%s\n' "$out" | grep -q 'TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256; server name "localhost"; ALPN "http/1.1"' ||
	fail "unexpected page: $out"

out=$(in_ns timeout 10 curl -sS -i 'http://10.0.0.2/some/path?x=1' 2>&1) || fail "HTTP GET failed: $out"
printf '%s\n' "$out" | grep -q '^HTTP/1.1 308' || fail "no redirect: $out"
printf '%s\n' "$out" | tr -d '\r' | grep -qx 'Location: https://10.0.0.2/some/path?x=1' ||
	fail "wrong Location: $out"
# curl following the redirect ends on the HTTPS page (the certificate
# names 127.0.0.1 and localhost, so check the name only, not the chain).
out=$(in_ns timeout 10 curl -sS -L -k http://10.0.0.2/ 2>&1) || fail "redirect chain failed: $out"
printf '%s\n' "$out" | grep -q 'Hello over TLS' || fail "the redirect did not end on the page: $out"

out=$(echo Q | in_ns timeout 10 openssl s_client -connect 10.0.0.2:443 -servername localhost \
	-CAfile "$crt" -no_ticket -sess_out "$net_tmp/sess" 2>&1)
printf '%s\n' "$out" | grep -q 'Verify return code: 0 (ok)' || fail "s_client: $out"
out=$(echo Q | in_ns timeout 10 openssl s_client -connect 10.0.0.2:443 -servername localhost \
	-CAfile "$crt" -sess_in "$net_tmp/sess" 2>&1)
printf '%s\n' "$out" | grep -q '^Reused, TLSv1.2' || fail "not resumed over the direct stack: $out"

pass "examples/https: HTTPS page, HTTP redirect, resumption over the direct stack"
