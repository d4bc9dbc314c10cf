#!/bin/sh
# Foundation figures: image sizes, exec-to-exit time of the linux target
# against static glibc programs doing the same work (measured alternately
# in one run), and the runtime's context-switch and timer costs.
#
#   sh bench/foundation.sh [RUNS]      (default 31 runs per program)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-31}
out=build/bench
mkdir -p "$out"

make -s all >/dev/null
make -s app APP=bench/startup >/dev/null
gcc -O2 -static -o "$out/hello_glibc" bench/peer/hello_glibc.c -lpthread
gcc -O2 -static -o "$out/startup_glibc" bench/peer/startup_glibc.c
strip "$out/hello_glibc" "$out/startup_glibc"
gcc -O2 -o "$out/exectime" bench/exectime.c

hello=build/linux/apps/hello/hello
startup=build/linux/apps/startup/startup

echo "== image sizes (stripped, bytes)"
for f in "$hello" "$startup" "$out/hello_glibc" "$out/startup_glibc"; do
	printf '%-40s %8d\n' "$f" "$(wc -c <"$f")"
done
echo "== sections of hello (text data bss)"
size "$hello.elf" | tail -n 1

echo "== exec-to-exit, $runs runs each, alternating"
echo "-- start-up only (one line, exit 0)"
"$out/exectime" "$runs" "$startup" "$out/startup_glibc"
echo "-- hello (3 fibers / threads sleeping 10, 20, 30 ms at once)"
"$out/exectime" "$runs" "$hello" "$out/hello_glibc"

if [ -f bench/core.sh ]; then
	echo "== runtime costs"
	sh bench/core.sh
fi
