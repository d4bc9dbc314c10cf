#!/bin/sh
# The TCP unit tests with every offload of platform.h offered by the
# harness's device (H_OFFLOADS): what the stack sends as partial
# checksums and large segments is checked strictly and cut by the fake
# device, so the same tests must pass, and must have used them.
set -u
. tests/lib.sh

for t in tcp_data tcp_link; do
	bin=build/host/tests/net/$t.test
	[ -x "$bin" ] || fail "$bin is not built (make unit)"
	out=$(H_OFFLOADS=0xf "$bin" 2>&1) || {
		printf '%s\n' "$out" | tail -20
		fail "$t with offloads"
	}
	line=$(printf '%s\n' "$out" | grep '^offloads ')
	[ -n "$line" ] || fail "$t: the harness reported no offloads"
	echo "$t: $line"
	printf '%s\n' "$line" | grep -q ': 0 TSO frames' && fail "$t sent no large segment"
	printf '%s\n' "$line" | grep -q ' 0 with partial' && fail "$t sent no partial checksum"
done
pass "TCP tests with checksum and segmentation offloads"
