#!/bin/sh
# TCP of the direct stack over a faulty link, against the Linux kernel's:
# the echo image on TAP B in namespace B (10.0.0.2), Linux on TAP A in
# namespace A (10.0.0.1), and keel-faultlink carrying the frames between
# them (TAP A's fd on one side, an AF_PACKET socket on TAP B on the other)
# with 5 % loss, 5 % duplication, 25 % reordering and 2 ms of delay each
# way. 8 MiB go each way at once and must come back intact (sha256).
# Needs root; fails without it. Bounded by timeouts; cleans up on exit.
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "tcp_faultlink needs root (network namespaces and TAPs)"
fi
for tool in ip socat sha256sum timeout head; do
	command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install iproute2 socat coreutils)"
done
make -s app APP=examples/echo >/dev/null || fail "build of examples/echo failed"
make -s build/host/bin/keel-launch build/host/bin/keel-faultlink >/dev/null ||
	fail "build of keel-launch / keel-faultlink failed"
img=build/linux/apps/echo/echo
launch=build/host/bin/keel-launch
fl=build/host/bin/keel-faultlink

nsa=ktfa-$$
nsb=ktfb-$$
tapa=ktfa$$
tapb=ktfb$$
pid=
flpid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	for p in $pid $flpid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for n in "$nsa" "$nsb"; do
	ip netns add "$n" || fail "cannot create namespace $n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
ip -n "$nsa" tuntap add dev "$tapa" mode tap || fail "cannot create TAP $tapa"
ip -n "$nsa" addr add 10.0.0.1/24 dev "$tapa" || fail "cannot address $tapa"
ip -n "$nsa" link set "$tapa" up || fail "cannot bring $tapa up"
# TAP B carries the image; its kernel side has no address (only the link).
ip -n "$nsb" tuntap add dev "$tapb" mode tap || fail "cannot create TAP $tapb"
ip -n "$nsb" link set "$tapb" up || fail "cannot bring $tapb up"

timeout 150 ip netns exec "$nsb" "$launch" --net service=tap:"$tapb" "$img" -- \
	--ipv4=10.0.0.2/24 --exit-after=120 >"$tmp/out" 2>&1 &
pid=$!
"$fl" --a tap:"$tapa@$nsa" --b packet:"$tapb@$nsb" --loss 5 --dup 5 --reorder 25 --delay 2 \
	--seed 7 --seconds 140 >"$tmp/fl" 2>&1 &
flpid=$!
tries=0
until grep -q '^echo: listening' "$tmp/out" && grep -q '^faultlink: ready$' "$tmp/fl"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null || ! kill -0 "$flpid" 2>/dev/null; then
		fail "did not start: $(cat "$tmp/out" "$tmp/fl")"
	fi
	sleep 0.1
done

head -c 8M /dev/urandom >"$tmp/in" || fail "cannot make the input"
t0=$(date +%s%N)
timeout 120 ip netns exec "$nsa" socat -t60 -b65536 TCP:10.0.0.2:7,connect-timeout=30 STDIO \
	<"$tmp/in" >"$tmp/back" || fail "socat failed: $(cat "$tmp/fl")"
t1=$(date +%s%N)
[ "$(sha256sum <"$tmp/in")" = "$(sha256sum <"$tmp/back")" ] ||
	fail "8 MiB over the faulty link: sha256 differs ($(wc -c <"$tmp/back") bytes back)"
kill -TERM "$flpid"
wait "$flpid"
flpid=
cat "$tmp/fl"
pass "8 MiB each way intact through 5% loss, 5% dup, 25% reorder in $(( (t1 - t0) / 1000000 )) ms"
