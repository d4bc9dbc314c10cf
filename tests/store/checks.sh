# The HTTP checks of the store example (sourced after tests/lib.sh), on
# a running image with an empty store:
#
#   store_checks URL TMP
#
# PUT, GET, DELETE; a branch, a clean line merge each way and a
# conflicting merge (409, nothing changed); the log; then `git clone`
# of URL/store.git over Git's dumb HTTP protocol: `git fsck --strict`
# clean, the files there, `git log` the same commits as the image's
# /log/main. Leaves the image's log in TMP/log1 and the clone in
# TMP/clone. With STORE_IN set (e.g. "ip netns exec NS") curl and git
# run through it.

c() { ${STORE_IN:-} curl -s -m 20 "$@"; }
code() { ${STORE_IN:-} curl -s -m 20 -o /dev/null -w '%{http_code}' "$@"; }
g() { ${STORE_IN:-} git "$@"; }

store_checks() {
	u=$1
	t=$2
	id=$(c -X PUT --data-binary 'hello' "$u/kv/main/docs/a.txt")
	printf '%s\n' "$id" | grep -qx '[0-9a-f]\{40\}' || fail "PUT did not answer a commit id: '$id'"
	[ "$(c "$u/kv/main/docs/a.txt")" = "hello" ] || fail "GET after PUT"
	[ "$(code "$u/kv/main/nothing")" = 404 ] || fail "GET of a missing file is not 404"
	printf 'one\ntwo\nthree\n' | c -X PUT --data-binary @- "$u/kv/main/text" >/dev/null
	c -X PUT --data-binary 'gone soon' "$u/kv/main/tmp" >/dev/null
	[ "$(code -X DELETE "$u/kv/main/tmp")" = 200 ] || fail "DELETE"
	[ "$(code "$u/kv/main/tmp")" = 404 ] || fail "GET after DELETE"
	# A branch from main changes one line of text while main changes another:
	# the line merge combines them.
	c -X PUT --data-binary 'dev' "$u/kv/dev/devfile" >/dev/null
	[ "$(code -X POST "$u/merge/main/dev")" = 200 ] || fail "merge main into dev"
	printf 'one\nTWO\nthree\n' | c -X PUT --data-binary @- "$u/kv/dev/text" >/dev/null
	printf 'one\ntwo\nthree\nfour\n' | c -X PUT --data-binary @- "$u/kv/main/text" >/dev/null
	[ "$(code -X POST "$u/merge/dev/main")" = 200 ] || fail "merge dev into main"
	[ "$(c "$u/kv/main/text")" = "$(printf 'one\nTWO\nthree\nfour')" ] ||
		fail "text after the line merge: $(c "$u/kv/main/text")"
	[ "$(c "$u/kv/main/devfile")" = "dev" ] || fail "devfile after merge"
	c -X PUT --data-binary 'A' "$u/kv/main/clash" >/dev/null
	c -X PUT --data-binary 'B' "$u/kv/dev/clash" >/dev/null
	[ "$(code -X POST "$u/merge/dev/main")" = 409 ] || fail "conflicting merge is not 409"
	[ "$(c "$u/kv/main/clash")" = "A" ] || fail "main changed by a failed merge"
	c "$u/log/main" >"$t/log1" || fail "GET /log/main"
	n=$(wc -l <"$t/log1")
	[ "$n" -eq 10 ] || fail "log of main has $n commits, want 10: $(cat "$t/log1")"

	g clone -q "$u/store.git" "$t/clone" 2>"$t/git.err" || fail "git clone: $(cat "$t/git.err")"
	out=$(g -C "$t/clone" fsck --strict 2>&1) || fail "git fsck --strict of the clone: $out"
	[ "$(cat "$t/clone/docs/a.txt")" = "hello" ] || fail "docs/a.txt in the clone"
	[ "$(cat "$t/clone/clash")" = "A" ] || fail "clash in the clone"
	g -C "$t/clone" log --format='%H %s' >"$t/gitlog" || fail "git log of the clone"
	sort "$t/log1" >"$t/a"
	sort "$t/gitlog" >"$t/b"
	cmp -s "$t/a" "$t/b" || fail "git log differs from the image's: $(diff "$t/a" "$t/b")"
	[ "$(head -n 1 "$t/gitlog")" = "$(head -n 1 "$t/log1")" ] || fail "git and the image disagree on the head"
	g -C "$t/clone" rev-parse -q --verify origin/dev >/dev/null || fail "branch dev not cloned"
	[ "$(g -C "$t/clone" rev-list --merges --count HEAD)" -eq 2 ] || fail "the clone has not 2 merges"
}
