#!/bin/sh
# virtio-blk throughput of an x86_64 image (tests/x86_64/blockbulk under
# QEMU, TCG unless KVM works) against the host writing and reading the
# same disk file with dd, alternated in one run; medians of ROUNDS.
#
#   sh bench/block.sh [IMAGE...]
#
# The guest writes MIB MiB in calls of CALL_KIB KiB, flushes, and reads
# it back; only the time inside the block calls counts (its own clock).
# dd on the host: the same amount in blocks of CALL_KIB KiB, `fsync` for
# the flush, and reading it back (both through the page cache, as QEMU's
# default cache mode does). Extra IMAGEs (other builds of blockbulk, say
# one with an older driver) are run in the same rounds, side by side.
#
#   ROUNDS (default 5), MIB (default 32), CALL_KIB (default 1024),
#   MACHINE (default microvm)
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${ROUNDS:-5}
mib=${MIB:-32}
call=${CALL_KIB:-1024}
machine=${MACHINE:-microvm}
make -s TARGET=x86_64 app APP=tests/x86_64/blockbulk >/dev/null 2>&1 ||
	{ echo "blockbulk does not build for x86_64"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
images="build/x86_64/apps/blockbulk/blockbulk $*"
dd if=/dev/zero of="$tmp/disk.img" bs=1M count=$((mib + 1)) 2>/dev/null

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
now_us() { echo $(($(date +%s%N) / 1000)); }
# mbs KIB US: MB/s (10^6 bytes) with one decimal
mbs() { awk -v k="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%.1f", k * 1024 / us; else print "-" }'; }

r=0
while [ "$r" -lt "$rounds" ]; do
	i=0
	for img in $images; do
		out=$(timeout 120 tools/qemu-run.sh --machine "$machine" --block storage="$tmp/disk.img" \
			"$img" -- $((mib * 1024)) "$call" 2>/dev/null)
		printf '%s\n' "$out" | grep -q '^blockbulk: ok$' || { echo "$img failed: $out"; exit 1; }
		for p in wrote flushed read; do
			printf '%s\n' "$out" | sed -n "s/^blockbulk: $p [0-9]* KiB in \([0-9]*\) us$/\1/p" >>"$tmp/img$i.$p"
		done
		i=$((i + 1))
	done
	t0=$(now_us)
	dd if=/dev/zero of="$tmp/disk.img" bs="${call}K" count=$((mib * 1024 / call)) conv=notrunc 2>/dev/null
	t1=$(now_us)
	dd if=/dev/zero of="$tmp/disk.img" bs=1 count=0 conv=notrunc,fsync 2>/dev/null
	t2=$(now_us)
	dd if="$tmp/disk.img" of=/dev/null bs="${call}K" count=$((mib * 1024 / call)) 2>/dev/null
	t3=$(now_us)
	echo $((t1 - t0)) >>"$tmp/dd.wrote"
	echo $((t2 - t1)) >>"$tmp/dd.flushed"
	echo $((t3 - t2)) >>"$tmp/dd.read"
	r=$((r + 1))
done

kib=$((mib * 1024))
printf '%s MiB in calls of %s KiB, %s, medians of %s rounds (MB/s; flush in ms)\n' \
	"$mib" "$call" "$machine" "$rounds"
printf '%-44s %9s %9s %9s\n' "" write read flush
i=0
for img in $images; do
	w=$(median <"$tmp/img$i.wrote")
	rd=$(median <"$tmp/img$i.read")
	f=$(median <"$tmp/img$i.flushed")
	printf '%-44s %9s %9s %9s\n' "guest $img" "$(mbs $kib "$w")" "$(mbs $kib "$rd")" $((f / 1000))
	i=$((i + 1))
done
w=$(median <"$tmp/dd.wrote")
rd=$(median <"$tmp/dd.read")
f=$(median <"$tmp/dd.flushed")
printf '%-44s %9s %9s %9s\n' "host dd (same file)" "$(mbs $kib "$w")" "$(mbs $kib "$rd")" $((f / 1000))
