#!/bin/sh
# How an image on the linux target waits (platform/linux/yield.c), seen in
# its ppoll calls under strace. tests/linux/waitin waits for frames in
# turns of 100 ms, and after reading frames looks once more with a past
# deadline (one zero-timeout call) before it waits again; the kernel sends
# it 100 ICMP echo requests 10 ms apart (to a fixed neighbour entry: no
# ARP), then nothing until the image exits, 1.5 s after the last one.
# Calls are told apart by their timeout: zero (a look or a poll) or not
# (a sleep). With the default poll window:
#   - between input and the next sleep come the look and at least one
#     poll: the look did not use up the window input bought;
#   - a zero-timeout call comes only right after input or after another
#     one: a wait that found nothing does not poll, so idle turns only
#     sleep;
#   - once the traffic stops the image makes at most one call a turn.
# With --poll-us 0 only the look comes between input and the next sleep.
# Needs root (namespace, TAP).
set -u
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	fail "pollwait needs root (network namespace and TAP)"
fi
for tool in ip strace ping timeout; do
	command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install iproute2 strace iputils-ping coreutils)"
done

make -s app APP=tests/linux/waitin >/dev/null || fail "build of tests/linux/waitin failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/waitin/waitin
launch=build/host/bin/keel-launch
QUIET_MS=1500
TURN_MS=100 # as tests/linux/waitin/main.c
PINGS=100

ns=keel-pw-$$
tap=kpw$$
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
# No IPv6: its solicitations would be input the test did not send.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
	fail "cannot turn IPv6 off in $ns"
in_ns ip link set lo up || fail "lo up"
in_ns ip tuntap add dev "$tap" mode tap || fail "cannot create TAP $tap"
in_ns ip addr add 10.0.0.1/24 dev "$tap" || fail "cannot address $tap"
in_ns ip link set "$tap" up || fail "cannot bring $tap up"
in_ns ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev "$tap" nud permanent ||
	fail "cannot add a neighbour entry"

# run NAME [LAUNCH OPTIONS]: runs the image under strace while the
# kernel sends it the pings; leaves its ppoll calls in $tmp/NAME.trace.
run() {
	name=$1
	shift
	timeout 60 ip netns exec "$ns" strace -qq -o "$tmp/$name.trace" -e trace=ppoll \
		"$launch" "$@" --net service=tap:"$tap" "$img" $QUIET_MS >"$tmp/$name.out" 2>&1 &
	pid=$!
	tries=0
	until grep -q '^waitin: waiting$' "$tmp/$name.out"; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "$name: the image did not start waiting: $(cat "$tmp/$name.out")"
		fi
		sleep 0.1
	done
	# -W: no reply comes; do not wait for one long after the last send.
	timeout 20 ip netns exec "$ns" ping -q -n -c $PINGS -i 0.01 -W 0.1 10.0.0.2 >/dev/null 2>&1
	wait "$pid"
	rc=$?
	pid=
	[ $rc -eq 0 ] || fail "$name: the image exited with $rc: $(cat "$tmp/$name.out")"
	grep -q '^waitin: received [1-9]' "$tmp/$name.out" ||
		fail "$name: $(cat "$tmp/$name.out")"
}

# check NAME POLLS: reads $tmp/NAME.trace (the waits' calls are those on
# the TAP, events=POLLIN; the start's descriptor probe asks for none) and
# prints "CALLS INPUTS ZERO_TIMEOUT_CALLS SLEEPS_AFTER_LAST_INPUT", or the
# first broken rule. POLLS is 1 with a poll window, 0 with none.
check() {
	awk -v polls="$2" '
	/events=POLLIN/ {
		n++
		# The timeout argument (a result may say "left {tv_sec=0, ...}").
		zero = $0 ~ /\], [0-9]+, \{tv_sec=0, tv_nsec=0\}, /
		if ($0 ~ / = 0 \(Timeout\)$/)
			got = "empty"
		else if ($0 ~ / = [1-9][0-9]* \(\[/)
			got = "input"
		else
			got = "other" # interrupted: a spurious wake-up
		if (zero) {
			nzero++
			if (prev != "input" && prev != "zero" && !bad)
				bad = "call " n " polls after a wait that found nothing"
			run++
		} else if (prev == "input" || prev == "zero") {
			# A sleep after input: the look, then the window.
			if (polls && run < 2 && !bad)
				bad = "call " n " sleeps after input with " run " zero-timeout calls, want the look and a poll"
			if (!polls && run != 1 && !bad)
				bad = "call " n " sleeps after input with " run " zero-timeout calls, want only the look"
		}
		if (got == "input") {
			inputs++
			after = 0
			run = 0
		} else if (!zero) {
			after++
		}
		prev = got == "empty" && zero ? "zero" : got
	}
	END {
		if (bad)
			print "bad: " bad
		else
			print n + 0, inputs + 0, nzero + 0, after + 0
	}' "$tmp/$1.trace"
}

# At most one sleep a turn of the quiet time, and two turns of slack; an
# image whose sleeps did not sleep would make thousands. (The zero-timeout
# calls after the last input are one run right after it, by the rules.)
idle_max=$((QUIET_MS / TURN_MS + 2))

run default
set -- $(check default 1)
[ "$1" != bad: ] || fail "default window: $*"
calls=$1 inputs=$2 polls=$3 after=$4
[ "$inputs" -ge 5 ] || fail "default window: input came in $inputs waits, want 5 or more"
[ "$after" -le "$idle_max" ] ||
	fail "default window: $after sleeps in the ${QUIET_MS} ms after the last input, want <= $idle_max"
[ "$after" -ge 2 ] || fail "default window: $after sleeps after the last input"
summary="default: $calls calls, $inputs with input, $polls looks and polls, $after sleeps after the last input"

run off --poll-us 0
set -- $(check off 0)
[ "$1" != bad: ] || fail "--poll-us 0: $*"
[ "$2" -ge 5 ] || fail "--poll-us 0: input came in $2 waits, want 5 or more"
[ "$4" -le "$idle_max" ] ||
	fail "--poll-us 0: $4 sleeps in the ${QUIET_MS} ms after the last input, want <= $idle_max"
pass "pollwait: $summary; --poll-us 0: $1 calls, $2 with input, $3 looks, no poll"
