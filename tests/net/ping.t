#!/bin/sh
# Linux ping against the direct stack (lib/net) in a namespace: plain
# pings, 20000-byte pings (fragments both ways, reassembled on each
# side), and a flood of 2000, all answered. Prints the median round trip.
set -u
. tests/lib.sh
. tests/net/netns.sh

net_start ping 60
net_require ping

out=$(in_ns timeout 20 ping -c 5 -i 0.2 -W 2 10.0.0.2 2>&1) || fail "ping: $out"
printf '%s\n' "$out" | tail -2
printf '%s\n' "$out" | grep -q ' 0% packet loss' || fail "plain ping lost packets"

out=$(in_ns timeout 20 ping -c 3 -i 0.2 -W 2 -s 20000 10.0.0.2 2>&1) || fail "ping -s 20000: $out"
printf '%s\n' "$out" | tail -2
printf '%s\n' "$out" | grep -q '^20008 bytes from 10.0.0.2' || fail "no 20008-byte reply"
printf '%s\n' "$out" | grep -q ' 0% packet loss' || fail "large ping lost packets"

# The largest ICMP echo that fits a datagram.
out=$(in_ns timeout 20 ping -c 1 -W 2 -s 65507 10.0.0.2 2>&1) || fail "ping -s 65507: $out"

out=$(in_ns timeout 60 ping -f -c 2000 -W 1 10.0.0.2 2>&1) || fail "flood ping: $out"
printf '%s\n' "$out" | tail -2
received=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
[ "${received:-0}" -ge 1990 ] || fail "flood ping: only ${received:-0} of 2000 answered"

# Round trips, one at a time, for the record.
rtt=$(in_ns timeout 30 ping -c 50 -i 0.02 -W 1 10.0.0.2 2>/dev/null |
	sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n | sed -n 25p)

net_stop
[ "$net_rc" -eq 0 ] || fail "the image exited with $net_rc"
[ "$(net_counter icmp_echo_in)" -ge 2059 ] || fail "icmp_echo_in below the pings sent"
[ "$(net_counter drop_reasm)" -eq 0 ] || fail "fragments were dropped"
pass "ping: plain, 20000 and 65507 bytes, flood $received/2000; median rtt ${rtt:-?} ms"
