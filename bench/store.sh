#!/bin/sh
# The store's figures against peers measured in the same run
# (alternated, medians and ratios reported).
#
#   commits/s  keel (in-process, each commit durable: one fdatasync) vs a
#              plain append-only file (100-byte record + fdatasync, the
#              floor of any durable log) vs the git CLI (one `git commit`
#              process per commit; git's default does not fsync objects)
#   gets/s     keel in-process; then per process: `keel-store get` vs
#              `git show BRANCH:PATH`
#   space      keel's log bytes over the objects' own bytes
#   open       time to open a store of 100k objects (page cache dropped
#              for the file where the kernel lets us): from its index
#              segments vs scanning the whole log (full_scan), alternated,
#              medians of 7
#
#   ROUNDS (default 3), COMMITS (default 1000), GIT_COMMITS (default 200)
set -u
cd "$(dirname "$0")/.." || exit 1
make -s build/host/bin/keel-store >/dev/null || { echo "build of keel-store failed"; exit 1; }
ks=$PWD/build/host/bin/keel-store
rounds=${ROUNDS:-3}
commits=${COMMITS:-1000}
gitn=${GIT_COMMITS:-200}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p"; }
now() { date +%s.%N; }

dd if=/dev/zero of="$tmp/disk.img" bs=1M count=256 2>/dev/null

git_commits() {
	rm -rf "$tmp/g" && git init -q "$tmp/g" && cd "$tmp/g" || exit 1
	git config user.name bench && git config user.email bench@keel
	mkdir -p d && t0=$(now)
	i=0
	while [ $i -lt "$gitn" ]; do
		printf '%0100d' $i >"d/f$((i % 100))"
		git add -A && git commit -q -m bench
		i=$((i + 1))
	done
	t1=$(now)
	cd - >/dev/null || exit 1
	echo "$gitn $t0 $t1" | awk '{ printf "%.0f\n", $1 / ($3 - $2) }'
}

proc_gets() { # TOOL: 100 gets, one process each
	t0=$(now)
	i=0
	while [ $i -lt 100 ]; do
		if [ "$1" = keel ]; then
			"$ks" get "$tmp/disk.img" main "d$((i % 10))/e0/f$((i % 10))" >/dev/null
		else
			git -C "$tmp/g" show "HEAD:d/f$((i % 100))" >/dev/null
		fi
		i=$((i + 1))
	done
	t1=$(now)
	echo "100 $t0 $t1" | awk '{ printf "%.0f\n", $1 / ($3 - $2) }'
}

: >"$tmp/k" ; : >"$tmp/f" ; : >"$tmp/g.txt" ; : >"$tmp/kg" ; : >"$tmp/pk" ; : >"$tmp/pg"
r=0
while [ $r -lt "$rounds" ]; do
	"$ks" bench "$tmp/disk.img" "$commits" 100000 >"$tmp/line"
	field commits_per_s <"$tmp/line" >>"$tmp/k"
	field gets_per_s <"$tmp/line" >>"$tmp/kg"
	"$ks" bench-file "$tmp/file" "$commits" | field commits_per_s >>"$tmp/f"
	git_commits >>"$tmp/g.txt"
	proc_gets keel >>"$tmp/pk"
	proc_gets git >>"$tmp/pg"
	r=$((r + 1))
done
k=$(median <"$tmp/k"); f=$(median <"$tmp/f"); g=$(median <"$tmp/g.txt")
kg=$(median <"$tmp/kg"); pk=$(median <"$tmp/pk"); pg=$(median <"$tmp/pg")
log=$(field log_bytes <"$tmp/line"); obj=$(field object_bytes <"$tmp/line")
"$ks" bench-open "$tmp/disk.img" 100000 >"$tmp/open"
open=$(field open_ms <"$tmp/open"); scan=$(field scan_ms <"$tmp/open")

echo "store benchmark, medians of $rounds rounds (alternated), $commits commits of one 100-byte file"
printf '  commits/s   keel %s   append-only file %s (keel/file %s)   git CLI %s (keel/git %s)\n' \
	"$k" "$f" "$(echo "$k $f" | awk '{ printf "%.2f", $1 / $2 }')" \
	"$g" "$(echo "$k $g" | awk '{ printf "%.1f", $1 / $2 }')"
printf '  gets/s      keel in-process %s;  one process per get: keel-store %s, git show %s (ratio %s)\n' \
	"$kg" "$pk" "$pg" "$(echo "$pk $pg" | awk '{ printf "%.2f", $1 / $2 }')"
printf '  space       log %s bytes for %s bytes of objects (overhead %s)\n' "$log" "$obj" \
	"$(echo "$log $obj" | awk '{ printf "%.2f", $1 / $2 }')"
printf '  open        100000 objects: %s ms from index segments, %s ms scanning the whole log (scan/index %s)\n' \
	"$open" "$scan" "$(echo "$scan $open" | awk '{ printf "%.1f", $1 / $2 }')"
