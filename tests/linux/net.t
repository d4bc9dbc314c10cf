#!/bin/sh
# A net device on the linux target, against the host kernel: in a network
# namespace of its own, with a TAP at 10.0.0.1/24, the image sends 5 frames
# of ethertype 0x88b5 (the last as large as the MTU allows) and waits, with
# a deadline, for at least one frame; the kernel is made to send some (ARP
# for 10.0.0.2). The TAP's rx counter must grow by the frames sent.
# An image with a net and a block device starts too. Needs root for the
# namespace (the test fails without it: it is not a pass).
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "net needs root (network namespace and TAP)"
fi
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"

for app in netio devices; do
	make -s app APP=tests/linux/$app >/dev/null || fail "build of tests/linux/$app failed"
done
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/netio/netio
launch=build/host/bin/keel-launch

ns=keel-net-$$
tap=ktap$$
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

in_ns() {
	ip netns exec "$ns" "$@"
}

ip netns add "$ns" || fail "cannot create network namespace $ns"
in_ns ip link set lo up || fail "lo up"
in_ns ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
in_ns ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
in_ns ip link set "$tap" up || fail "cannot bring $tap up"
rx_file=/sys/class/net/$tap/statistics/rx_packets
rx0=$(in_ns cat "$rx_file") || fail "cannot read $rx_file"

timeout 30 ip netns exec "$ns" "$launch" --net service=tap:"$tap" "$img" 10 >"$tmp/out" 2>&1 &
pid=$!

# Wait (bounded) until the frames are out and the image listens.
tries=0
until grep -q '^netio: waiting$' "$tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "the image did not start listening: $(cat "$tmp/out")"
	fi
	sleep 0.1
done

# Make the kernel send frames out of the TAP: resolving 10.0.0.2 (which
# nobody answers) sends ARP requests. Any of these tools will do.
poke() {
	if command -v ping >/dev/null; then
		in_ns ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1
	elif command -v python3 >/dev/null; then
		in_ns python3 -c 'import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"keel", ("10.0.0.2", 9))'
		sleep 1
	else
		sleep 1 # IPv6 router solicitations after link-up may still arrive
	fi
}
tries=0
while kill -0 "$pid" 2>/dev/null && [ $tries -lt 10 ]; do
	poke
	tries=$((tries + 1))
done
wait "$pid"
rc=$?
pid=
out=$(cat "$tmp/out")
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "netio exited with $rc"

received=$(printf '%s\n' "$out" | sed -n 's/^netio: sent 5 received \([0-9][0-9]*\)$/\1/p')
[ -n "$received" ] && [ "$received" -ge 1 ] || fail "no 'netio: sent 5 received N' line with N > 0"
rx1=$(in_ns cat "$rx_file") || fail "cannot read $rx_file"
[ $((rx1 - rx0)) -ge 5 ] || fail "the TAP received $((rx1 - rx0)) frames, want 5"

# Both kinds of device in one image: the TAP on fd 3, the file on fd 4
# (or the other way round: the launcher follows the manifest's order).
dd if=/dev/zero of="$tmp/disk" bs=512 count=4 2>/dev/null || fail "cannot create a disk file"
out=$(timeout 30 ip netns exec "$ns" "$launch" --block storage="$tmp/disk" \
	--net service=tap:"$tap" build/linux/apps/devices/devices 2>&1) ||
	fail "devices exited with $?: $out"
expect_line "$out" "devices: attached"

pass "net: 5 frames out (TAP rx $rx0 -> $rx1), $received in"
