#!/bin/sh
# keel_resolve of the socket stack against a real DNS server (dnsmasq) on
# 127.0.0.1:53 inside a network namespace of the test's own:
#   - a name, and an alias of it in another case with a trailing dot
#     (CNAME followed), resolve to their address;
#   - a name the server says does not exist: "not found";
#   - a dotted quad comes back as it is, with or without a server;
#   - without --dns, a name cannot be resolved: "no such device";
#   - a server that never answers: "timed out" after the retries.
# Needs root (the namespace; port 53) and dnsmasq (Debian: dnsmasq-base);
# fails without root.
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "resolve needs root (network namespace, port 53)"
fi
command -v dnsmasq >/dev/null || fail "dnsmasq is needed (Debian: dnsmasq-base)"
command -v ip >/dev/null || fail "ip is needed (Debian: iproute2)"
make -s app APP=tests/net-socket/sockecho >/dev/null || fail "build of tests/net-socket/sockecho failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/sockecho/sockecho
launch=build/host/bin/keel-launch
ns=keel-nsres-$$
tmp=$(mktemp -d) || fail "mktemp failed"
dns_pid=
cleanup() {
	if [ -n "$dns_pid" ]; then
		kill "$dns_pid" 2>/dev/null
		wait "$dns_pid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$ns" || fail "cannot create network namespace $ns"
ip netns exec "$ns" ip link set lo up || fail "lo up"
timeout 60 ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
	--no-hosts --listen-address=127.0.0.1 --bind-interfaces --port=53 --user=root \
	--pid-file="$tmp/pid" --host-record=keel.test,10.1.2.3 --cname=alias.keel.test,keel.test \
	--address=/nx.keel.test/ --log-facility="$tmp/log" &
dns_pid=$!
sleep 0.5
kill -0 "$dns_pid" 2>/dev/null || fail "dnsmasq did not start: $(cat "$tmp/log" 2>/dev/null)"

# resolve NAME [OPTIONS]: the image's verdict line.
resolve() {
	name=$1
	shift
	timeout 30 ip netns exec "$ns" "$launch" "$img" -- resolve "$name" "$@" 2>&1 |
		grep '^resolve: '
}

out=$(resolve keel.test --dns=127.0.0.1)
[ "$out" = "resolve: keel.test 10.1.2.3" ] || fail "keel.test: $out"
out=$(resolve ALIAS.Keel.Test. --dns=127.0.0.1)
[ "$out" = "resolve: ALIAS.Keel.Test. 10.1.2.3" ] || fail "the alias: $out"
out=$(resolve nx.keel.test --dns=127.0.0.1)
[ "$out" = "resolve: nx.keel.test error not found" ] || fail "nx.keel.test: $out"
out=$(resolve 192.0.2.1 --dns=127.0.0.1)
[ "$out" = "resolve: 192.0.2.1 192.0.2.1" ] || fail "a dotted quad: $out"
out=$(resolve 192.0.2.1)
[ "$out" = "resolve: 192.0.2.1 192.0.2.1" ] || fail "a dotted quad without --dns: $out"
out=$(resolve keel.test)
[ "$out" = "resolve: keel.test error no such device" ] || fail "no --dns: $out"
out=$(resolve keel.test --dns=127.0.0.9)
[ "$out" = "resolve: keel.test error timed out" ] || fail "a silent server: $out"

pass "resolve: names, an alias, NXDOMAIN, dotted quads, no server, a silent server"
