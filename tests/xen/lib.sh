# Helpers for the xen end-to-end tests (sourced after tests/lib.sh): the
# PVH-domain lane, Xen (Debian's 4.17, fetched by tools/fetch-xen.sh into
# build/host/xen) under QEMU's TCG with the image as its PVH dom0. Every
# run is bounded by `timeout`.

XEN_RUN=tools/xen-run.sh
RUN_TIMEOUT=${RUN_TIMEOUT:-90}

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	fail "qemu-system-x86_64 is missing (Debian package qemu-system-x86)"
# Tests running at once fetch it once: the first holds the lock, the
# others wait for it and then find Xen there.
if [ ! -r build/host/xen/xen ]; then
	command -v flock >/dev/null 2>&1 || fail "flock is missing (Debian package util-linux)"
	mkdir -p build/host
	flock build/host/xen-fetch.lock sh -c \
		'[ -r build/host/xen/xen ] || sh tools/fetch-xen.sh build/host/xen' >/dev/null 2>&1 ||
		fail "cannot fetch Xen with tools/fetch-xen.sh (Debian xen-hypervisor-4.17-amd64)"
fi

# xen_build APP_DIR...: builds xen images.
xen_build() {
	mkdir -p build
	log=$(mktemp build/xen-test-build.XXXXXX)
	for a in "$@"; do
		if ! make -s -j"$(nproc 2>/dev/null || echo 2)" TARGET=xen app APP="$a" >"$log" 2>&1; then
			msg=$(tail -n 20 "$log")
			rm -f "$log"
			fail "$a does not build for xen: $msg"
		fi
	done
	rm -f "$log"
}

# xen_image APP_DIR: the path of its stripped image.
xen_image() {
	printf 'build/xen/apps/%s/%s' "$(basename "$1")" "$(basename "$1")"
}

# xen_run WANT ARGS...: runs xen-run.sh ARGS under timeout, fails unless
# it exits with WANT; the image's output is left in $out, xen-run's own
# messages in $err, Xen's log in $xen_log_file.
xen_log_file=$(mktemp "${TMPDIR:-/tmp}/keel-xen-log.XXXXXX")
xen_err_file=$(mktemp "${TMPDIR:-/tmp}/keel-xen-err.XXXXXX")
trap 'rm -f "$xen_log_file" "$xen_err_file"' EXIT
xen_run() {
	want=$1
	shift
	out=$(timeout -k 5 "$RUN_TIMEOUT" "$XEN_RUN" --xen-log "$xen_log_file" "$@" 2>"$xen_err_file" </dev/null)
	got=$?
	err=$(cat "$xen_err_file")
	[ "$got" -ne 124 ] || fail "'xen-run.sh $*' did not end within $RUN_TIMEOUT s; said: $out $err"
	[ "$got" -eq "$want" ] || fail "'xen-run.sh $*' exited $got, want $want; said: $out $err
Xen's log ends: $(tail -n 10 "$xen_log_file")"
}

# expect_text TEXT FIXED: TEXT contains FIXED somewhere.
expect_text() {
	printf '%s\n' "$1" | grep -qF -- "$2" || fail "missing '$2' in: $1"
}
