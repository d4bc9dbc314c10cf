#!/bin/sh
# xen domU figures with devices, from one boot of the full domU lane
# (tools/xen-domu-run.sh: Xen 4.17 and a Linux dom0 under QEMU's TCG):
#
#   - domain creation to main: from dom0's marker just before `xl create`
#     to the image's first line, for hello (no devices) and for www
#     (netfront: its xenstore handshake with netback included), RUNS
#     domains of each, medians
#   - from dom0 over the bridge: ping RTT and HTTP GET times (curl) of
#     examples/www on netfront, side by side with the same page served
#     by dom0's own busybox httpd on its bridge address (the peer: the
#     same client and bridge, no Xen split driver in the path)
#   - TCP throughput into dom0 from examples/echo --bench (its chargen-like
#     source, port 19) on netfront, next to the same transfer from a
#     source of zeros in dom0 itself (busybox nc)
#
#   sh bench/xen-domu.sh [RUNS]        (default 3)
#
# Wall time under TCG, nested: the figures say what the lane costs and
# how netfront compares with dom0's own stack in the same run, not what
# Xen on hardware does. Times of lines are when they reach this script
# through a pipe (a few ms late at most).
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
out=build/bench/xen-domu
mkdir -p "$out"
for a in examples/hello examples/www examples/echo; do
	make -s TARGET=xen app APP=$a >/dev/null
done
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# What dom0 runs beside www: the peer first (its httpd on 10.0.0.1 with
# www's front page), then www at 10.0.0.2.
cat >"$out/www-check.sh" <<'EOF'
n=0
until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -lt 60 ] || exit 1
done
mkdir -p /tmp/www
curl -s --cacert /ca.crt --resolve localhost:443:10.0.0.2 -o /tmp/www/index.html https://localhost/
busybox httpd -p 10.0.0.1:8080 -h /tmp/www
for host in 10.0.0.1 10.0.0.2; do
	ping -c 20 -i 0.2 -q $host | sed -n "s|^round-trip min/avg/max = \([^ ]*\) ms|ping $host \1|p"
done
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -s -o /dev/null -w 'get peer %{time_total}\n' http://10.0.0.1:8080/index.html
	curl -s -o /dev/null -w 'get keel %{time_total}\n' --cacert /ca.crt \
		--resolve localhost:443:10.0.0.2 https://localhost/
	curl -s -o /dev/null -w 'get keel-http %{time_total}\n' http://10.0.0.2/
done
EOF
cat >"$out/echo-check.sh" <<'EOF'
n=0
until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -lt 60 ] || exit 1
done
# The peer: a source of zeros in dom0 itself, as chargen is in echo.
busybox nc -l -p 9019 </dev/zero >/dev/null &
sleep 1
# 8 MiB read from each; head ends the connection when it has them.
# (nc's input is a pipe nobody writes to: at end of input it would stop.)
busybox mkfifo /tmp/hold
exec 7<>/tmp/hold
# busybox's date has no %N: the uptime's hundredths of a second.
now() { read -r up _ </proc/uptime; echo "$up"; }
for target in "10.0.0.1 9019" "10.0.0.2 19"; do
	t0=$(now)
	busybox nc $target </tmp/hold | head -c 8388608 >/dev/null
	t1=$(now)
	echo "tcp from $target: 8 MiB in $(busybox awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s, %.1f MiB/s", b - a, 8 / (b - a) }')"
done
EOF

: >"$out/plan"
for _ in $(seq "$runs"); do
	echo "build/xen/apps/hello/hello" >>"$out/plan"
	echo "check=$out/www-check.sh build/xen/apps/www/www --ipv4=10.0.0.2/24" >>"$out/plan"
done
echo "check=$out/echo-check.sh build/xen/apps/echo/echo --ipv4=10.0.0.2/24 --bench" >>"$out/plan"

# The first line of each domain, in ms after dom0's marker: runs
# alternate hello, www; echo last.
rm -f "$out/first" "$out/lines"
sh tools/xen-domu-run.sh --xen-log "$out/xen.log" --batch "$out/plan" 2>/dev/null |
	while IFS= read -r line; do
		case "$line" in
		domu-begin) t0=$(now_ms) ;;
		"dom0-check: "*) echo "${line#dom0-check: }" >>"$out/lines" ;;
		domu-exit:*) ;;
		*)
			if [ -n "${t0:-}" ]; then
				echo $(($(now_ms) - t0)) >>"$out/first"
				t0=
			fi
			;;
		esac
	done
echo "== domain creation (dom0's marker before xl create) to main, median of $runs (ms)"
printf 'hello (no devices) %s; www (netfront handshake before main) %s\n' \
	"$(awk 'NR % 2 == 1 && NR < '"$((2 * runs))"'' "$out/first" | median)" \
	"$(awk 'NR % 2 == 0 && NR <= '"$((2 * runs))"'' "$out/first" | median)"
echo "== from dom0 over br0 (ms; curl in s converted)"
for h in 10.0.0.1 10.0.0.2; do
	printf 'ping %s min/avg/max (median of runs) %s\n' "$h" \
		"$(sed -n "s|^ping $h ||p" "$out/lines" | awk -F/ '{ print $2 }' | median)"
done
for k in peer keel keel-http; do
	printf 'GET %s median %s ms\n' "$k" \
		"$(sed -n "s/^get $k //p" "$out/lines" | awk '{ printf "%.1f\n", $1 * 1000 }' | median)"
done
echo "(peer: dom0's busybox httpd at 10.0.0.1; keel: www over HTTPS; keel-http: its redirect)"
grep '^tcp ' "$out/lines" || true
