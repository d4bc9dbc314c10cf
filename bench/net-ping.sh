#!/bin/sh
# Round-trip time of ping to the direct stack (lib/net, the test image
# tests/net/ping) against ping to the host kernel's own stack, in the same
# run, over the same path: a client namespace whose veth ends on a bridge
# in a server namespace; the bridge also holds the image's TAP, and the
# bridge's own address (10.0.0.1) is the kernel's peer. Both are one hop
# from the client (see shared BENCHMARKING notes). Runs alternate A B A B;
# prints the median of each and the ratio. Needs root, ping, taskset.
#
#   sh bench/net-ping.sh [ROUNDS] [PINGS_PER_ROUND]
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${1:-5}
count=${2:-200}
[ "$(id -u)" -eq 0 ] || { echo "net-ping: needs root"; exit 1; }
make -s app APP=tests/net/ping >/dev/null && make -s build/host/bin/keel-launch >/dev/null || exit 1

srv=keel-bsrv-$$
cli=keel-bcli-$$
tap=kbt$$
pid=
tmp=$(mktemp -d)
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$srv" 2>/dev/null
	ip netns del "$cli" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$srv" && ip netns add "$cli" || exit 1
ip -n "$srv" link set lo up
ip -n "$cli" link set lo up
ip -n "$srv" link add br0 type bridge
ip -n "$srv" addr add 10.0.0.1/24 dev br0
ip -n "$srv" link set br0 up
ip netns exec "$srv" ip tuntap add dev "$tap" mode tap
ip -n "$srv" link set "$tap" master br0
ip -n "$srv" link set "$tap" up
ip -n "$srv" link add vs type veth peer name vc netns "$cli"
ip -n "$srv" link set vs master br0
ip -n "$srv" link set vs up
ip -n "$cli" addr add 10.0.0.3/24 dev vc
ip -n "$cli" link set vc up
# Receive steering on both veth ends, each side on its own CPU.
for x in "$srv vs" "$cli vc"; do
	set -- $x
	ip netns exec "$1" sh -c "echo 1 >/sys/class/net/$2/queues/rx-0/rps_cpus" 2>/dev/null
done

timeout 600 ip netns exec "$srv" taskset -c 1 build/host/bin/keel-launch --net service=tap:"$tap" \
	build/linux/apps/ping/ping -- --ipv4=10.0.0.2/24 --seconds=590 >"$tmp/out" 2>&1 &
pid=$!
for i in $(seq 100); do
	grep -q '^ping: ready$' "$tmp/out" && break
	sleep 0.1
done
grep -q '^ping: ready$' "$tmp/out" || { cat "$tmp/out"; exit 1; }
ip netns exec "$cli" ping -c 3 -W 1 10.0.0.2 >/dev/null 2>&1
ip netns exec "$cli" ping -c 3 -W 1 10.0.0.1 >/dev/null 2>&1

# rtts ADDR: one round; appends the times (ms) to $tmp/ADDR.
rtts() {
	ip netns exec "$cli" taskset -c 0 ping -c "$count" -i 0.005 -W 1 "$1" 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) ms/\1/p' >>"$tmp/$1"
}
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'
}
for r in $(seq "$rounds"); do
	rtts 10.0.0.2
	rtts 10.0.0.1
done
a=$(median "$tmp/10.0.0.2")
b=$(median "$tmp/10.0.0.1")
na=$(wc -l <"$tmp/10.0.0.2")
nb=$(wc -l <"$tmp/10.0.0.1")
echo "ping rtt median: keel direct stack $a ms ($na replies), Linux stack on the bridge $b ms ($nb replies); ratio $(awk "BEGIN { printf \"%.2f\", $a / $b }")"
