#!/bin/sh
# The site of examples/www as the other tests and the benchmarks rely on
# it: every committed file in its place; files/1k.txt exactly 1024 bytes;
# img/keel.png exactly what examples/www/gen/png.c draws; files/1m.bin,
# made by the build (gen/bytes.c), exactly 1 MiB with its known SHA-256
# and not in the site folder; the complete site (kv/tree: the folder and
# the made file) beside the image, for peers such as nginx to serve.
set -u
. tests/lib.sh

site=examples/www/site
for f in index.html about/index.html 404.html css/style.css img/keel.svg img/keel.png files/1k.txt; do
	[ -s "$site/$f" ] || fail "$site/$f is missing"
done
[ ! -e "$site/files/1m.bin" ] || fail "$site/files/1m.bin is in the folder; the build makes it"
[ "$(wc -c <"$site/files/1k.txt")" -eq 1024 ] || fail "files/1k.txt is not 1024 bytes"

mkdir -p build/host/bin
cc -std=c11 -O2 -Wall -Wextra -o build/host/bin/www-png examples/www/gen/png.c ||
	fail "build of gen/png.c failed"
build/host/bin/www-png | cmp -s - "$site/img/keel.png" ||
	fail "img/keel.png is not what gen/png.c draws (run: build/host/bin/www-png > $site/img/keel.png)"

make -s app APP=examples/www >/dev/null || fail "build of examples/www failed"
tree=build/linux/apps/www/kv/tree
[ "$(wc -c <"$tree/files/1m.bin")" -eq 1048576 ] || fail "$tree/files/1m.bin is not 1 MiB"
sum=$(sha256sum <"$tree/files/1m.bin" | cut -d' ' -f1)
[ "$sum" = d00fe2f7dc6b1ca36328f0f8bd26fae0317d5aae90936c50350f0efef16f7203 ] ||
	fail "files/1m.bin has sha256 $sum"
(cd "$site" && find . -type f | sort) >build/www-site-files.tmp
(cd "$tree" && find . -type f | grep -v '^\./files/1m\.bin$' | sort) | cmp -s - build/www-site-files.tmp ||
	fail "$tree does not hold exactly the site folder and files/1m.bin"
rm -f build/www-site-files.tmp
for f in index.html css/style.css img/keel.png; do
	cmp -s "$site/$f" "$tree/$f" || fail "$tree/$f differs from the site folder's"
done
pass "www site: committed files, 1k.txt of 1024 bytes, keel.png as drawn, 1m.bin made with its SHA-256"
