#!/bin/sh
# HTTPS: the www image (examples/www, lib/tls on the direct stack) side by
# side with Debian's nginx + OpenSSL, on bench/http.sh's path: a client
# namespace (10.0.0.3) whose veth ends on a bridge in the server namespace;
# the bridge holds the image's TAP (image 10.0.0.2) and has nginx's address
# (10.0.0.1). Both serve the same certificate and key (ECDSA P-256, the
# build's development pair build/cert/localhost), TLS 1.2, ECDHE + AEAD,
# and nginx resumes no session (bench/tls/nginx.conf), so every new
# connection is a full handshake on both. Client on CPU 0, servers on
# CPU 1, receive packet steering on both veth ends.
#
# Runs alternate Keel, nginx, Keel, nginx... and each figure is the median
# of its runs, with the ratio Keel / nginx (above 1: Keel does more).
#
#   sh bench/tls.sh [ROUNDS]     (default 5 rounds; needs root)
#
# TLS_BENCH_SECS (default 5) is the length of every run. Figures:
#   full handshakes/s, one at a time (openssl s_time -new);
#   full handshakes/s, 32 at once (ab over HTTPS without keep-alive: one
#       handshake and one GET of /files/1k.txt per connection);
#   wrk over HTTPS, keep-alive, /files/1k.txt, 1 and 64 connections:
#       requests/s;
#   memory per idle TLS connection: 64 connections, each after one GET,
#       held open, right after both servers start: the growth of the
#       image's heap in use (its /metrics: the session, its record
#       buffers, the connection's fiber stack, HTTP state) and of nginx's
#       worker's resident memory (VmRSS), divided by 64;
# and the stripped image sizes: www with and without TLS, with its site
# and with an empty one (the goal: HTTPS www without the site ≤ 320 KiB).
# Needs: nginx, wrk, apache2-utils (ab), openssl, python3, curl, iproute2,
# util-linux (taskset).
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${1:-5}
SECS=${TLS_BENCH_SECS:-5}
CONNS=64
img=build/linux/apps/www/www
cert=build/cert/localhost
ca=build/cert/ca.crt

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/tls.sh needs root (network namespaces, TAP, bridge)" >&2
	exit 1
fi
for tool in nginx wrk ab openssl python3 curl ip taskset timeout; do
	command -v "$tool" >/dev/null || {
		echo "bench/tls.sh: $tool is needed (apt-get install nginx wrk apache2-utils openssl python3 curl iproute2 util-linux)" >&2
		exit 1
	}
done
out=build/bench/tls
rm -rf "$out"
mkdir -p "$out"

# ---- Image sizes -----------------------------------------------------------------
# An empty-site copy of examples/www (the same sources, linked from
# build/sizes/), with TLS and without, for x86_64 and linux.
sizes() {
	for v in tls plain; do
		sh examples/www/empty-site.sh build/sizes/www-$v $v || exit 1
	done
	echo "== Stripped image sizes (bytes)"
	printf '%-8s %12s %12s %12s %12s %10s\n' target "www HTTPS" "www HTTP" "HTTPS, no site" "HTTP, no site" "TLS adds"
	for t in x86_64 linux; do
		make -s TARGET=$t app APP=examples/www >/dev/null &&
			make -s TARGET=$t app APP=build/sizes/www-tls >/dev/null &&
			make -s TARGET=$t app APP=build/sizes/www-plain >/dev/null || exit 1
		full=$(wc -c <build/$t/apps/www/www)
		e_tls=$(wc -c <build/$t/apps/www-tls/www-tls)
		e_plain=$(wc -c <build/$t/apps/www-plain/www-plain)
		printf '%-8s %12s %12s %12s %12s %10s\n' $t "$full" "$((full - e_tls + e_plain))" \
			"$e_tls ($((e_tls / 1024)) KiB)" "$e_plain" "$((e_tls - e_plain))"
	done
	echo "  (www HTTP = www HTTPS less what TLS adds; goal: HTTPS www without the site <= 327680)"
}
sizes
make -s app APP=examples/www >/dev/null || exit 1
make -s build/host/bin/keel-launch >/dev/null || exit 1

