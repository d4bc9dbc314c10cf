#!/bin/sh
# Makes DIR a copy of examples/www without its site (the same sources,
# linked; an empty site), with TLS (tls) or without it (plain), for
# measuring what the server itself weighs:
#   sh examples/www/empty-site.sh DIR tls|plain
# DIR must lie two folders below the top (build/NAME/APP). Run from the
# top folder. bench/tls.sh and tests/www/size.t build these.
set -eu
d=$1
case "${2:-}" in
tls) srcs='main.c direct.c https.c keys_image.c' libs='http kv net tls' ;;
plain) srcs='main.c direct.c notls.c' libs='http kv net' ;;
*)
	echo "usage: sh examples/www/empty-site.sh DIR tls|plain" >&2
	exit 2
	;;
esac
rm -rf "$d"
mkdir -p "$d/site"
for f in $srcs; do
	ln -s "../../../examples/www/$f" "$d/$f"
done
{
	printf 'APP_SRCS := %s\nAPP_LIBS := %s\n' "$srcs" "$libs"
	[ "$2" = tls ] && printf 'WWW_CERT := build/cert/localhost\ninclude examples/www/cert.mk\n'
	printf 'APP_CFLAGS += -Iexamples/www\nAPP_SITE := site\n'
} >"$d/keel.mk"
