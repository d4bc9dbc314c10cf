# The HTTP checks of the www example, shared by every way of running it
# (sourced after tests/lib.sh; POSIX sh). A test starts the image, then
#
#     WWW_HOST=10.0.0.2 WWW_PORT=80 WWW_TMP=$tmp WWW_1M=$file \
#     WWW_IN="ip netns exec $ns" www_checks
#
# WWW_IN is put before every client command (empty: run on the host);
# WWW_SCHEME=https runs them all over TLS, trusting the CA certificate
# WWW_CACERT and asking for the name WWW_NAME (the certificate's, e.g.
# localhost), which curl and openssl s_client send to WWW_HOST;
# WWW_TMP is a scratch folder the test owns and removes; WWW_1M is the
# files/1m.bin the build made for that image (its bytes are checked
# against a known SHA-256 first). Each check fails the test with a line
# naming what differed; www_checks prints how many passed.
#
# Clients: curl, socat, gzip, sha256sum, cmp, od (Debian: curl, socat,
# gzip, coreutils, diffutils), and openssl for HTTPS. Every client run is
# bounded by timeout.

WWW_SITE=examples/www/site
# SHA-256 of files/1m.bin as examples/www/gen/bytes.c makes it.
WWW_1M_SHA256=d00fe2f7dc6b1ca36328f0f8bd26fae0317d5aae90936c50350f0efef16f7203

www_require() {
	for c in curl socat gzip sha256sum cmp od timeout openssl; do
		command -v "$c" >/dev/null || fail "the command '$c' is needed (Debian: curl socat gzip coreutils diffutils)"
	done
}

# www_url PATH: the URL of PATH on the server; www_tls_args: what curl
# needs for it (nothing over plain HTTP).
www_url() {
	if [ "${WWW_SCHEME:-http}" = https ]; then
		printf 'https://%s:%s%s' "$WWW_NAME" "$WWW_PORT" "$1"
	else
		printf 'http://%s:%s%s' "$WWW_HOST" "$WWW_PORT" "$1"
	fi
}
www_tls_args() {
	[ "${WWW_SCHEME:-http}" = https ] || return 0
	printf '%s\n' --cacert "$WWW_CACERT" --resolve "$WWW_NAME:$WWW_PORT:$WWW_HOST"
}

# www_curl NAME PATH [CURL ARGS...]: one request; the head goes to
# $WWW_TMP/NAME.h, the body to NAME.b, the status to $code.
www_curl() {
	n=$1
	p=$2
	shift 2
	# shellcheck disable=SC2046
	code=$($WWW_IN timeout 30 curl -sS --max-time 20 -D "$WWW_TMP/$n.h" -o "$WWW_TMP/$n.b" \
		-w '%{http_code}' $(www_tls_args) "$@" "$(www_url "$p")" 2>"$WWW_TMP/$n.err") ||
		fail "curl $* $(www_url "$p"): $(cat "$WWW_TMP/$n.err")"
}

# www_header NAME FIELD: the value of FIELD in the head of NAME (first one,
# case-insensitive, without the CR).
www_header() {
	awk -v f="$2" 'BEGIN { f = tolower(f) ":" }
		{ sub(/\r$/, "") }
		tolower(substr($0, 1, length(f))) == f { v = substr($0, length(f) + 1); sub(/^[ \t]+/, "", v); print v; exit }' \
		"$WWW_TMP/$1.h"
}

# www_expect NAME PATH CODE: the status of the last request was CODE.
www_expect_code() {
	[ "$code" = "$3" ] || fail "$2: status $code, want $3; head: $(tr -d '\r' <"$WWW_TMP/$1.h")"
}

www_expect_header() { # NAME FIELD VALUE
	got=$(www_header "$1" "$2")
	[ "$got" = "$3" ] || fail "$1: $2 is '$got', want '$3'"
}

