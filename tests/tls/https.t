#!/bin/sh
# lib/tls end to end: the image tests/tls/httpsd serves HTTPS (lib/http over
# lib/tls over the socket stack) on a high port of 127.0.0.1, with two
# certificates from a development CA made here by tools/keel-cert.sh:
# a.test (ECDSA P-256, the default) and b.test (RSA 2048). Real peers:
#   - curl --cacert: handshake, suite (ECDHE + AEAD), ALPN http/1.1, SNI
#     choosing the certificate (ECDSA for a.test, RSA for b.test);
#   - openssl s_client: ChaCha20-Poly1305 and AES-256-GCM on request;
#     TLS 1.0/1.1, CBC suites and RSA key exchange refused; session
#     resumption ("Reused"); renegotiation refused;
#   - python3's ssl: the server ends with close_notify (no ragged EOF);
#   - hostile bytes: garbage, a truncated ClientHello, an SSLv2 hello, an
#     oversized record, a record of a wrong version — each refused or
#     closed, and the image keeps serving;
#   - the image as a client (httpsd get): trusts the CA, checks the name
#     (a wrong one and an untrusted anchor are refused), and talks to
#     openssl s_server too.
# Needs openssl, curl, python3. Every step is bounded by timeout; only
# processes this script started are stopped.
set -u
. tests/lib.sh

for c in openssl curl python3; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed (Debian: $c)"
done
make -s app APP=tests/tls/httpsd >/dev/null || fail "build of tests/tls/httpsd failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/httpsd/httpsd
launch=build/host/bin/keel-launch
tmp=$(mktemp -d) || fail "mktemp failed"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(test_port)
port2=$((port + 1))

sh tools/keel-cert.sh --out "$tmp" --ca "$tmp/ca" a.test >/dev/null || fail "keel-cert a.test"
sh tools/keel-cert.sh --rsa --out "$tmp" --ca "$tmp/ca" b.test b.test '*.b.test' >/dev/null || fail "keel-cert b.test"
sh tools/keel-cert.sh --out "$tmp" other.test >/dev/null || fail "keel-cert other.test"
ca=$tmp/ca.crt

: >"$tmp/server"
timeout 120 "$launch" "$img" -- serve "$port" --seconds=100 \
	--cert="$(cat "$tmp/a.test.crt")" --key="$(cat "$tmp/a.test.key")" --names=a.test \
	--cert="$(cat "$tmp/b.test.crt")" --key="$(cat "$tmp/b.test.key")" --names='b.test, *.b.test' \
	>"$tmp/server" 2>&1 &
pids="$pids $!"
tries=0
until grep -q '^httpsd: ready$' "$tmp/server"; do
	tries=$((tries + 1))
	[ $tries -le 100 ] || fail "the image did not start: $(cat "$tmp/server")"
	sleep 0.05
done

# https NAME PATH [CURL-OPTIONS]: the body of an HTTPS GET, checked by curl.
https() {
	n=$1
	p=$2
	shift 2
	timeout 10 curl -sS --cacert "$ca" --resolve "$n:$port:127.0.0.1" "$@" "https://$n:$port$p"
}

# sclient ARGS...: openssl s_client to the image; its output in $out.
sclient() {
	out=$(echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" "$@" 2>&1)
}

alive() {
	got=$(https a.test /info) || fail "the image stopped serving after $1"
	case "$got" in suite=*) ;; *) fail "after $1: /info said '$got'" ;; esac
}

