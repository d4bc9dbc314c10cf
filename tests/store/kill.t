#!/bin/sh
# Crash consistency on the linux target: a write-heavy store image
# (tests/store/writer) is killed with SIGKILL at random moments; after
# each kill the checker image opens the store, verifies every record and
# object, and its counter must be the last commit the writer acknowledged
# or the one after it (in flight). Seeded and bounded in time.
#
#   KILL_ITERATIONS (default 200), KILL_SEED (default 1),
#   KILL_SECONDS (default 50: stops early, still needs 200 done)
#   KEEL_LONG=1: 2000 iterations, no time bound.
set -u
. tests/lib.sh

make -s app APP=tests/store/writer >/dev/null || fail "build of tests/store/writer failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/writer/writer
launch=build/host/bin/keel-launch

iterations=${KILL_ITERATIONS:-200}
seconds=${KILL_SECONDS:-50}
seed=${KILL_SEED:-1}
if [ -n "${KEEL_LONG:-}" ]; then
	iterations=2000
	seconds=100000
fi

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=1M count=256 2>/dev/null || fail "cannot create $disk"
out=$("$launch" --block storage="$disk" "$img" format 2>&1) || fail "format: $out"

# A small seeded generator (LCG) for the delays, so a run can be repeated.
state=$seed
next_rand() {
	state=$(((state * 1103515245 + 12345) % 2147483648))
	r=$((state / 65536))
}

start=$(date +%s)
i=0
prev=0
while [ "$i" -lt "$iterations" ]; do
	next_rand
	# 1..50 ms: from right after start-up to deep into a run.
	ms=$((1 + r % 50))
	"$launch" --block storage="$disk" "$img" run "$seed" >"$tmp/out" 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if grep -q '^full at' "$tmp/out"; then
		fail "the 256 MiB device filled up after $i iterations"
	fi
	acked=$(grep '^acked ' "$tmp/out" | tail -n 1 | cut -d' ' -f2)
	[ -n "$acked" ] || acked=$prev
	# Every object verified every 25th time; otherwise the open's own
	# verification of the log from its checkpoint, and the files.
	mode=peek
	[ $((i % 25)) -eq 24 ] && mode=check
	check=$("$launch" --block storage="$disk" "$img" "$mode" "$seed" 2>&1) ||
		fail "iteration $i (killed after ${ms} ms): checker failed: $check"
	counter=$(printf '%s\n' "$check" | sed -n 's/^counter //p')
	[ -n "$counter" ] || fail "iteration $i: checker said: $check"
	if [ "$counter" -lt "$acked" ] || [ "$counter" -gt $((acked + 1)) ]; then
		fail "iteration $i (killed after ${ms} ms): counter $counter, last acknowledged $acked"
	fi
	prev=$counter
	i=$((i + 1))
	if [ $(($(date +%s) - start)) -ge "$seconds" ]; then
		break
	fi
done
out=$("$launch" --block storage="$disk" "$img" check "$seed" 2>&1) || fail "final check: $out"
[ "$i" -ge 200 ] || [ "$i" -ge "$iterations" ] ||
	fail "only $i iterations in ${seconds}s (want 200)"
pass "kill: $i SIGKILLs (seed $seed), every acknowledged commit present, store verified; $prev commits"