# www_raw NAME: sends its standard input to the server in one write and
# keeps everything that comes back (until the server closes) in NAME.raw.
# Over HTTPS, openssl s_client carries the bytes (it checks the chain
# and the name, and reads until the server closes).
www_raw() {
	if [ "${WWW_SCHEME:-http}" = https ]; then
		$WWW_IN timeout 30 openssl s_client -quiet -connect "$WWW_HOST:$WWW_PORT" \
			-servername "$WWW_NAME" -verify_hostname "$WWW_NAME" -CAfile "$WWW_CACERT" \
			-verify_return_error >"$WWW_TMP/$1.raw" 2>"$WWW_TMP/$1.err" ||
			fail "openssl s_client to $WWW_HOST:$WWW_PORT failed: $(cat "$WWW_TMP/$1.err")"
		return 0
	fi
	$WWW_IN timeout 30 socat -t 10 -T 20 - "TCP:$WWW_HOST:$WWW_PORT" >"$WWW_TMP/$1.raw" 2>"$WWW_TMP/$1.err" ||
		fail "socat to $WWW_HOST:$WWW_PORT failed: $(cat "$WWW_TMP/$1.err")"
}

www_passed=0
www_ok() {
	www_passed=$((www_passed + 1))
	printf 'check: %s\n' "$*"
}

www_check_index() {
	www_curl index /
	www_expect_code index / 200
	cmp -s "$WWW_TMP/index.b" "$WWW_SITE/index.html" || fail "/ did not return site/index.html"
	grep -q 'This page comes from a unikernel' "$WWW_TMP/index.b" || fail "/ lacks its heading"
	www_expect_header index Content-Type "text/html; charset=utf-8"
	www_expect_header index Content-Length "$(wc -c <"$WWW_SITE/index.html" | tr -d ' ')"
	www_ok "GET / is 200 with site/index.html"
}

www_check_redirect() {
	www_curl about /about
	www_expect_code about /about 301
	www_expect_header about Location /about/
	www_curl about2 /about/
	www_expect_code about2 /about/ 200
	cmp -s "$WWW_TMP/about2.b" "$WWW_SITE/about/index.html" || fail "/about/ did not return about/index.html"
	www_ok "/about is 301 to /about/, which is 200"
}

www_check_not_found() {
	www_curl nf /no/such/page
	www_expect_code nf /no/such/page 404
	cmp -s "$WWW_TMP/nf.b" "$WWW_SITE/404.html" || fail "an unknown path did not get site/404.html"
	www_expect_header nf Content-Type "text/html; charset=utf-8"
	www_curl nf2 '/%2e%2e/etc/passwd'
	www_expect_code nf2 /../etc/passwd 404
	www_curl nf3 /css/
	www_expect_code nf3 /css/ 404
	www_ok "unknown paths get 404 with the site's 404.html"
}

www_check_types() {
	for pt in "/css/style.css text/css; charset=utf-8" "/img/keel.svg image/svg+xml" \
		"/img/keel.png image/png" "/files/1k.txt text/plain; charset=utf-8" \
		"/files/1m.bin application/octet-stream" "/metrics text/plain; charset=utf-8"; do
		p=${pt%% *}
		www_curl type "$p" -r 0-0
		[ "$code" = 200 ] || [ "$code" = 206 ] || fail "$p: status $code"
		www_expect_header type Content-Type "${pt#* }"
	done
	www_ok "content types of css, svg, png, txt, bin and /metrics"
}

www_check_conditional() {
	www_curl c1 /css/style.css
	etag=$(www_header c1 ETag)
	lm=$(www_header c1 Last-Modified)
	[ -n "$etag" ] && [ -n "$lm" ] || fail "/css/style.css has no ETag or Last-Modified"
	www_curl c2 /css/style.css -H "If-None-Match: $etag"
	www_expect_code c2 "/css/style.css (If-None-Match)" 304
	[ ! -s "$WWW_TMP/c2.b" ] || fail "a 304 carried a body"
	www_expect_header c2 ETag "$etag"
	www_curl c3 /css/style.css -H 'If-None-Match: "0000000000000000"'
	www_expect_code c3 "/css/style.css (other ETag)" 200
	www_curl c4 /css/style.css -H "If-Modified-Since: $lm"
	www_expect_code c4 "/css/style.css (If-Modified-Since)" 304
	www_curl c5 /css/style.css -H "If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT"
	www_expect_code c5 "/css/style.css (old If-Modified-Since)" 200
	www_ok "ETag / If-None-Match and Last-Modified / If-Modified-Since give 304"
}

