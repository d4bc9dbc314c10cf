#!/bin/sh
# The TLS client example, examples/fetch with an https:// URL, on the
# linux target's direct stack (a TAP in a network namespace of its own:
# host side 10.0.0.1/24, image 10.0.0.2/24), against openssl s_server on
# the host side:
#   - a certificate signed by the CA fetch trusts (build/cert/ca.crt, the
#     build's development CA; the pair made here with keel cert), ECDSA
#     and RSA: fetched, the chain and the name verified, status 200;
#   - the same server asked for under another name: refused;
#   - a self-signed certificate (not from that CA): refused;
# Needs root (namespace, TAP) and openssl. The namespace is uniquely named
# and always deleted; only PIDs started here are stopped.
set -u
. tests/lib.sh

[ "$(id -u)" -eq 0 ] || fail "tls fetch needs root (network namespace and TAP)"
for c in ip openssl; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
make -s app APP=examples/fetch >/dev/null || fail "build of examples/fetch failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
[ -f build/cert/ca.key ] || fail "the build made no development CA (build/cert/ca.key)"
img=build/linux/apps/fetch/fetch

ns=keel-tlsf-$$
tap=ktf$$
spid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

./keel cert --ca build/cert/ca --out "$tmp" s.test >/dev/null || fail "keel cert s.test"
./keel cert --rsa --ca build/cert/ca --out "$tmp/rsa" s.test >/dev/null || fail "keel cert --rsa s.test"
./keel cert --out "$tmp/self" s.test >/dev/null || fail "keel cert self-signed s.test"

ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns exec "$ns" ip link set lo up || fail "lo up"
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
ip netns exec "$ns" ip link set "$tap" up || fail "cannot bring $tap up"

# server PREFIX: openssl s_server on 10.0.0.1:4433 with PREFIX.crt/.key.
server() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	timeout 60 ip netns exec "$ns" openssl s_server -accept 10.0.0.1:4433 -cert "$1.crt" \
		-key "$1.key" -www -quiet >"$tmp/s_server" 2>&1 &
	spid=$!
	tries=0
	until ip netns exec "$ns" sh -c 'cat /proc/net/tcp' | awk '$4 == "0A"' | grep -q ':1151 '; do
		tries=$((tries + 1))
		[ $tries -le 50 ] || fail "openssl s_server did not start: $(cat "$tmp/s_server")"
		sleep 0.1
	done
}

# fetch ARGS...: the image; its output in $out, its status in $rc.
fetch() {
	out=$(timeout 60 ip netns exec "$ns" build/host/bin/keel-launch --net service=tap:"$tap" "$img" -- \
		--ipv4=10.0.0.2/24 "$@" 2>&1)
	rc=$?
}

server "$tmp/s.test"
fetch --servername=s.test https://10.0.0.1:4433/
[ $rc -eq 0 ] || fail "fetch from s_server (ECDSA) exited $rc: $out"
expect_line "$out" "fetch: TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, certificate verified for s.test"
expect_line "$out" "fetch: status 200"
printf '%s\n' "$out" | grep -q '^fetch: body [1-9][0-9]* bytes sha256 [0-9a-f]\{64\}$' || fail "no body: $out"

fetch --servername=other.test https://10.0.0.1:4433/
[ $rc -eq 1 ] || fail "fetch accepted s.test for other.test (exit $rc): $out"
printf '%s\n' "$out" | grep -q '^fetch: tls: .*certificate does not name the server' ||
	fail "a wrong name was not refused as such: $out"

server "$tmp/rsa/s.test"
fetch --servername=s.test https://10.0.0.1:4433/
[ $rc -eq 0 ] || fail "fetch from s_server (RSA) exited $rc: $out"
expect_line "$out" "fetch: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, certificate verified for s.test"

server "$tmp/self/s.test"
fetch --servername=s.test https://10.0.0.1:4433/
[ $rc -eq 1 ] || fail "fetch accepted a self-signed certificate (exit $rc): $out"
printf '%s\n' "$out" | grep -q '^fetch: tls: .*certificate not trusted' ||
	fail "an untrusted chain was not refused as such: $out"
printf '%s\n' "$out" | grep -q '^fetch: status' && fail "fetch sent a request over an untrusted session: $out"

pass "fetch https:// against openssl s_server: ECDSA and RSA verified; a wrong name and an untrusted chain refused"
