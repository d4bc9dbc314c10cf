#!/bin/sh
# A real browser against the www example: headless Chromium loads / from
# examples/www-socket on the loopback and takes an 800 x 600 screenshot.
# The screenshot (read by tests/www/pngstat.c) must be 800 x 600, hold
# many colours (text was drawn), the header's colour from the style sheet
# over a large area, and colours found only in the site's PNG picture, its
# SVG logo and its grey lead paragraph; the access log must show the page,
# the style sheet and both images fetched. The screenshot is kept as
# build/www/screenshot.png.
#
# Needs chromium (Debian: chromium, about 370 MB installed with what it
# pulls in), cc and zlib (Debian: gcc, zlib1g-dev). Chromium runs as its
# own session under timeout and everything left of that session is
# stopped afterwards; the image is bounded by --exit-after and timeout.
set -u
. tests/lib.sh

command -v chromium >/dev/null || fail "chromium is needed (Debian: apt-get install chromium)"
for c in cc setsid timeout; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
make -s app APP=examples/www-socket >/dev/null || fail "build of examples/www-socket failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
mkdir -p build/host/bin build/www
cc -std=c11 -O2 -Wall -Wextra -o build/host/bin/pngstat tests/www/pngstat.c -lz ||
	fail "build of tests/www/pngstat.c failed (zlib1g-dev?)"

tmp=$(mktemp -d) || fail "mktemp failed"
pid=
browser=
cleanup() {
	[ -n "$browser" ] && kill -KILL -"$browser" 2>/dev/null
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(test_port)
timeout 200 build/host/bin/keel-launch build/linux/apps/www-socket/www-socket -- \
	--port="$port" --log --exit-after=180 >"$tmp/server" 2>&1 &
pid=$!
tries=0
until grep -q "^www: serving on http://127.0.0.1:$port/\$" "$tmp/server"; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail "www-socket did not start: $(cat "$tmp/server")"
	fi
	sleep 0.1
done

mkdir "$tmp/profile"
setsid timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$tmp/profile" --screenshot="$tmp/shot.png" --window-size=800,600 \
	"http://127.0.0.1:$port/" </dev/null >"$tmp/chromium" 2>&1 &
browser=$!
wait "$browser"
rc=$?
kill -KILL -"$browser" 2>/dev/null # whatever of its session is left
browser=
[ $rc -eq 0 ] || fail "chromium exited $rc: $(tail -n 20 "$tmp/chromium")"
[ -s "$tmp/shot.png" ] || fail "chromium wrote no screenshot: $(tail -n 20 "$tmp/chromium")"
cp "$tmp/shot.png" build/www/screenshot.png

# Colours: header (style sheet), sun (keel.png), logo circle (keel.svg),
# lead paragraph text (style sheet).
stat=$(build/host/bin/pngstat "$tmp/shot.png" 1d5c85 f6d35b eef4f8 5b6770) ||
	fail "the screenshot is not a readable PNG"
printf '%s\n' "$stat"
set -- $(printf '%s\n' "$stat" | head -n 1)
[ "$1 $2" = "800 600" ] || fail "the screenshot is $1 x $2, want 800 x 600"
[ "$3" -ge 64 ] || fail "the screenshot has only $3 colours: blank, or no text drawn"
count() {
	printf '%s\n' "$stat" | sed -n "s/^$1 //p"
}
[ "$(count 1d5c85)" -ge 20000 ] || fail "the header colour covers $(count 1d5c85) pixels: style sheet not applied?"
[ "$(count f6d35b)" -ge 100 ] || fail "the sun of keel.png covers $(count f6d35b) pixels: picture not shown?"
[ "$(count eef4f8)" -ge 100 ] || fail "the logo's circle covers $(count eef4f8) pixels: keel.svg not shown?"
[ "$(count 5b6770)" -ge 100 ] || fail "the lead paragraph's grey covers $(count 5b6770) pixels"

for p in / /css/style.css /img/keel.svg /img/keel.png; do
	grep -q "\"GET $p\" 200 " "$tmp/server" || fail "the browser did not fetch $p: $(cat "$tmp/server")"
done
pass "chromium drew the page: 800 x 600, $3 colours, style sheet, PNG and SVG all shown"
