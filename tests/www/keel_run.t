#!/bin/sh
# The README's first command, `./keel run -t x86_64 examples/www`, as a user
# would type it: it builds the image (with the development certificate of
# build/cert/), boots it under QEMU with user networking and two forwarded
# host ports (8080 and 8443, or the next free ones) to guest ports 80 and
# 443, says which URL to open once the image serves (HTTPS) and which CA
# to trust, answers curl --cacert there, redirects plain HTTP to it, and stops
# with status 130 on Ctrl-C (SIGINT to its whole process group, as a
# terminal sends it), leaving no QEMU behind. Then the linux target:
# `./keel run examples/www` explains that it needs a TAP and points to
# -t x86_64 and to examples/www-socket, and `./keel run examples/www-socket`
# serves on the loopback without privilege and stops on Ctrl-C too.
#
# Each run is its own session (setsid) so the signal reaches exactly the
# processes started here; perl (Debian: perl-base, always installed) puts
# SIGINT back to its default, which a background job of a script lacks.
set -u
. tests/lib.sh

for c in curl setsid perl timeout; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM -"$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# start LOG CMD...: CMD in a session of its own with SIGINT at its default.
start() {
	log=$1
	shift
	: >"$log"
	setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' "$@" \
		</dev/null >"$log" 2>&1 &
	pid=$!
}

# wait_for LOG PATTERN SECONDS: until a line of LOG matches PATTERN.
wait_for() {
	tries=0
	until grep -q "$2" "$1"; do
		tries=$((tries + 1))
		if [ $tries -gt $(($3 * 10)) ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "no line '$2' within $3 s: $(cat "$1")"
		fi
		sleep 0.1
	done
}

# interrupt LOG: Ctrl-C; the run must end within 20 s with status 130 and
# leave no process of its session.
interrupt() {
	kill -INT -"$pid" || fail "cannot signal the run"
	tries=0
	while kill -0 "$pid" 2>/dev/null && [ $tries -lt 200 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	kill -0 "$pid" 2>/dev/null && fail "still running 20 s after Ctrl-C: $(cat "$1")"
	wait "$pid"
	rc=$?
	[ $rc -eq 130 ] || fail "the run ended with status $rc after Ctrl-C, want 130: $(cat "$1")"
	sleep 0.2
	kill -0 -"$pid" 2>/dev/null && fail "processes of the run are left after Ctrl-C"
	pid=
}

# ---- ./keel run -t x86_64 examples/www ---------------------------------------------
start "$tmp/x86" timeout -k 5 600 ./keel run -t x86_64 examples/www
wait_for "$tmp/x86" '^keel: serving: open https://127\.0\.0\.1:[0-9]*/ (Ctrl-C stops it)$' 500
url=$(sed -n 's/^keel: serving: open \(https:[^ ]*\) .*/\1/p' "$tmp/x86")
http_url=$(sed -n 's/^keel: \(http:[^ ]*\) redirects to it.*/\1/p' "$tmp/x86")
[ -n "$http_url" ] || fail "keel did not name the plain HTTP URL: $(cat "$tmp/x86")"
grep -q "^keel: http://.* redirects to it; a development certificate: trust build/cert/ca.crt (curl --cacert build/cert/ca.crt $url)\$" "$tmp/x86" ||
	fail "keel did not say which CA to trust: $(cat "$tmp/x86")"
grep -q '^keel: net service: no --net given: QEMU user networking' "$tmp/x86" ||
	fail "keel did not say which networking it chose: $(cat "$tmp/x86")"
grep -q '^www: serving on https://10\.0\.2\.15:443/' "$tmp/x86" || fail "no HTTPS line from the image"
grep -q '^www: serving on http://10\.0\.2\.15:80/' "$tmp/x86" || fail "no ready line from the image"
body=$(timeout 30 curl -sS --max-time 20 --cacert build/cert/ca.crt "$url") || fail "curl --cacert $url failed"
printf '%s\n' "$body" | grep -q 'This page comes from a unikernel' || fail "$url did not serve the index"
loc=$(timeout 30 curl -sS --max-time 20 -o /dev/null -w '%{redirect_url}' "${http_url}about/") ||
	fail "curl ${http_url}about/ failed"
[ "$loc" = "${url}about/" ] || fail "${http_url}about/ redirects to '$loc', want ${url}about/"
interrupt "$tmp/x86"

# ---- ./keel run examples/www (linux: needs a TAP) ----------------------------------
out=$(timeout 300 ./keel run examples/www 2>&1 </dev/null)
rc=$?
[ $rc -eq 2 ] || fail "./keel run examples/www exited $rc, want 2: $out"
for want in "declares net device 'service'" "run -t x86_64 examples/www" "run examples/www-socket"; do
	printf '%s\n' "$out" | grep -qF -- "$want" || fail "./keel run examples/www does not say '$want': $out"
done

# ---- ./keel run examples/www-socket -------------------------------------------------
port=$(test_port)
start "$tmp/sock" timeout -k 5 300 ./keel run examples/www-socket -- --port="$port"
wait_for "$tmp/sock" "^www: serving on http://127\\.0\\.0\\.1:$port/\$" 200
body=$(timeout 30 curl -sS --max-time 20 "http://127.0.0.1:$port/about/") || fail "curl to www-socket failed"
printf '%s\n' "$body" | grep -q 'About Keel' || fail "www-socket did not serve /about/"
interrupt "$tmp/sock"

pass "keel run: x86_64 www at $url ($http_url redirecting) until Ctrl-C (130); linux www explains the TAP; www-socket until Ctrl-C"