# 1. Handshake, suite, ALPN, SNI between two certificates.
got=$(https a.test /info) || fail "curl to a.test failed"
expect_line "$got" "suite=ECDHE-ECDSA-AES128-GCM-SHA256 version=0303 sni=a.test alpn=http/1.1 resumed=0"
got=$(https b.test /info) || fail "curl to b.test failed"
expect_line "$got" "suite=ECDHE-RSA-AES128-GCM-SHA256 version=0303 sni=b.test alpn=http/1.1 resumed=0"
got=$(https www.b.test /info) || fail "curl to www.b.test (wildcard) failed"
expect_line "$got" "suite=ECDHE-RSA-AES128-GCM-SHA256 version=0303 sni=www.b.test alpn=http/1.1 resumed=0"
sclient -servername b.test
printf '%s\n' "$out" | grep -q 'subject=CN = b.test' || fail "SNI b.test did not get its certificate: $out"
sclient -servername nobody.test
printf '%s\n' "$out" | grep -q 'subject=CN = a.test' || fail "an unknown name did not get the default: $out"
# curl without ALPN still works.
got=$(https a.test /info --no-alpn) || fail "curl --no-alpn failed"
expect_line "$got" "suite=ECDHE-ECDSA-AES128-GCM-SHA256 version=0303 sni=a.test alpn= resumed=0"

# 2. The AEAD suites on request; everything else refused.
sclient -servername a.test -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305
expect_line "$(printf '%s\n' "$out" | grep 'Cipher is')" "New, TLSv1.2, Cipher is ECDHE-ECDSA-CHACHA20-POLY1305"
sclient -servername b.test -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
expect_line "$(printf '%s\n' "$out" | grep 'Cipher is')" "New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384"
for ciph in AES128-SHA AES256-GCM-SHA384 AES128-SHA256 ECDHE-RSA-AES128-SHA \
	ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 DHE-RSA-AES128-GCM-SHA256; do
	sclient -servername b.test -tls1_2 -cipher "$ciph"
	printf '%s\n' "$out" | grep -q 'Cipher is (NONE)' || fail "suite $ciph was accepted: $out"
done
for v in -tls1 -tls1_1 -tls1_3; do
	sclient -servername a.test $v
	printf '%s\n' "$out" | grep -q 'Cipher is (NONE)' || fail "$v was accepted: $out"
done
# TLS 1.3 clients fall back to 1.2.
sclient -servername a.test
printf '%s\n' "$out" | grep -q 'New, TLSv1.2' || fail "a default client did not get TLS 1.2: $out"
alive "refused versions and suites"

# 3. Session resumption from the cache.
sclient -servername a.test -no_ticket -sess_out "$tmp/sess"
printf '%s\n' "$out" | grep -q '^New, TLSv1.2' || fail "first session: $out"
sclient -servername a.test -sess_in "$tmp/sess"
printf '%s\n' "$out" | grep -q '^Reused, TLSv1.2' || fail "the session was not resumed: $out"

# 4. Renegotiation is refused; the session and the image go on.
out=$( (printf 'R\n'; sleep 1) | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	-servername a.test -CAfile "$ca" -tls1_2 2>&1)
printf '%s\n' "$out" | grep -q 'no renegotiation' || fail "renegotiation was not refused: $out"
alive "a renegotiation attempt"

# 5. close_notify at the end of a response, and a resumed session as seen
# by the server.
out=$(timeout 10 python3 - "$port" "$ca" <<'PY' 2>&1
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_alpn_protocols(["http/1.1"])
sess = None
for i in range(2):
    s = socket.create_connection(("127.0.0.1", port))
    t = ctx.wrap_socket(s, server_hostname="b.test", suppress_ragged_eofs=False, session=sess)
    t.sendall(b"GET /info HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n")
    data = b""
    try:
        while True:
            d = t.recv(4096)
            if not d:
                break
            data += d
        print("close_notify ok")
    except ssl.SSLEOFError:
        print("no close_notify")
    sess = t.session
    print(data.decode().splitlines()[-1])
    t.close()
PY
)
expect_line "$out" "close_notify ok"
expect_line "$out" "suite=ECDHE-RSA-AES128-GCM-SHA256 version=0303 sni=b.test alpn=http/1.1 resumed=0"
expect_line "$out" "suite=ECDHE-RSA-AES128-GCM-SHA256 version=0303 sni=b.test alpn=http/1.1 resumed=1"

