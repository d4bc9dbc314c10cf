#!/bin/sh
# TLS handshake rate of the image tests/tls/httpsd (lib/tls on BearSSL, the
# socket stack) against openssl s_server on the same certificate, measured
# in the same run with openssl s_time as the client (one connection at a
# time): full handshakes (ECDHE-ECDSA-AES128-GCM-SHA256 with a P-256 key,
# then ECDHE-RSA-AES128-GCM-SHA256 with RSA 2048) and resumed ones, TLS 1.2
# on both sides. Not part of the test suite (figures, not verdicts).
#
#   sh tests/tls/bench.sh [SECONDS]     (default 5 per measurement)
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-5}
make -s app APP=tests/tls/httpsd >/dev/null
make -s build/host/bin/keel-launch >/dev/null
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
sh tools/keel-cert.sh --out "$tmp" --ca "$tmp/ca" a.test >/dev/null
sh tools/keel-cert.sh --rsa --out "$tmp" --ca "$tmp/ca" b.test >/dev/null
p1=$((45000 + $$ % 1000))
p2=$((p1 + 1001))
p3=$((p1 + 2002))
p4=$((p1 + 3003))
# s_time sends no SNI: one image per certificate.
build/host/bin/keel-launch build/linux/apps/httpsd/httpsd -- serve "$p1" --seconds=600 \
	--cert="$(cat "$tmp/a.test.crt")" --key="$(cat "$tmp/a.test.key")" >"$tmp/keel1.log" 2>&1 &
pids="$pids $!"
build/host/bin/keel-launch build/linux/apps/httpsd/httpsd -- serve "$p4" --seconds=600 \
	--cert="$(cat "$tmp/b.test.crt")" --key="$(cat "$tmp/b.test.key")" >"$tmp/keel2.log" 2>&1 &
pids="$pids $!"
openssl s_server -quiet -accept "127.0.0.1:$p2" -cert "$tmp/a.test.crt" -key "$tmp/a.test.key" \
	-tls1_2 -www >/dev/null 2>&1 &
pids="$pids $!"
openssl s_server -quiet -accept "127.0.0.1:$p3" -cert "$tmp/b.test.crt" -key "$tmp/b.test.key" \
	-tls1_2 -www >/dev/null 2>&1 &
pids="$pids $!"
sleep 1

# rate PORT CIPHER MODE: connections per second s_time reached.
rate() {
	openssl s_time -connect "127.0.0.1:$1" -tls1_2 -cipher "$2" "$3" -time "$secs" 2>/dev/null |
		sed -n 's/^\([0-9]*\) connections in \([0-9]*\) real seconds.*/\1 \2/p' |
		awk 'NF == 2 && $2 > 0 {printf "%.0f", $1 / $2}'
}
printf '%-44s %12s %12s\n' "handshakes per second (s_time, 1 at a time)" "keel" "openssl"
for m in -new -reuse; do
	printf '%-44s %12s %12s\n' "ECDSA P-256 $m" "$(rate "$p1" ECDHE-ECDSA-AES128-GCM-SHA256 $m)" \
		"$(rate "$p2" ECDHE-ECDSA-AES128-GCM-SHA256 $m)"
	printf '%-44s %12s %12s\n' "RSA 2048 $m" "$(rate "$p4" ECDHE-RSA-AES128-GCM-SHA256 $m)" \
		"$(rate "$p3" ECDHE-RSA-AES128-GCM-SHA256 $m)"
done
printf 'image size (stripped): %s bytes\n' "$(wc -c <build/linux/apps/httpsd/httpsd)"
