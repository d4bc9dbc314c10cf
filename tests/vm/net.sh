#!/bin/sh
# virtio-net on a hypervisor target (the driver shared in platform/virtio),
# run as `sh tests/vm/net.sh TARGET` (tests/<target>/net.t), against the
# host kernel, in a network namespace of its own with a TAP (10.0.0.1/24)
# that QEMU attaches:
#   - tests/linux/netio sends 5 frames of ethertype 0x88b5 (the last as
#     large as the MTU allows) and waits for one: the TAP's rx counter
#     grows by 5 and the image sees the ARP the kernel sends it;
#   - tests/x86_64/netecho echoes frames the host sends (framepeer, on an
#     AF_PACKET socket): every one of 2000 comes back, with up to 32 in
#     flight, and the rate is printed;
#   - when lib/net's test image tests/net/ping is there, the kernel pings
#     it through virtio-net (ARP, ICMP), 10 of 10 answered;
#   - examples/echo (lib/net's TCP and UDP) answers socat, and 4 MiB
#     through its TCP echo come back intact (first variant only; time
#     printed), in large segments both ways (HOST_TSO4 from the image,
#     GUEST_TSO4 with mergeable buffers to it: the TAP's frames average
#     more than an MTU each way).
# Variants: x86_64 on microvm (virtio-mmio) and q35 (virtio-pci, MSI-X);
# aarch64 with GICv3 and GICv2 (virtio-mmio). Needs root (the test fails
# without it: it is not a pass). The namespace is uniquely named and
# always deleted; only PIDs started here are killed.
set -u
. tests/lib.sh
. tests/vm/lib.sh

[ "$(id -u)" -eq 0 ] || fail "net needs root (network namespace and TAP)"
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
command -v socat >/dev/null || fail "socat is needed (examples/echo)"

apps="tests/linux/netio tests/x86_64/netecho examples/echo"
[ -f tests/net/ping/keel.mk ] && apps="$apps tests/net/ping"
vm_build $apps
peer=build/host/bin/framepeer
make -s "$peer" >/dev/null || fail "build of tests/x86_64/framepeer.c failed"

case "$VM_TARGET" in
x86_64) variants="--machine_microvm --machine_q35" short=x ;;
aarch64) variants="--gic_3 --gic_2" short=a ;;
esac
ns=keel-${short}net-$$
tap=k${short}t$$
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

