#!/bin/sh
# examples/store on the linux target with the direct stack: the image in a
# network namespace of its own, on a TAP (host side 10.0.0.1/24, image
# 10.0.0.2/24), the store on a file-backed disk: every check of
# tests/store/checks.sh with curl and git in that namespace, then a
# restart on the same disk with --verify. Needs root (namespace, TAP);
# fails without it. The namespace is uniquely named and always deleted;
# only the PID started here is stopped.
set -u
. tests/lib.sh
. tests/store/checks.sh

[ "$(id -u)" -eq 0 ] || fail "store over a TAP needs root (network namespace and TAP)"
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
command -v curl >/dev/null || fail "curl is needed"
command -v git >/dev/null || fail "git is needed"
make -s app APP=examples/store >/dev/null || fail "build of examples/store failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/store/store

ns=keel-store-$$
tap=kst$$
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
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=1M count=16 2>/dev/null || fail "cannot create $disk"

ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns exec "$ns" ip link set lo up || fail "lo up"
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
ip netns exec "$ns" ip link set "$tap" up || fail "cannot bring $tap up"

start() {
	# A new file: the wait below must not find the line of the last
	# boot before the background job has truncated it.
	rm -f "$tmp/out"
	timeout 120 ip netns exec "$ns" build/host/bin/keel-launch --net service=tap:"$tap" \
		--block storage="$disk" "$img" -- --ipv4=10.0.0.2/24 --exit-after=100 "$@" \
		>"$tmp/out" 2>&1 &
	pid=$!
	tries=0
	until grep -q '^store: serving on http://10.0.0.2:80/$' "$tmp/out" 2>/dev/null; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "store did not start: $(cat "$tmp/out")"
		fi
		sleep 0.1
	done
}
stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

start
STORE_IN="ip netns exec $ns" store_checks http://10.0.0.2 "$tmp"
stop
start --verify
grep -q '^store: verified [0-9]* objects$' "$tmp/out" || fail "no verify line: $(cat "$tmp/out")"
STORE_IN="ip netns exec $ns" c http://10.0.0.2/log/main >"$tmp/log2"
cmp -s "$tmp/log1" "$tmp/log2" || fail "log changed by the restart: $(diff "$tmp/log1" "$tmp/log2")"
stop
pass "store on linux, direct stack over a TAP, file-backed disk: kv, merges, git clone, restart"