nss=kts-$$
nsc=ktc-$$
tap=ktt$$
pid=
npid=
hpid=
tmp=$(mktemp -d) || exit 1
cleanup() {
	for p in $hpid $pid $npid; do
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
ip netns exec "$nss" sh -c "echo 2 > /sys/class/net/vs/queues/rx-0/rps_cpus" 2>/dev/null
ip netns exec "$nsc" sh -c "echo 1 > /sys/class/net/vc/queues/rx-0/rps_cpus" 2>/dev/null
ip netns exec "$nsc" sysctl -qw net.ipv4.tcp_tw_reuse=1 \
	net.ipv4.ip_local_port_range="1024 65535" >/dev/null

in_client() {
	ip netns exec "$nsc" "$@"
}

# ---- The servers -------------------------------------------------------------
taskset -c 1 ip netns exec "$nss" build/host/bin/keel-launch --net service=tap:"$tap" \
	"$img" -- --ipv4=10.0.0.2/24 >"$out/image.log" 2>&1 &
pid=$!
tries=0
until [ "$(in_client curl -s -o /dev/null -m 2 -w '%{http_code}' --cacert "$ca" \
	--resolve localhost:443:10.0.0.2 https://localhost/files/1k.txt)" = 200 ]; do
	tries=$((tries + 1))
	if [ $tries -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "the image did not start serving HTTPS" >&2
		cat "$out/image.log" >&2
		exit 1
	fi
	sleep 0.2
done
mkdir -p "$tmp/site/about" "$tmp/site/files"
for f in index.html about/index.html files/1k.txt; do
	in_client curl -sf -m 10 --cacert "$ca" --resolve localhost:443:10.0.0.2 -o "$tmp/site/$f" \
		"https://localhost/$f" || { echo "cannot fetch /$f from the image" >&2; exit 1; }
done
sed -e "s|@DIR@|$tmp|g" -e "s|@ADDR@|10.0.0.1|g" -e "s|@CERT@|$PWD/$cert|g" bench/tls/nginx.conf >"$tmp/nginx.conf"
taskset -c 1 ip netns exec "$nss" nginx -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" \
	>"$out/nginx.log" 2>&1 &
npid=$!
tries=0
until [ "$(in_client curl -s -o /dev/null -m 2 -w '%{http_code}' --cacert "$ca" \
	--resolve localhost:443:10.0.0.1 https://localhost/files/1k.txt)" = 200 ]; do
	tries=$((tries + 1))
	if [ $tries -gt 50 ] || ! kill -0 "$npid" 2>/dev/null; then
		echo "nginx did not start serving HTTPS" >&2
		cat "$out/nginx.log" "$tmp/error.log" >&2
		exit 1
	fi
	sleep 0.2
done
in_client curl -s -m 10 --cacert "$ca" --resolve localhost:443:10.0.0.1 https://localhost/files/1k.txt |
	cmp -s - "$tmp/site/files/1k.txt" || { echo "nginx does not serve the same /files/1k.txt" >&2; exit 1; }

# ---- Memory per idle TLS connection ----------------------------------------------
# hold HOST: CONNS TLS connections to HOST, each after one GET, held until
# the file $tmp/release appears (bounded: 60 s); prints "held N".
cat >"$tmp/hold.py" <<'PY'
import os, socket, ssl, sys, time
host, n, ca, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = True
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
conns = []
for i in range(n):
    s = ctx.wrap_socket(socket.create_connection((host, 443), timeout=10), server_hostname="localhost")
    s.sendall(b"GET /files/1k.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got or len(got.split(b"\r\n\r\n", 1)[1]) < 1024:
        d = s.recv(4096)
        if not d:
            sys.exit("closed early")
        got += d
    conns.append(s)
print("held", len(conns), flush=True)
end = time.time() + 60
while not os.path.exists(flag) and time.time() < end:
    time.sleep(0.1)
PY
keel_heap() {
	in_client curl -s -m 5 http://10.0.0.2/metrics | awk '$1 == "heap_in_use" {print $2}'
}
nginx_rss() { # of the worker: the child of the master
	w=$(pgrep -P "$(cat "$tmp/nginx.pid")" | head -n 1)
	awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$w/status"
}
# per_conn WHO: bytes per held connection
per_conn() {
	host=10.0.0.2
	[ "$1" = n ] && host=10.0.0.1
	rm -f "$tmp/release"
	if [ "$1" = k ]; then before=$(keel_heap); else before=$(nginx_rss); fi
	timeout 90 ip netns exec "$nsc" python3 "$tmp/hold.py" "$host" $CONNS "$ca" "$tmp/release" \
		>"$tmp/hold.out" 2>&1 &
	hpid=$!
	tries=0
	until grep -q "^held $CONNS" "$tmp/hold.out"; do
		tries=$((tries + 1))
		if [ $tries -gt 300 ] || ! kill -0 "$hpid" 2>/dev/null; then
			echo "could not hold $CONNS connections to $host: $(cat "$tmp/hold.out")" >&2
			echo 0
			return
		fi
		sleep 0.1
	done
	sleep 0.5
	if [ "$1" = k ]; then after=$(keel_heap); else after=$(nginx_rss); fi
	touch "$tmp/release"
	wait "$hpid"
	hpid=
	sleep 1
	echo $(((after - before) / CONNS))
}
kmem=$(per_conn k)
nmem=$(per_conn n)

# ---- Measuring -----------------------------------------------------------------
client() {
	timeout $((SECS + 30)) taskset -c 0 ip netns exec "$nsc" "$@"
}

median() {
	sort -g | awk '{v[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

SUITE=ECDHE-ECDSA-AES128-GCM-SHA256
# run WHO TEST LOG: one run of TEST against WHO (k: Keel, n: nginx).
run() {
	host=10.0.0.2
	[ "$1" = n ] && host=10.0.0.1
	case $2 in
	hs-c1) client openssl s_time -connect "$host:443" -new -time "$SECS" -cipher "$SUITE" ;;
	hs-c32) client ab -q -r -t "$SECS" -n 10000000 -c 32 -f TLS1.2 -Z "$SUITE" "https://$host/files/1k.txt" ;;
	ka-c1) client wrk -t1 -c1 -d"${SECS}s" "https://$host/files/1k.txt" ;;
	ka-c64) client wrk -t1 -c64 -d"${SECS}s" "https://$host/files/1k.txt" ;;
	esac >"$3" 2>&1
}

