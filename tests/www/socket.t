#!/bin/sh
# examples/www-socket (the www example on the host's sockets) on the
# loopback, unprivileged: every check of tests/www/checks.sh with curl and
# socat. The image is bounded by --exit-after and timeout; only its PID is
# stopped.
set -u
. tests/lib.sh
. tests/www/checks.sh

www_require
make -s app APP=examples/www-socket >/dev/null || fail "build of examples/www-socket failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/www-socket/www-socket
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(test_port)
timeout 200 build/host/bin/keel-launch "$img" -- --port="$port" --exit-after=180 >"$tmp/out" 2>&1 &
pid=$!
tries=0
until grep -q "^www: serving on http://127.0.0.1:$port/\$" "$tmp/out"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "www-socket did not start: $(cat "$tmp/out")"
	fi
	sleep 0.1
done

WWW_HOST=127.0.0.1 WWW_PORT=$port WWW_TMP=$tmp WWW_IN= \
	WWW_1M=build/linux/apps/www-socket/site-extra/files/1m.bin www_checks
pass "www-socket on the loopback: $www_passed checks"
