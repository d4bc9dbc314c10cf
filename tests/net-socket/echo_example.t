#!/bin/sh
# examples/echo — the very app tests/net/tcp_echo.t runs on the direct
# stack — built on the socket stack (examples/echo-socket) and given the
# same echo test over loopback: 64 MiB each way checked by SHA-256, 500
# connections at once, UDP echo, and the connection bound. Needs socat.
# Every step is bounded by timeout; only processes started here are stopped.
set -u
. tests/lib.sh

command -v socat >/dev/null || fail "socat is needed (Debian: socat)"
make -s app APP=examples/echo-socket >/dev/null || fail "build of examples/echo-socket failed"
make -s build/host/bin/keel-launch build/host/tests/net-socket/peer >/dev/null ||
	fail "build of the helpers failed"
img=build/linux/apps/echo-socket/echo-socket
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

port=$(test_port)

# serve OUT PORT ARGS...: starts the echo app and waits until it listens.
serve() {
	out=$1
	p=$2
	shift 2
	timeout 120 "$launch" "$img" -- --port="$p" --exit-after=90 "$@" >"$out" 2>&1 &
	pids="$pids $!"
	tries=0
	until grep -q "^echo: listening on port $p" "$out"; do
		tries=$((tries + 1))
		[ $tries -le 100 ] || fail "the image did not start: $(cat "$out")"
		sleep 0.05
	done
}

serve "$tmp/server" "$port"

head -c 67108864 /dev/urandom >"$tmp/big"
want=$(sha256sum <"$tmp/big" | cut -d' ' -f1)
got=$(timeout 60 socat -b 65536 -t 30 - TCP:127.0.0.1:"$port" <"$tmp/big" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "64 MiB came back different: sha256 $got, want $want"

out=$(timeout 60 "$peer" many 127.0.0.1 "$port" 500 1000 2>&1) || fail "$out"
expect_line "$out" "peer: 500 connections echoed"

got=$(printf 'hello keel' | timeout 10 socat -t 3 - UDP:127.0.0.1:"$port" 2>&1)
[ "$got" = "hello keel" ] || fail "UDP echo came back as '$got'"

serve "$tmp/bounded" $((port + 1)) --max-conns=8
out=$(timeout 30 "$peer" over 127.0.0.1 $((port + 1)) 8 1000 2>&1) || fail "$out"
expect_line "$out" "peer: 8 connections echoed, 1 refused"

pass "examples/echo on the socket stack: 64 MiB both ways, 500 connections, UDP, the bound"
