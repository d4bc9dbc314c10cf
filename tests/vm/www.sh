#!/bin/sh
# examples/www as a unikernel of a hypervisor target under QEMU, run as
# `sh tests/vm/www.sh TARGET` (tests/www/x86_64.t: KVM when it works
# here, else TCG; tests/aarch64/www.t: QEMU's virt board, TCG), every
# check of tests/www/checks.sh, twice:
#   - user networking: the image asks QEMU's DHCP for its address
#     (10.0.2.15) and host ports on the loopback are forwarded to its
#     ports 80 and 443, as `keel run -t TARGET examples/www` does: every
#     check over HTTPS (curl --cacert build/cert/ca.crt, the name
#     localhost), and HTTP must redirect to the forwarded HTTPS port;
#   - a TAP in a network namespace of its own (host side 10.0.0.1/24,
#     image --ipv4=10.0.0.2/24 --https-port=0), the frames going through
#     virtio-net to the kernel's own stack: every check over plain HTTP.
# The TAP half needs root (it fails without it). Every run is bounded by
# timeout; the namespace is uniquely named and always deleted; only PIDs
# started here are stopped.
set -u
. tests/lib.sh
. tests/vm/lib.sh
. tests/www/checks.sh

www_require
vm_build examples/www
img=$(vm_image examples/www)
big=build/$VM_TARGET/apps/www/site-extra/files/1m.bin

ns=
pid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# start READY ARGS...: the launcher (ARGS) in the background, waiting
# (bounded) for the image's line READY.
start() {
	ready=$1
	shift
	: >"$tmp/out"
	timeout -k 5 300 "$@" >"$tmp/out" 2>&1 </dev/null &
	pid=$!
	tries=0
	until grep -q "^$ready\$" "$tmp/out"; do
		tries=$((tries + 1))
		if [ $tries -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
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

# ---- User networking, a forwarded port ------------------------------------------
port=$(test_port)
sport=$((port + 1))
[ -f build/cert/ca.crt ] || fail "the build made no build/cert/ca.crt"
start 'www: serving on http://10.0.2.15:80/' \
	"$QEMU_RUN" --net service=user:"$port"-80,"$sport"-443 "$img" -- --https-public-port="$sport" --exit-after=280
grep -q '^www: serving on https://10.0.2.15:443/$' "$tmp/out" || fail "no HTTPS line: $(cat "$tmp/out")"
WWW_SCHEME=https WWW_NAME=localhost WWW_CACERT=build/cert/ca.crt \
	WWW_HOST=127.0.0.1 WWW_PORT=$sport WWW_TMP=$tmp WWW_IN= WWW_1M=$big www_checks
WWW_NAME=localhost WWW_CACERT=build/cert/ca.crt WWW_HOST=127.0.0.1 WWW_TMP=$tmp WWW_IN= \
	www_check_https_redirect "$port" "$sport"
user="$www_passed over HTTPS (+ redirect)"
stop

# ---- A TAP in a namespace ---------------------------------------------------------
[ "$(id -u)" -eq 0 ] || fail "the TAP half of www $VM_TARGET needs root (network namespace and TAP)"
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
ns=keel-www$(printf %.1s "$VM_TARGET")-$$
tap=kw$(printf %.1s "$VM_TARGET")$$
ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns exec "$ns" ip link set lo up || fail "lo up"
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
ip netns exec "$ns" ip link set "$tap" up || fail "cannot bring $tap up"
start 'www: serving on http://10.0.0.2:80/' \
	ip netns exec "$ns" "$QEMU_RUN" --net service=tap:"$tap" "$img" -- --ipv4=10.0.0.2/24 --https-port=0 --exit-after=280
WWW_HOST=10.0.0.2 WWW_PORT=80 WWW_TMP=$tmp WWW_IN="ip netns exec $ns" WWW_1M=$big www_checks
over_tap=$www_passed
stop

pass "www on $VM_TARGET under QEMU: $user checks with user networking, $over_tap over HTTP on a TAP"
