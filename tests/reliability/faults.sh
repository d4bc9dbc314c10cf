#!/bin/sh
# TCP of the direct stack over a faulty link, against Linux, and Linux
# against Linux over the very same tool: keel-faultlink (tools/
# faultlink.c: seeded loss, duplication, reordering, delay and rate, each
# way) between two namespaces.
#
#   keel:  ns A (TAP, 10.0.0.1, Linux: socat)  <-faultlink->  ns B (TAP,
#          the echo image at 10.0.0.2: examples/echo on the linux target)
#   linux: ns C (TAP, 10.0.0.1, Linux: socat)  <-faultlink->  ns D (TAP,
#          10.0.0.2, Linux: socat handing each connection to cat)
#
# For every fault setting, SIZE bytes of random data go through an echo
# connection, both directions at once; what comes back must be
# byte-identical (sha256). The figure is the time it took, as MiB/s each
# way; the table has keel and Linux side by side and their ratio. A
# transfer that does not complete within its bound fails the run (keel)
# or is reported (Linux). The faults are seeded (--seed 7): the n-th frame
# of each direction meets the same fate in both columns.
#
#   sh tests/reliability/faults.sh        (make faults: the whole list, 8 MiB)
#   REL_FAULTS=short sh ...               (make test: a few settings, 1 MiB, keel only)
#
# Variables: REL_FAULTS (all | short | a list of settings, each like
# "loss=5,dup=5,reorder=25,delay=2,rate=20m"), REL_SIZE_KB (8192 for all,
# 1024 for short), REL_PEER (1: also Linux-to-Linux; 0 for short).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/reliability/lib.sh

mode=${REL_FAULTS:-all}
case $mode in
all)
	settings="none loss=1 loss=2 loss=5 loss=10 loss=20 dup=5 dup=20 reorder=25 reorder=50
		delay=10 delay=50 delay=200 rate=100m rate=10m rate=1m
		loss=5,dup=5,reorder=25,delay=20,rate=20m"
	size_kb=${REL_SIZE_KB:-8192}
	peer=${REL_PEER:-1}
	;;
short)
	settings="none loss=1 loss=5 loss=20 dup=20,reorder=50 delay=200 rate=10m"
	size_kb=${REL_SIZE_KB:-1024}
	peer=${REL_PEER:-0}
	;;
*)
	settings=$(printf '%s' "$mode" | tr ' ' '\n')
	size_kb=${REL_SIZE_KB:-8192}
	peer=${REL_PEER:-1}
	;;
esac

[ "$(id -u)" -eq 0 ] || rel_die "faults needs root (network namespaces and TAPs)"
rel_need ip socat sha256sum timeout
make -s app APP=examples/echo >/dev/null || rel_die "build of examples/echo failed"
make -s build/host/bin/keel-launch build/host/bin/keel-faultlink >/dev/null ||
	rel_die "build of keel-launch / keel-faultlink failed"
img=build/linux/apps/echo/echo
launch=build/host/bin/keel-launch
fl=build/host/bin/keel-faultlink

