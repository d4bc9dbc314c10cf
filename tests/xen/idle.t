#!/bin/sh
# Time and idle on the xen target. An image sleeps 3 s on a timer (the
# PV clock, vCPU 0's one-shot timer, its VIRQ_TIMER event delivered
# through the upcall vector), then spins 3 s on the clock, in two runs:
#  - the sleep lasts 3 s by the image's monotonic and wall clocks, and
#    about 3 s on the host's clock (between the lines the image prints
#    before and after, as they arrive);
#  - while the image sleeps, QEMU (running Xen, running the image) uses
#    far less host CPU than while it spins: the domain blocks in Xen and
#    Xen idles in `hlt`, neither polls. Measured from /proc/PID/stat
#    over the same window in both runs.
set -u
. tests/lib.sh
. tests/xen/lib.sh

xen_build tests/xen/clock
img=$(xen_image tests/xen/clock)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$xen_log_file" "$xen_err_file"' EXIT
ms=3000
window=2 # seconds measured, inside the wait

cpu_ticks() { # cpu_ticks PID: utime + stime, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}

qemu_below() { # qemu_below PID: the QEMU process among PID's descendants
	for child in $(pgrep -P "$1"); do
		case "$(cat "/proc/$child/comm" 2>/dev/null)" in
		qemu-system*) echo "$child"; return 0 ;;
		esac
		qemu_below "$child" && return 0
	done
	return 1
}

now_ms() { date +%s%3N; }

# measure MODE: runs the image; sets $ticks (QEMU's CPU time in the
# middle of the wait), $host_ms (host time from "clock: start" seen to
# the result line seen), $mono and $wall (the image's own figures).
measure() {
	timeout -k 5 90 "$XEN_RUN" "$img" -- "$1" "$ms" >"$tmp/$1.out" 2>"$tmp/$1.err" </dev/null &
	runner=$!
	qemu=
	for _ in $(seq 600); do
		grep -q "^clock: start" "$tmp/$1.out" 2>/dev/null && qemu=$(qemu_below "$runner") && break
		sleep 0.05
	done
	t_start=$(now_ms)
	[ -n "$qemu" ] || fail "$1: the image did not start: $(cat "$tmp/$1.out" "$tmp/$1.err")"
	sleep 0.5
	t0=$(cpu_ticks "$qemu")
	sleep "$window"
	t1=$(cpu_ticks "$qemu")
	for _ in $(seq 600); do
		grep -q "^clock: mono" "$tmp/$1.out" 2>/dev/null && break
		sleep 0.02
	done
	host_ms=$(($(now_ms) - t_start))
	wait "$runner" || fail "$1: exited $?: $(cat "$tmp/$1.out" "$tmp/$1.err")"
	grep -q "^clock: done$" "$tmp/$1.out" || fail "$1: no 'clock: done': $(cat "$tmp/$1.out")"
	[ -n "$t0" ] && [ -n "$t1" ] || fail "$1: could not read QEMU's CPU time"
	ticks=$((t1 - t0))
	mono=$(sed -n 's/^clock: mono \([0-9]*\) wall [0-9]*$/\1/p' "$tmp/$1.out")
	wall=$(sed -n 's/^clock: mono [0-9]* wall \([0-9]*\)$/\1/p' "$tmp/$1.out")
}

hz=$(getconf CLK_TCK)
measure sleep
sleeping=$ticks
sleep_host=$host_ms
[ "$mono" -ge "$ms" ] && [ "$mono" -lt $((ms + 500)) ] || fail "a $ms ms sleep took $mono ms by the monotonic clock"
d=$((wall - mono))
[ "$d" -ge -50 ] && [ "$d" -le 50 ] || fail "the wall clock moved $wall ms while the monotonic clock moved $mono ms"
[ "$sleep_host" -ge $((ms - 300)) ] && [ "$sleep_host" -le $((ms + 1500)) ] ||
	fail "a $ms ms sleep took $sleep_host ms by the host's clock"
measure spin
spinning=$ticks
printf 'sleep %s ms: image %s ms (wall %s ms), host %s ms\n' "$ms" "$mono" "$wall" "$sleep_host"
printf 'QEMU CPU time over %s s: sleeping %s ticks, spinning %s ticks (%s ticks/s)\n' \
	"$window" "$sleeping" "$spinning" "$hz"
[ "$spinning" -ge $((window * hz / 10)) ] || fail "spinning used only $spinning ticks: the measurement is off"
[ $((sleeping * 10)) -lt "$spinning" ] || fail "sleeping used $sleeping ticks, spinning $spinning: the idle domain (or Xen) does not halt"
pass "xen idle: sleep ${mono} ms by the image, ${sleep_host} ms by the host; QEMU $((sleeping * 100 / (window * hz)))% of a core asleep, $((spinning * 100 / (window * hz)))% spinning"
