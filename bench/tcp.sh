#!/bin/sh
# TCP of the direct stack against the Linux kernel's, over the same path
# (BENCHMARKING.md): a client namespace whose veth ends on a bridge in the
# server namespace; the bridge holds the image's TAP (image 10.0.0.2) and
# has the Linux server's address itself (10.0.0.1); the client is
# 10.0.0.3. Both servers are one hop from the client. The Linux server is
# bench/peer/tcppeer (echo 7, discard 9, chargen 19, a thread per
# connection); the image is examples/echo with --bench (chargen with a
# 1 MiB send buffer, as Linux grows a bulk socket's). Client on CPU 0,
# servers on CPU 1, receive packet steering on both veth ends.
#
# Runs alternate Keel, Linux, Keel, Linux... and each figure is the median
# of its runs, with the ratio Keel / Linux of those medians and the median
# of each round's own ratio (the two runs of a round are seconds apart).
#
#   sh bench/tcp.sh [ROUNDS]      (default 5 rounds; needs root)
#
# The image's TAP carries virtio headers (keel-launch sets IFF_VNET_HDR),
# so the image and the host kernel exchange TCP segments of up to 64 KiB
# with partial checksums, one system call each, as the Linux peer on the
# bridge moves 64 KiB GSO/GRO super-frames. TCP_BENCH_OFFLOAD=off (needs
# ethtool) turns segmentation and receive offloads off on the bridge and
# the veth pair, so that Linux moves MTU-sized frames (and the kernel cuts
# the image's large segments before they reach the client).
# TCP_BENCH_MB (default 1024; a bulk run then lasts about a second here)
# and TCP_BENCH_RR_SECS (3) size the runs.
#
# Figures: bulk throughput to the server (client -> discard) and from it
# (chargen -> client), 1-byte request/response on 1 and 64 connections,
# and the memory a connection costs (from the structures: tcpmem).
set -u
cd "$(dirname "$0")/.."
rounds=${1:-5}
MB=${TCP_BENCH_MB:-1024}
RR_SECS=${TCP_BENCH_RR_SECS:-3}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/tcp.sh needs root (network namespaces, TAP, bridge)" >&2
	exit 1
fi
make -s app APP=examples/echo >/dev/null || exit 1
make -s build/host/bin/keel-launch >/dev/null || exit 1
mkdir -p build/host/bin build/bench
cc -std=c11 -O2 -pthread -o build/host/bin/tcppeer bench/peer/tcppeer.c || exit 1
cc -std=c11 -O1 -Iinclude -Ilib/net -o build/host/bin/tcpmem bench/peer/tcpmem.c || exit 1
peer=build/host/bin/tcppeer