nsa=krf-a-$$
nsb=krf-b-$$
nsc=krf-c-$$
nsd=krf-d-$$
tapa=krfa$$
tapb=krfb$$
tapc=krfc$$
tapd=krfd$$
pid=
flpid=
srvpid=
tmp=$(mktemp -d) || rel_die "mktemp failed"
cleanup() {
	for p in $pid $flpid $srvpid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for n in "$nsa" "$nsb" "$nsc" "$nsd"; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for n in "$nsa" "$nsb" "$nsc" "$nsd"; do
	ip netns add "$n" || rel_die "cannot create namespace $n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
# tap NS TAP [ADDR]
tap() {
	ip -n "$1" tuntap add dev "$2" mode tap || rel_die "cannot create TAP $2"
	[ -n "${3:-}" ] && { ip -n "$1" addr add "$3"/24 dev "$2" || rel_die "cannot address $2"; }
	ip -n "$1" link set "$2" up || rel_die "cannot bring $2 up"
}
tap "$nsa" "$tapa" 10.0.0.1
tap "$nsb" "$tapb" # the image's: no address on the kernel's side
tap "$nsc" "$tapc" 10.0.0.1
tap "$nsd" "$tapd" 10.0.0.2

timeout 7200 ip netns exec "$nsb" "$launch" --net service=tap:"$tapb" "$img" -- \
	--ipv4=10.0.0.2/24 --exit-after=7000 >"$tmp/image" 2>&1 &
pid=$!
if [ "$peer" = 1 ]; then
	timeout 7200 ip netns exec "$nsd" socat -b65536 TCP-LISTEN:7,reuseaddr,fork EXEC:cat \
		>"$tmp/srv" 2>&1 &
	srvpid=$!
fi
tries=0
until grep -q '^echo: listening' "$tmp/image"; do
	tries=$((tries + 1))
	[ $tries -le 100 ] && kill -0 "$pid" 2>/dev/null || rel_die "the echo image did not start: $(cat "$tmp/image")"
	sleep 0.1
done

# flargs SETTING: the faultlink options of "loss=5,dup=5,...".
flargs() {
	[ "$1" = none ] && return 0
	printf '%s\n' "$1" | tr ',' '\n' | while IFS='=' read -r k v; do
		printf -- '--%s %s ' "$k" "$v"
	done
}

# link A B SETTING: (re)starts the faulty link between devices A and B.
link() {
	if [ -n "$flpid" ]; then
		kill -TERM "$flpid" 2>/dev/null
		wait "$flpid" 2>/dev/null
	fi
	: >"$tmp/fl"
	# shellcheck disable=SC2046
	"$fl" --a "$1" --b "$2" $(flargs "$3") --seed 7 --queue 4096 --seconds 3600 \
		>"$tmp/fl" 2>&1 &
	flpid=$!
	tries=0
	until grep -q '^faultlink: ready$' "$tmp/fl"; do
		tries=$((tries + 1))
		[ $tries -le 50 ] && kill -0 "$flpid" 2>/dev/null || rel_die "faultlink did not start: $(cat "$tmp/fl")"
		sleep 0.1
	done
}

# size_for SETTING: bytes to send; heavy loss and tight caps get less,
# so that every run stays within its bound.
size_for() {
	kb=$size_kb
	case ",$1," in
	*,loss=20,*) kb=$((kb / 8)) ;;
	*,loss=10,*) kb=$((kb / 4)) ;;
	*,rate=1m,*) kb=$((kb / 8)) ;;
	esac
	case ",$1," in *,delay=200,*) kb=$((kb / 2)) ;; esac
	[ $kb -lt 64 ] && kb=64
	echo $((kb * 1024))
}

# transfer NS BYTES: echo through the link from NS; prints "SECONDS" or
# "FAIL why".
transfer() {
	head -c "$2" /dev/urandom >"$tmp/in"
	t0=$(date +%s%N)
	limit=$((60 + $2 / 8192)) # at least 8 KiB/s, plus a minute
	if ! timeout "$limit" ip netns exec "$1" socat -t120 -b65536 \
		TCP:10.0.0.2:7,connect-timeout=30 STDIO <"$tmp/in" >"$tmp/back" 2>"$tmp/socat"; then
		echo "FAIL: no end within ${limit}s ($(wc -c <"$tmp/back") of $2 bytes back)"
		return
	fi
	t1=$(date +%s%N)
	if [ "$(sha256sum <"$tmp/in")" != "$(sha256sum <"$tmp/back")" ]; then
		echo "FAIL: bytes differ ($(wc -c <"$tmp/back") of $2 back)"
		return
	fi
	awk -v ns=$((t1 - t0)) 'BEGIN {printf "%.3f", ns / 1e9}'
}

mibs() { # mibs BYTES SECONDS
	awk -v b="$1" -v s="$2" 'BEGIN {if (s > 0) printf "%.2f", b / 1048576 / s; else print "-"}'
}

echo "== faults: echo through keel-faultlink (seed 7), both directions at once — $(rel_machine)"
printf '   %-42s %9s %10s %10s %6s\n' setting size keel-MiB/s linux-MiB/s ratio
fails=0
for s in $settings; do
	bytes=$(size_for "$s")
	link tap:"$tapa@$nsa" packet:"$tapb@$nsb" "$s"
	k=$(transfer "$nsa" "$bytes")
	kr=-
	lr=-
	case $k in
	FAIL*) fails=$((fails + 1)); kr=$k ;;
	*) kr=$(mibs "$bytes" "$k") ;;
	esac
	if [ "$peer" = 1 ]; then
		link tap:"$tapc@$nsc" tap:"$tapd@$nsd" "$s"
		l=$(transfer "$nsc" "$bytes")
		case $l in
		FAIL*) lr=$l ;;
		*) lr=$(mibs "$bytes" "$l") ;;
		esac
	fi
	ratio=$(awk -v a="$kr" -v b="$lr" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-"}')
	printf '   %-42s %8dK %10s %10s %6s\n' "$s" $((bytes / 1024)) "$kr" "$lr" "$ratio"
	kill -0 "$pid" 2>/dev/null || { fails=$((fails + 1)); echo "   the echo image died"; break; }
done
kill -TERM "$flpid" 2>/dev/null
wait "$flpid" 2>/dev/null
flpid=
echo "   (MiB/s each way: the bytes of one direction over the time both took; ratio keel / linux)"
echo
if [ $fails -eq 0 ]; then
	echo "faults: every transfer through the faulty link came back byte-exact"
	exit 0
fi
echo "faults: $fails transfer(s) failed"
exit 1
