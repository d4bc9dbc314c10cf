#!/bin/sh
# examples/store as an x86_64 unikernel under QEMU (KVM when it works
# here, else TCG): the direct stack on virtio-net with user networking (a
# host port on the loopback forwarded to its port 80), the store on a
# virtio-blk disk.
#   boot 1: formats the empty disk; every check of tests/store/checks.sh
#           (PUT, GET, DELETE, merges, `git clone` of the running image
#           with `git log` equal to the image's /log); then QEMU is killed
#           (a power cut: every acknowledged commit was flushed);
#   between: keel-store imports an annotated tag made by git in the clone;
#   boot 2: the same disk, --verify: every object checks, the data and
#           the log are as before, a second clone has the tag, a new
#           commit goes in;
#   then keel-store exports the disk: `git fsck --strict` is clean and
#   its history is the clone's plus the commit of boot 2.
# Every run is bounded by timeout; only PIDs started here are stopped.
set -u
. tests/lib.sh
. tests/x86_64/lib.sh
. tests/store/checks.sh

command -v curl >/dev/null || fail "curl is needed"
command -v git >/dev/null || fail "git is needed"
x86_build examples/store
img=$(x86_image examples/store)
make -s build/host/bin/keel-store >/dev/null || fail "build of keel-store failed"
ks=build/host/bin/keel-store

pid=
tmp=$(mktemp -d) || fail "mktemp failed"
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=1M count=16 2>/dev/null || fail "cannot create $disk"
port=$(test_port)
url=http://127.0.0.1:$port

# start ARGS...: boots the image on the disk (bounded), waiting for its
# "serving" line.
start() {
	# A new file: the wait below must not find the line of the last
	# boot before the background job has truncated it.
	rm -f "$tmp/out"
	timeout -k 5 300 "$QEMU_RUN" --net service=user:"$port"-80 --block storage="$disk" \
		"$img" -- "$@" >"$tmp/out" 2>&1 </dev/null &
	pid=$!
	tries=0
	until grep -q '^store: serving on http://10.0.2.15:80/$' "$tmp/out" 2>/dev/null; do
		tries=$((tries + 1))
		if [ $tries -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "store did not start: $(cat "$tmp/out")"
		fi
		sleep 0.1
	done
}
stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# ---- Boot 1 -----------------------------------------------------------------------
start --exit-after=280
expect_text "$(cat "$tmp/out")" "store: formatting the empty device"
store_checks "$url" "$tmp"
stop

# Between the boots, keel-store adds an annotated tag made by git in the
# clone (import keeps the ids; main is already where the clone has it).
git -C "$tmp/clone" -c user.name=T -c user.email=t@example.org tag -a v1 -m "release 1" ||
	fail "git tag in the clone"
"$ks" import "$tmp/clone/.git" "$disk" >/dev/null 2>"$tmp/ks.err" || fail "keel-store import: $(cat "$tmp/ks.err")"
tag=$(git -C "$tmp/clone" rev-parse v1)

# ---- Boot 2: the same disk ---------------------------------------------------------
start --verify --exit-after=280
out=$(cat "$tmp/out")
expect_text "$out" "store: verified "
printf '%s\n' "$out" | grep -q 'formatting' && fail "boot 2 formatted the disk again: $out"
[ "$(c "$url/kv/main/docs/a.txt")" = "hello" ] || fail "GET after reboot"
[ "$(c "$url/kv/dev/devfile")" = "dev" ] || fail "GET of dev after reboot"
c "$url/log/main" >"$tmp/log2"
cmp -s "$tmp/log1" "$tmp/log2" || fail "log changed by the reboot: $(diff "$tmp/log1" "$tmp/log2")"
new=$(c -X PUT --data-binary 'after reboot' "$url/kv/main/b.txt")
[ "$(c "$url/kv/main/b.txt")" = "after reboot" ] || fail "PUT after reboot"
objects=$(printf '%s\n' "$out" | sed -n 's/^store: verified \([0-9]*\) objects$/\1/p')
# The tag over Git's dumb HTTP protocol.
git clone -q "$url/store.git" "$tmp/clone2" 2>"$tmp/git.err" || fail "second git clone: $(cat "$tmp/git.err")"
[ "$(git -C "$tmp/clone2" rev-parse v1)" = "$tag" ] || fail "tag v1 not cloned with its id"
[ "$(git -C "$tmp/clone2" cat-file -t v1)" = tag ] || fail "v1 is not an annotated tag in the clone"
out=$(git -C "$tmp/clone2" fsck --strict 2>&1) || fail "git fsck --strict of the second clone: $out"
stop

# ---- The disk as a Git repository ---------------------------------------------------
"$ks" export "$disk" "$tmp/export.git" >/dev/null 2>"$tmp/ks.err" || fail "keel-store export: $(cat "$tmp/ks.err")"
out=$(git -C "$tmp/export.git" fsck --strict 2>&1) || fail "git fsck --strict of the export: $out"
[ "$(git -C "$tmp/export.git" rev-parse main)" = "$new" ] || fail "main of the export is not the last commit"
[ "$(git -C "$tmp/export.git" rev-parse main~1)" = "$(git -C "$tmp/clone" rev-parse HEAD)" ] ||
	fail "the export's history is not the clone's plus one commit"
[ "$(git -C "$tmp/export.git" show main:b.txt)" = "after reboot" ] || fail "b.txt in the export"
[ "$(git -C "$tmp/export.git" rev-parse refs/tags/v1)" = "$tag" ] || fail "tag v1 in the export"
pass "store on x86_64 (virtio-blk, virtio-net): kv, merges, git clone = image log, tag, reboot ($objects objects verified), export fsck clean"
