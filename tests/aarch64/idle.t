#!/bin/sh
# An idle aarch64 image sleeps in `wfi`: while it waits on a timer, the
# QEMU process running it uses next to no host CPU, against a full core
# when the same image spins on the clock. Measured from /proc/PID/stat
# (user + system time of QEMU) over the same window in both runs, as
# tests/x86_64/idle.t does.
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

a64_build tests/x86_64/idle
img=$(a64_image tests/x86_64/idle)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
window=2

cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}

qemu_below() {
	for child in $(pgrep -P "$1"); do
		case "$(cat "/proc/$child/comm" 2>/dev/null)" in
		qemu-system*) echo "$child"; return 0 ;;
		esac
		qemu_below "$child" && return 0
	done
	return 1
}

measure() { # measure MODE GIC: sets $ticks
	timeout -k 5 60 "$QEMU_RUN" --gic "$2" "$img" -- "$1" 4000 >"$tmp/$1.out" 2>&1 </dev/null &
	runner=$!
	qemu=
	for _ in $(seq 100); do
		grep -q "^idle: $1" "$tmp/$1.out" 2>/dev/null && qemu=$(qemu_below "$runner") && break
		sleep 0.1
	done
	[ -n "$qemu" ] || fail "$1: the image did not start: $(cat "$tmp/$1.out")"
	sleep 0.5
	t0=$(cpu_ticks "$qemu")
	sleep "$window"
	t1=$(cpu_ticks "$qemu")
	wait "$runner" || fail "$1: exited $?: $(cat "$tmp/$1.out")"
	grep -q "^idle: done$" "$tmp/$1.out" || fail "$1: no 'idle: done': $(cat "$tmp/$1.out")"
	[ -n "$t0" ] && [ -n "$t1" ] || fail "$1: could not read QEMU's CPU time"
	ticks=$((t1 - t0))
}

hz=$(getconf CLK_TCK)
measure spin 3
spinning=$ticks
[ "$spinning" -ge $((window * hz / 10)) ] || fail "spinning used only $spinning ticks: the measurement is off"
report=
for gic in 3 2; do
	measure sleep "$gic"
	[ $((ticks * 10)) -lt "$spinning" ] ||
		fail "GICv$gic: sleeping used $ticks ticks, spinning $spinning: the idle image does not sleep"
	report="$report, GICv$gic asleep $((ticks * 100 / (window * hz)))%"
done
printf 'QEMU CPU time over %s s: spinning %s ticks (%s ticks/s)%s\n' "$window" "$spinning" "$hz" "$report"
pass "aarch64 idle: spinning $((spinning * 100 / (window * hz)))% of a core$report"
