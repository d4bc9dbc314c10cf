# Runs in the domU lane's dom0 (busybox sh) beside examples/echo at
# 10.0.0.2 (tests/xen/domu.t): waits for it to answer ping, then sends a
# line to its TCP echo port and expects it back. Status 1 otherwise.
n=0
until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -lt 60 ] || { echo "no answer to ping in 60 tries"; exit 1; }
done
reply=$(echo "keel echo over netfront" | busybox nc -w 3 10.0.0.2 7)
echo "tcp echo: $reply"
[ "$reply" = "keel echo over netfront" ]
