#!/bin/sh
# Git interop of the store, with the real git CLI: a history with
# branches, a merge and a criss-cross merge made by keel-store is
# exported; git fsck --strict finds it clean and git log lists the same
# commits keel-store does. Then git adds commits and tags (annotated,
# lightweight, a tag of a tag; in packed-refs and loose) and packs
# everything with deltas; that repository imported into a fresh disk and
# exported again gives an identical `git log --graph --all`, the same
# refs and ids, as does a compacted copy.
set -u
. tests/lib.sh

command -v git >/dev/null || fail "git is not installed (Debian package git)"
make -s build/host/bin/keel-store >/dev/null || fail "build of keel-store failed"
ks=$PWD/build/host/bin/keel-store

tmp=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
disk=$tmp/disk.img
dd if=/dev/zero of="$disk" bs=1M count=16 2>/dev/null || fail "cannot create $disk"
"$ks" format "$disk" || fail "format"

t=1700000000
step() {
	t=$((t + 60))
	KEEL_STORE_TIME=$t KEEL_STORE_NAME="Keel Test" KEEL_STORE_EMAIL=keel@example.org \
		KEEL_STORE_MESSAGE="$1" "$ks" "$2" "$disk" "$3" "$4" "$5" >/dev/null ||
		fail "keel-store $2 $3 $4 failed"
}
merge() {
	t=$((t + 60))
	KEEL_STORE_TIME=$t "$ks" merge "$disk" "$1" "$2" || fail "merge $1 into $2 failed"
}

step "first" set main README "hello"
step "docs" set main docs/intro.md "intro
line two
line three"
"$ks" branch "$disk" dev main || fail "branch dev"
step "dev change" set dev docs/intro.md "intro
line TWO
line three"
step "dev file" set dev src/a.c "int a;"
step "main change" set main README "hello, world"
merge dev main
# Criss-cross: x and y each merge the other's earlier commit.
"$ks" branch "$disk" x main || fail "branch x"
"$ks" branch "$disk" y main || fail "branch y"
step "x1" set x fx "x"
step "y1" set y fy "y"
"$ks" branch "$disk" x1 x || fail "branch x1"
"$ks" branch "$disk" y1 y || fail "branch y1"
merge y1 x
merge x1 y
step "x2" set x fx "x2"
step "y2" set y fy "y2"
merge y x
"$ks" verify "$disk" >/dev/null || fail "verify"

repo=$tmp/a.git
"$ks" export "$disk" "$repo" >/dev/null || fail "export"
out=$(git -C "$repo" fsck --strict 2>&1) || fail "git fsck --strict: $out"
bad=$(printf '%s\n' "$out" | grep -v '^dangling' | grep -v '^notice' | grep -v '^Checking')
[ -z "$bad" ] || fail "git fsck --strict said: $bad"
[ "$(git -C "$repo" show main:README)" = "hello, world" ] || fail "README in git"
[ "$(git -C "$repo" show main:docs/intro.md | sed -n 2p)" = "line TWO" ] || fail "intro in git"
ours=$("$ks" log "$disk" x | cut -d' ' -f1 | sort)
theirs=$(git -C "$repo" log --format=%H x | sort)
[ "$ours" = "$theirs" ] || fail "keel-store log x and git log x list different commits"
[ "$(git -C "$repo" rev-list --merges x | wc -l)" -eq 4 ] || fail "want 4 merges on x"

