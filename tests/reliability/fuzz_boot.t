#!/bin/sh
# The libFuzzer targets of the hypervisor targets' boot-time readers
# (fuzz/boot_info.c, cmdline.c, dtb.c, xenstore.c, built by fuzz/fuzz.mk:
# make boot-fuzz), each run for FUZZ_SECONDS (default 2) from a copy of
# its seed corpus (fuzz/corpus/NAME), the regression seeds among them. A
# crash, a sanitizer report or a broken promise (the targets abort)
# fails the test. Needs clang with libFuzzer (Debian: clang).
set -u
. tests/lib.sh

seconds=${FUZZ_SECONDS:-2}
command -v clang >/dev/null || fail "clang is needed for the fuzz targets"
make -s boot-fuzz >/dev/null 2>&1 ||
	fail "build of the fuzz targets failed: $(make boot-fuzz 2>&1 | tail -n 20)"

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

summary=
for name in boot_info cmdline dtb xenstore; do
	mkdir -p "$tmp/$name"
	cp fuzz/corpus/$name/* "$tmp/$name/" || fail "no seed corpus in fuzz/corpus/$name"
	# New inputs go to the copy; the seeds in the tree stay as they are.
	timeout $((seconds + 60)) build/host/fuzz/$name -max_total_time="$seconds" -max_len=16384 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$tmp/" \
		"$tmp/$name" >"$tmp/$name.log" 2>&1 ||
		fail "fuzz/$name failed: $(tail -n 40 "$tmp/$name.log")"
	runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$tmp/$name.log")
	echo "fuzz/$name: ${runs:-?} runs in ${seconds} s, corpus $(ls "$tmp/$name" | wc -l) inputs"
	summary="$summary $name:${runs:-?}"
done
pass "fuzz:$summary runs, no crash"
