#!/bin/sh
# xen boot figures: image size of hello for xen and for x86_64, and wall
# time in the PVH-domain lane (Xen 4.17 under QEMU's TCG, the image as its
# PVH dom0): from QEMU's start to Xen's first line, to Xen building dom0
# (its "PVH is an experimental mode" warning, printed as it starts
# building the PVH dom0), to the image's main (its first line),
# next to x86_64 hello under QEMU q35 (tools/qemu-run.sh), measured
# alternately in one run; medians and their ratio.
#
#   sh bench/xen-boot.sh [RUNS]        (default 7 runs of each)
#
# Then the full domU lane (tools/xen-domu-run.sh, RUNS / 2 + 1 runs: it
# boots a Linux dom0 each time): from `xl create` (the dom0's marker line
# just before it) to the image's main.
#
# Wall time, not instructions: Xen's own boot under TCG dominates, and a
# trace of it from QEMU would be too large to be worth it. Times are when
# a line reaches this script through a pipe (a few ms late at most).
# Xen runs with the options tools/xen-run.sh gives it.
set -eu
cd "$(dirname "$0")/.."
runs=${1:-7}
QEMU=${QEMU:-qemu-system-x86_64}
out=build/bench/xen
mkdir -p "$out"
[ -r build/host/xen/xen ] || sh tools/fetch-xen.sh build/host/xen
make -s TARGET=xen app APP=examples/hello >/dev/null
make -s TARGET=x86_64 app APP=examples/hello >/dev/null
xen_hello=build/xen/apps/hello/hello
x86_hello=build/x86_64/apps/hello/hello

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== image (stripped hello)"
xs=$(wc -c <"$xen_hello")
ks=$(wc -c <"$x86_hello")
printf 'xen %d bytes, x86_64 %d bytes (xen/x86_64 %s)\n' "$xs" "$ks" "$(echo "scale=2; $xs / $ks" | bc)"
size "$xen_hello.elf" "$x86_hello.elf" | awk 'NR > 1 { printf "%s: text %d, data %d, bss %d\n", $6, $1, $2, $3 }'

# xen_once: one run; appends "first dom0 main" (ms after QEMU's start).
xen_once() {
	rm -f "$out/fifo"
	mkfifo "$out/fifo"
	cp "$xen_hello" "$out/keel"
	t0=$(now_ms)
	"$QEMU" -accel tcg -M q35 -cpu max -m 128 -smp 1 -display none -nodefaults \
		-no-user-config -no-reboot -serial stdio -device amd-iommu \
		-kernel build/host/xen/xen -initrd "$out/keel" \
		-append "console=com1 com1=115200 loglvl=warning dom0=pvh dom0_mem=32M bootscrub=false" \
		</dev/null >"$out/fifo" 2>/dev/null &
	q=$!
	first= build=
	while IFS= read -r line; do
		case "$line" in
		"(XEN)"*"PVH is an experimental mode"*) build=$(($(now_ms) - t0)) ;;
		"(XEN)"*) [ -n "$first" ] || first=$(($(now_ms) - t0)) ;;
		"Hello from Keel"*) main=$(($(now_ms) - t0)); break ;;
		esac
	done <"$out/fifo"
	kill "$q" 2>/dev/null || true
	wait "$q" 2>/dev/null || true
	echo "$first $build $main" >>"$out/xen.times"
}

x86_once() {
	t0=$(now_ms)
	sh tools/qemu-run.sh --machine q35 "$x86_hello" 2>/dev/null | while IFS= read -r line; do
		case "$line" in "Hello from Keel"*) echo $(($(now_ms) - t0)) >>"$out/x86.times" ;; esac
	done
}


rm -f "$out"/*.times
for _ in $(seq "$runs"); do
	xen_once
	x86_once
done
echo "== wall time, median of $runs (ms after QEMU's start)"
xfirst=$(cut -d' ' -f1 "$out/xen.times" | median)
xbuild=$(cut -d' ' -f2 "$out/xen.times" | median)
xmain=$(cut -d' ' -f3 "$out/xen.times" | median)
kmain=$(median <"$out/x86.times")
printf 'xen lane: Xen first line %s, dom0 build %s, main %s; dom0 build to main %s\n' \
	"$xfirst" "$xbuild" "$xmain" "$(awk '{ print $3 - $2 }' "$out/xen.times" | median)"
printf 'x86_64 q35 (qemu-run.sh): main %s\n' "$kmain"
printf 'ratio xen/x86_64 to main: %s\n' "$(echo "scale=1; $xmain / $kmain" | bc)"

# ---- The domU lane ------------------------------------------------------------

domu_once() {
	: >"$out/domu.log"
	t0=$(now_ms)
	(
		tail -n +1 -f "$out/domu.log" | while IFS= read -r line; do
			case "$line" in
			"dom0: domain console begins"*) echo $(($(now_ms) - t0)) >"$out/domu.begin"; break ;;
			esac
		done
	) &
	watcher=$!
	sh tools/xen-domu-run.sh --xen-log "$out/domu.log" "$xen_hello" 2>/dev/null |
		while IFS= read -r line; do
			case "$line" in "Hello from Keel"*) echo $(($(now_ms) - t0)) >"$out/domu.main" ;; esac
		done
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	echo "$(cat "$out/domu.begin" 2>/dev/null) $(cat "$out/domu.main" 2>/dev/null)" >>"$out/domu.times"
	rm -f "$out/domu.begin" "$out/domu.main"
}

if [ -r build/host/xen-dom0/vmlinuz ] || sh tools/fetch-xen-dom0.sh build/host/xen-dom0 >/dev/null; then
	rm -f "$out/domu.times"
	for _ in $(seq $((runs / 2 + 1))); do
		domu_once
	done
	echo "== domU lane, median of $((runs / 2 + 1)) (ms after QEMU's start)"
	printf 'xl create %s, main %s; xl create to main %s\n' \
		"$(cut -d' ' -f1 "$out/domu.times" | median)" "$(cut -d' ' -f2 "$out/domu.times" | median)" \
		"$(awk '{ print $2 - $1 }' "$out/domu.times" | median)"
fi
