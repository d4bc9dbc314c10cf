#!/bin/sh
# The www image (examples/www on the direct stack) side by side with
# Debian's nginx, over the same path (BENCHMARKING.md): a client namespace
# whose veth ends on a bridge in the server namespace; the bridge holds
# the image's TAP (image 10.0.0.2) and has nginx's address itself
# (10.0.0.1); the client is 10.0.0.3. Both servers are one hop from the
# client. nginx runs one worker with sendfile on, keep-alive on and no
# access log (bench/http/nginx.conf), serving a copy of the very bytes
# the image serves (fetched from it at the start). Client on CPU 0,
# servers on CPU 1, receive packet steering on both veth ends.
#
# Runs alternate Keel, nginx, Keel, nginx... and each figure is the
# median of its runs, with the ratio Keel / nginx of the medians and the
# median of each round's own ratio (above 1: Keel does more; for latency,
# above 1: Keel is slower).
#
#   sh bench/http.sh [ROUNDS]     (default 5 rounds; needs root)
#
# HTTP_BENCH_SECS (default 5) is the length of every run; HTTP_BENCH_TESTS
# (default all: "1k-c1 1k-c64 1m-c1 1m-c16 ab-c1 ab-c32") picks the runs.
# Figures:
#   wrk, keep-alive, /files/1k.txt, 1 and 64 connections: requests/s
#       and 99th-percentile latency;
#   wrk, keep-alive, /files/1m.bin, 1 and 16 connections: MiB/s;
#   ab, a new connection per request (no -k), /files/1k.txt, 1 and 32
#       at once: requests/s;
# and the size of the stripped www image.
# Needs: nginx, wrk, apache2-utils (ab), curl, iproute2, util-linux (taskset).
# WWW_APP=DIR benchmarks another build of the same site;
# HTTP_BENCH_LAUNCH_OPTS adds options to the image's keel-launch (e.g.
# "--poll-us 0", to measure the image without polling before it sleeps).
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${1:-5}
SECS=${HTTP_BENCH_SECS:-5}
app=${WWW_APP:-examples/www}
app=${app%/}
name=$(basename "$app")
img=build/linux/apps/$name/$name

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/http.sh needs root (network namespaces, TAP, bridge)" >&2
	exit 1
fi
for tool in nginx wrk ab curl ip taskset timeout; do
	command -v "$tool" >/dev/null || {
		echo "bench/http.sh: $tool is needed (apt-get install nginx wrk apache2-utils curl iproute2 util-linux)" >&2
		exit 1
	}
done
make -s app APP="$app" >/dev/null || exit 1
make -s build/host/bin/keel-launch >/dev/null || exit 1
out=build/bench/http
rm -rf "$out"
mkdir -p "$out"

