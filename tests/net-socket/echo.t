#!/bin/sh
# The socket stack against the host's own stack over loopback, with no
# device and no privilege: the image tests/net-socket/sockecho serves TCP
# and UDP echo on a high port of 127.0.0.1.
#   - 64 MiB each way through one connection (socat), checked by SHA-256;
#   - 250 connections open at once, each echoed (peer many);
#   - a server bounded to 20 connections resets the 21st (peer over);
#   - UDP echo: small datagrams, and ones of the largest size;
#   - the image as a client: 64 MiB to a host echo server and back, and a
#     refused connect;
#   - the image ends on the datagram "quit" and reports its counters.
# Needs socat. Every step is bounded by timeout; only processes this
# script started are stopped.
set -u
. tests/lib.sh

command -v socat >/dev/null || fail "socat is needed (Debian: socat)"
make -s app APP=tests/net-socket/sockecho >/dev/null || fail "build of tests/net-socket/sockecho failed"
make -s build/host/bin/keel-launch build/host/tests/net-socket/peer >/dev/null ||
	fail "build of the helpers failed"
img=build/linux/apps/sockecho/sockecho
launch=build/host/bin/keel-launch
peer=build/host/tests/net-socket/peer
tmp=$(mktemp -d) || fail "mktemp failed"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# A port from this shell's pid, away from the ephemeral range.
port=$(test_port)

# serve OUT PORT ARGS...: starts the echo server, waits for "echo: ready".
serve() {
	out=$1
	p=$2
	shift 2
	timeout 120 "$launch" "$img" -- serve "$p" --seconds=100 "$@" >"$out" 2>&1 &
	pids="$pids $!"
	tries=0
	until grep -q '^echo: ready$' "$out"; do
		tries=$((tries + 1))
		[ $tries -le 100 ] || fail "the image did not start: $(cat "$out")"
		sleep 0.05
	done
}

# quit PORT OUT: ends the server with the datagram "quit", waits for its end.
quit() {
	printf quit | timeout 5 socat - UDP:127.0.0.1:"$1" || fail "cannot send quit"
	tries=0
	until grep -q '^echo: done$' "$2"; do
		tries=$((tries + 1))
		[ $tries -le 100 ] || fail "the image did not end on quit: $(cat "$2")"
		sleep 0.05
	done
}

counter() {
	sed -n "s/^$1 //p" "$tmp/server"
}

serve "$tmp/server" "$port"

# 64 MiB each way through one connection.
head -c 67108864 /dev/urandom >"$tmp/big"
want=$(sha256sum <"$tmp/big" | cut -d' ' -f1)
got=$(timeout 60 socat -b 65536 -t 30 - TCP:127.0.0.1:"$port" <"$tmp/big" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "64 MiB came back different: sha256 $got, want $want"

# Many connections open at once.
out=$(timeout 60 "$peer" many 127.0.0.1 "$port" 250 3000 2>&1) || fail "$out"
expect_line "$out" "peer: 250 connections echoed"

# UDP: small datagrams, then the largest.
out=$(timeout 30 "$peer" udp 127.0.0.1 "$port" 200 1000 2>&1) || fail "$out"
out=$(timeout 30 "$peer" udp 127.0.0.1 "$port" 3 65507 2>&1) || fail "$out"
got=$(printf 'hello keel' | timeout 10 socat -t 3 - UDP:127.0.0.1:"$port" 2>&1)
[ "$got" = "hello keel" ] || fail "UDP echo came back as '$got'"

quit "$port" "$tmp/server"
cat "$tmp/server"
expect_line "$(cat "$tmp/server")" "echo: peak 250 connections"
[ "$(counter tcp_conns_opened)" -eq 251 ] || fail "tcp_conns_opened is not 251"
[ "$(counter bytes_out)" -ge 67108864 ] || fail "bytes_out below 64 MiB"
[ "$(counter udp_in)" -ge 204 ] || fail "udp_in below 204"
[ -z "$(counter tcp_conns_live)" ] || fail "connections still live at the end"

# The bound on connections: the 21st is reset, the 20 others served.
serve "$tmp/bounded" $((port + 1)) --max-conns=20
out=$(timeout 30 "$peer" over 127.0.0.1 $((port + 1)) 20 1000 2>&1) || fail "$out"
expect_line "$out" "peer: 20 connections echoed, 1 refused"
quit $((port + 1)) "$tmp/bounded"
grep -qx 'tcp_conns_refused 1' "$tmp/bounded" || fail "tcp_conns_refused is not 1: $(cat "$tmp/bounded")"

# The image as a client: 64 MiB to a host echo server and back.
timeout 60 socat TCP-LISTEN:$((port + 2)),bind=127.0.0.1,reuseaddr EXEC:cat >"$tmp/socat" 2>&1 &
pids="$pids $!"
sleep 0.2
out=$(timeout 60 "$launch" "$img" -- client 127.0.0.1:$((port + 2)) 67108864 2>&1) ||
	fail "client: $out"
expect_line "$out" "client: ok 67108864"
# A port nobody listens on.
out=$(timeout 20 "$launch" "$img" -- connect 127.0.0.1:$((port + 3)) 2>&1)
expect_line "$out" "connect: connection refused"

pass "echo: 64 MiB both ways, 250 concurrent connections, the bound, UDP, client and refusal"
