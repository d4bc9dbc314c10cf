#!/bin/sh
# keel-faultlink between two network namespaces, Linux on both sides:
# nsA has TAP A at 10.0.0.1/24, nsB has TAP B at 10.0.0.2/24, and the tool
# (run from the root namespace, opening each TAP inside its namespace)
# forwards frames between them. IPv6 is off and neighbours are static, so
# the only frames are the test's own and the counts are exact:
#   - no faults: 10 pings, 10 replies, counters 10/10 each way;
#   - loss 50%: the same seed gives the same losses twice, and the counters
#     add up (requests out = in - lost, replies in = requests out);
#   - dup 100%: every frame is sent twice;
#   - delay 40 ms each way: the round trip is at least 80 ms;
#   - loss 5%, dup 5%, reorder 25%, delay 2 ms: a 2 MiB TCP transfer
#     (socat) arrives intact (sha256);
#   - rate 4 Mbit/s: 1 MiB takes at least 2 s.
# Needs root (namespaces, TAPs); fails without it.
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "faultlink needs root (network namespaces and TAPs)"
fi
for c in ip ping socat sha256sum timeout; do
	command -v $c >/dev/null || fail "the $c command is needed (Debian: iproute2 iputils-ping socat coreutils)"
done
make -s build/host/bin/keel-faultlink >/dev/null || fail "build of keel-faultlink failed"
fl=build/host/bin/keel-faultlink

nsa=kfl-a-$$
nsb=kfl-b-$$
tapa=kfla$$
tapb=kflb$$
flpid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	[ -n "$flpid" ] && kill "$flpid" 2>/dev/null && wait "$flpid" 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# side NS TAP ADDR MAC PEER PEER_MAC
side() {
	ip netns add "$1" || fail "cannot create namespace $1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	ip -n "$1" tuntap add dev "$2" mode tap || fail "cannot create TAP $2"
	ip -n "$1" link set "$2" address "$4" || fail "cannot set the MAC of $2"
	ip -n "$1" addr add "$3"/24 dev "$2" || fail "cannot address $2"
	ip -n "$1" link set "$2" up || fail "cannot bring $2 up"
	ip -n "$1" neigh replace "$5" lladdr "$6" dev "$2" nud permanent ||
		fail "cannot add a static neighbour in $1"
}
side "$nsa" "$tapa" 10.0.0.1 02:00:00:00:0f:0a 10.0.0.2 02:00:00:00:0f:0b
side "$nsb" "$tapb" 10.0.0.2 02:00:00:00:0f:0b 10.0.0.1 02:00:00:00:0f:0a

# link ARGS...: starts the tool with these faults, waits until it is ready.
link() {
	: >"$tmp/fl"
	"$fl" --a tap:"$tapa@$nsa" --b tap:"$tapb@$nsb" --seconds 120 "$@" >"$tmp/fl" 2>&1 &
	flpid=$!
	tries=0
	until grep -q '^faultlink: ready$' "$tmp/fl"; do
		tries=$((tries + 1))
		if [ $tries -gt 50 ] || ! kill -0 "$flpid" 2>/dev/null; then
			fail "faultlink did not start: $(cat "$tmp/fl")"
		fi
		sleep 0.1
	done
}

# unlink: stops the tool; its counters are then in $tmp/fl.
unlink() {
	kill -TERM "$flpid"
	wait "$flpid"
	flpid=
}

# counter DIR NAME: a counter of the last run ("a->b" or "b->a").
counter() {
	sed -n "s/^faultlink: $1 .* $2 \([0-9][0-9]*\).*/\1/p; s/^faultlink: $1 $2 \([0-9][0-9]*\).*/\1/p" \
		"$tmp/fl" | head -n 1
}

# pings COUNT [ping options]: prints how many replies came back.
pings() {
	n=$1
	shift
	ip netns exec "$nsa" ping -n -q -c "$n" -i 0.05 -W 1 "$@" 10.0.0.2 >"$tmp/ping" 2>&1
	sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' "$tmp/ping"
}

# -- no faults -----------------------------------------------------------------
link --seed 1
got=$(pings 10)
unlink
[ "$got" = 10 ] || fail "no faults: $got of 10 replies; $(cat "$tmp/ping")"
for d in 'a->b' 'b->a'; do
	[ "$(counter "$d" in)" = 10 ] && [ "$(counter "$d" out)" = 10 ] ||
		fail "no faults: counters $d: $(cat "$tmp/fl")"
done
echo "no faults: 10/10 replies, 10 frames each way"