nss=khs-$$
nsc=khc-$$
tap=kht$$
pid=
npid=
tmp=$(mktemp -d) || exit 1
cleanup() {
	for p in $pid $npid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$nsc" 2>/dev/null
	ip netns del "$nss" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$nss" && ip netns add "$nsc" || exit 1
for n in "$nss" "$nsc"; do
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
ip -n "$nss" link add br0 type bridge
ip -n "$nss" addr add 10.0.0.1/24 dev br0
ip -n "$nss" tuntap add dev "$tap" mode tap
ip -n "$nss" link set "$tap" master br0
ip -n "$nss" link add vs type veth peer name vc netns "$nsc"
ip -n "$nss" link set vs master br0
ip -n "$nsc" addr add 10.0.0.3/24 dev vc
for l in br0 "$tap" vs; do ip -n "$nss" link set "$l" up; done
ip -n "$nsc" link set vc up
# Receive packet steering: each side does its receive work on its own CPU
# (the server side of the veth on the servers' CPU 1, the client side on
# CPU 0). HTTP_BENCH_RPS_SERVER / _CLIENT (CPU masks) change it.
rps_server=${HTTP_BENCH_RPS_SERVER:-2}
rps_client=${HTTP_BENCH_RPS_CLIENT:-1}
ip netns exec "$nss" sh -c "echo $rps_server > /sys/class/net/vs/queues/rx-0/rps_cpus" 2>/dev/null
ip netns exec "$nsc" sh -c "echo $rps_client > /sys/class/net/vc/queues/rx-0/rps_cpus" 2>/dev/null
# ab opens a connection per request: let the client reuse its ports in
# TIME-WAIT, and widen the range, so that it never runs out of them.
ip netns exec "$nsc" sysctl -qw net.ipv4.tcp_tw_reuse=1 \
	net.ipv4.ip_local_port_range="1024 65535" >/dev/null
ip netns exec "$nss" sysctl -qw net.core.somaxconn=4096 >/dev/null

in_client() {
	ip netns exec "$nsc" "$@"
}

# ---- The servers -------------------------------------------------------------
launch_opts=${HTTP_BENCH_LAUNCH_OPTS:-}
# shellcheck disable=SC2086 # the options are words
taskset -c 1 ip netns exec "$nss" build/host/bin/keel-launch $launch_opts --net service=tap:"$tap" \
	"$img" -- --ipv4=10.0.0.2/24 --https-port=0 >"$out/image.log" 2>&1 &
pid=$!
tries=0
until [ "$(in_client curl -s -o /dev/null -m 2 -w '%{http_code}' http://10.0.0.2/)" = 200 ]; do
	tries=$((tries + 1))
	if [ $tries -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "the image did not start serving" >&2
		cat "$out/image.log" >&2
		exit 1
	fi
	sleep 0.2
done

# nginx serves a copy of exactly what the image serves.
mkdir -p "$tmp/site/about" "$tmp/site/css" "$tmp/site/img" "$tmp/site/files"
for f in index.html about/index.html css/style.css img/keel.svg files/1k.txt files/1m.bin; do
	in_client curl -sf -m 10 -o "$tmp/site/$f" "http://10.0.0.2/$f" ||
		{ echo "cannot fetch /$f from the image" >&2; exit 1; }
done
in_client curl -s -m 10 -o "$tmp/site/404.html" http://10.0.0.2/no-such-page
if [ "$(wc -c <"$tmp/site/files/1k.txt")" -ne 1024 ] ||
	[ "$(wc -c <"$tmp/site/files/1m.bin")" -ne 1048576 ]; then
	echo "the image's /files/1k.txt or /files/1m.bin has the wrong size" >&2
	exit 1
fi
sed -e "s|@DIR@|$tmp|g" -e "s|@ADDR@|10.0.0.1|g" bench/http/nginx.conf >"$tmp/nginx.conf"
taskset -c 1 ip netns exec "$nss" nginx -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" \
	>"$out/nginx.log" 2>&1 &
npid=$!
tries=0
until [ "$(in_client curl -s -o /dev/null -m 2 -w '%{http_code}' http://10.0.0.1/files/1k.txt)" = 200 ]; do
	tries=$((tries + 1))
	if [ $tries -gt 50 ] || ! kill -0 "$npid" 2>/dev/null; then
		echo "nginx did not start serving" >&2
		cat "$out/nginx.log" "$tmp/error.log" >&2
		exit 1
	fi
	sleep 0.2
done
for f in files/1k.txt files/1m.bin; do
	in_client curl -s -m 10 http://10.0.0.1/$f | cmp -s - "$tmp/site/$f" ||
		{ echo "nginx does not serve the same /$f" >&2; exit 1; }
done
# Warm ARP both ways.
in_client ping -c1 -W1 10.0.0.2 >/dev/null 2>&1
in_client ping -c1 -W1 10.0.0.1 >/dev/null 2>&1

# ---- Measuring -----------------------------------------------------------------
client() {
	timeout $((SECS + 30)) taskset -c 0 ip netns exec "$nsc" "$@"
}

# median of numbers on stdin
median() {
	sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

# wrk_field LOG rps|p99us|errors: one figure of a wrk run.
wrk_field() {
	case $2 in
	rps) awk '/^Requests\/sec:/ {print $2}' "$1" ;;
	p99us) awk '$1 == "99%" {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		print (u == "us" ? v : u == "ms" ? v * 1000 : u == "s" ? v * 1e6 : v * 6e7) }' "$1" ;;
	errors) awk '/Socket errors|Non-2xx/ {gsub(/^ +/, ""); printf "%s; ", $0}' "$1" ;;
	esac
}

# run WHO TEST LOG: one run of TEST against WHO (k: Keel, n: nginx).
run() {
	host=10.0.0.2
	[ "$1" = n ] && host=10.0.0.1
	case $2 in
	1k-c1) client wrk -t1 -c1 -d"${SECS}s" --latency "http://$host/files/1k.txt" ;;
	1k-c64) client wrk -t1 -c64 -d"${SECS}s" --latency "http://$host/files/1k.txt" ;;
	1m-c1) client wrk -t1 -c1 -d"${SECS}s" --latency "http://$host/files/1m.bin" ;;
	1m-c16) client wrk -t1 -c16 -d"${SECS}s" --latency "http://$host/files/1m.bin" ;;
	ab-c1) client ab -q -r -t "$SECS" -n 10000000 -c 1 "http://$host/files/1k.txt" ;;
	ab-c32) client ab -q -r -t "$SECS" -n 10000000 -c 32 "http://$host/files/1k.txt" ;;
	esac >"$3" 2>&1
}

