#!/bin/sh
# aarch64 figures, next to x86_64's where they compare: stripped image
# sizes (hello, www), guest instructions from the image's first
# instruction to main() on QEMU's virt board (cortex-a72 and max, GICv3
# and v2, with the virtio-rng device qemu-run-aarch64.sh attaches), and
# the smallest memory hello runs in.
#
#   sh tests/aarch64/bench.sh
#
# Instructions are counted as bench/x86_64-boot.sh counts them: TCG one
# instruction per block, QEMU's execution trace (-d exec,nochain), lines
# between the first at the entry point and the first at main. Time spent
# in `wfi` counts nothing.
set -eu
cd "$(dirname "$0")/../.."
QEMU=${QEMU:-qemu-system-aarch64}
out=build/bench/aarch64
mkdir -p "$out"
for t in aarch64 x86_64; do
	for app in examples/hello examples/www; do
		make -s -j"$(nproc)" TARGET=$t app APP=$app >/dev/null
	done
done

echo "== stripped image sizes (bytes)"
for app in hello www; do
	printf '%-6s aarch64 %8d   x86_64 %8d\n' "$app" \
		"$(wc -c <build/aarch64/apps/$app/$app)" "$(wc -c <build/x86_64/apps/$app/$app)"
done
aarch64-linux-gnu-size build/aarch64/apps/hello/hello.elf | tail -n 1 |
	awk '{ printf "aarch64 hello: text %d, data %d, bss %d bytes\n", $1, $2, $3 }'

hello=build/aarch64/apps/hello/hello
aarch64-linux-gnu-objcopy -O binary "$hello" "$out/Image"
if "$QEMU" -accel tcg,help 2>&1 | grep -q one-insn-per-tb; then
	single="-accel tcg,one-insn-per-tb=on"
else
	single="-accel tcg -singlestep"
fi
count() { # count CPU GIC: instructions from _start to main
	entry=$(aarch64-linux-gnu-nm "$hello.elf" | awk '$3 == "_start" { print $1 }')
	main=$(aarch64-linux-gnu-nm "$hello.elf" | awk '$3 == "main" { print $1 }')
	rm -f "$out/exec.log"
	# shellcheck disable=SC2086
	timeout 120 "$QEMU" $single -M virt,gic-version="$2" -cpu "$1" -m 64 -display none \
		-nodefaults -no-reboot -serial null -global virtio-mmio.force-legacy=false \
		-object rng-builtin,id=rng0 -device virtio-rng-device,rng=rng0 \
		-d exec,nochain -D "$out/exec.log" -kernel "$out/Image" >/dev/null 2>&1 || true
	awk -v e="$entry" -v m="$main" '
		{ split($4, f, "/"); pc = f[2] }
		pc == e && !start { start = NR }
		pc == m && start { print NR - start; found = 1; exit }
		END { if (!found) print "?" }' "$out/exec.log"
}
echo "== guest instructions from _start to main (hello, virt board)"
for cpu in cortex-a72 max; do
	for gic in 3 2; do
		printf '%-10s GICv%s: %s\n' "$cpu" "$gic" "$(count "$cpu" "$gic")"
	done
done
rm -f "$out/exec.log"

echo "== smallest memory hello runs in"
smallest=none
for mb in 8 16 32; do
	if timeout 60 tools/qemu-run-aarch64.sh --mem "$mb" "$hello" >/dev/null 2>&1 </dev/null; then
		smallest="$mb MiB"
		break
	fi
done
echo "$smallest (the launcher's floor is 8 MiB)"
