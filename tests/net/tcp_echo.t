#!/bin/sh
# TCP of the direct stack against the Linux kernel's: the echo image in a
# network namespace of its own (TAP at 10.0.0.1/24, image 10.0.0.2/24).
#   - TCP and UDP echo with socat;
#   - 64 MiB each way at once, checked with sha256sum;
#   - 500 connections open at once, every one served;
#   - a closed port answers with RST (connection refused);
#   - with --max-conns=8: eight connections held open, the ninth refused
#     cleanly (RST), the eight still served, and the refusal counted.
# Needs root (namespace, TAP); fails without it. Every step is bounded
# by `timeout`; only the PIDs started here are killed.
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "tcp_echo needs root (network namespace and TAP)"
fi
for tool in ip socat sha256sum timeout head cc; do
	command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install iproute2 socat coreutils gcc)"
done

make -s app APP=examples/echo >/dev/null || fail "build of examples/echo failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
mkdir -p build/host/bin
cc -std=c11 -O2 -pthread -o build/host/bin/tcppeer bench/peer/tcppeer.c || fail "build of tcppeer failed"
img=build/linux/apps/echo/echo
launch=build/host/bin/keel-launch
peer=build/host/bin/tcppeer

ns=keel-tcp-$$
tap=ktcp$$
pid=
holders=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	for p in $holders $pid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
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

# start_image LOG ARGS...: runs the echo image in the background.
start_image() {
	log=$1
	shift
	timeout 120 ip netns exec "$ns" "$launch" --net service=tap:"$tap" "$img" -- \
		--ipv4=10.0.0.2/24 "$@" >"$log" 2>&1 &
	pid=$!
	tries=0
	until grep -q '^echo: listening' "$log"; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "the image did not start: $(cat "$log")"
		fi
		sleep 0.1
	done
}

stop_image() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# ---- Echo, bulk, many connections, closed port -------------------------------
start_image "$tmp/out1" --exit-after=100

got=$(printf 'hello keel\n' | timeout 10 ip netns exec "$ns" socat -t5 - TCP:10.0.0.2:7) ||
	fail "socat TCP echo failed"
[ "$got" = "hello keel" ] || fail "TCP echo returned '$got'"
got=$(printf 'datagram\n' | timeout 10 ip netns exec "$ns" socat -t2 - UDP:10.0.0.2:7) ||
	fail "socat UDP echo failed"
[ "$got" = "datagram" ] || fail "UDP echo returned '$got'"

head -c 64M /dev/urandom >"$tmp/in" || fail "cannot make 64 MiB of input"
t0=$(date +%s%N)
timeout 120 ip netns exec "$ns" socat -t60 -b65536 TCP:10.0.0.2:7 STDIO \
	<"$tmp/in" >"$tmp/back" || fail "64 MiB echo: socat failed"
t1=$(date +%s%N)
sum_in=$(sha256sum <"$tmp/in" | cut -d' ' -f1)
sum_back=$(sha256sum <"$tmp/back" | cut -d' ' -f1)
[ "$sum_in" = "$sum_back" ] ||
	fail "64 MiB echo: sha256 differs ($(wc -c <"$tmp/back") bytes came back)"
mbit=$(( 64 * 8 * 1000 / ((t1 - t0) / 1000000 + 1) ))
echo "64 MiB each way in $(( (t1 - t0) / 1000000 )) ms (~$mbit Mbit/s each way)"
rm -f "$tmp/in" "$tmp/back"

out=$(timeout 60 ip netns exec "$ns" "$peer" conns 10.0.0.2 7 500) || fail "500 connections: $out"
expect_line "$out" "served 500 of 500"

out=$(timeout 10 ip netns exec "$ns" socat -T3 - TCP:10.0.0.2:8 </dev/null 2>&1) &&
	fail "a connection to a closed port succeeded"
printf '%s\n' "$out" | grep -q 'Connection refused' ||
	fail "closed port: want 'Connection refused' (RST), got: $out"
stop_image

# ---- The connection bound ----------------------------------------------------
start_image "$tmp/out2" --max-conns=8 --exit-after=20
for i in 1 2 3 4 5 6 7 8; do
	timeout 60 ip netns exec "$ns" "$peer" hold 10.0.0.2 7 6 >"$tmp/hold$i" 2>&1 &
	holders="$holders $!"
done
tries=0
until [ "$(cat "$tmp"/hold* | grep -c 'hold: connected')" -eq 8 ]; do
	tries=$((tries + 1))
	[ $tries -le 100 ] || fail "the eight connections did not open: $(cat "$tmp"/hold*)"
	sleep 0.1
done
out=$(timeout 10 ip netns exec "$ns" socat -T3 - TCP:10.0.0.2:7 </dev/null 2>&1) &&
	fail "a ninth connection was accepted past --max-conns=8"
printf '%s\n' "$out" | grep -q 'Connection refused' ||
	fail "past the bound: want 'Connection refused' (RST), got: $out"
for p in $holders; do
	wait "$p" || fail "a held connection failed: $(cat "$tmp"/hold*)"
done
holders=
[ "$(cat "$tmp"/hold* | grep -c 'hold: still served')" -eq 8 ] ||
	fail "the held connections were not all served after the refusal"
# Room again once they are gone.
got=$(printf 'again\n' | timeout 10 ip netns exec "$ns" socat -t5 - TCP:10.0.0.2:7) ||
	fail "no connection after the others closed"
[ "$got" = "again" ] || fail "echo after the bound returned '$got'"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || fail "the image exited with $rc: $(cat "$tmp/out2")"
out=$(cat "$tmp/out2")
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q '^tcp_conns_refused [1-9]' || fail "the refusal was not counted"

pass "tcp echo: 64 MiB each way intact, 500 connections, RST on a closed port and past the bound"