# Git works on the clone, then packs everything with deltas.
work=$tmp/work
git clone -q "$repo" "$work" 2>/dev/null || fail "git clone of the export"
(
	cd "$work" &&
	git config user.name "Git User" && git config user.email git@example.org &&
	printf 'from git\n' >gitfile && seq 1 200 >numbers && git add gitfile numbers &&
	GIT_COMMITTER_DATE="1700100000 +0100" GIT_AUTHOR_DATE="1700100000 +0100" \
		git commit -q -m "made by git" &&
	seq 1 201 >numbers && git commit -q -am "one more number" &&
	GIT_COMMITTER_DATE="1700200000 +0100" git tag -a v1.0 -m "release 1.0" &&
	GIT_COMMITTER_DATE="1700200100 -0500" git tag -a old -m "an older one" HEAD~2 &&
	git tag light HEAD~1 &&
	GIT_COMMITTER_DATE="1700200200 +0000" git tag -a outer -m "a tag of a tag" v1.0 2>/dev/null &&
	git push -q origin main --tags
) || fail "git commit, tags and push"
# Refs in packed-refs (with the "^ID" lines of peeled tags), one tag loose.
git -C "$repo" pack-refs --all || fail "git pack-refs"
git -C "$repo" tag -a -m "a loose tag" loose main~1 || fail "git tag in the bare repository"
grep -q '^\^' "$repo/packed-refs" || fail "no peeled tag in packed-refs"
git -C "$repo" repack -q -a -d -f --depth=10 --window=50 || fail "git repack"
ls "$repo"/objects/pack/*.pack >/dev/null 2>&1 || fail "no pack after repack"
[ -z "$(find "$repo/objects" -path '*/objects/??/*' -type f)" ] || fail "loose objects left"

disk2=$tmp/disk2.img
dd if=/dev/zero of="$disk2" bs=1M count=16 2>/dev/null || fail "cannot create $disk2"
"$ks" import "$repo" "$disk2" >/dev/null || fail "import of the packed repository"
"$ks" verify "$disk2" >/dev/null || fail "verify after import"
[ "$("$ks" get "$disk2" main gitfile)" = "from git" ] || fail "gitfile after import"
[ "$("$ks" get "$disk2" main numbers | tail -n 1)" = "201" ] || fail "numbers after import"
repo2=$tmp/b.git
"$ks" export "$disk2" "$repo2" >/dev/null || fail "second export"
out=$(git -C "$repo2" fsck --strict 2>&1) || fail "git fsck --strict (second): $out"
g1=$(git -C "$repo" log --graph --all --format='%H %P %an %ae %at %s')
g2=$(git -C "$repo2" log --graph --all --format='%H %P %an %ae %at %s')
[ "$g1" = "$g2" ] || fail "git log --graph --all differs after import and export"
refs() { git -C "$1" for-each-ref --format='%(objectname) %(objecttype) %(refname) %(*objectname)'; }
t1=$(refs "$repo")
[ "$(printf '%s\n' "$t1" | grep -c ' tag refs/tags/')" -eq 4 ] || fail "want 4 annotated tags: $t1"
[ "$(refs "$repo2")" = "$t1" ] || fail "refs differ after import and export: $(refs "$repo2")"
# Compaction keeps every id and the whole reachable history.
disk3=$tmp/disk3.img
dd if=/dev/zero of="$disk3" bs=1M count=16 2>/dev/null || fail "cannot create $disk3"
"$ks" compact "$disk2" "$disk3" >/dev/null || fail "compact"
"$ks" export "$disk3" "$tmp/c.git" >/dev/null || fail "export after compact"
g3=$(git -C "$tmp/c.git" log --graph --all --format='%H %P %an %ae %at %s')
[ "$g1" = "$g3" ] || fail "git log --graph --all differs after compaction"
[ "$(refs "$tmp/c.git")" = "$t1" ] || fail "refs differ after compaction: $(refs "$tmp/c.git")"
out=$(git -C "$tmp/c.git" fsck --strict 2>&1) || fail "git fsck --strict (compacted): $out"
# And in place, on the imported disk itself.
"$ks" compact "$disk2" >/dev/null || fail "compact in place"
"$ks" verify "$disk2" >/dev/null || fail "verify after compact in place"
"$ks" export "$disk2" "$tmp/d.git" >/dev/null || fail "export after compact in place"
[ "$(git -C "$tmp/d.git" log --graph --all --format='%H %P %an %ae %at %s')" = "$g1" ] ||
	fail "git log --graph --all differs after compaction in place"
[ "$(refs "$tmp/d.git")" = "$t1" ] || fail "refs differ after compaction in place"
n=$(printf '%s\n' "$g1" | grep -c '[0-9a-f]\{40\}')
pass "git: export fsck-clean, $n commits and 5 tags identical after git packs, import and export again"