www_check_ranges() {
	www_curl r1 /files/1k.txt -H 'Range: bytes=0-99'
	www_expect_code r1 "/files/1k.txt (Range)" 206
	www_expect_header r1 Content-Range "bytes 0-99/1024"
	head -c 100 "$WWW_SITE/files/1k.txt" | cmp -s - "$WWW_TMP/r1.b" || fail "bytes 0-99 of 1k.txt differ"
	www_curl r2 /files/1k.txt -H 'Range: bytes=-24'
	www_expect_code r2 "/files/1k.txt (suffix Range)" 206
	tail -c 24 "$WWW_SITE/files/1k.txt" | cmp -s - "$WWW_TMP/r2.b" || fail "the last 24 bytes of 1k.txt differ"
	www_curl r3 /files/1m.bin -H 'Range: bytes=524288-528383'
	www_expect_code r3 "/files/1m.bin (Range)" 206
	www_expect_header r3 Content-Range "bytes 524288-528383/1048576"
	tail -c +524289 "$WWW_1M" | head -c 4096 | cmp -s - "$WWW_TMP/r3.b" ||
		fail "bytes 524288-528383 of 1m.bin differ"
	www_curl r4 /files/1k.txt -H 'Range: bytes=2000-'
	www_expect_code r4 "/files/1k.txt (Range past the end)" 416
	www_expect_header r4 Content-Range "bytes */1024"
	www_ok "Range gives 206 with the right bytes; past the end 416"
}

www_check_head() {
	printf 'HEAD / HTTP/1.1\r\nHost: www\r\nConnection: close\r\n\r\n' | www_raw head
	first=$(head -n 1 "$WWW_TMP/head.raw" | tr -d '\r')
	[ "$first" = "HTTP/1.1 200 OK" ] || fail "HEAD /: status line '$first'"
	len=$(tr -d '\r' <"$WWW_TMP/head.raw" | sed -n 's/^[Cc]ontent-[Ll]ength: *//p')
	[ "$len" = "$(wc -c <"$WWW_SITE/index.html" | tr -d ' ')" ] || fail "HEAD /: Content-Length '$len'"
	after=$(awk 'seen { n++ } /^\r$/ { seen = 1 } END { print n + 0 }' "$WWW_TMP/head.raw")
	[ "$after" = 0 ] || fail "HEAD / was answered with a body ($after lines after the head)"
	[ "$(tail -c 4 "$WWW_TMP/head.raw" | od -An -tx1 | tr -d ' \n')" = 0d0a0d0a ] ||
		fail "HEAD /: the answer does not end with its head"
	www_ok "HEAD has the GET's Content-Length and no body"
}

www_check_keepalive() {
	# shellcheck disable=SC2046
	out=$($WWW_IN timeout 30 curl -sS -v --max-time 20 -o /dev/null -o /dev/null $(www_tls_args) \
		"$(www_url /)" "$(www_url /about/)" 2>&1) ||
		fail "curl with two URLs failed: $out"
	printf '%s\n' "$out" | grep -qi 'Re-using existing connection' ||
		fail "curl did not reuse the connection for the second URL: $out"
	www_ok "keep-alive: curl reuses one connection for two URLs"
}

www_check_pipelining() {
	printf 'GET /files/1k.txt HTTP/1.1\r\nHost: www\r\n\r\nGET /about HTTP/1.1\r\nHost: www\r\n\r\nGET /nope HTTP/1.1\r\nHost: www\r\nConnection: close\r\n\r\n' |
		www_raw pipe
	got=$(grep -a '^HTTP/1\.1 ' "$WWW_TMP/pipe.raw" | cut -c10-12 | tr '\n' ' ')
	[ "$got" = "200 301 404 " ] || fail "three pipelined requests were answered '$got', want '200 301 404 '"
	grep -aq 'This file is exactly 1024 bytes long' "$WWW_TMP/pipe.raw" || fail "the first pipelined answer lacks 1k.txt"
	grep -aq 'Nothing here' "$WWW_TMP/pipe.raw" || fail "the third pipelined answer lacks 404.html"
	www_ok "three pipelined requests in one write: three answers in order"
}

