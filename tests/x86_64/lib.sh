# Helpers for the x86_64 end-to-end tests (sourced after tests/lib.sh).
# Every QEMU run is bounded by `timeout`; TCG is used unless KVM works.

QEMU_RUN=tools/qemu-run.sh
RUN_TIMEOUT=${RUN_TIMEOUT:-60}

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	fail "qemu-system-x86_64 is missing (Debian package qemu-system-x86)"

# x86_build APP_DIR...: builds x86_64 images (and the libraries they use).
x86_build() {
	mkdir -p build
	log=$(mktemp build/x86_64-test-build.XXXXXX)
	for a in "$@"; do
		if ! make -s -j"$(nproc 2>/dev/null || echo 2)" TARGET=x86_64 app APP="$a" >"$log" 2>&1; then
			msg=$(tail -n 20 "$log")
			rm -f "$log"
			fail "$a does not build for x86_64: $msg"
		fi
	done
	rm -f "$log"
}

# x86_image APP_DIR: the path of its stripped image.
x86_image() {
	printf 'build/x86_64/apps/%s/%s' "$(basename "$1")" "$(basename "$1")"
}

# x86_run WANT ARGS...: runs qemu-run.sh ARGS under timeout, fails unless
# it exits with WANT; its output (both streams) is left in $out.
x86_run() {
	want=$1
	shift
	out=$(timeout -k 5 "$RUN_TIMEOUT" "$QEMU_RUN" "$@" 2>&1 </dev/null)
	got=$?
	[ "$got" -ne 124 ] || fail "'qemu-run.sh $*' did not end within $RUN_TIMEOUT s; said: $out"
	[ "$got" -eq "$want" ] || fail "'qemu-run.sh $*' exited $got, want $want; said: $out"
}

# expect_text TEXT FIXED: TEXT contains FIXED somewhere.
expect_text() {
	printf '%s\n' "$1" | grep -qF -- "$2" || fail "missing '$2' in: $1"
}

# pvh_only IMAGE COPY: COPY is IMAGE with its multiboot header's magic
# zeroed, so that QEMU (which prefers multiboot) takes the PVH entry.
pvh_only() {
	hex=$(readelf -SW "$1" | sed -n 's/.* \.multiboot  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	[ -n "$hex" ] || fail "no .multiboot section in $1"
	cp "$1" "$2" && printf '\0\0\0\0' | dd of="$2" bs=1 seek=$(printf '%d' "0x$hex") conv=notrunc 2>/dev/null ||
		fail "cannot patch $2"
}

# qemu_direct WANT ARGS...: runs QEMU itself (not qemu-run.sh: for
# machines, CPUs and devices qemu-run.sh does not make) on TCG with the
# console on stdout and the exit device, under timeout; fails unless the
# image's status (from isa-debug-exit: QEMU exits 2N+1) is WANT, or WANT
# is -1 and QEMU ends some other way. ARGS are QEMU's. Output in $out.
qemu_direct() {
	want=$1
	shift
	out=$(timeout -k 5 "$RUN_TIMEOUT" qemu-system-x86_64 -accel tcg -display none -nodefaults \
		-no-user-config -no-reboot -serial stdio -m 64 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" 2>&1 </dev/null)
	got=$?
	[ "$got" -ne 124 ] || fail "'qemu $*' did not end within $RUN_TIMEOUT s; said: $out"
	[ "$got" -ge 1 ] && [ $((got % 2)) -eq 1 ] && got=$(((got - 1) / 2))
	[ "$want" -eq -1 ] || [ "$got" -eq "$want" ] ||
		fail "'qemu $*' ended with status $got, want $want; said: $out"
}
