#!/bin/sh
# DHCP and DNS of the direct stack against dnsmasq, in a network namespace
# of its own: a TAP at 10.0.0.1/24 where dnsmasq serves leases from
# 10.0.0.50-60 (T1 5 s, T2 8 s, so a renewal happens within the test) and
# DNS for keel.test (www -> 10.0.0.1, alias -> CNAME www, anything else
# NXDOMAIN; TTL 60 s; long -> CNAME chain through two 253-character names,
# an answer too big for UDP). The image tests/net/resolve:
#   1. gets a lease, resolves www, alias (a CNAME chain), a dotted quad, a
#      missing name, long (truncated over UDP, so asked again over TCP); stays 12 s, across T1, and still has its address and
#      answers (dnsmasq logs the unicast renewal; www comes from the
#      resolver's cache the second time);
#      At the end it closes its stack: dnsmasq sees a DHCPRELEASE;
#   2. with a static address and DNS server (--ipv4, --dns), resolves
#      without DHCP (dnsmasq sees no DHCP traffic);
#   3. while every address of the range is in use on the link (the
#      namespace's own), the image probes the one it is given (RFC 5227),
#      sends a DHCPDECLINE, and 10 s later gets another (by then free).
# Needs root (namespace, TAP) and dnsmasq (Debian: dnsmasq-base); fails
# without root.
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "dhcp needs root (network namespace and TAP)"
fi
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
command -v dnsmasq >/dev/null || fail "dnsmasq is needed (Debian package dnsmasq-base)"

make -s app APP=tests/net/resolve >/dev/null || fail "build of tests/net/resolve failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/resolve/resolve
launch=build/host/bin/keel-launch

ns=keel-dhcp-$$
tap=kdhcp$$
dpid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
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

# dnsmasq: DHCP and DNS on the TAP only, nothing read from the host's
# files, no lease or pid file, its log on stderr. Started without the
# in_ns function, so that $! is dnsmasq itself and cleanup can stop it.
# Two names of 253 characters: the answer for "long" does not fit in 512
# bytes, and dnsmasq cuts it before the address.
l1=$(printf '%060d.%060d.%060d.%060d.keel.test' 0 0 0 0 | tr 0 a)
l2=$(printf '%060d.%060d.%060d.%060d.keel.test' 0 0 0 0 | tr 0 b)
ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --pid-file= \
	--leasefile-ro --no-ping --log-facility=- --log-queries --log-dhcp \
	--interface="$tap" --bind-interfaces --except-interface=lo \
	--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,2m \
	--dhcp-option=option:router,10.0.0.1 --dhcp-option=option:dns-server,10.0.0.1 \
	--dhcp-option=option:T1,5 --dhcp-option=option:T2,8 \
	--local=/keel.test/ --local-ttl=60 --host-record=www.keel.test,10.0.0.1 \
	--cname=alias.keel.test,www.keel.test --cname=long.keel.test,"$l1" --cname="$l1","$l2" \
	--cname="$l2",www.keel.test >"$tmp/dnsmasq" 2>&1 &
dpid=$!
# Wait (bounded) until it serves.
tries=0
until grep -q 'DHCP, IP range' "$tmp/dnsmasq"; do
	tries=$((tries + 1))
	if [ $tries -gt 50 ] || ! kill -0 "$dpid" 2>/dev/null; then
		fail "dnsmasq did not start: $(cat "$tmp/dnsmasq")"
	fi
	sleep 0.1
done

run_image() {
	timeout 60 ip netns exec "$ns" "$launch" --net service=tap:"$tap" "$img" "$@" 2>&1
}

# -- 1. DHCP ------------------------------------------------------------------
out=$(run_image --stay=12 www.keel.test alias.keel.test 10.9.8.7 nope.keel.test long.keel.test) ||
	fail "the image failed ($?): $out; dnsmasq: $(cat "$tmp/dnsmasq")"
