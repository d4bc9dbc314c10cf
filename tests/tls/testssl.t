#!/bin/sh
# testssl.sh against the image tests/tls/httpsd (HTTPS over the socket
# stack on 127.0.0.1, certificates of a development CA made here):
# protocols, cipher categories, forward secrecy, server defaults and every
# vulnerability check. Passes when testssl.sh reports no finding of
# severity HIGH or CRITICAL, and the image still serves afterwards. The
# development CA is given to testssl (--add-ca); its certificates carry no
# CRL or OCSP address, so the one finding about that (cert_revocation, a
# matter of the CA, not of the server) is not counted.
# Needs testssl (Debian: testssl.sh), curl, openssl. About two minutes.
set -u
. tests/lib.sh

for c in testssl curl openssl python3; do
	command -v "$c" >/dev/null || fail "the command '$c' is needed"
done
make -s app APP=tests/tls/httpsd >/dev/null || fail "build of tests/tls/httpsd failed"
make -s build/host/bin/keel-launch >/dev/null || fail "build of keel-launch failed"
img=build/linux/apps/httpsd/httpsd
tmp=$(mktemp -d) || fail "mktemp failed"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(test_port)
sh tools/keel-cert.sh --out "$tmp" --ca "$tmp/ca" a.test >/dev/null || fail "keel-cert a.test"
sh tools/keel-cert.sh --rsa --out "$tmp" --ca "$tmp/ca" b.test >/dev/null || fail "keel-cert b.test"
: >"$tmp/server"
timeout 400 build/host/bin/keel-launch "$img" -- serve "$port" --seconds=380 \
	--cert="$(cat "$tmp/a.test.crt")" --key="$(cat "$tmp/a.test.key")" --names=a.test \
	--cert="$(cat "$tmp/b.test.crt")" --key="$(cat "$tmp/b.test.key")" --names=b.test \
	>"$tmp/server" 2>&1 &
pid=$!
tries=0
until grep -q '^httpsd: ready$' "$tmp/server"; do
	tries=$((tries + 1))
	[ $tries -le 100 ] || fail "the image did not start: $(cat "$tmp/server")"
	sleep 0.05
done

for name in a.test b.test; do
	timeout 300 testssl --quiet --color 0 --warnings off --severity HIGH -p -s -f -S -U \
		--add-ca "$tmp/ca.crt" \
		--jsonfile "$tmp/$name.json" --ip 127.0.0.1 "https://$name:$port/" >"$tmp/$name.out" 2>&1
	[ -s "$tmp/$name.json" ] || fail "testssl gave no result for $name: $(tail -n 20 "$tmp/$name.out")"
	bad=$(python3 - "$tmp/$name.json" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if e.get("severity") in ("HIGH", "CRITICAL") and e.get("id") != "cert_revocation":
        print(e["id"], e["severity"], e.get("finding", ""))
PY
)
	[ -z "$bad" ] || fail "testssl findings for $name: $bad"
	printf '%s: no HIGH or CRITICAL finding\n' "$name"
done
out=$(timeout 10 curl -sS --cacert "$tmp/ca.crt" --resolve "a.test:$port:127.0.0.1" \
	"https://a.test:$port/info" 2>&1) || fail "the image stopped serving: $out"
pass "testssl.sh: no HIGH or CRITICAL finding (ECDSA and RSA certificates)"
