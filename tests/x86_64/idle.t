#!/bin/sh
# An idle x86_64 image halts: while it sleeps on a timer, the QEMU process
# running it uses next to no host CPU, against a full core when the same
# image spins on the clock instead. Measured from /proc/PID/stat (user +
# system time of QEMU) over the same window in both runs.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh

x86_build tests/x86_64/idle
img=$(x86_image tests/x86_64/idle)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
window=2 # seconds measured, inside a run of 4

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

# measure MODE: runs the image sleeping or spinning for 4 s; sets $ticks
# to the CPU time QEMU used in the middle `window` seconds.
measure() {
	timeout -k 5 60 "$QEMU_RUN" "$img" -- "$1" 4000 >"$tmp/$1.out" 2>&1 </dev/null &
	runner=$!
	qemu=
	for _ in $(seq 100); do # main started: the image printed its first line
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
measure sleep
sleeping=$ticks
measure spin
spinning=$ticks
printf 'QEMU CPU time over %s s: sleeping %s ticks, spinning %s ticks (%s ticks/s)\n' \
	"$window" "$sleeping" "$spinning" "$hz"
# Spinning keeps a host core busy (on a loaded host, still a good part of
# one); sleeping must cost less than a tenth of that.
[ "$spinning" -ge $((window * hz / 10)) ] || fail "spinning used only $spinning ticks: the measurement is off"
[ $((sleeping * 10)) -lt "$spinning" ] || fail "sleeping used $sleeping ticks, spinning $spinning: the idle image does not halt"
pass "x86_64 idle: $((sleeping * 100 / (window * hz)))% of a core asleep, $((spinning * 100 / (window * hz)))% spinning"
