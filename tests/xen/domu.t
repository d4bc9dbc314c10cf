#!/bin/sh
# The full domU lane: Xen under QEMU with a small Linux dom0 built from
# Debian packages (tools/fetch-xen-dom0.sh, cached in build/host/xen-dom0),
# whose init runs `xl create -c` for the Keel image as a PVH domU
# (tools/xen-domu-run.sh). A domU may not write to Xen's console, so
# the image's lines come through its PV console ring and xenconsoled:
# hello's timers and clocks work as a domU, a status and a crash status
# come back, a fault is reported, and the xenstore client reads and
# writes through the real xenstored. No devices yet: no netfront or
# blkfront, so no vif, disk, ping, curl or store test in this lane.
set -u
. tests/lib.sh
. tests/xen/lib.sh

DOMU_RUN=tools/xen-domu-run.sh
if [ ! -r build/host/xen-dom0/vmlinuz ]; then
	sh tools/fetch-xen-dom0.sh build/host/xen-dom0 >/dev/null 2>&1 ||
		fail "cannot assemble the dom0 with tools/fetch-xen-dom0.sh"
fi
xen_build examples/hello tests/xen/status tests/x86_64/faults tests/xen/xsread

domu_run() { # domu_run WANT ARGS...: output in $out
	want=$1
	shift
	out=$(timeout -k 5 300 "$DOMU_RUN" --xen-log "$xen_log_file" "$@" 2>"$xen_err_file" </dev/null)
	got=$?
	[ "$got" -eq "$want" ] || fail "'xen-domu-run.sh $*' exited $got, want $want; said: $out $(cat "$xen_err_file")"
	grep -q '^(d[0-9]*)' "$xen_log_file" && fail "the domU wrote to Xen's console, not its PV console"
	return 0
}

domu_run 0 "$(xen_image examples/hello)"
expect_line "$out" "Hello from Keel"
order=$(printf '%s\n' "$out" | sed -n 's/^fiber slept \([0-9]*\) ms$/\1/p' | tr '\n' ' ')
[ "$order" = "10 20 30 " ] || fail "fibers woke in order '$order'; said: $out"
wall=$(printf '%s\n' "$out" | sed -n 's/^wall clock: \([0-9]*\)\.[0-9]* s since the epoch$/\1/p')
d=$(($(date +%s) - ${wall:-0}))
[ "$d" -ge -5 ] && [ "$d" -le 60 ] || fail "wall clock ${wall:-none} is $d s off the host's"

domu_run 3 "$(xen_image tests/xen/status)" -- 3 partial
expect_line "$out" "status: 3"
expect_line "$out" "partial"

domu_run 139 "$(xen_image tests/x86_64/faults)" -- null
expect_text "$out" "#PF page fault (vector 14)"
expect_text "$out" "null pointer dereference"

# The xenstore client against the real xenstored: its own name and id,
# a missing node, a write read back.
domu_run 0 "$(xen_image tests/xen/xsread)"
expect_line "$out" "xenstore: name keel"
printf '%s\n' "$out" | grep -Eq '^xenstore: domid [1-9][0-9]*$' || fail "no domid read: $out"
expect_line "$out" "xenstore: missing node: ENOENT"
expect_line "$out" "xenstore: ok"

pass "xen domU lane: hello, status 3, a fault through xl and the PV console; xenstore reads and writes"
