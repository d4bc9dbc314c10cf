#!/bin/sh
# Load and churn against the www image (linux target, its own TCP/IP stack
# on a TAP in a namespace of this script's own; tests/reliability/lib.sh):
#
#   1. wrk, keep-alive, CONNS connections (1000) for SECONDS on
#      /files/1k.txt, with the image started with --max-conns=MAXC (1024:
#      the HTTP server serves up to 1024 at once, the stack takes 1040).
#      Zero errors of any kind (connect, read, write, timeout, non-2xx),
#      no connection refused (wrk's connect errors, the image's
#      http_conns_refused and net_tcp_conns_refused), and the heap flat:
#      /metrics is sampled through the run; heap_high_water at the end
#      of the warm-up (the first fifth, at least 5 s) must equal the one
#      at the end, within HEAP_SLACK bytes (1% of the heap), and the heap
#      in use once idle again must be back within HEAP_SLACK of its idle
#      level before the run.
#   2. CHURN short connections (a new connection per request, with
#      "Connection: close"), 64 at once, by tests/reliability/loadgen.c:
#      every one answered 200, the heap idle level again.
#
# The image must be alive at the end. Prints the figures and a verdict;
# exit status 0 only when every check held.
#
#   sh tests/reliability/load.sh            (make soak: 600 s, 1,000,000 churn)
#   REL_SECONDS=30 REL_CHURN=20000 sh ...   (the short run of make test)
#
# Variables: REL_SECONDS (600), REL_CONNS (1000), REL_MAXC (1024),
# REL_CHURN (1000000), REL_HEAP_MB (64, the launcher's default).
set -u
cd "$(dirname "$0")/../.." || exit 1
REL_NAME=load
. tests/reliability/lib.sh

secs=${REL_SECONDS:-600}
conns=${REL_CONNS:-1000}
maxc=${REL_MAXC:-1024}
churn=${REL_CHURN:-1000000}
heap_mb=${REL_HEAP_MB:-64}
rel_need wrk
rel_begin

fails=0
check() { # check OK TEXT: one line of the verdict
	if [ "$1" = yes ]; then
		printf '  ok    %s\n' "$2"
	else
		printf '  FAIL  %s\n' "$2"
		fails=$((fails + 1))
	fi
}
yes_if() { # yes_if EXPR: "yes" when the shell arithmetic EXPR holds
	if [ $(($1)) -ne 0 ]; then echo yes; else echo no; fi
}

echo "== load: www (linux, direct stack over a TAP) — $(rel_machine)"
echo "   wrk -c$conns for ${secs}s, then $churn short connections; image --max-conns=$maxc, heap $heap_mb MiB"
REL_LAUNCH_OPTS="--heap-mb $heap_mb" REL_WWW_TIMEOUT=$((secs * 3 + 2000)) \
	rel_start_www "$rel_tmp/www.log" --max-conns="$maxc"

rel_metrics "$rel_tmp/m-idle0"
heap_size=$(rel_metric heap_size "$rel_tmp/m-idle0")
idle0=$(rel_metric heap_in_use "$rel_tmp/m-idle0")
slack=${REL_HEAP_SLACK:-$((heap_size / 100))}

# ---- 1. wrk, keep-alive, many connections --------------------------------------
warm=$((secs / 5))
[ $warm -lt 5 ] && warm=5
timeout $((secs + 120)) taskset -c 0 ip netns exec "$rel_ns" wrk -t2 -c"$conns" -d"${secs}s" \
	--timeout 10s --latency "http://$REL_ADDR/files/1k.txt" >"$rel_tmp/wrk" 2>&1 &
wrk_pid=$!
rel_pids="$rel_pids $wrk_pid"
t0=$(date +%s)
# Samples: at the end of the warm-up, then about every tenth of the rest.
step=$(((secs - warm) / 10))
[ $step -lt 2 ] && step=2
sleep "$warm"
rel_metrics "$rel_tmp/m-warm"
hw_warm=$(rel_metric heap_high_water "$rel_tmp/m-warm")
live_warm=$(rel_metric http_conns_live "$rel_tmp/m-warm")
printf '   %6s %12s %12s %6s\n' "t (s)" heap_in_use high_water conns
printf '   %6s %12s %12s %6s\n' "$(($(date +%s) - t0))" "$(rel_metric heap_in_use "$rel_tmp/m-warm")" \
	"$hw_warm" "$live_warm"
