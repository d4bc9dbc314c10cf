#!/bin/sh
# The size goals of www on x86_64, checked on every build: the stripped
# image without its site (an empty site, the same sources as
# examples/www) is at most 128 KiB without TLS (WWW_CERT=none) and at
# most 320 KiB with it. The image file is laid out as memory, so it
# grows in whole 4 KiB pages: a change that crosses a page shows here
# at once. bench/tls.sh prints the same sizes beside the full site's.
set -u
. tests/lib.sh

for v in tls plain; do
	d=build/test-size/www-size-$v
	sh examples/www/empty-site.sh "$d" $v || fail "cannot make $d"
	make -s TARGET=x86_64 app APP="$d" || fail "www-size-$v did not build"
done

check() { # check NAME LIMIT
	img=build/x86_64/apps/$1/$1
	[ -f "$img" ] || fail "no $img"
	size=$(wc -c <"$img")
	echo "$1: $size bytes (at most $2)"
	[ "$size" -le "$2" ] || fail "$1 is $size bytes, over its goal of $2"
}
check www-size-plain 131072
check www-size-tls 327680
pass "www without its site: within 128 KiB (HTTP) and 320 KiB (HTTPS) on x86_64"
