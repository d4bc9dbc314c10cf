#!/bin/sh
# The seal of an image that links the socket stack (its manifest carries
# the hostnet note): the whole stack works over loopback, but the seal
# still kills it with SIGSYS for opening files, execve, any other kind of
# socket (AF_UNIX, AF_INET6, raw, blocking, an explicit protocol), socket
# options beyond the short list, sendmsg, write/ioctl/fcntl/dup on a
# socket, closing the console or the epoll set, reading stdin, a second
# epoll set, a blocking epoll_wait, and epoll calls on other descriptors.
# The image is described as using host sockets by keel-inspect, and an
# image for another target cannot link the stack.
set -u
. tests/lib.sh

make -s app APP=tests/net-socket/socksealed >/dev/null || fail "build of tests/net-socket/socksealed failed"
make -s build/host/bin/keel-launch build/host/bin/keel-inspect build/host/tests/linux/status \
	>/dev/null || fail "build of the helpers failed"
img=build/linux/apps/socksealed/socksealed
status=build/host/tests/linux/status
launch=build/host/bin/keel-launch
port=$(test_port)

run() {
	out=$(timeout 30 "$status" "$launch" "$img" "$@" 2>&1)
}

run ok "$port"
printf '%s\n' "$out"
expect_line "$out" "sealed: ok"
expect_line "$out" "exit 0"

killed=0
for mode in open openat execve socket_unix socket_inet6 socket_raw socket_blocking \
	socket_protocol accept_blocking setsockopt_broadcast setsockopt_bindtodevice \
	getsockopt_congestion sendmsg write_socket ioctl_socket fcntl_socket dup_socket \
	close_console close_epoll read_stdin epoll_create epoll_wait_blocking \
	epoll_wait_other_fd epoll_ctl_console; do
	run "$mode"
	expect_line "$out" "before $mode"
	if printf '%s\n' "$out" | grep -q "^after $mode"; then
		fail "$mode: the forbidden call returned to the image"
	fi
	printf '%s\n' "$out" | tail -n 1 | grep -qx "signal SIGSYS" ||
		fail "$mode: want death by SIGSYS, got: $out"
	killed=$((killed + 1))
done

out=$(build/host/bin/keel-inspect "$img" 2>&1) || fail "keel-inspect: $out"
printf '%s\n' "$out" | grep -q '^host: *hostnet sockets' || fail "keel-inspect shows no hostnet: $out"
expect_line "$out" "devices:  none"

# Another target: a clear refusal from make, before anything is built.
out=$(make -s TARGET=x86_64 app APP=tests/net-socket/socksealed 2>&1) &&
	fail "the socket stack linked for x86_64"
printf '%s\n' "$out" | grep -q 'exists only for TARGET=linux' ||
	fail "no clear message for TARGET=x86_64: $out"

pass "seal: the stack works sealed; $killed forbidden calls killed by SIGSYS; inspect and other targets"