maxlive=${live_warm:-0}
while [ $(($(date +%s) - t0 + step)) -lt "$secs" ]; do
	sleep "$step"
	rel_metrics "$rel_tmp/m-now"
	l=$(rel_metric http_conns_live "$rel_tmp/m-now")
	[ "${l:-0}" -gt "$maxlive" ] && maxlive=$l
	printf '   %6s %12s %12s %6s\n' "$(($(date +%s) - t0))" "$(rel_metric heap_in_use "$rel_tmp/m-now")" \
		"$(rel_metric heap_high_water "$rel_tmp/m-now")" "$l"
done
rel_wait "$wrk_pid"
sleep 3 # the connections close, TIME_WAIT (2 s) ends
rel_metrics "$rel_tmp/m-after"
hw_end=$(rel_metric heap_high_water "$rel_tmp/m-after")
idle1=$(rel_metric heap_in_use "$rel_tmp/m-after")
sed 's/^/   | /' "$rel_tmp/wrk"

reqs=$(awk '/requests in/ {print $1}' "$rel_tmp/wrk")
rps=$(awk '/^Requests\/sec:/ {print $2}' "$rel_tmp/wrk")
sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$rel_tmp/wrk")
connerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4}' "$rel_tmp/wrk")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$rel_tmp/wrk")
refused_http=$(rel_metric http_conns_refused "$rel_tmp/m-after")
refused_tcp=$(rel_metric net_tcp_conns_refused "$rel_tmp/m-after")
echo
echo "   load: ${reqs:-0} requests, ${rps:-0} req/s, $conns connections (up to $maxlive live at once in the image)"
echo "   heap: size $heap_size, idle before $idle0, high-water after warm-up $hw_warm, at the end $hw_end, idle after $idle1"
check "$(yes_if "${reqs:-0} > 0")" "wrk served requests (${reqs:-0})"
check "$(yes_if "${sockerr:-0} == 0 && ${non2xx:-0} == 0")" \
	"no errors (socket errors ${sockerr:-0}, non-2xx ${non2xx:-0})"
check "$(yes_if "${connerr:-0} == 0 && ${refused_http:-1} == 0 && ${refused_tcp:-1} == 0")" \
	"no connection refused below --max-conns=$maxc (wrk connect ${connerr:-0}, http ${refused_http:-?}, tcp ${refused_tcp:-?})"
check "$(yes_if "${maxlive:-0} >= $conns")" "all $conns connections live at once ($maxlive)"
check "$(yes_if "${hw_end:-0} - ${hw_warm:-0} <= $slack")" \
	"heap high-water flat after warm-up (grew $((${hw_end:-0} - ${hw_warm:-0})) B, allowed $slack)"
# Idle again, the heap keeps the runtime's cache of 16 fiber stacks
# (about 576 KiB), filled by the first load: within the slack.
check "$(yes_if "${idle1:-0} - ${idle0:-0} <= $slack")" \
	"heap in use back to idle after the load ($idle0 -> $idle1)"
drops=$(rel_tap_drops)
echo "   frames the host's TAP queue dropped toward the image: ${drops:-?}; image retransmits $(rel_metric net_tcp_retransmits "$rel_tmp/m-after"), SYN cookies sent $(rel_metric net_tcp_syn_cookies "$rel_tmp/m-after")"

# ---- 2. churn ---------------------------------------------------------------------
# 64 at once; bounded at 2,000 connections a second at the slowest (the
# rate seen here is ~2,500/s).
echo
cmax=$((churn / 500 + 60))
line=$(rel_loadgen churn $REL_ADDR 80 --total "$churn" --conns 64 --seconds "$cmax" \
	--path /files/1k.txt --timeout 10000)
echo "   $line"
sleep 3
rel_metrics "$rel_tmp/m-churn"
idle2=$(rel_metric heap_in_use "$rel_tmp/m-churn")
hw_churn=$(rel_metric heap_high_water "$rel_tmp/m-churn")
cok=$(rel_field ok "$line")
cerr=$(rel_field errors "$line")
echo "   churn: $(rel_field ok "$line") connections in $(rel_field seconds "$line") s ($(rel_field rps "$line")/s), heap in use after $idle2, high-water $hw_churn"
check "$(yes_if "${cok:-0} == $churn && ${cerr:-1} == 0")" \
	"$churn short connections, each answered 200 (ok ${cok:-0}, errors ${cerr:-?})"
check "$(yes_if "${idle2:-0} - ${idle1:-0} <= $slack")" "heap in use back to idle after churn ($idle1 -> $idle2)"
check "$(yes_if "${hw_churn:-0} - ${hw_end:-0} <= $slack")" "churn did not raise the heap high-water"

rel_alive && alive=yes || alive=no
check $alive "the image is alive"
rel_stop_www
echo
if [ $fails -eq 0 ]; then
	echo "load: every check held"
	exit 0
fi
echo "load: $fails check(s) failed"
exit 1