printf '%s\n' "$out"
addr=$(printf '%s\n' "$out" | sed -n 's/^resolve: address \(10\.0\.0\.[0-9]*\)$/\1/p' | head -n 1)
[ -n "$addr" ] || fail "no address from DHCP: $out"
last=${addr##*.}
[ "$last" -ge 50 ] && [ "$last" -le 60 ] || fail "address $addr is outside the DHCP range"
[ "$(printf '%s\n' "$out" | grep -c "^resolve: address $addr\$")" -eq 2 ] ||
	fail "the address did not survive the renewal: $out"
[ "$(printf '%s\n' "$out" | grep -c '^resolve: www.keel.test 10.0.0.1$')" -eq 2 ] ||
	fail "www.keel.test was not resolved (twice): $out"
expect_line "$out" "resolve: alias.keel.test 10.0.0.1"
expect_line "$out" "resolve: 10.9.8.7 10.9.8.7"
expect_line "$out" "resolve: nope.keel.test error not found"
expect_line "$out" "resolve: long.keel.test 10.0.0.1"
# The truncated UDP answer, then the same question over TCP.
[ "$(grep -c 'query\[A\] long.keel.test from' "$tmp/dnsmasq")" -ge 2 ] ||
	fail "long.keel.test was not asked again over TCP: $(grep long "$tmp/dnsmasq")"
grep -q "DHCPACK($tap) $addr" "$tmp/dnsmasq" || fail "dnsmasq did not ACK $addr"
# The first ACK, and at least one renewal (a REQUEST to dnsmasq with our
# address in ciaddr, ACKed).
acks=$(grep -c "DHCPACK($tap) $addr" "$tmp/dnsmasq")
[ "$acks" -ge 2 ] || fail "no renewal was ACKed ($acks ACKs): $(cat "$tmp/dnsmasq")"
# Answers carry a TTL of 60 s (--local-ttl): the second lookup of www
# came from the resolver's cache, so dnsmasq was asked once.
queries=$(grep -c 'query\[A\] www.keel.test from' "$tmp/dnsmasq")
[ "$queries" -eq 1 ] || fail "www.keel.test was asked $queries times, want 1 (cache)"

# The image closed its stack at the end: the lease went back.
expect_line "$out" "resolve: closed: success"
grep -q "DHCPRELEASE($tap) $addr" "$tmp/dnsmasq" || fail "dnsmasq saw no DHCPRELEASE of $addr"

# -- 2. Static configuration --------------------------------------------------
dhcp_lines=$(grep -c 'DHCPDISCOVER' "$tmp/dnsmasq")
out2=$(run_image --ipv4=10.0.0.2/24 --dns=10.0.0.1 www.keel.test) ||
	fail "the image failed with a static address ($?): $out2"
printf '%s\n' "$out2"
expect_line "$out2" "resolve: address 10.0.0.2"
expect_line "$out2" "resolve: www.keel.test 10.0.0.1"
[ "$(grep -c 'DHCPDISCOVER' "$tmp/dnsmasq")" -eq "$dhcp_lines" ] ||
	fail "a statically configured image sent DHCPDISCOVER"

# -- 3. The address is taken: ARP probe, DECLINE, another lease -----------------
# Every address of the range is the namespace's own for now (the kernel
# answers ARP probes for them); once the image has declined one, they go,
# and the image asks again (10 s later) and gets another.
i=50
while [ $i -le 60 ]; do
	in_ns ip addr add 10.0.0.$i/32 dev "$tap" || fail "cannot add 10.0.0.$i"
	i=$((i + 1))
done
declines=$(grep -c "DHCPDECLINE" "$tmp/dnsmasq")
timeout 60 ip netns exec "$ns" "$launch" --net service=tap:"$tap" "$img" >"$tmp/out3" 2>&1 &
ipid=$!
tries=0
until [ "$(grep -c "DHCPDECLINE" "$tmp/dnsmasq")" -gt "$declines" ]; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$ipid" 2>/dev/null; then
		kill "$ipid" 2>/dev/null
		fail "no DHCPDECLINE for an address in use: $(cat "$tmp/out3"); dnsmasq: $(tail -n 20 "$tmp/dnsmasq")"
	fi
	sleep 0.1
done
i=50
while [ $i -le 60 ]; do
	in_ns ip addr del 10.0.0.$i/32 dev "$tap"
	i=$((i + 1))
done
wait "$ipid" || fail "the image failed after its DECLINE ($?): $(cat "$tmp/out3")"
out3=$(cat "$tmp/out3")
printf '%s\n' "$out3"
declined=$(sed -n 's/.*DHCPDECLINE([^)]*) \(10\.0\.0\.[0-9]*\).*/\1/p' "$tmp/dnsmasq" | tail -n 1)
addr3=$(printf '%s\n' "$out3" | sed -n 's/^resolve: address \(10\.0\.0\.[0-9]*\)$/\1/p' | head -n 1)
[ -n "$declined" ] || fail "no address in dnsmasq's DHCPDECLINE line"
printf '%s\n' "$out3" | grep -q "dhcp: $declined is in use by another host: declined" ||
	fail "the image did not say it declined $declined: $out3"
[ -n "$addr3" ] && [ "$addr3" != "$declined" ] ||
	fail "no other address after declining $declined: $out3"

grep -E "DHCP(DISCOVER|OFFER|REQUEST|ACK|NAK|DECLINE|RELEASE)" "$tmp/dnsmasq"
pass "dhcp: lease $addr ($acks ACKs) released at close, names resolved (www cached, long over TCP), static config works, $declined in use declined and $addr3 taken"
