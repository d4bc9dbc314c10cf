#!/bin/sh
# examples/www on the linux target with the direct stack: the image in a
# network namespace of its own, on a TAP (host side 10.0.0.1/24, image
# 10.0.0.2/24), against curl, openssl s_client and socat in that
# namespace, twice:
#   - as built, with its development certificate compiled in: every check
#     of tests/www/checks.sh over HTTPS on port 443 (curl --cacert
#     build/cert/ca.crt, the name localhost sent to 10.0.0.2), and plain
#     HTTP on port 80 redirecting to it;
#   - with --https-port=0: every check over plain HTTP on port 80.
# Needs root (namespace, TAP); fails without it. The namespace is uniquely
# named and always deleted; only the PIDs started here are stopped.
set -u
. tests/lib.sh
. tests/www/checks.sh

[ "$(id -u)" -eq 0 ] || fail "www linux needs root (network namespace and TAP)"
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
www_require
make -s app APP=examples/www >/dev/null || fail "build of examples/www failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/www/www

ns=keel-www-$$
tap=kww$$
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

ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns exec "$ns" ip link set lo up || fail "lo up"
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
ip netns exec "$ns" ip link set "$tap" up || fail "cannot bring $tap up"

# start ARGS...: the image with ARGS, waiting (bounded) for its HTTP line.
start() {
	timeout 200 ip netns exec "$ns" build/host/bin/keel-launch --net service=tap:"$tap" "$img" -- \
		--ipv4=10.0.0.2/24 --exit-after=180 "$@" >"$tmp/out" 2>&1 &
	pid=$!
	tries=0
	until grep -q '^www: serving on http://10.0.0.2:80/$' "$tmp/out"; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "www did not start: $(cat "$tmp/out")"
		fi
		sleep 0.1
	done
}
stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# ---- HTTPS, and HTTP redirecting to it -------------------------------------------
[ -f build/cert/ca.crt ] || fail "the build made no build/cert/ca.crt"
start
grep -q '^www: serving on https://10.0.0.2:443/$' "$tmp/out" || fail "no HTTPS line: $(cat "$tmp/out")"
WWW_SCHEME=https WWW_NAME=localhost WWW_CACERT=build/cert/ca.crt \
	WWW_HOST=10.0.0.2 WWW_PORT=443 WWW_TMP=$tmp WWW_IN="ip netns exec $ns" \
	WWW_1M=build/linux/apps/www/site-extra/files/1m.bin www_checks
WWW_NAME=localhost WWW_CACERT=build/cert/ca.crt WWW_HOST=10.0.0.2 WWW_TMP=$tmp \
	WWW_IN="ip netns exec $ns" www_check_https_redirect 80 443
https=$www_passed
stop

# ---- --https-port=0: plain HTTP --------------------------------------------------
start --https-port=0
grep -q 'https://' "$tmp/out" && fail "--https-port=0 still serves HTTPS: $(cat "$tmp/out")"
WWW_HOST=10.0.0.2 WWW_PORT=80 WWW_TMP=$tmp WWW_IN="ip netns exec $ns" \
	WWW_1M=build/linux/apps/www/site-extra/files/1m.bin www_checks
pass "www on linux, direct stack over a TAP: $https checks over HTTPS (+ redirect), $www_passed over HTTP"
