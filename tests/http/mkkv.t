#!/bin/sh
# keel-mkkv (tools/mkkv.c): its output is reproducible (the same folder
# gives the same bytes; with SOURCE_DATE_EPOCH, whatever the files' times),
# it compiles cleanly with gcc and clang under -Werror, names that need
# escaping come out as the same keys, and folders it must refuse (a name
# with a control byte, a bad symbol) make it fail without leaving output.
set -u
. tests/lib.sh

make -s build/host/bin/keel-mkkv >/dev/null 2>&1 ||
	fail "build of keel-mkkv failed: $(make build/host/bin/keel-mkkv 2>&1 | tail -n 20)"
mkkv=build/host/bin/keel-mkkv
tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
cflags="-std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wwrite-strings -Wcast-qual -Iinclude"

# Reproducible: twice the same; with SOURCE_DATE_EPOCH, times do not matter.
$mkkv -o "$tmp/a.c" tests/http/site || fail "keel-mkkv failed on tests/http/site"
$mkkv -o "$tmp/b.c" tests/http/site || fail "second run failed"
cmp -s "$tmp/a.c" "$tmp/b.c" || fail "two runs on the same folder differ"
cp -R tests/http/site "$tmp/site"
SOURCE_DATE_EPOCH=1234567890 $mkkv -o "$tmp/c.c" "$tmp/site" || fail "run with SOURCE_DATE_EPOCH failed"
touch -d '2001-02-03 04:05:06' "$tmp/site/index.html"
SOURCE_DATE_EPOCH=1234567890 $mkkv -o "$tmp/d.c" "$tmp/site" || fail "run with SOURCE_DATE_EPOCH failed"
cmp -s "$tmp/c.c" "$tmp/d.c" || fail "SOURCE_DATE_EPOCH output depends on file times"
grep -q ', 1234567890},$' "$tmp/c.c" || fail "SOURCE_DATE_EPOCH not used as the time"
grep -q '[0-9]\{10\}},$' "$tmp/a.c" || fail "no mtimes in the output"
grep -q 'hidden\|private' "$tmp/a.c" && fail "hidden files were included"
[ "$(grep -c '^	{"' "$tmp/a.c")" -eq 9 ] || fail "expected 9 entries in the table"
SOURCE_DATE_EPOCH=x $mkkv -o "$tmp/e.c" "$tmp/site" 2>/dev/null && fail "a bad SOURCE_DATE_EPOCH was accepted"

# Compiles cleanly as the image would compile it, with both compilers.
for cc in gcc clang; do
	command -v $cc >/dev/null || continue
	$cc $cflags -ffreestanding -nostdinc -isystem "$($cc -print-file-name=include)" \
		-Ilib/libc/include -c "$tmp/a.c" -o "$tmp/a.o" 2>"$tmp/cc.log" ||
		fail "$cc: generated source does not compile: $(head -n 20 "$tmp/cc.log")"
done

# Names that must be escaped, an empty file, an empty folder, a symlink.
mkdir -p "$tmp/odd/sub" "$tmp/odd/nothing-here"
printf 'q' >"$tmp/odd/quote\"name"
printf 'b' >"$tmp/odd/back\\slash"
printf 't' >"$tmp/odd/tri??=graph"
printf '' >"$tmp/odd/sub/empty"
ln -s /etc/passwd "$tmp/odd/link"
$mkkv -n odd_site -o "$tmp/odd.c" "$tmp/odd" 2>"$tmp/odd.err" || fail "keel-mkkv failed on odd names"
grep -q 'skipping.*link' "$tmp/odd.err" || fail "the symlink was not reported"
cat >"$tmp/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <keel/kv.h>
extern struct keel_kv_static odd_site;
static int has(const char *key, const char *bytes)
{
	struct keel_kv_value v;

	if (keel_kv_get(&odd_site.kv, key, strlen(key), &v) != KEEL_OK)
		return 0;
	return v.len == strlen(bytes) && (v.len == 0 || memcmp(v.data, bytes, v.len) == 0);
}
int main(void)
{
	struct keel_kv_value v;

	if (odd_site.count != 4 || !has("quote\"name", "q") || !has("back\\slash", "b") ||
	    !has("tri?\?=graph", "t") || !has("sub/empty", "") ||
	    keel_kv_get(&odd_site.kv, "link", 4, &v) != KEEL_ENOENT) {
		puts("lookup mismatch");
		return 1;
	}
	return 0;
}
C
gcc -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -o "$tmp/odd-test" "$tmp/main.c" "$tmp/odd.c" \
	lib/kv/static.c 2>"$tmp/cc.log" || fail "odd names do not compile: $(head -n 20 "$tmp/cc.log")"
"$tmp/odd-test" || fail "odd names do not come back as the same keys"

# An empty folder makes an empty store that still compiles.
mkdir "$tmp/void"
$mkkv -n void_site -o "$tmp/void.c" "$tmp/void" || fail "keel-mkkv failed on an empty folder"
gcc $cflags -c "$tmp/void.c" -o "$tmp/void.o" || fail "an empty store does not compile"

# Refusals: a name with a control byte, a bad symbol, no folder. No
# output file may be left behind.
mkdir "$tmp/bad"
printf 'x' >"$tmp/bad/$(printf 'new\nline')"
$mkkv -o "$tmp/bad.c" "$tmp/bad" 2>/dev/null && fail "a name with a newline was accepted"
[ -e "$tmp/bad.c" ] || [ -e "$tmp/bad.c.tmp" ] && fail "output left behind after a failure"
$mkkv -n '1bad' -o "$tmp/x.c" "$tmp/odd" 2>/dev/null && fail "a bad symbol name was accepted"
$mkkv -o "$tmp/x.c" "$tmp/missing" 2>/dev/null && fail "a missing folder was accepted"
$mkkv 2>/dev/null && fail "no arguments was accepted"
pass "keel-mkkv: reproducible, compiles with gcc and clang, escapes names, refuses bad input"
