#!/bin/sh
# Runs every libFuzzer target (make fuzz builds them: clang, ASan, UBSan)
# for FUZZ_SECONDS each, one after the other, and prints a table: inputs
# run, their rate, coverage, the corpus reached and findings.
#
#   make fuzz                        builds the targets only
#   make fuzz-run FUZZ_SECONDS=600   builds them and runs each 600 s
#   FUZZ_TARGETS="net_frames dns" FUZZ_SECONDS=60 sh tests/reliability/fuzz.sh
#
# Each target starts from its seeds in fuzz/corpus/NAME (kept in the
# repository, small) and the inputs earlier runs found, kept in
# build/fuzz-corpus/NAME (not in the repository), so long runs add up. A
# crash, leak, timeout or sanitizer report stops that target; its input
# is kept in build/fuzz-findings/NAME/ and the run fails. To fold what was
# found into the committed seeds, minimized:
#   build/host/fuzz/NAME -merge=1 fuzz/corpus/NAME build/fuzz-corpus/NAME
#
# Targets (the parser each covers):
#   net_frames    lib/net's whole input path: Ethernet, ARP, IPv4 and
#                 reassembly, ICMP, UDP, TCP and its options
#   dhcp, dns     lib/net's DHCP reply and DNS answer parsers
#   http_request  lib/http's request parser, ranges, conditions, chunks
#   nsock_dns     lib/net-socket's DNS answer reader
#   store         lib/store's Git objects, log records and merges
#   tls_handshake lib/tls and BearSSL, server and client side
#   boot_info     x86_64's (and xen's) PVH start info and multiboot
#                 information: memory map, command line pointer
#   cmdline       the command line into argv, virtio_mmio entries,
#                 lib/net's network options
#   dtb           aarch64's device tree reader and its bootargs
#   xenstore      xen's xenstore client against a hostile xenstored
set -u
cd "$(dirname "$0")/../.." || exit 1

secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-net_frames dhcp dns http_request nsock_dns store tls_handshake boot_info \
	cmdline dtb xenstore}
command -v clang >/dev/null || { echo "fuzz: clang is needed" >&2; exit 1; }
make -s fuzz >/dev/null || { make fuzz 2>&1 | tail -n 20; echo "fuzz: build failed" >&2; exit 1; }

max_len() {
	case $1 in
	net_frames | store | xenstore) echo 8192 ;;
	http_request | tls_handshake) echo 20000 ;;
	boot_info | dtb) echo 16384 ;;
	*) echo 1500 ;;
	esac
}

echo "== fuzz: each target ${secs}s, ASan + UBSan — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1))"
printf '   %-13s %12s %9s %7s %8s %8s  %s\n' target inputs "per s" cov corpus seeds finding
fails=0
cpu=0
for t in $targets; do
	bin=build/host/fuzz/$t
	[ -x "$bin" ] || { echo "fuzz: no target $bin" >&2; fails=$((fails + 1)); continue; }
	work=build/fuzz-corpus/$t
	found=build/fuzz-findings/$t
	mkdir -p "$work" "$found"
	log=build/fuzz-findings/$t.log
	seeds=fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout $((secs + 120)) "$bin" -max_total_time="$secs" -max_len="$(max_len "$t")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$found/" \
		"$work" $seeds >"$log" 2>&1
	rc=$?
	cpu=$((cpu + $(date +%s) - t0))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	finding=none
	if [ $rc -ne 0 ] || [ -n "$(ls "$found")" ]; then
		finding="status $rc: $(grep -m1 -o 'ERROR: [A-Za-z]*Sanitizer: [a-z-]*\|runtime error: .*\|ERROR: libFuzzer: [a-z-]*' "$log" | head -c 80) (in $found, log $log)"
		fails=$((fails + 1))
	fi
	printf '   %-13s %12s %9s %7s %8s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" \
		"$(ls "$work" | wc -l)" "$(ls ${seeds:-/nonexistent} 2>/dev/null | wc -l)" "$finding"
done
echo "   (inputs: executed in this run; cov: coverage points reached; corpus: inputs kept in build/fuzz-corpus)"
awk -v s="$cpu" 'BEGIN {printf "   CPU time: %.2f hours (one core at a time)\n", s / 3600}'
if [ $fails -eq 0 ]; then
	echo "fuzz: no finding"
	exit 0
fi
echo "fuzz: $fails target(s) with a finding or an error"
exit 1