# start VARIANT IMAGE READY_LINE ARGS...: runs the image in the background
# on the TAP and waits (bounded) for READY_LINE.
start() {
	m=$1 img=$2 ready=$3
	shift 3
	# shellcheck disable=SC2046
	: >"$tmp/out"
	timeout -k 5 "$RUN_TIMEOUT" ip netns exec "$ns" "$QEMU_RUN" $(printf '%s' "$m" | tr _ ' ') \
		--net service=tap:"$tap" "$img" -- "$@" >"$tmp/out" 2>&1 </dev/null &
	pid=$!
	tries=0
	until grep -q "^$ready" "$tmp/out"; do
		tries=$((tries + 1))
		if [ $tries -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "$m: $img did not start: $(cat "$tmp/out")"
		fi
		sleep 0.1
	done
}

# finish: waits for the image; fails unless it exited 0. Output in $out.
finish() {
	wait "$pid"
	rc=$?
	pid=
	out=$(cat "$tmp/out")
	[ $rc -eq 0 ] || fail "$m: the image exited with $rc: $out"
}

label() { # label VARIANT: microvm, GICv3...
	printf '%s' "$1" | sed 's/^--machine_//; s/^--gic_/GICv/'
}

rates=
names=
for m in $variants; do
	names="${names:+$names and }$(label "$m")"
	# Frames out and in.
	rx0=$(in_ns cat "$rx_file") || fail "cannot read $rx_file"
	drop0=$(in_ns cat "/sys/class/net/$tap/statistics/rx_dropped")
	err0=$(in_ns cat "/sys/class/net/$tap/statistics/rx_errors")
	start "$m" "$(vm_image tests/linux/netio)" "netio: waiting" 20
	tries=0
	while kill -0 "$pid" 2>/dev/null && [ $tries -lt 15 ]; do
		in_ns ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1 # ARP requests for the image
		tries=$((tries + 1))
	done
	finish
	received=$(printf '%s\n' "$out" | sed -n 's/^netio: sent 5 received \([0-9][0-9]*\)$/\1/p')
	[ -n "$received" ] && [ "$received" -ge 1 ] || fail "$m: no 'netio: sent 5 received N' with N > 0: $out"
	rx1=$(in_ns cat "$rx_file")
	# Short: say whether the kernel dropped or refused them, or never
	# saw them (then QEMU did not write them), and what the image said.
	drop1=$(in_ns cat "/sys/class/net/$tap/statistics/rx_dropped")
	err1=$(in_ns cat "/sys/class/net/$tap/statistics/rx_errors")
	[ $((rx1 - rx0)) -ge 5 ] || fail "$m: the TAP received $((rx1 - rx0)) frames, want 5" \
		"(dropped $((drop1 - drop0)), errors $((err1 - err0))); the image said: $out"

	# Echoes, many in flight.
	start "$m" "$(vm_image tests/x86_64/netecho)" "netecho: ready" 60
	res=$(in_ns "$peer" "$tap" 2000 32 5000 quit) || fail "$m: framepeer failed: $res"
	finish
	[ "$(printf '%s' "$res" | cut -d' ' -f2,4)" = "2000 2000" ] ||
		fail "$m: framepeer: $res; image: $out"
	expect_line "$out" "netecho: echoed 2000 dropped 0"
	ms=$(printf '%s' "$res" | cut -d' ' -f6)
	rates="$rates $(label "$m") $((2000 * 1000 / (ms > 0 ? ms : 1))) frames/s,"

	# The direct stack over virtio-net.
	if [ -f tests/net/ping/keel.mk ]; then
		start "$m" "$(vm_image tests/net/ping)" "ping: ready" --ipv4=10.0.0.2/24 --seconds=5
		res=$(in_ns ping -c 10 -i 0.2 -W 2 10.0.0.2 2>&1)
		printf '%s\n' "$res" | grep -q ' 10 received' || fail "$m: ping through lib/net: $res"
		finish
		expect_line "$out" "ping: done"
	fi
done

# examples/echo: TCP and UDP through lib/net, then 4 MiB each way.
m=${variants%% *}
start "$m" "$(vm_image examples/echo)" "echo: listening" --ipv4=10.0.0.2/24 --exit-after=50
got=$(printf 'hello keel\n' | timeout 10 ip netns exec "$ns" socat -t5 - TCP:10.0.0.2:7) ||
	fail "socat TCP echo failed"
[ "$got" = "hello keel" ] || fail "TCP echo returned '$got'"
got=$(printf 'datagram\n' | timeout 10 ip netns exec "$ns" socat -t2 - UDP:10.0.0.2:7) ||
	fail "socat UDP echo failed"
[ "$got" = "datagram" ] || fail "UDP echo returned '$got'"
head -c 4M /dev/urandom >"$tmp/in" || fail "cannot make 4 MiB of input"
tap_stat() { in_ns cat "/sys/class/net/$tap/statistics/$1"; }
rxp0=$(tap_stat rx_packets) rxb0=$(tap_stat rx_bytes) txp0=$(tap_stat tx_packets) txb0=$(tap_stat tx_bytes)
t0=$(date +%s%N)
timeout 60 ip netns exec "$ns" socat -t30 -b65536 TCP:10.0.0.2:7 STDIO <"$tmp/in" >"$tmp/back" ||
	fail "4 MiB echo: socat failed"
t1=$(date +%s%N)
[ "$(sha256sum <"$tmp/in")" = "$(sha256sum <"$tmp/back")" ] ||
	fail "4 MiB echo: $(wc -c <"$tmp/back") bytes came back, not the same"
# Large segments cross the TAP whole both ways, so the frames average
# more than an MTU-sized frame could hold (without them, 4 MiB of
# 1514-byte frames and the ACKs average less): the image's (HOST_TSO4,
# the TAP's rx) and the kernel's (GUEST_TSO4 with mergeable buffers, the
# TAP's tx), which came back intact above.
rxp=$(($(tap_stat rx_packets) - rxp0)) rxb=$(($(tap_stat rx_bytes) - rxb0))
txp=$(($(tap_stat tx_packets) - txp0)) txb=$(($(tap_stat tx_bytes) - txb0))
[ "$rxp" -gt 0 ] && [ $((rxb / rxp)) -gt 1514 ] ||
	fail "4 MiB echo: the TAP received $rxp frames of $rxb bytes: no large segments (TSO) from the image"
[ "$txp" -gt 0 ] && [ $((txb / txp)) -gt 1514 ] ||
	fail "4 MiB echo: the TAP sent $txp frames of $txb bytes: no large segments (GUEST_TSO4) to the image"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
ms=$(((t1 - t0) / 1000000))

pass "$VM_TARGET net: frames out and in on $names; echo rate${rates%,}; TCP echo 4 MiB each way in $ms ms, frames of $((rxb / rxp)) bytes on average from the image and $((txb / txp)) to it"