# figure TEST LOG: the figure of one run; failed runs are noted.
figure() {
	case $1 in
	hs-c1)
		# s_time prints whole seconds; it stops at the first handshake
		# past SECS, so the count over SECS is the rate.
		v=$(awk -v s="$SECS" '/connections in [0-9.]+ real seconds/ { printf "%.1f\n", $1 / s; exit }' "$2")
		[ -n "$v" ] || echo "$2: no s_time figure" >>"$out/notes"
		;;
	hs-c32)
		v=$(awk '/^Requests per second:/ {print $4}' "$2")
		f=$(awk '/^Failed requests:/ {print $3}' "$2")
		[ "${f:-0}" = 0 ] || echo "$2: $f failed requests" >>"$out/notes"
		;;
	*)
		v=$(awk '/^Requests\/sec:/ {print $2}' "$2")
		e=$(awk '/Socket errors|Non-2xx/ {gsub(/^ +/, ""); printf "%s; ", $0}' "$2")
		[ -z "$e" ] || echo "$2: $e" >>"$out/notes"
		;;
	esac
	echo "${v:-0}"
}

tests="hs-c1 hs-c32 ka-c1 ka-c64"
echo
echo "== HTTPS: Keel www (lib/tls on BearSSL, direct stack, TAP) vs nginx $(nginx -v 2>&1 | sed 's|.*/||') + $(openssl version | cut -d' ' -f1-2), $rounds rounds of ${SECS} s alternating"
echo "  (ECDSA P-256 certificate, $SUITE; client on CPU 0, servers on CPU 1; load average before: $(cut -d" " -f1-3 /proc/loadavg))"
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
line() { # LABEL TEST
	k=$(median <"$out/$2-k.txt")
	n=$(median <"$out/$2-n.txt")
	printf '%-52s %10s %10s %7s\n' "$1" "$k" "$n" "$(ratio "$k" "$n")"
}
echo
printf '%-52s %10s %10s %7s\n' "median of $rounds runs" keel nginx ratio
line "full handshakes/s, 1 at a time (s_time -new)" hs-c1
line "full handshakes/s, 32 at once (ab, + 1 KiB GET)" hs-c32
line "keep-alive HTTPS 1 KiB, 1 conn: requests/s" ka-c1
line "keep-alive HTTPS 1 KiB, 64 conns: requests/s" ka-c64
printf '%-52s %10s %10s %7s\n' "memory per idle TLS connection (bytes)" "$kmem" "$nmem" "$(ratio "$kmem" "$nmem")"
echo "(ratio = keel / nginx; memory: Keel's heap in use, nginx's worker RSS, per connection of $CONNS)"
if [ -s "$out/notes" ]; then
	echo "runs with errors:"
	sed 's/^/  /' "$out/notes"
fi
