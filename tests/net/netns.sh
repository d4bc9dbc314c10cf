# Helpers for the end-to-end tests of lib/net (sourced after tests/lib.sh;
# POSIX sh). A test calls net_start NAME SECONDS: it builds the test image
# tests/net/ping, creates a network namespace of its own holding a TAP at
# 10.0.0.1/24, and starts the image in it at 10.0.0.2/24 for at most
# SECONDS. Everything is undone on exit (trap), whatever happens.

NET_IMG=build/linux/apps/ping/ping
NET_LAUNCH=build/host/bin/keel-launch
net_ns=
net_pid=
net_tmp=

net_cleanup() {
	if [ -n "$net_pid" ]; then
		kill "$net_pid" 2>/dev/null
		wait "$net_pid" 2>/dev/null
	fi
	[ -n "$net_ns" ] && ip netns del "$net_ns" 2>/dev/null
	[ -n "$net_tmp" ] && rm -rf "$net_tmp"
}

in_ns() {
	ip netns exec "$net_ns" "$@"
}

# net_require CMD...: fails unless every command exists.
net_require() {
	for c in "$@"; do
		command -v "$c" >/dev/null || fail "the command '$c' is needed"
	done
}

net_start() {
	name=$1
	seconds=$2
	if [ "$(id -u)" -ne 0 ]; then
		fail "$name needs root (network namespace and TAP)"
	fi
	net_require ip timeout
	make -s app APP=tests/net/ping >/dev/null || fail "build of tests/net/ping failed"
	make -s "$NET_LAUNCH" >/dev/null || fail "build of keel-launch failed"
	trap net_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	net_tmp=$(mktemp -d) || fail "mktemp failed"
	net_ns=keel-$name-$$
	net_tap=kt$$
	ip netns add "$net_ns" || fail "cannot create network namespace $net_ns"
	in_ns ip link set lo up || fail "lo up"
	in_ns ip tuntap add dev "$net_tap" mode tap || fail "cannot create TAP $net_tap"
	in_ns ip addr add 10.0.0.1/24 dev "$net_tap" || fail "cannot address $net_tap"
	in_ns ip link set "$net_tap" up || fail "cannot bring $net_tap up"
	timeout $((seconds + 10)) ip netns exec "$net_ns" "$NET_LAUNCH" --net service=tap:"$net_tap" \
		"$NET_IMG" -- --ipv4=10.0.0.2/24 --seconds="$seconds" >"$net_tmp/out" 2>&1 &
	net_pid=$!
	tries=0
	until grep -q '^ping: ready$' "$net_tmp/out"; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$net_pid" 2>/dev/null; then
			fail "the image did not start: $(cat "$net_tmp/out")"
		fi
		sleep 0.1
	done
}

# net_stop: asks the image to end (a "quit" datagram, else a kill), waits
# for it and leaves its output in $net_out.
net_stop() {
	if command -v socat >/dev/null; then
		printf quit | in_ns timeout 5 socat -u - UDP:10.0.0.2:7 2>/dev/null
	fi
	tries=0
	while kill -0 "$net_pid" 2>/dev/null && [ $tries -lt 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	kill "$net_pid" 2>/dev/null
	wait "$net_pid"
	net_rc=$?
	net_pid=
	net_out=$(cat "$net_tmp/out")
	printf '%s\n' "$net_out"
}

# net_counter NAME: the value of one counter the image printed (0 if absent).
net_counter() {
	v=$(printf '%s\n' "$net_out" | sed -n "s/^$1 \([0-9][0-9]*\)\$/\1/p")
	echo "${v:-0}"
}
