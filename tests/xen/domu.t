#!/bin/sh
# The full domU lane: Xen under QEMU with a small Linux dom0 built from
# Debian packages (tools/fetch-xen-dom0.sh, cached in build/host/xen-dom0),
# whose init runs `xl create -c` for Keel images as PVH domUs
# (tools/xen-domu-run.sh). One dom0 boot runs every domain of this
# test, one after the other (--batch):
#   - hello: the PV console ring, timers and clocks as a domU
#   - a status and a crash status come back; a fault is reported
#   - the xenstore client reads and writes through the real xenstored
#   - examples/www on netfront, its vif on dom0's bridge: dom0 pings it
#     and fetches its page over HTTP and HTTPS (tests/xen/www-check.sh);
#     examples/echo answers a line over TCP (tests/xen/echo-check.sh)
#   - blkfront: tests/linux/blockrw on a disk (blkback over a loop
#     device); the disk's MD5 afterwards is that of the pattern it wrote
#   - the store on blkfront: tests/store/writer formats a disk, commits,
#     and a third domain checks every commit and object
set -u
. tests/lib.sh
. tests/xen/lib.sh

DOMU_RUN=tools/xen-domu-run.sh
xen_build examples/hello tests/xen/status tests/vm/faults tests/xen/xsread examples/www \
	tests/linux/blockrw tests/store/writer examples/echo
command -v python3 >/dev/null || fail "python3 is needed (the expected disk content)"

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp" "$xen_log_file" "$xen_err_file"' EXIT
truncate -s 1M "$tmp/blockrw.img" && truncate -s 8M "$tmp/store.img" ||
	fail "cannot make the disk files"
cat >"$tmp/plan" <<EOF
$(xen_image examples/hello)
$(xen_image tests/xen/status) 3 partial
$(xen_image tests/vm/faults) null
$(xen_image tests/xen/xsread)
check=tests/xen/www-check.sh $(xen_image examples/www) --ipv4=10.0.0.2/24
check=tests/xen/echo-check.sh $(xen_image examples/echo) --ipv4=10.0.0.2/24
disk=0 $(xen_image tests/linux/blockrw)
disk=1 $(xen_image tests/store/writer) format
disk=1 $(xen_image tests/store/writer) run 7 30
disk=1 $(xen_image tests/store/writer) check 7
EOF
t0=$(date +%s)
all=$(timeout -k 5 600 "$DOMU_RUN" --xen-log "$xen_log_file" --disk "$tmp/blockrw.img" \
	--disk "$tmp/store.img" --batch "$tmp/plan" 2>"$xen_err_file" </dev/null)
got=$?
t1=$(date +%s)
[ "$got" -eq 0 ] || fail "the domU lane exited $got; said: $all $(cat "$xen_err_file")
its log ends: $(tail -n 15 "$xen_log_file")"
grep -q '^(d[0-9]*)' "$xen_log_file" && fail "a domU wrote to Xen's console, not its PV console"

# run N WANT: the output of the N-th domain (from 1) in $out; its status
# must be WANT.
run() {
	out=$(printf '%s\n' "$all" | awk -v n="$1" '
		/^domu-exit: / { k++; if (k == n) { print "status " substr($0, 12); exit } next }
		k == n - 1 { print }')
	st=$(printf '%s\n' "$out" | sed -n 's/^status //p')
	[ "$st" = "$2" ] || fail "domain $1 ended with status '${st:-none}', want $2; said: $out"
}

run 1 0
expect_line "$out" "Hello from Keel"
# All three sleepers woke. Not their order: they start one after the
# other, so on a loaded host (this is Xen under TCG) a start can come
# more than 10 ms after the one before, and the 20 ms sleeper then
# rightly wakes after the 30 ms one.
woke=$(printf '%s\n' "$out" | sed -n 's/^fiber slept \([0-9]*\) ms$/\1/p' | sort -n | tr '\n' ' ')
[ "$woke" = "10 20 30 " ] || fail "fibers that woke: '$woke'; said: $out"
expect_line "$(printf '%s\n' "$out" | sed 's/ in [0-9]* ms$//')" "3 fibers done"
wall=$(printf '%s\n' "$out" | sed -n 's/^wall clock: \([0-9]*\)\.[0-9]* s since the epoch$/\1/p')
[ "${wall:-0}" -ge $((t0 - 5)) ] && [ "${wall:-0}" -le $((t1 + 5)) ] ||
	fail "wall clock ${wall:-none} is outside the run's time, $t0 to $t1 (the host's)"

run 2 3
expect_line "$out" "status: 3"
expect_line "$out" "partial"

run 3 139
expect_text "$out" "#PF page fault (vector 14)"
expect_text "$out" "null pointer dereference"

# The xenstore client against the real xenstored: its own name and id,
# a missing node, a write read back.
run 4 0
expect_line "$out" "xenstore: name keel"
printf '%s\n' "$out" | grep -Eq '^xenstore: domid [1-9][0-9]*$' || fail "no domid read: $out"
expect_line "$out" "xenstore: missing node: ENOENT"
expect_line "$out" "xenstore: ok"

# netfront: www on the vif, from dom0 (the check's status is the run's).
run 5 0
expect_text "$out" "net service: 00:16:3e:4b:45:01 10.0.0.2/24"
expect_line "$out" "dom0-check: 3 packets transmitted, 3 packets received, 0% packet loss"
printf '%s\n' "$out" | grep -q '^dom0-check: http 308 ' || fail "no redirect over HTTP: $out"
printf '%s\n' "$out" | grep -q '^dom0-check: https 200 ' || fail "no page over HTTPS: $out"
expect_text "$out" "title: Keel — this page comes from a unikernel"

run 6 0
expect_line "$out" "dom0-check: tcp echo: keel echo over netfront"

# blkfront: blockrw's own checks, then the disk as dom0 left it: byte o
# of sectors 3..10 and of the last sector holds (o * 31 + 7) % 251,
# every other byte 0.
run 7 0
expect_line "$out" "blockrw: ok, wrote 9 sectors and read them back"
want=$(python3 -c '
import hashlib
size = 1 << 20
b = bytearray(size)
for o in list(range(1536, 5632)) + list(range(size - 512, size)):
    b[o] = (o * 31 + 7) % 251
print(hashlib.md5(b).hexdigest())')
expect_line "$all" "dom0-disk: 0 $want"

# The store on blkfront, over three domains sharing the disk.
run 8 0
expect_line "$out" "format: 0"
run 9 0
expect_line "$out" "acked 30"
run 10 0
expect_line "$out" "counter 30"
expect_text "$out" "verify ok"

pass "xen domU lane: hello, statuses, a fault, xenstore; www and echo on netfront (ping, HTTP, HTTPS, TCP echo from dom0); blkfront (blockrw, the store)"
