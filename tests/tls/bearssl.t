#!/bin/sh
# How BearSSL is built into images (lib/tls/build.mk), for each target
# (linux, x86_64, aarch64):
#   - from Debian's source package (the unpacked tree carries debian/);
#   - compiled with the image flags: no object reads the canary at %fs
#     (images have no thread pointer; see build.mk), none is PIC;
#   - BearSSL needs nothing from outside but its own symbols and what
#     lib/libc provides (memcpy, memmove, memset, memcmp, strlen, the
#     stack protector), so no OS seeder and no time().
set -u
. tests/lib.sh

for t in linux x86_64 aarch64; do
	make -s TARGET=$t build/$t/lib/libkeeltls.a >/dev/null 2>&1 || fail "libkeeltls.a for $t failed"
	nm=nm
	[ $t = aarch64 ] && nm=aarch64-linux-gnu-nm
	a=build/$t/lib/libkeeltls.a
	src=$(ls -d build/src/bearssl-* | head -n 1)
	[ -f "$src/debian/changelog" ] || fail "$src is not Debian's source package"
	if [ $t != aarch64 ]; then
		fs=$(objdump -d "$a" | grep -c '%fs:')
		[ "$fs" -eq 0 ] || fail "$t: $fs instructions read %fs in libkeeltls.a"
	fi
	und=$($nm -u "$a" | awk 'NF == 2 {print $2}' | sort -u |
		grep -v '^br_\|^keel_\|^kp_\|^_GLOBAL_OFFSET_TABLE_$' |
		grep -vx 'memcpy\|memmove\|memset\|memcmp\|strlen\|strcmp\|strncmp\|strchr\|strncasecmp\|strcpy\|strdup\|malloc\|calloc\|realloc\|free\|snprintf\|__stack_chk_fail\|__stack_chk_guard')
	[ -z "$und" ] || fail "$t: libkeeltls.a needs symbols from outside: $und"
	# Nothing of BearSSL's OS access is there.
	$nm "$a" | grep -q 'getrandom\|urandom\|rdrand' && fail "$t: an OS entropy source is linked"
	printf '%s: ok\n' "$t"
done
pass "BearSSL from Debian's source, built with the image flags of linux, x86_64 and aarch64"