www_check_gzip() {
	www_curl g1 / --compressed
	www_expect_header g1 Content-Encoding gzip
	cmp -s "$WWW_TMP/g1.b" "$WWW_SITE/index.html" || fail "curl --compressed /: not the original after decompression"
	www_curl g2 /css/style.css -H 'Accept-Encoding: gzip'
	www_expect_header g2 Content-Encoding gzip
	www_expect_header g2 Vary Accept-Encoding
	gzip -dc <"$WWW_TMP/g2.b" | cmp -s - "$WWW_SITE/css/style.css" ||
		fail "the gzip variant of style.css does not decompress to it"
	[ "$(wc -c <"$WWW_TMP/g2.b")" -lt "$(wc -c <"$WWW_SITE/css/style.css")" ] || fail "the gzip variant is not smaller"
	www_curl g3 /css/style.css
	[ -z "$(www_header g3 Content-Encoding)" ] || fail "gzip was sent to a client that did not ask for it"
	cmp -s "$WWW_TMP/g3.b" "$WWW_SITE/css/style.css" || fail "style.css without gzip differs"
	www_ok "gzip variants: Content-Encoding gzip, decompresses to the original"
}

www_check_1m() {
	sum=$(sha256sum <"$WWW_1M" | cut -d' ' -f1)
	[ "$sum" = "$WWW_1M_SHA256" ] || fail "$WWW_1M: sha256 $sum, want $WWW_1M_SHA256 (gen/bytes.c changed?)"
	www_curl big /files/1m.bin
	www_expect_code big /files/1m.bin 200
	www_expect_header big Content-Length 1048576
	sum=$(sha256sum <"$WWW_TMP/big.b" | cut -d' ' -f1)
	[ "$sum" = "$WWW_1M_SHA256" ] || fail "/files/1m.bin: sha256 $sum ($(wc -c <"$WWW_TMP/big.b") bytes)"
	www_ok "/files/1m.bin: 1048576 bytes, sha256 ${WWW_1M_SHA256%"${WWW_1M_SHA256#????????}"}..."
}

www_check_post() {
	www_curl post / -X POST -d 'x=1'
	www_expect_code post "POST /" 405
	www_expect_header post Allow "GET, HEAD"
	www_ok "POST is 405 with Allow: GET, HEAD"
}

www_check_metrics() {
	www_curl m /metrics
	www_expect_code m /metrics 200
	www_expect_header m Cache-Control no-store
	for c in heap_high_water http_requests fibers_live; do
		v=$(sed -n "s/^$c \([0-9][0-9]*\)\$/\1/p" "$WWW_TMP/m.b")
		[ -n "$v" ] && [ "$v" -gt 0 ] || fail "/metrics: $c is '${v:-missing}'"
	done
	grep -q '^net_tcp_conns_opened ' "$WWW_TMP/m.b" || fail "/metrics lacks the net counters"
	www_ok "/metrics: heap, http, fiber and net counters"
}

# www_check_tls: the handshake as curl and openssl s_client see it: TLS 1.2,
# an ECDHE suite with AEAD, ALPN http/1.1, the chain verified; a client
# that does not trust the CA is refused.
www_check_tls() {
	# shellcheck disable=SC2046
	out=$($WWW_IN timeout 30 curl -sS -v --max-time 20 -o /dev/null $(www_tls_args) "$(www_url /)" 2>&1) ||
		fail "curl over TLS failed: $out"
	printf '%s\n' "$out" | grep -q 'SSL connection using TLSv1.2 / ECDHE-[A-Z0-9]*-\(AES128-GCM\|AES256-GCM\|CHACHA20-POLY1305\)' ||
		fail "not TLS 1.2 with ECDHE and AEAD: $(printf '%s\n' "$out" | grep -i 'SSL\|ALPN')"
	printf '%s\n' "$out" | grep -q 'ALPN.*accepted.*http/1.1\|ALPN: server accepted http/1.1' ||
		fail "ALPN http/1.1 was not agreed: $(printf '%s\n' "$out" | grep -i ALPN)"
	printf '%s\n' "$out" | grep -q 'SSL certificate verify ok' || fail "curl did not verify the chain: $out"
	if $WWW_IN timeout 30 curl -sS --max-time 20 -o /dev/null --resolve "$WWW_NAME:$WWW_PORT:$WWW_HOST" \
		"$(www_url /)" 2>"$WWW_TMP/untrusted.err"; then
		fail "curl without --cacert accepted the certificate"
	fi
	grep -qi 'certificate' "$WWW_TMP/untrusted.err" || fail "no certificate error: $(cat "$WWW_TMP/untrusted.err")"
	www_ok "TLS 1.2, ECDHE + AEAD, ALPN http/1.1, chain verified with --cacert and refused without"
}

# www_check_https_redirect HTTP_PORT PUBLIC_HTTPS_PORT: plain HTTP on
# HTTP_PORT of WWW_HOST answers 308 to the same path and query over HTTPS
# on the same host name and PUBLIC_HTTPS_PORT (no port when 443), except
# /metrics; a hostile Host gets 400.
www_check_https_redirect() {
	hp=$1
	want=https://$WWW_NAME
	[ "$2" = 443 ] || want=$want:$2
	code=$($WWW_IN timeout 30 curl -sS --max-time 20 -D "$WWW_TMP/rd.h" -o "$WWW_TMP/rd.b" -w '%{http_code}' \
		--resolve "$WWW_NAME:$hp:$WWW_HOST" "http://$WWW_NAME:$hp/about?x=1&y=%20" 2>"$WWW_TMP/rd.err") ||
		fail "curl http://$WWW_NAME:$hp/about: $(cat "$WWW_TMP/rd.err")"
	www_expect_code rd "http:/about" 308
	www_expect_header rd Location "$want/about?x=1&y=%20"
	code=$($WWW_IN timeout 30 curl -sS --max-time 20 -o "$WWW_TMP/rd2.b" -w '%{http_code}' -I \
		"http://$WWW_HOST:$hp/" 2>"$WWW_TMP/rd.err") || fail "HEAD over HTTP: $(cat "$WWW_TMP/rd.err")"
	[ "$code" = 308 ] || fail "HEAD / over HTTP: status $code, want 308"
	# Followed by curl, over to HTTPS and the page itself.
	# shellcheck disable=SC2046
	code=$($WWW_IN timeout 30 curl -sS --max-time 20 -L -o "$WWW_TMP/rd3.b" -w '%{http_code} %{url_effective}' \
		--cacert "$WWW_CACERT" --resolve "$WWW_NAME:$hp:$WWW_HOST" --resolve "$WWW_NAME:$2:$WWW_HOST" \
		"http://$WWW_NAME:$hp/about/" 2>"$WWW_TMP/rd.err") || fail "curl -L: $(cat "$WWW_TMP/rd.err")"
	[ "$code" = "200 $want/about/" ] || fail "curl -L from HTTP ended at '$code', want '200 $want/about/'"
	cmp -s "$WWW_TMP/rd3.b" "$WWW_SITE/about/index.html" || fail "the redirect did not lead to about/index.html"
	code=$($WWW_IN timeout 30 curl -sS --max-time 20 -o "$WWW_TMP/rm.b" -w '%{http_code}' \
		"http://$WWW_HOST:$hp/metrics" 2>"$WWW_TMP/rd.err") || fail "/metrics over HTTP: $(cat "$WWW_TMP/rd.err")"
	[ "$code" = 200 ] || fail "/metrics over HTTP: status $code, want 200"
	grep -q '^tls_handshakes [1-9]' "$WWW_TMP/rm.b" || fail "/metrics lacks tls_handshakes: $(grep tls "$WWW_TMP/rm.b")"
	code=$($WWW_IN timeout 30 curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H 'Host: a"b' \
		"http://$WWW_HOST:$hp/" 2>"$WWW_TMP/rd.err") || fail "hostile Host: $(cat "$WWW_TMP/rd.err")"
	[ "$code" = 400 ] || fail "a Host with a quote: status $code, want 400"
	www_ok "HTTP: 308 to $want with path and query (curl -L follows it), /metrics stays, bad Host 400"
}

# www_checks: all of the above, in order.
www_checks() {
	www_require
	[ -d "$WWW_TMP" ] || fail "WWW_TMP is not a folder"
	[ -f "$WWW_1M" ] || fail "no 1m.bin at '$WWW_1M'"
	www_passed=0
	[ "${WWW_SCHEME:-http}" = https ] && www_check_tls
	www_check_index
	www_check_redirect
	www_check_not_found
	www_check_types
	www_check_conditional
	www_check_ranges
	www_check_head
	www_check_keepalive
	www_check_pipelining
	www_check_gzip
	www_check_1m
	www_check_post
	www_check_metrics
	printf 'checks: %d passed\n' "$www_passed"
}