# 6. Hostile handshakes: each gets an alert or a close, and the image goes on.
out=$(timeout 30 python3 - "$port" <<'PY' 2>&1
import os, socket, struct, sys
port = int(sys.argv[1])

def hello(version=0x0303, body_extra=b""):
    rnd = os.urandom(32)
    suites = struct.pack(">HH", 2, 0xC02B)
    body = struct.pack(">H", version) + rnd + b"\x00" + suites + b"\x01\x00" + body_extra
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs

def probe(name, data, half_close=True):
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    got = b""
    try:
        s.sendall(data)
        if half_close:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the server has already closed: read what it sent
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except (ConnectionResetError, BrokenPipeError):
        got = got or b"(reset)"
    except socket.timeout:
        print("%s: no answer and no close" % name)
        return
    finally:
        s.close()
    if got[:1] == b"\x15":
        print("%s: alert %d" % (name, got[6] if len(got) > 6 else -1))
    elif got in (b"", b"(reset)"):
        print("%s: closed" % name)
    else:
        print("%s: unexpected answer %r" % (name, got[:16]))

probe("garbage", os.urandom(300))
probe("truncated", hello()[:40])
probe("sslv2", bytes.fromhex("802e0103010015000000100100800300800700c0060040020080040080") + os.urandom(16))
probe("sslv3", hello(0x0300))
probe("oversized", b"\x16\x03\x03\x48\x01" + os.urandom(64))
probe("bad-version", b"\x16\x07\x07\x00\x10" + os.urandom(16))
probe("huge-handshake", b"\x16\x03\x01\x00\x08\x01\xff\xff\xff" + os.urandom(4))
probe("http-on-tls", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
PY
)
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q 'unexpected answer\|no answer' && fail "a hostile handshake was not refused: $out"
[ "$(printf '%s\n' "$out" | grep -c ': alert\|: closed')" -eq 8 ] || fail "hostile probes: $out"
alive "hostile handshakes"

# 7. The image as a client.
out=$(timeout 20 "$launch" "$img" -- get "$port" b.test "$(cat "$ca")" /info 2>&1)
expect_line "$out" "get: ok ECDHE-RSA-AES128-GCM-SHA256 alpn=http/1.1"
expect_line "$out" "suite=ECDHE-RSA-AES128-GCM-SHA256 version=0303 sni=b.test alpn=http/1.1 resumed=0"
out=$(timeout 20 "$launch" "$img" -- get "$port" wrong.test "$(cat "$ca")" /info 2>&1)
printf '%s\n' "$out" | grep -q 'get: failed: .*certificate does not name the server' ||
	fail "a wrong name was accepted: $out"
out=$(timeout 20 "$launch" "$img" -- get "$port" a.test "$(cat "$tmp/other.test.crt")" /info 2>&1)
printf '%s\n' "$out" | grep -q 'get: failed: .*certificate not trusted' ||
	fail "an untrusted chain was accepted: $out"
# ... against openssl s_server (self-signed other.test, trusted as itself).
timeout 30 openssl s_server -accept "127.0.0.1:$port2" -cert "$tmp/other.test.crt" \
	-key "$tmp/other.test.key" -www -quiet >"$tmp/s_server" 2>&1 &
pids="$pids $!"
sleep 0.5
out=$(timeout 20 "$launch" "$img" -- get "$port2" other.test "$(cat "$tmp/other.test.crt")" / 2>&1)
printf '%s\n' "$out" | grep -q '^get: ok ECDHE-ECDSA-AES128-GCM-SHA256' ||
	fail "the image could not talk to openssl s_server: $out"

# 8. The end: /quit, the counters, nothing left live.
https a.test /quit >/dev/null || fail "/quit failed"
tries=0
until grep -q '^httpsd: done$' "$tmp/server"; do
	tries=$((tries + 1))
	[ $tries -le 100 ] || fail "the image did not end: $(cat "$tmp/server")"
	sleep 0.05
done
cat "$tmp/server"
grep -q '^tls sessions_live 0$' "$tmp/server" || fail "sessions left live"
pass "TLS: suites, versions, SNI, ALPN, resumption, close_notify, hostile handshakes, client"
