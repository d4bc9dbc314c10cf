#!/bin/sh
# examples/hello on the xen target, in the PVH-domain lane: Xen 4.17 under
# QEMU with the image as its PVH dom0. The greeting comes through Xen's
# console (HYPERVISOR_console_io), the fibers' timers fire in order (the
# PV clock and the one-shot timer's VIRQ_TIMER event channel), the wall
# clock from the shared info page is the host's, and exit statuses 0, 3
# and 255 come back exactly, each confirmed by Xen's own report that the
# domain shut down. The command line reaches argv; keel run -t xen works.
set -u
. tests/lib.sh
. tests/xen/lib.sh

xen_build examples/hello tests/xen/status tests/x86_64/args
img=$(xen_image examples/hello)

xen_run 0 "$img"
expect_line "$out" "Hello from Keel"
order=$(printf '%s\n' "$out" | sed -n 's/^fiber slept \([0-9]*\) ms$/\1/p' | tr '\n' ' ')
[ "$order" = "10 20 30 " ] || fail "fibers woke in order '$order'; said: $out"
took=$(printf '%s\n' "$out" | sed -n 's/^3 fibers done in \([0-9]*\) ms$/\1/p')
[ -n "$took" ] && [ "$took" -ge 30 ] && [ "$took" -lt 1000 ] || fail "3 sleeps of up to 30 ms took '$took' ms"
wall=$(printf '%s\n' "$out" | sed -n 's/^wall clock: \([0-9]*\)\.[0-9]* s since the epoch$/\1/p')
[ -n "$wall" ] || fail "no wall clock line; said: $out"
d=$(($(date +%s) - wall))
[ "$d" -ge -5 ] && [ "$d" -le 10 ] || fail "wall clock $wall is $d s off the host's"
printf '%s\n' "$out" | grep -Eq '^random:( [0-9a-f]{2}){8}$' || fail "no random line"
# Xen saw the domain power off, and printed the image's lines itself.
grep -q "Hardware Dom0 halted" "$xen_log_file" || fail "Xen did not report the poweroff"
grep -q "PVH is an experimental mode" "$xen_log_file" || fail "Xen did not build a PVH dom0"

# Statuses, exactly; the last after a line left without its newline.
status=$(xen_image tests/xen/status)
xen_run 0 "$status" -- 0
expect_line "$out" "status: 0"
xen_run 3 "$status" -- 3
expect_line "$out" "status: 3"
grep -q "Hardware Dom0 halted" "$xen_log_file" || fail "status 3: Xen did not report a poweroff"
xen_run 255 "$status" -- 255 "no newline"
expect_line "$out" "no newline"

# The command line: PVH passes only the arguments (argv[0] is "keel");
# quoting and commas survive QEMU's module list and Xen.
xen_run 0 "$(xen_image tests/x86_64/args)" -- one "two words" "" "a,b"
expect_line "$out" "argc 5"
expect_line "$out" "argv[0] [keel]"
expect_line "$out" "argv[1] [one]"
expect_line "$out" "argv[2] [two words]"
expect_line "$out" "argv[3] []"
expect_line "$out" "argv[4] [a,b]"

# keel run -t xen: builds, runs through tools/xen-run.sh, passes the status.
out=$(timeout -k 5 "$RUN_TIMEOUT" ./keel run -t xen tests/keel/exit3 2>&1 </dev/null)
got=$?
[ "$got" -eq 3 ] || fail "keel run -t xen tests/keel/exit3 exited $got, want 3; said: $out"
expect_line "$out" "main returns 3"

pass "xen hello: $(wc -c <"$img") bytes; console, timers, wall clock, statuses 0 3 255 confirmed by Xen, argv"
