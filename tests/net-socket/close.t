#!/bin/sh
# keel_net_close on the socket stack: tests/net-socket/sockecho opens a
# stack, listens on 127.0.0.1, connects to itself, exchanges a few bytes
# and closes everything, 20 times. keel_net_close must refuse
# (KEEL_EBUSY) while a flow, a UDP endpoint or a listener is open, and
# succeed after; the heap in use must come back to the same byte count
# after every cycle. No device, no privilege.
set -u
. tests/lib.sh

make -s app APP=tests/net-socket/sockecho >/dev/null || fail "build of tests/net-socket/sockecho failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
port=$(test_port)
out=$(timeout 60 build/host/bin/keel-launch build/linux/apps/sockecho/sockecho -- cycles "$port" 20 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "sockecho cycles exited $rc"
expect_line "$out" "cycles: ok 20"
pass "socket stack: 20 open/close cycles, refused while in use, heap back to its level"
