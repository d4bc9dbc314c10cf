# Helpers for the aarch64 end-to-end tests (sourced after tests/lib.sh):
# the x86_64 helpers' counterparts, for tools/qemu-run-aarch64.sh on
# QEMU's virt board. Every QEMU run is bounded by `timeout`; TCG.

QEMU_RUN=tools/qemu-run-aarch64.sh
RUN_TIMEOUT=${RUN_TIMEOUT:-60}

command -v qemu-system-aarch64 >/dev/null 2>&1 ||
	fail "qemu-system-aarch64 is missing (Debian package qemu-system-arm)"
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 ||
	fail "aarch64-linux-gnu-gcc is missing (Debian package gcc-aarch64-linux-gnu)"

# a64_build APP_DIR...: builds aarch64 images (and the libraries they use).
a64_build() {
	mkdir -p build
	log=$(mktemp build/aarch64-test-build.XXXXXX)
	for a in "$@"; do
		if ! make -s -j"$(nproc 2>/dev/null || echo 2)" TARGET=aarch64 app APP="$a" >"$log" 2>&1; then
			msg=$(tail -n 20 "$log")
			rm -f "$log"
			fail "$a does not build for aarch64: $msg"
		fi
	done
	rm -f "$log"
}

# a64_image APP_DIR: the path of its stripped image (an ELF file).
a64_image() {
	printf 'build/aarch64/apps/%s/%s' "$(basename "$1")" "$(basename "$1")"
}

# a64_run WANT ARGS...: runs qemu-run-aarch64.sh ARGS under timeout, fails
# unless it exits with WANT; its output (both streams) is left in $out.
a64_run() {
	want=$1
	shift
	out=$(timeout -k 5 "$RUN_TIMEOUT" "$QEMU_RUN" "$@" 2>&1 </dev/null)
	got=$?
	[ "$got" -ne 124 ] || fail "'qemu-run-aarch64.sh $*' did not end within $RUN_TIMEOUT s; said: $out"
	[ "$got" -eq "$want" ] || fail "'qemu-run-aarch64.sh $*' exited $got, want $want; said: $out"
}

# expect_text TEXT FIXED: TEXT contains FIXED somewhere.
expect_text() {
	printf '%s\n' "$1" | grep -qF -- "$2" || fail "missing '$2' in: $1"
}

# a64_direct WANT ARGS...: runs QEMU itself (virt board, TCG, console on
# stdout) for what qemu-run-aarch64.sh does not make, under timeout;
# fails unless the console's last "keel-exit N" says WANT (-1: any end).
a64_direct() {
	want=$1
	shift
	out=$(timeout -k 5 "$RUN_TIMEOUT" qemu-system-aarch64 -accel tcg -display none -nodefaults \
		-no-user-config -no-reboot -serial stdio -m 64 "$@" 2>&1 </dev/null)
	got=$?
	[ "$got" -ne 124 ] || fail "'qemu $*' did not end within $RUN_TIMEOUT s; said: $out"
	status=$(printf '%s\n' "$out" | sed -n 's/.*keel-exit \([0-9][0-9]*\)\r*$/\1/p' | tail -n 1)
	[ "$want" -eq -1 ] || [ "${status:-none}" = "$want" ] ||
		fail "'qemu $*' ended with status ${status:-none}, want $want; said: $out"
}

# a64_flat IMAGE FLAT: the flat arm64 Image QEMU loads, as qemu-run makes it.
a64_flat() {
	aarch64-linux-gnu-objcopy -O binary "$1" "$2" || fail "cannot make a flat Image of $1"
}
