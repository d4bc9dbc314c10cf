#!/bin/sh
# lib/core's costs on the linux target (bench/core), beside a baseline run
# on the host in the same session: the same two-party ping-pong with POSIX
# ucontext's swapcontext (bench/core/peer.c). The two run alternately
# (A B A B ...) so that drift of a shared machine hits both; each figure is
# the median over the rounds, and the ratio is peer / keel for switch_ns.
#
#   sh bench/core.sh [ROUNDS]      (default 5)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5}
out=build/bench/core
mkdir -p "$out"
rm -f "$out"/keel.* "$out"/peer.*

make -s tools >/dev/null
make -s app APP=bench/core >/dev/null
${HOSTCC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -o "$out/peer" bench/core/peer.c
img=build/linux/apps/core/core

r=1
while [ "$r" -le "$rounds" ]; do
	build/host/bin/keel-launch "$img" >"$out/keel.$r"
	"$out/peer" >"$out/peer.$r"
	r=$((r + 1))
done

# median NAME FILES...: the median of the NAME lines' values in FILES.
median() {
	name=$1
	shift
	awk -v n="$name" '$1 == n { print $2 }' "$@" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

echo "-- lib/core (linux target) vs ucontext (host): $rounds rounds, alternating, medians, ns"
for name in switch_ns wake_switch_ns timer_arm_cancel_ns timer_arm_fire_ns spawn_exit_ns \
	spawn_burst_ns; do
	printf 'keel %-20s %10s\n' "$name" "$(median "$name" "$out"/keel.*)"
done
keel=$(median switch_ns "$out"/keel.*)
peer=$(median switch_ns "$out"/peer.*)
printf 'peer %-20s %10s   (ucontext swapcontext)\n' switch_ns "$peer"
awk -v k="$keel" -v p="$peer" 'BEGIN { printf "ratio switch_ns peer/keel %.1f\n", p / k }'
