#!/bin/sh
# keel cert: development certificates. Self-signed (ECDSA P-256 by default,
# RSA 2048 with --rsa) and signed by a development CA; each checked with
# openssl (key type, names, the key matching the certificate, the chain
# verifying for the names it lists and not for another), then used by a
# real TLS server (openssl s_server) that curl --cacert trusts. Bad input:
# status 2 and one line naming the problem; existing files are kept
# without --force. Needs openssl and curl.
set -u
. tests/lib.sh

for c in openssl curl; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed (Debian: $c)"
done
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

expect_status 0 ./keel cert --help
printf '%s\n' "$out" | grep -q 'keel cert \[--rsa\]' || fail "keel cert --help: $out"

# Self-signed, ECDSA P-256.
expect_status 0 ./keel cert --out "$tmp/self" dev.test dev.test 127.0.0.1 ::1
for f in dev.test.crt dev.test.key dev.test_pem.c; do
	[ -s "$tmp/self/$f" ] || fail "keel cert did not write $f"
done
text=$(openssl x509 -in "$tmp/self/dev.test.crt" -noout -text) || fail "not a certificate"
printf '%s\n' "$text" | grep -q 'ASN1 OID: prime256v1' || fail "not a P-256 key: $text"
printf '%s\n' "$text" | grep -q 'DNS:dev.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1' ||
	fail "wrong names: $(printf '%s\n' "$text" | grep -A1 'Alternative')"
[ "$(openssl pkey -in "$tmp/self/dev.test.key" -pubout)" = "$(openssl x509 -in "$tmp/self/dev.test.crt" -noout -pubkey)" ] ||
	fail "the key does not belong to the certificate"
openssl verify -CAfile "$tmp/self/dev.test.crt" -verify_hostname dev.test "$tmp/self/dev.test.crt" >/dev/null 2>&1 ||
	fail "the self-signed certificate does not verify as itself for dev.test"
grep -q '^const char dev_test_cert_pem\[\] =$' "$tmp/self/dev.test_pem.c" || fail "dev.test_pem.c lacks dev_test_cert_pem"
grep -q '^const char dev_test_key_pem\[\] =$' "$tmp/self/dev.test_pem.c" || fail "dev.test_pem.c lacks dev_test_key_pem"
cc -fsyntax-only -x c "$tmp/self/dev.test_pem.c" || fail "dev.test_pem.c does not compile"

# RSA, signed by a CA made on the way.
expect_status 0 ./keel cert --rsa --ca "$tmp/ca/ca" --out "$tmp/ca" www.test www.test '*.www.test'
openssl x509 -in "$tmp/ca/www.test.crt" -noout -text | grep -q 'Public-Key: (2048 bit)' || fail "not RSA 2048"
openssl x509 -in "$tmp/ca/ca.crt" -noout -text | grep -q 'CA:TRUE' || fail "the CA is not a CA"
openssl verify -CAfile "$tmp/ca/ca.crt" -verify_hostname a.www.test "$tmp/ca/www.test.crt" >/dev/null 2>&1 ||
	fail "www.test does not verify against the CA for a.www.test"
if openssl verify -CAfile "$tmp/ca/ca.crt" -verify_hostname other.test "$tmp/ca/www.test.crt" >/dev/null 2>&1; then
	fail "www.test verified for a name it does not list"
fi
if openssl verify -CAfile "$tmp/self/dev.test.crt" "$tmp/ca/www.test.crt" >/dev/null 2>&1; then
	fail "www.test verified against an unrelated anchor"
fi
# The same CA signs a second certificate: it is reused, not made again.
ca_before=$(cat "$tmp/ca/ca.crt")
expect_status 0 ./keel cert --ca "$tmp/ca/ca" --out "$tmp/ca" localhost localhost 127.0.0.1
[ "$(cat "$tmp/ca/ca.crt")" = "$ca_before" ] || fail "the CA was made again"

# A real server with it, and curl trusting the CA.
port=$(test_port)
timeout 30 openssl s_server -accept "127.0.0.1:$port" -cert "$tmp/ca/localhost.crt" \
	-key "$tmp/ca/localhost.key" -www -quiet >"$tmp/s_server" 2>&1 &
pid=$!
tries=0
until timeout 5 curl -sS --max-time 3 -o /dev/null --cacert "$tmp/ca/ca.crt" "https://localhost:$port/" 2>"$tmp/curl"; do
	tries=$((tries + 1))
	[ $tries -le 30 ] || fail "curl --cacert could not talk to the server: $(cat "$tmp/curl" "$tmp/s_server")"
	sleep 0.2
done
if timeout 5 curl -sS --max-time 3 -o /dev/null "https://localhost:$port/" 2>/dev/null; then
	fail "curl trusted the development certificate without --cacert"
fi

# Bad input.
bad() { # bad PATTERN CMD...
	pat=$1
	shift
	expect_status 2 "$@"
	printf '%s\n' "$out" | grep -q -- "$pat" || fail "'$*' said '$out', want '$pat'"
	[ "$(printf '%s\n' "$out" | wc -l)" -le 1 ] || fail "'$*' said more than a line: $out"
}
bad "usage: keel cert" ./keel cert
bad "unknown option '--ecdsa'" ./keel cert --ecdsa x.test
bad "--out needs a folder" ./keel cert --out
bad "--ca needs a file prefix" ./keel cert --ca
bad "bad name 'a/b'" ./keel cert --out "$tmp" a/b
bad "bad name 'x y'" ./keel cert --out "$tmp" ok.test 'x y'
bad "exists; give --force" ./keel cert --out "$tmp/self" dev.test
old=$(cat "$tmp/self/dev.test.key")
[ "$old" = "$(cat "$tmp/self/dev.test.key")" ] || fail "a refused run changed the key"
expect_status 0 ./keel cert --force --out "$tmp/self" dev.test
[ "$old" != "$(cat "$tmp/self/dev.test.key")" ] || fail "--force did not make a new key"
printf 'x' >"$tmp/file"
bad "cannot create the folder" ./keel cert --out "$tmp/file/sub" x.test
pass "keel cert: ECDSA P-256 and RSA, self-signed and CA-signed, names checked, curl --cacert trusts it, bad input refused"
