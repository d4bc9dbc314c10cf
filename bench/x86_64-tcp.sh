#!/bin/sh
# Bulk TCP between the host and an x86_64 image over a TAP, under QEMU
# (TCG unless KVM works): examples/echo --bench in the guest (10.0.0.2),
# the host's kernel in a network namespace of its own (10.0.0.1 on the
# TAP). Two figures per image, medians of ROUNDS:
#   guest -> host   MB from its chargen port 19 (the guest's transmit
#                   path: with HOST_TSO4 it hands the device 64 KiB
#                   segments)
#   host -> guest   MB into its discard port 9 (its receive path)
# Extra IMAGEs (say an echo built with an older driver) run in the same
# rounds, alternated with this tree's, for a ratio.
#
#   sh bench/x86_64-tcp.sh [IMAGE...]      (needs root)
#
#   ROUNDS (default 5), MB (default 64), MACHINE (default microvm)
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${ROUNDS:-5}
mb=${MB:-64}
machine=${MACHINE:-microvm}
[ "$(id -u)" -eq 0 ] || { echo "bench/x86_64-tcp.sh needs root (namespace, TAP)" >&2; exit 1; }
command -v socat >/dev/null || { echo "socat is needed" >&2; exit 1; }
make -s TARGET=x86_64 app APP=examples/echo >/dev/null 2>&1 || { echo "echo does not build" >&2; exit 1; }
images="build/x86_64/apps/echo/echo $*"

ns=kxtcp-$$
tap=kxb$$
pid=
tmp=$(mktemp -d) || exit 1
cleanup() {
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ip netns add "$ns" || exit 1
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap || exit 1
ip netns exec "$ns" ip addr add 10.0.0.1/24 dev "$tap"
ip netns exec "$ns" ip link set "$tap" up

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run IMAGE: one round on IMAGE; appends MB/s to $tmp/IDX.out and .in
run() {
	: >"$tmp/log"
	timeout -k 5 300 ip netns exec "$ns" tools/qemu-run.sh --machine "$machine" \
		--net service=tap:"$tap" "$1" -- --ipv4=10.0.0.2/24 --bench --exit-after=240 \
		>"$tmp/log" 2>&1 </dev/null &
	pid=$!
	t=0
	until grep -q '^echo: listening' "$tmp/log"; do
		t=$((t + 1))
		[ $t -le 600 ] && kill -0 "$pid" 2>/dev/null || { echo "$1 did not start: $(cat "$tmp/log")"; exit 1; }
		sleep 0.1
	done
	t0=$(now_ms)
	got=$(timeout 120 ip netns exec "$ns" socat -u -b65536 TCP:10.0.0.2:19 - 2>/dev/null |
		head -c $((mb << 20)) | wc -c)
	t1=$(now_ms)
	[ "$got" -eq $((mb << 20)) ] || { echo "$1: chargen gave $got bytes"; exit 1; }
	echo $((mb * 1048576 / 1000 / (t1 - t0))) >>"$tmp/$2.out"
	t0=$(now_ms)
	head -c $((mb << 20)) /dev/zero | timeout 120 ip netns exec "$ns" socat -u -b65536 - TCP:10.0.0.2:9 ||
		{ echo "$1: discard failed"; exit 1; }
	t1=$(now_ms)
	echo $((mb * 1048576 / 1000 / (t1 - t0))) >>"$tmp/$2.in"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

r=0
while [ "$r" -lt "$rounds" ]; do
	i=0
	for img in $images; do
		run "$img" "$i"
		i=$((i + 1))
	done
	r=$((r + 1))
done

printf '%s MB each way, %s, TAP, medians of %s rounds (MB/s)\n' "$mb" "$machine" "$rounds"
printf '%-40s %14s %14s\n' "" "guest->host" "host->guest"
i=0
for img in $images; do
	printf '%-40s %14s %14s\n' "$img" "$(median <"$tmp/$i.out")" "$(median <"$tmp/$i.in")"
	i=$((i + 1))
done
