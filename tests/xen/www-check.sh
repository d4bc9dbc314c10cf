# Runs in the domU lane's dom0 (busybox sh, curl) beside examples/www at
# 10.0.0.2 (tests/xen/domu.t): waits for it to answer ping, then pings
# it and fetches its front page over HTTP (a redirect to HTTPS) and over
# HTTPS, trusting the development CA the lane copies to /ca.crt. Any
# failure ends it with status 1.
#
# dom0's own programs sometimes die of a segmentation fault in this lane
# (Linux as a PV dom0 under QEMU's TCG; xl's monitoring child has too),
# whatever the domain does. A curl killed by a signal (status above 128)
# is therefore run once more, saying so; a curl that fails (no answer,
# wrong certificate, timeout: statuses below 128) fails the check.
client() {
	"$@"
	st=$?
	if [ $st -gt 128 ]; then
		echo "the client died of signal $((st - 128)) in dom0; once more"
		"$@"
		st=$?
	fi
	return $st
}

n=0
until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -lt 60 ] || { echo "no answer to ping in 60 tries"; exit 1; }
done
ping -c 3 10.0.0.2 || exit 1
client curl -sS -m 30 -o /tmp/http -w 'http %{http_code} %{time_total} s\n' http://10.0.0.2/ || exit 1
[ -r /ca.crt ] || { echo "no /ca.crt"; exit 1; }
client curl -sS -m 60 --cacert /ca.crt --resolve localhost:443:10.0.0.2 -o /tmp/https \
	-w 'https %{http_code} %{time_total} s\n' https://localhost/ || exit 1
echo "page: $(grep -c . /tmp/https) lines, title: $(sed -n 's/.*<title>\(.*\)<\/title>.*/\1/p' /tmp/https)"
