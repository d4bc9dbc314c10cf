#!/bin/sh
# x86_64 boot figures: image size, guest instructions from the image's
# first instruction to main(), the smallest memory hello runs in, the wall
# time of `qemu-run.sh hello` against QEMU starting and quitting an empty
# VM (measured alternately in one run; medians and their ratio), and the
# host CPU QEMU uses while the image sleeps and while it spins.
#
#   sh bench/x86_64-boot.sh [RUNS]        (default 11 runs of each)
#
# Instructions are counted with TCG in single-step mode and QEMU's
# execution trace (-d exec,nochain): one trace line per instruction
# executed, between the first line at the entry point and the first at
# main. Repeatable, and honest about what it counts: every iteration of
# a `rep` string instruction is one line, interrupt handlers count, and
# waiting in `hlt` (the PIT calibration) counts nothing.
set -eu
cd "$(dirname "$0")/.."
runs=${1:-11}
QEMU=${QEMU:-qemu-system-x86_64}
out=build/bench/x86_64
mkdir -p "$out"

for app in examples/hello tests/x86_64/idle; do
	make -s TARGET=x86_64 app APP=$app >/dev/null
done
hello=build/x86_64/apps/hello/hello
idle=build/x86_64/apps/idle/idle

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "== image"
printf 'stripped hello: %d bytes\n' "$(wc -c <"$hello")"
size "$hello.elf" | tail -n 1 | awk '{ printf "text %d, data %d, bss %d bytes\n", $1, $2, $3 }'

# ---- Instructions to main ---------------------------------------------------

if "$QEMU" -accel tcg,help 2>&1 | grep -q one-insn-per-tb; then
	single="-accel tcg,one-insn-per-tb=on"
else
	single="-accel tcg -singlestep"
fi

# count IMAGE ENTRY_SYMBOL MACHINE: instructions from ENTRY_SYMBOL to main.
count() {
	entry=$(nm "$hello.elf" | awk -v s="$2" '$3 == s { print $1 }')
	main=$(nm "$hello.elf" | awk '$3 == "main" { print $1 }')
	rm -f "$out/exec.log"
	# shellcheck disable=SC2086
	timeout 120 "$QEMU" $single -M "$3" -cpu max -m 64 -display none -nodefaults -no-reboot \
		-serial null -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-d exec,nochain -D "$out/exec.log" -kernel "$1" >/dev/null 2>&1 || true
	awk -v e="$entry" -v m="$main" '
		{ split($4, f, "/"); pc = f[2] }
		pc == e && !start { start = NR }
		pc == m && start { print NR - start; found = 1; exit }
		END { if (!found) print "?" }' "$out/exec.log"
}

# The same image without its multiboot header's magic: QEMU then takes
# the PVH entry.
hex=$(readelf -SW "$hello" | sed -n 's/.* \.multiboot  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
cp "$hello" "$out/hello-pvh"
printf '\0\0\0\0' | dd of="$out/hello-pvh" bs=1 seek="$(printf '%d' "0x$hex")" conv=notrunc 2>/dev/null

echo "== guest instructions from the first instruction of the image to main"
printf 'multiboot entry, microvm: %s\n' "$(count "$hello" boot_multiboot microvm)"
printf 'multiboot entry, pc:      %s\n' "$(count "$hello" boot_multiboot pc)"
printf 'PVH entry, microvm:       %s\n' "$(count "$out/hello-pvh" boot_pvh microvm)"
rm -f "$out/exec.log"

# ---- Smallest memory --------------------------------------------------------

echo "== smallest memory hello runs in (microvm, pc)"
for m in microvm pc; do
	smallest=none
	for mb in 2 3 4 5 6 8; do
		if timeout 60 tools/qemu-run.sh --machine "$m" --mem "$mb" "$hello" >/dev/null 2>&1 </dev/null; then
			smallest="$mb MiB"
			break
		fi
	done
	printf '%s: %s\n' "$m" "$smallest"
done

# ---- Wall time against an empty VM -------------------------------------------

# The empty VM: a 64 KiB firmware whose reset vector writes to
# isa-debug-exit (mov $0, %al; out %al, $0xf4), so QEMU starts, runs two
# instructions and quits.
dd if=/dev/zero of="$out/empty.bin" bs=1024 count=64 2>/dev/null
printf '\260\000\346\364\364' | dd of="$out/empty.bin" bs=1 seek=65520 conv=notrunc 2>/dev/null

echo "== wall time, microvm, TCG ($runs runs each, alternating; medians)"
: >"$out/hello.ms"
: >"$out/direct.ms"
: >"$out/empty.ms"
for _ in $(seq "$runs"); do
	t0=$(now_ms)
	tools/qemu-run.sh --accel tcg "$hello" >/dev/null 2>&1 </dev/null
	t1=$(now_ms)
	"$QEMU" -accel tcg -M microvm -cpu max -m 64 -display none -nodefaults -no-reboot \
		-serial null -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$hello" >/dev/null 2>&1 </dev/null || true
	t2=$(now_ms)
	"$QEMU" -accel tcg -M microvm -m 64 -display none -nodefaults -no-reboot \
		-bios "$out/empty.bin" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		>/dev/null 2>&1 </dev/null || true
	t3=$(now_ms)
	echo $((t1 - t0)) >>"$out/hello.ms"
	echo $((t2 - t1)) >>"$out/direct.ms"
	echo $((t3 - t2)) >>"$out/empty.ms"
done
h=$(median <"$out/hello.ms")
d=$(median <"$out/direct.ms")
e=$(median <"$out/empty.ms")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf 'empty VM (QEMU starts, runs 2 instructions, quits): %4d ms\n' "$e"
printf 'hello, QEMU -kernel directly:                       %4d ms  (%s x empty)\n' "$d" "$(ratio "$d" "$e")"
printf 'hello through qemu-run.sh:                          %4d ms  (%s x empty)\n' "$h" "$(ratio "$h" "$e")"
echo "(hello itself sleeps 30 ms on timers; booting calibrates the TSC for 10 ms)"

# ---- Host CPU while idle ------------------------------------------------------

qemu_below() {
	for child in $(pgrep -P "$1"); do
		case "$(cat "/proc/$child/comm" 2>/dev/null)" in
		qemu-system*) echo "$child"; return 0 ;;
		esac
		qemu_below "$child" && return 0
	done
	return 1
}

# cpu MODE: percent of a host core QEMU uses over 5 s of a 6.5 s sleep/spin.
cpu() {
	tools/qemu-run.sh --accel tcg "$idle" -- "$1" 6500 >"$out/idle.out" 2>&1 </dev/null &
	runner=$!
	q=
	for _ in $(seq 100); do
		grep -q "^idle: $1" "$out/idle.out" 2>/dev/null && q=$(qemu_below "$runner") && break
		sleep 0.1
	done
	sleep 0.5
	t0=$(awk '{ print $14 + $15 }' "/proc/$q/stat")
	sleep 5
	t1=$(awk '{ print $14 + $15 }' "/proc/$q/stat")
	wait "$runner" || true
	awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f%%", 100 * d / (5 * hz) }'
}

echo "== host CPU of the QEMU process (TCG), 5 s"
printf 'image asleep (kp_yield halts): %s of a core\n' "$(cpu sleep)"
printf 'image spinning on the clock:   %s of a core\n' "$(cpu spin)"
