#!/bin/sh
# examples/store-socket (the store example on the socket stack) over
# loopback: the key-value API
# (PUT, GET, DELETE, merge with and without conflict, log), persistence
# across a restart of the image, and `git clone` of the running image
# over Git's dumb HTTP protocol, checked by git fsck --strict.
set -u
. tests/lib.sh

command -v curl >/dev/null || fail "curl is needed"
command -v git >/dev/null || fail "git is needed"
make -s app APP=examples/store-socket >/dev/null || fail "build of examples/store-socket failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/store-socket/store-socket
launch=build/host/bin/keel-launch
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=1M count=16 2>/dev/null || fail "cannot create $disk"
port=$(test_port)
url=http://127.0.0.1:$port

start() {
	# A new file: the wait below must not find the line of the last
	# boot before the background job has truncated it.
	rm -f "$tmp/out"
	timeout 60 "$launch" --block storage="$disk" "$img" -- --port="$port" --exit-after=50 \
		>"$tmp/out" 2>&1 &
	pid=$!
	tries=0
	until grep -q "^store: serving on" "$tmp/out" 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -le 100 ] || fail "the image did not start: $(cat "$tmp/out")"
		sleep 0.05
	done
}
stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}
c() { curl -s -m 10 "$@"; }
code() { curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }

start
c -X PUT --data-binary 'hello' "$url/kv/main/docs/a.txt" >/dev/null || fail "PUT"
[ "$(c "$url/kv/main/docs/a.txt")" = "hello" ] || fail "GET after PUT"
[ "$(code "$url/kv/main/nothing")" = 404 ] || fail "GET of a missing file is not 404"
[ "$(code "$url/kv/nobranch/x")" = 404 ] || fail "GET on a missing branch is not 404"
[ "$(code -X PUT --data-binary x "$url/kv/main/../x")" = 400 ] ||
	[ "$(code -X PUT --data-binary x "$url/kv/main/../x")" = 404 ] || fail "bad path accepted"
printf 'one\ntwo\nthree\n' | c -X PUT --data-binary @- "$url/kv/main/text" >/dev/null
c -X PUT --data-binary 'gone soon' "$url/kv/main/tmp" >/dev/null
[ "$(code -X DELETE "$url/kv/main/tmp")" = 200 ] || fail "DELETE"
[ "$(code "$url/kv/main/tmp")" = 404 ] || fail "GET after DELETE"
# An unrelated branch merges in; then both add one file differently.
c -X PUT --data-binary 'dev' "$url/kv/dev/devfile" >/dev/null
[ "$(code -X POST "$url/merge/dev/main")" = 200 ] || fail "merge dev into main"
[ "$(c "$url/kv/main/devfile")" = "dev" ] || fail "devfile after merge"
c -X PUT --data-binary 'A' "$url/kv/main/clash" >/dev/null
c -X PUT --data-binary 'B' "$url/kv/dev/clash" >/dev/null
[ "$(code -X POST "$url/merge/dev/main")" = 409 ] || fail "conflicting merge is not 409"
[ "$(c -X POST "$url/merge/dev/main")" = "clash" ] || fail "conflict report"
[ "$(c "$url/kv/main/clash")" = "A" ] || fail "main changed by a failed merge"
n=$(c "$url/log/main" | wc -l)
[ "$n" -eq 7 ] || fail "log of main has $n commits, want 7: $(c "$url/log/main")"

# The running image as a Git remote.
git clone -q "$url/store.git" "$tmp/clone" 2>"$tmp/git.err" || fail "git clone: $(cat "$tmp/git.err")"
[ "$(cat "$tmp/clone/docs/a.txt")" = "hello" ] || fail "docs/a.txt in the clone"
[ "$(cat "$tmp/clone/devfile")" = "dev" ] || fail "devfile in the clone"
out=$(git -C "$tmp/clone" fsck --strict 2>&1) || fail "git fsck --strict of the clone: $out"
[ "$(git -C "$tmp/clone" rev-list --count HEAD)" -eq 7 ] || fail "clone history length"
git -C "$tmp/clone" branch -r | grep -q 'origin/dev' || fail "branch dev not cloned"

# Everything survives a restart.
stop
start
[ "$(c "$url/kv/main/docs/a.txt")" = "hello" ] || fail "GET after restart"
[ "$(c "$url/log/main" | wc -l)" -eq 7 ] || fail "log after restart"
stop
pass "store over HTTP: kv, merge, conflict, log, restart, git clone of the image (fsck clean)"
