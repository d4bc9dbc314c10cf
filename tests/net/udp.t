#!/bin/sh
# UDP against the direct stack, with socat as the peer: datagrams echoed
# (small, and 30000 bytes: fragments both ways), and a closed port answered
# with ICMP port unreachable (socat reads "Connection refused").
set -u
. tests/lib.sh
. tests/net/netns.sh

net_start udp 60
net_require socat head od

got=$(printf 'hello keel' | in_ns timeout 10 socat -t 3 - UDP:10.0.0.2:7 2>&1) ||
	fail "socat: $got"
[ "$got" = "hello keel" ] || fail "echo came back as '$got'"

# 30000 bytes of a pattern, in one datagram.
head -c 30000 /dev/urandom >"$net_tmp/big"
in_ns timeout 10 socat -t 3 -b 65536 - UDP:10.0.0.2:7 <"$net_tmp/big" >"$net_tmp/back" 2>"$net_tmp/err" ||
	fail "socat (30000 bytes): $(cat "$net_tmp/err")"
cmp -s "$net_tmp/big" "$net_tmp/back" || fail "the 30000-byte datagram came back different ($(wc -c <"$net_tmp/back") bytes)"

# A closed port: the kernel turns the ICMP error into ECONNREFUSED.
err=$(printf 'anyone' | in_ns timeout 10 socat -t 3 - UDP:10.0.0.2:9 2>&1)
printf '%s\n' "$err" | grep -q 'Connection refused' || fail "no port unreachable: '$err'"

net_stop
[ "$net_rc" -eq 0 ] || fail "the image exited with $net_rc"
[ "$(net_counter udp_no_port)" -ge 1 ] || fail "udp_no_port is 0"
[ "$(net_counter icmp_unreach_out)" -ge 1 ] || fail "icmp_unreach_out is 0"
[ "$(net_counter udp_out)" -ge 2 ] || fail "udp_out below 2"
pass "udp: echo (10 and 30000 bytes), port unreachable"
