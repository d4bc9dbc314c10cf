#!/bin/sh
# Grant tables on the xen target, checked by Xen itself: the test image
# (tests/xen/gnttab) grants a page to its own domain, has Xen copy it
# through the grant reference, ends the grant and has the same copy
# refused, then checks the bounds (bad references and domains,
# exhaustion of the one frame).
set -u
. tests/lib.sh
. tests/xen/lib.sh

xen_build tests/xen/gnttab
xen_run 0 "$(xen_image tests/xen/gnttab)"
expect_line "$out" "gnttab: copy through grant 8: status 0"
printf '%s\n' "$out" | grep -q '^gnttab: copy through the ended grant: status -[0-9]*$' ||
	fail "the ended grant was not refused: $out"
expect_line "$out" "gnttab: 504 grants before the table was full"
expect_line "$out" "gnttab: ok"
pass "xen grant tables: Xen copies through a grant, refuses an ended one; bounds hold"