nss=kbs-$$
nsc=kbc-$$
tap=kbt$$
pid=
lpid=
cleanup() {
	for p in $pid $lpid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$nsc" 2>/dev/null
	ip netns del "$nss" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$nss" && ip netns add "$nsc" || exit 1
for n in "$nss" "$nsc"; do
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
ip -n "$nss" link add br0 type bridge
ip -n "$nss" addr add 10.0.0.1/24 dev br0
ip -n "$nss" tuntap add dev "$tap" mode tap
ip -n "$nss" link set "$tap" master br0
ip -n "$nss" link add vs type veth peer name vc netns "$nsc"
ip -n "$nss" link set vs master br0
ip -n "$nsc" addr add 10.0.0.3/24 dev vc
for l in br0 "$tap" vs; do ip -n "$nss" link set "$l" up; done
ip -n "$nsc" link set vc up
if [ "${TCP_BENCH_OFFLOAD:-on}" = off ]; then
	command -v ethtool >/dev/null || { echo "TCP_BENCH_OFFLOAD=off needs ethtool" >&2; exit 1; }
	for l in br0 vs; do
		ip netns exec "$nss" ethtool -K "$l" tso off gso off gro off >/dev/null 2>&1
	done
	ip netns exec "$nsc" ethtool -K vc tso off gso off gro off >/dev/null 2>&1
	echo "(offloads off: Linux moves MTU-sized frames too)"
fi
# Receive packet steering: each side does its receive work on its own CPU
# (the server side of the veth on the servers' CPU 1, the client side on
# CPU 0), as bench/http.sh does. Steering to either CPU (mask 3) puts a
# flow's receive work on a CPU chosen by its hash, so runs differed by
# which CPU the client's TCP receive landed on. TCP_BENCH_RPS_SERVER /
# _CLIENT (CPU masks) change it.
rps_server=${TCP_BENCH_RPS_SERVER:-2}
rps_client=${TCP_BENCH_RPS_CLIENT:-1}
ip netns exec "$nss" sh -c "echo $rps_server > /sys/class/net/vs/queues/rx-0/rps_cpus" 2>/dev/null
ip netns exec "$nsc" sh -c "echo $rps_client > /sys/class/net/vc/queues/rx-0/rps_cpus" 2>/dev/null

taskset -c 1 ip netns exec "$nss" build/host/bin/keel-launch --net service=tap:"$tap" \
	build/linux/apps/echo/echo -- --ipv4=10.0.0.2/24 --bench >build/bench/tcp-image.log 2>&1 &
pid=$!
taskset -c 1 ip netns exec "$nss" "$peer" serve 10.0.0.1 >build/bench/tcp-linux.log 2>&1 &
lpid=$!
tries=0
until grep -q '^echo: listening' build/bench/tcp-image.log &&
	grep -q 'serving' build/bench/tcp-linux.log; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ]; then
		echo "servers did not start" >&2
		cat build/bench/tcp-image.log build/bench/tcp-linux.log >&2
		exit 1
	fi
	sleep 0.1
done
# Warm ARP both ways.
ip netns exec "$nsc" ping -c1 -W1 10.0.0.2 >/dev/null 2>&1
ip netns exec "$nsc" ping -c1 -W1 10.0.0.1 >/dev/null 2>&1

client() {
	timeout 120 taskset -c 0 ip netns exec "$nsc" "$peer" "$@"
}

# median of numbers on stdin
median() {
	sort -n | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

# measure NAME FIELD ARGS...: runs `tcppeer ARGS` against each server in
# turn, `rounds` times, and prints the medians and their ratio. FIELD is
# the number's position (awk) in tcppeer's output line.
measure() {
	name=$1
	field=$2
	shift 2
	: >build/bench/k.txt
	: >build/bench/l.txt
	r=0
	while [ $r -lt "$rounds" ]; do
		for who in k l; do
			addr=10.0.0.2
			[ $who = l ] && addr=10.0.0.1
			mode=$1
			shift
			port=$1
			shift
			v=$(client "$mode" "$addr" "$port" "$@" | awk -v f="$field" '{print $f}')
			set -- "$mode" "$port" "$@"
			echo "${v:-0}" >>build/bench/$who.txt
		done
		r=$((r + 1))
	done
	k=$(median <build/bench/k.txt)
	l=$(median <build/bench/l.txt)
	# Each round's Keel run and Linux run are seconds apart; the machine
	# drifts more than that between rounds, so the median of the rounds'
	# own ratios is the steadier figure.
	pr=$(paste build/bench/k.txt build/bench/l.txt |
		awk '$2 > 0 {printf "%.4f\n", $1 / $2}' | median)
	printf '%-34s keel %10s   linux %10s   ratio %s   per round %s\n' "$name" "$k" "$l" \
		"$(awk -v a="$k" -v b="$l" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}')" \
		"$(awk -v r="$pr" 'BEGIN {printf "%.2f", r}')"
}

echo "== TCP, $rounds rounds alternating (medians)"
measure "bulk to server, Mbit/s" 2 send 9 "$MB"
measure "bulk from server, Mbit/s" 2 recv 19 "$MB"
measure "echo both ways, Mbit/s each" 2 echo 7 $((MB / 4))
measure "1-byte rr, 1 conn, trans/s" 4 rr 7 1 "$RR_SECS"
measure "1-byte rr, 64 conns, trans/s" 4 rr 7 64 "$RR_SECS"

echo "== memory per connection (bytes, from the structures)"
build/host/bin/tcpmem | sed 's/^/  /'
