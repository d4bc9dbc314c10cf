#!/bin/sh
# Semihosting, as tools/qemu-run-aarch64.sh enables it for the image's
# exit (-semihosting-config enable=on,target=gdb, no gdb attached), gives
# a guest nothing else of the host: tests/aarch64/semihost asks QEMU to
# open and read a host file and to run a host shell command, and gets
# neither, while its exit status still comes through QEMU's own. The same
# requests under target=native (what plain -semihosting means) read the
# file and run the command: the probe works, so this test can fail.
set -u
. tests/lib.sh
. tests/aarch64/lib.sh

a64_build tests/aarch64/semihost
img=$(a64_image tests/aarch64/semihost)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
secret="keel-secret-$$-$(date +%s%N)"
printf '%s\n' "$secret" >"$tmp/secret"

# Through the launcher.
a64_run 0 "$img" -- "$tmp/secret" "touch $tmp/marker"
expect_line "$out" "semihost: done"
expect_text "$out" "buffer []"
printf '%s\n' "$out" | grep -qF "$secret" && fail "the launcher's semihosting read a host file: $out"
[ -e "$tmp/marker" ] && fail "the launcher's semihosting ran a host command"

# QEMU with the launcher's setting, by hand: the status is QEMU's own.
a64_flat "$img" "$tmp/Image"
a64_direct 0 -M virt -cpu max -semihosting-config enable=on,target=gdb -kernel "$tmp/Image" \
	-append "$tmp/secret 'touch $tmp/marker'"
expect_line "$out" "semihost: done"
printf '%s\n' "$out" | grep -qF "$secret" && fail "target=gdb read a host file: $out"
[ -e "$tmp/marker" ] && fail "target=gdb ran a host command"
a64_direct 2 -M virt -cpu max -semihosting-config enable=on,target=gdb -kernel "$tmp/Image"
[ "$got" -eq 2 ] || fail "QEMU exited $got, want the image's 2; said: $out"

# target=native: the host's files and shell are the guest's.
a64_direct 0 -M virt -cpu max -semihosting-config enable=on,target=native -kernel "$tmp/Image" \
	-append "$tmp/secret 'touch $tmp/marker'"
expect_text "$out" "$secret"
[ -e "$tmp/marker" ] || fail "target=native did not run the command; said: $out"

pass "aarch64 semihosting: exit only (no host file, no host command); target=native would give both"