# -- loss 50%, twice with the same seed ------------------------------------------
link --loss 50 --seed 7
got1=$(pings 40)
unlink
c1=$(grep '^faultlink:' "$tmp/fl" | grep -v ready)
req_in=$(counter 'a->b' in)
req_lost=$(counter 'a->b' lost)
req_out=$(counter 'a->b' out)
rep_in=$(counter 'b->a' in)
rep_out=$(counter 'b->a' out)
[ "$req_in" = 40 ] || fail "loss: $req_in requests seen, want 40: $c1"
[ $((req_in - req_lost)) -eq "$req_out" ] || fail "loss: a->b does not add up: $c1"
[ "$rep_in" -eq "$req_out" ] || fail "loss: replies in $rep_in != requests out $req_out: $c1"
[ "$rep_out" -eq "$got1" ] || fail "loss: ping saw $got1 replies, b->a sent $rep_out: $c1"
[ "$got1" -gt 0 ] && [ "$got1" -lt 40 ] || fail "loss 50%: $got1 of 40 replies"
link --loss 50 --seed 7
got2=$(pings 40)
unlink
c2=$(grep '^faultlink:' "$tmp/fl" | grep -v ready)
[ "$got1" = "$got2" ] && [ "$c1" = "$c2" ] ||
	fail "loss 50% is not deterministic: $got1 then $got2 replies; $c1 / $c2"
echo "loss 50%, seed 7: $got1 of 40 replies, twice; $req_lost requests lost"

# -- dup 100% -------------------------------------------------------------------
link --dup 100 --seed 1
pings 5 >/dev/null
unlink
[ "$(counter 'a->b' in)" = 5 ] && [ "$(counter 'a->b' out)" = 10 ] &&
	[ "$(counter 'b->a' in)" = 10 ] && [ "$(counter 'b->a' out)" = 20 ] ||
	fail "dup 100%: $(cat "$tmp/fl")"
grep -q 'duplicates' "$tmp/ping" || fail "dup 100%: ping saw no duplicates: $(cat "$tmp/ping")"
echo "dup 100%: 5 requests -> 10 frames, 10 replies -> 20 frames"

# -- delay ------------------------------------------------------------------------
link --delay 40 --seed 1
got=$(pings 5)
unlink
[ "$got" = 5 ] || fail "delay: $got of 5 replies"
min=$(sed -n 's|^rtt min/avg/max/mdev = \([0-9]*\)\..*|\1|p' "$tmp/ping")
[ -n "$min" ] && [ "$min" -ge 80 ] || fail "delay 40 ms: round trip min ${min:-?} ms, want >= 80"
echo "delay 40 ms: round trip min $min ms"

# -- a TCP transfer through loss, duplication, reordering and delay ----------------
# transfer BYTES: sends BYTES random bytes nsA -> nsB with socat; prints ms.
transfer() {
	head -c "$1" /dev/urandom >"$tmp/in"
	rm -f "$tmp/out"
	ip netns exec "$nsb" timeout 90 socat -u TCP-LISTEN:5001,reuseaddr \
		OPEN:"$tmp/out",creat,trunc &
	srv=$!
	sleep 0.3
	t0=$(date +%s%3N)
	ip netns exec "$nsa" timeout 90 socat -u OPEN:"$tmp/in" TCP:10.0.0.2:5001,retry=20 ||
		fail "socat client failed"
	wait "$srv" || fail "socat server failed"
	t1=$(date +%s%3N)
	[ "$(sha256sum <"$tmp/in")" = "$(sha256sum <"$tmp/out")" ] ||
		fail "the transfer was corrupted: $(wc -c <"$tmp/out") bytes arrived"
	echo $((t1 - t0))
}
link --loss 5 --dup 5 --reorder 25 --delay 2 --seed 3
ms=$(transfer 2097152)
unlink
lost=$(counter 'a->b' lost)
reord=$(counter 'a->b' reordered)
dups=$(counter 'a->b' dup)
[ "$lost" -gt 0 ] && [ "$reord" -gt 0 ] && [ "$dups" -gt 0 ] ||
	fail "the faults did not happen: $(cat "$tmp/fl")"
echo "2 MiB through loss 5%/dup 5%/reorder 25%: intact in $ms ms ($lost lost, $dups duplicated, $reord reordered a->b)"

# -- rate ---------------------------------------------------------------------------
link --rate 4mbit --seed 1
ms=$(transfer 1048576)
unlink
[ "$ms" -ge 1900 ] || fail "rate 4 Mbit/s: 1 MiB took only $ms ms"
[ "$ms" -le 20000 ] || fail "rate 4 Mbit/s: 1 MiB took $ms ms"
echo "rate 4 Mbit/s: 1 MiB in $ms ms"

pass "faultlink: loss, dup, delay, reorder and rate behave, deterministically"
