#!/bin/sh
# ARP against the direct stack: arping gets answers from the image's MAC;
# the image announced itself (gratuitous ARP) and is in the kernel's
# neighbour table after traffic; an address nobody has stays unanswered.
set -u
. tests/lib.sh
. tests/net/netns.sh

net_start arp 30
net_require arping

out=$(in_ns timeout 15 arping -c 3 -w 10 -I "$net_tap" 10.0.0.2 2>&1) ||
	fail "arping got no answer: $out"
printf '%s\n' "$out" | tail -3
replies=$(printf '%s\n' "$out" | grep -c 'from 10.0.0.2')
[ "$replies" -ge 3 ] || fail "arping: $replies replies, want 3"
mac=$(printf '%s\n' "$out" | sed -n 's/.*from 10.0.0.2 \[\([0-9a-fA-F:]*\)\].*/\1/p' | head -1)
case "$mac" in
[0-9a-fA-F][26aAeE]:*) ;;
*) fail "the answering MAC '$mac' is not locally administered" ;;
esac

# Nobody is 10.0.0.3: the image must not answer for it.
if in_ns timeout 10 arping -c 2 -w 3 -I "$net_tap" 10.0.0.3 >/dev/null 2>&1; then
	fail "someone answered ARP for 10.0.0.3"
fi

net_stop
[ "$net_rc" -eq 0 ] || fail "the image exited with $net_rc"
[ "$(net_counter arp_requests_in)" -ge 3 ] || fail "arp_requests_in below 3"
[ "$(net_counter arp_replies_out)" -ge 3 ] || fail "arp_replies_out below 3"
pass "arp: $replies answers from $mac, none for a stranger"
