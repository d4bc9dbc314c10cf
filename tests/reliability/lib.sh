# Shared by the reliability suites (sourced; POSIX sh): one network
# namespace of the suite's own, a TAP in it (host side 10.0.0.1/24), the
# www image on the TAP (10.0.0.2/24) run by keel-launch, and the peers
# (wrk, the load generator, the attack tools) in the same namespace.
# Every process started is remembered by PID and stopped, and the
# namespace deleted, when the script ends (rel_cleanup, set as the EXIT
# trap by rel_begin).
#
# Callers set REL_NAME (a short word) before rel_begin and may use:
#   rel_ns, rel_tap, rel_tmp   the namespace, the TAP, a scratch folder
#   in_ns CMD...               CMD inside the namespace
#   rel_start_www LOG ARGS...  starts the image, returns once "/" is served
#   rel_stop_www               stops it (its counters are then in LOG)
#   rel_metric NAME            a counter from the image's /metrics
#   rel_bg CMD...              starts CMD in the background, remembers its PID
#   rel_alive                  true while the image runs
#   rel_die MSG                prints MSG, exits 1 (cleanup runs)

REL_ADDR=10.0.0.2
REL_HOST=10.0.0.1
rel_pids=
rel_www=
rel_www_log=

rel_die() {
	printf 'FAIL: %s\n' "$*"
	exit 1
}

rel_cleanup() {
	for p in $rel_pids $rel_www; do
		kill "$p" 2>/dev/null
	done
	for p in $rel_pids $rel_www; do
		wait "$p" 2>/dev/null
	done
	[ -n "${rel_ns:-}" ] && ip netns del "$rel_ns" 2>/dev/null
	[ -n "${rel_tmp:-}" ] && rm -rf "$rel_tmp"
}

in_ns() {
	ip netns exec "$rel_ns" "$@"
}

rel_bg() {
	"$@" &
	rel_pids="$rel_pids $!"
	rel_last=$!
}

# rel_wait PID: waits for a PID rel_bg started and forgets it.
rel_wait() {
	wait "$1"
	rel_rc=$?
	rel_pids=$(printf '%s\n' $rel_pids | grep -vx "$1" | tr '\n' ' ')
	return $rel_rc
}

# rel_need TOOL...: fails unless each tool is on the PATH.
rel_need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			rel_die "$t is needed (./keel setup --test installs the suite's packages)"
	done
}

# rel_begin: checks root, builds the image and the helpers, makes the
# namespace and the TAP.
rel_begin() {
	[ "$(id -u)" -eq 0 ] || rel_die "$REL_NAME needs root (network namespace and TAP)"
	rel_need ip timeout curl taskset
	make -s app APP=examples/www >/dev/null || rel_die "build of examples/www failed"
	make -s reliability-tools >/dev/null || rel_die "build of the suite's tools failed"
	rel_img=build/linux/apps/www/www
	rel_launch=build/host/bin/keel-launch
	rel_loadgen=build/host/tests/reliability/loadgen
	rel_ns=krel-$REL_NAME-$$
	rel_tap=krel$$
	rel_tmp=$(mktemp -d) || rel_die "mktemp failed"
	trap rel_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	ip netns add "$rel_ns" || rel_die "cannot create network namespace $rel_ns"
	in_ns ip link set lo up
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		>/dev/null 2>&1
	# Many short connections from one address: let the client reuse
	# ports and have the whole range.
	in_ns sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65535" \
		>/dev/null 2>&1
	in_ns ip tuntap add dev "$rel_tap" mode tap || rel_die "cannot create TAP $rel_tap"
	in_ns ip addr add $REL_HOST/24 dev "$rel_tap" || rel_die "cannot address $rel_tap"
	# The image takes frames from the TAP one by one: under a thousand
	# connections the kernel's queue toward it (1000 frames by default)
	# overflows, and every frame dropped there costs a client a
	# retransmission timeout. A NIC ring of that size is usual; what the
	# TAP still drops is reported (rel_tap_drops).
	in_ns ip link set "$rel_tap" txqueuelen "${REL_TXQUEUELEN:-10000}"
	in_ns ip link set "$rel_tap" up || rel_die "cannot bring $rel_tap up"
	ulimit -n 20000 2>/dev/null
}

rel_code() {
	timeout 10 ip netns exec "$rel_ns" curl -s -o /dev/null -m 5 -w '%{http_code}' \
		"http://$REL_ADDR$1"
}

# rel_start_www LOG ARGS...: the image on CPU 1 (clients on CPU 0, as in
# bench/), bounded by `timeout` (REL_WWW_TIMEOUT seconds, 900), with
# REL_LAUNCH_OPTS given to keel-launch, plain HTTP (--https-port=0: the
# suites load HTTP, not TLS); returns once it serves "/".
rel_start_www() {
	rel_www_log=$1
	shift
	# shellcheck disable=SC2086
	timeout "${REL_WWW_TIMEOUT:-900}" taskset -c 1 ip netns exec "$rel_ns" "$rel_launch" \
		${REL_LAUNCH_OPTS:-} --net service=tap:"$rel_tap" "$rel_img" -- --ipv4=$REL_ADDR/24 --https-port=0 "$@" \
		>"$rel_www_log" 2>&1 &
	rel_www=$!
	tries=0
	until [ "$(rel_code /)" = 200 ]; do
		tries=$((tries + 1))
		if [ $tries -gt 50 ] || ! kill -0 "$rel_www" 2>/dev/null; then
			rel_die "the image did not start serving: $(tail -n 20 "$rel_www_log")"
		fi
		sleep 0.2
	done
}

rel_alive() {
	[ -n "$rel_www" ] && kill -0 "$rel_www" 2>/dev/null
}

rel_stop_www() {
	[ -n "$rel_www" ] || return 0
	kill "$rel_www" 2>/dev/null
	wait "$rel_www" 2>/dev/null
	rel_www=
}

# rel_metrics FILE: saves the image's /metrics to FILE.
rel_metrics() {
	timeout 15 ip netns exec "$rel_ns" curl -s -m 10 "http://$REL_ADDR/metrics" >"$1"
}

# rel_metric NAME [FILE]: one counter, from FILE or fetched now.
rel_metric() {
	if [ $# -ge 2 ]; then
		awk -v n="$1" '$1 == n {print $2; exit}' "$2"
	else
		timeout 15 ip netns exec "$rel_ns" curl -s -m 10 "http://$REL_ADDR/metrics" |
			awk -v n="$1" '$1 == n {print $2; exit}'
	fi
}

# rel_field KEY LINE: the value of KEY=VALUE in a loadgen line.
rel_field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# rel_loadgen ARGS...: the load generator on CPU 0 in the namespace,
# bounded; prints its last line.
rel_loadgen() {
	timeout 1000 taskset -c 0 ip netns exec "$rel_ns" "$rel_loadgen" "$@" | tail -n 1
}

# rel_tap_drops: frames the kernel dropped on their way to the image.
rel_tap_drops() {
	in_ns cat "/sys/class/net/$rel_tap/statistics/tx_dropped"
}

# rel_machine: one line naming the machine, for the figures.
rel_machine() {
	printf '%s, %s CPUs (%s), load %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
		"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
}
