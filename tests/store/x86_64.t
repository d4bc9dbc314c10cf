#!/bin/sh
# The store on the x86_64 target (QEMU, virtio-blk): the writer image
# formats a disk, makes 100 commits and stops; then it is run again and
# QEMU is killed with SIGKILL mid-run; the checker (a third boot) must
# find every acknowledged commit and verify every object. Needs
# qemu-system-x86_64.
set -u
. tests/lib.sh

command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is needed"
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		for p in $(pgrep -P "$pid") $pid; do kill -KILL "$p" 2>/dev/null; done
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=1M count=32 2>/dev/null || fail "cannot create $disk"
run() { timeout 120 ./keel run -t x86_64 --block storage="$disk" tests/store/writer -- "$@"; }

out=$(run format 2>&1) || fail "format: $out"
out=$(run run 7 100 2>&1) || fail "run: $out"
expect_line "$out" "acked 100"
out=$(run check 7 2>&1) || fail "check: $out"
expect_line "$out" "counter 100"

# A second run killed as it goes (QEMU first gets time to boot).
timeout 120 ./keel run -t x86_64 --block storage="$disk" tests/store/writer -- run 7 \
	>"$tmp/out" 2>&1 &
pid=$!
tries=0
until grep -q '^acked 1[0-9][0-9]$' "$tmp/out"; do
	tries=$((tries + 1))
	[ $tries -le 600 ] || fail "the writer made no progress: $(tail -n 5 "$tmp/out")"
	sleep 0.05
done
sleep 0.3
# QEMU runs below `timeout` and `keel`: kill the whole tree started
# here, leaves first (QEMU is the crash), by process id.
descendants() {
	for c in $(pgrep -P "$1"); do
		descendants "$c"
		echo "$c"
	done
}
for p in $(descendants "$pid") $pid; do kill -KILL "$p" 2>/dev/null; done
wait "$pid" 2>/dev/null
pid=
acked=$(grep '^acked ' "$tmp/out" | tail -n 1 | cut -d' ' -f2)
out=$(run check 7 2>&1) || fail "check after the kill: $out"
counter=$(printf '%s\n' "$out" | sed -n 's/^counter //p')
[ -n "$counter" ] && [ "$counter" -ge "$acked" ] && [ "$counter" -le $((acked + 1)) ] ||
	fail "counter '$counter' after the kill, last acknowledged $acked: $out"
pass "x86_64: 100 commits, then killed at commit $acked; all there, store verified (virtio-blk)"