# figure TEST LOG: the figures of one run, "RPS [P99US]"; failed ones
# are noted in $out/notes.
figure() {
	case $1 in
	ab-*)
		v=$(awk '/^Requests per second:/ {print $4}' "$2")
		f=$(awk '/^Failed requests:/ {print $3}' "$2")
		[ "${f:-0}" = 0 ] || echo "$2: $f failed requests" >>"$out/notes"
		echo "${v:-0}"
		;;
	*)
		e=$(wrk_field "$2" errors)
		[ -z "$e" ] || echo "$2: $e" >>"$out/notes"
		echo "$(wrk_field "$2" rps) $(wrk_field "$2" p99us)"
		;;
	esac
}

tests=${HTTP_BENCH_TESTS:-1k-c1 1k-c64 1m-c1 1m-c16 ab-c1 ab-c32}
echo "== HTTP: Keel www (direct stack, TAP) vs nginx $(nginx -v 2>&1 | sed 's|.*/||'), $rounds rounds of ${SECS} s alternating"
echo "  (client on CPU 0, servers on CPU 1; load average before: $(cut -d" " -f1-3 /proc/loadavg))"
[ -z "$launch_opts" ] || echo "  (the image launched with: $launch_opts)"
: >"$out/notes"
r=1
while [ $r -le "$rounds" ]; do
	for t in $tests; do
		for who in k n; do
			log=$out/$t-$who-$r.log
			run $who "$t" "$log"
			figure "$t" "$log" >>"$out/$t-$who.txt"
		done
	done
	printf '  round %d of %d done\n' $r "$rounds"
	r=$((r + 1))
done
echo "  (load average after: $(cut -d" " -f1-3 /proc/loadavg))"
kill -0 "$pid" 2>/dev/null || { echo "the image died during the runs" >&2; tail -n 20 "$out/image.log" >&2; }

# ---- The table -----------------------------------------------------------------
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'
}

# line LABEL TEST COLUMN SCALE: medians of one column of a test's figures.
line() {
	[ -f "$out/$2-k.txt" ] || return 0
	k=$(awk -v c="$3" -v s="$4" '{print $c * s}' "$out/$2-k.txt" | median)
	n=$(awk -v c="$3" -v s="$4" '{print $c * s}' "$out/$2-n.txt" | median)
	pr=$(paste -d' ' "$out/$2-k.txt" "$out/$2-n.txt" |
		awk -v c="$3" '{w = NF / 2; if ($(w + c) > 0) printf "%.4f\n", $c / $(w + c)}' | median)
	printf '%-44s %12s %12s %7s %9s\n' "$1" "$k" "$n" "$(ratio "$k" "$n")" \
		"$(awk -v r="$pr" 'BEGIN {printf "%.2f", r}')"
}

echo
printf '%-44s %12s %12s %7s %9s\n' "median of $rounds runs" keel nginx ratio "per round"
line "keep-alive 1k, 1 conn: requests/s" 1k-c1 1 1
line "keep-alive 1k, 1 conn: p99 latency (us)" 1k-c1 2 1
line "keep-alive 1k, 64 conns: requests/s" 1k-c64 1 1
line "keep-alive 1k, 64 conns: p99 latency (us)" 1k-c64 2 1
# Each request of the 1 MiB test moves 1 MiB of body: requests/s is MiB/s.
line "keep-alive 1 MiB, 1 conn: MiB/s" 1m-c1 1 1
line "keep-alive 1 MiB, 16 conns: MiB/s" 1m-c16 1 1
line "new conn per request (ab), 1 at once: req/s" ab-c1 1 1
line "new conn per request (ab), 32 at once: req/s" ab-c32 1 1
echo "(ratio = keel / nginx of the medians; per round: the median of each round's"
echo " own ratio, its two runs seconds apart; latency: lower is better)"
if [ -s "$out/notes" ]; then
	echo "runs with errors:"
	sed 's/^/  /' "$out/notes"
fi

echo
echo "== stripped www image size"
for target in linux x86_64; do
	f=build/$target/apps/$name/$name
	if [ "$target" = x86_64 ] && [ ! -f "$f" ]; then
		make -s TARGET=x86_64 app APP="$app" >/dev/null 2>&1 || true
	fi
	if [ -f "$f" ]; then
		printf '  %-8s %8d bytes  %s\n' "$target" "$(wc -c <"$f")" "$f"
	else
		printf '  %-8s (not built)\n' "$target"
	fi
done
echo "(per-run logs in $out)"
