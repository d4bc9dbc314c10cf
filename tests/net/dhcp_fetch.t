#!/bin/sh
# examples/fetch end to end: the image takes a lease from dnsmasq,
# resolves www.keel.test through it, and fetches files from busybox httpd
# over the direct stack's TCP; the SHA-256 it prints must be the file's.
#   1. a plain link: 1 MiB from port 80, a small file from port 8080, and a
#      missing file (status 404, exit status 1);
#   2. the same 1 MiB through keel-faultlink (loss 10%, duplication 5%,
#      reordering 20%, 5 ms delay): DHCP, DNS and TCP all recover. With
#      seed 7 the first frame the image sends, its DHCPDISCOVER, is lost:
#      the lease comes only after the retransmission 3-5 s later.
# Topology for 2: the image's TAP sits in a namespace of its own with no
# address; the tool reads and writes it through an AF_PACKET socket and
# carries the frames to the server's TAP, the other end of which it holds.
# Needs root, dnsmasq (dnsmasq-base) and busybox; fails without root.
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "dhcp_fetch needs root (network namespaces and TAPs)"
fi
command -v ip >/dev/null || fail "the ip command (iproute2) is needed"
command -v dnsmasq >/dev/null || fail "dnsmasq is needed (Debian package dnsmasq-base)"
command -v busybox >/dev/null || fail "busybox is needed (Debian package busybox)"

make -s app APP=examples/fetch >/dev/null || fail "build of examples/fetch failed"
make -s build/host/bin/keel-launch build/host/bin/keel-faultlink >/dev/null ||
	fail "build of the host tools failed"
img=build/linux/apps/fetch/fetch
launch=build/host/bin/keel-launch
fl=build/host/bin/keel-faultlink

nss=keel-fs-$$  # the server: dnsmasq, httpd, TAP at 10.0.0.1
nsi=keel-fi-$$  # the image's TAP, for the faulty link
taps=kfs$$
tapi=kfi$$
pids=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$nss" 2>/dev/null
	ip netns del "$nsi" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# wait_for FILE PATTERN PID WHAT: until FILE has PATTERN (bounded).
wait_for() {
	tries=0
	until grep -q "$2" "$1" 2>/dev/null; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$3" 2>/dev/null; then
			fail "$4 did not start: $(cat "$1" 2>/dev/null)"
		fi
		sleep 0.1
	done
}

ip netns add "$nss" || fail "cannot create namespace $nss"
ip -n "$nss" link set lo up
ip -n "$nss" tuntap add dev "$taps" mode tap || fail "cannot create TAP $taps"
ip -n "$nss" addr add 10.0.0.1/24 dev "$taps" || fail "cannot address $taps"
ip -n "$nss" link set "$taps" up || fail "cannot bring $taps up"

mkdir -p "$tmp/www"
head -c 1048576 /dev/urandom >"$tmp/www/big.bin"
printf 'hello from the server\n' >"$tmp/www/small.txt"
big_sum=$(sha256sum <"$tmp/www/big.bin" | cut -d' ' -f1)
small_sum=$(sha256sum <"$tmp/www/small.txt" | cut -d' ' -f1)

ip netns exec "$nss" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
	--pid-file= --leasefile-ro --no-ping --log-facility=- --log-dhcp \
	--interface="$taps" --bind-interfaces --except-interface=lo \
	--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,2m \
	--dhcp-option=option:router,10.0.0.1 --dhcp-option=option:dns-server,10.0.0.1 \
	--local=/keel.test/ --host-record=www.keel.test,10.0.0.1 >"$tmp/dnsmasq" 2>&1 &
pids="$pids $!"
wait_for "$tmp/dnsmasq" 'DHCP, IP range' $! dnsmasq
for port in 80 8080; do
	ip netns exec "$nss" busybox httpd -f -p 10.0.0.1:$port -h "$tmp/www" &
	pids="$pids $!"
done
sleep 0.3

# fetch NS TAP URL: runs the image; its output in $out, status in $rc.
fetch() {
	out=$(timeout 120 ip netns exec "$1" "$launch" --net service=tap:"$2" "$img" "$3" 2>&1)
	rc=$?
}

# -- 1. A plain link ------------------------------------------------------------
fetch "$nss" "$taps" http://www.keel.test/big.bin
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "fetch of big.bin exited $rc: $out"
expect_line "$out" "fetch: www.keel.test is 10.0.0.1:80"
expect_line "$out" "fetch: status 200"
expect_line "$out" "fetch: body 1048576 bytes sha256 $big_sum"

fetch "$nss" "$taps" http://www.keel.test:8080/small.txt
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "fetch of small.txt exited $rc: $out"
expect_line "$out" "fetch: status 200"
expect_line "$out" "fetch: body 22 bytes sha256 $small_sum"

fetch "$nss" "$taps" http://10.0.0.1/missing
printf '%s\n' "$out"
[ $rc -eq 1 ] || fail "fetch of a missing file exited $rc, want 1: $out"
expect_line "$out" "fetch: status 404"

fetch "$nss" "$taps" http://nope.keel.test/
[ $rc -eq 1 ] && printf '%s\n' "$out" | grep -q '^fetch: nope.keel.test: not found$' ||
	fail "a missing host did not fail cleanly ($rc): $out"

# -- 2. Through a faulty link -------------------------------------------------------
ip netns add "$nsi" || fail "cannot create namespace $nsi"
ip netns exec "$nsi" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
ip -n "$nsi" tuntap add dev "$tapi" mode tap || fail "cannot create TAP $tapi"
ip -n "$nsi" link set "$tapi" up || fail "cannot bring $tapi up"
"$fl" --a packet:"$tapi@$nsi" --b tap:"$taps@$nss" --loss 10 --dup 5 --reorder 20 \
	--delay 5 --seed 7 --seconds 150 >"$tmp/fl" 2>&1 &
flpid=$!
pids="$pids $flpid"
wait_for "$tmp/fl" '^faultlink: ready$' $flpid faultlink

t0=$(date +%s%3N)
fetch "$nsi" "$tapi" http://www.keel.test/big.bin
t1=$(date +%s%3N)
kill -TERM "$flpid"
wait "$flpid"
printf '%s\n' "$out"
cat "$tmp/fl"
[ $rc -eq 0 ] || fail "fetch through the faulty link exited $rc: $out"
expect_line "$out" "fetch: status 200"
expect_line "$out" "fetch: body 1048576 bytes sha256 $big_sum"
lost=$(sed -n 's/^faultlink: a->b .* lost \([0-9]*\) .*/\1/p' "$tmp/fl")
[ "${lost:-0}" -gt 0 ] || fail "the faulty link lost nothing: $(cat "$tmp/fl")"
[ $((t1 - t0)) -ge 2900 ] || fail "the lost DHCPDISCOVER was not retransmitted after 3-5 s"

pass "fetch: 1 MiB intact on a plain link and through loss/dup/reorder ($((t1 - t0)) ms)"
