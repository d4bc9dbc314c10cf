#!/bin/sh
# The short run of the attack suite (tests/reliability/attack.sh; make
# attack runs it with 30 s phases): every attack for 4 s against the www
# image while legitimate clients load it at a fixed rate, the corpus of
# 10,000 malformed frames sent at least once through. Needs root, hping3,
# nmap, python3-scapy. It judges survival and failed requests; the shares
# served during each attack are printed, and judged against the goals by
# the long run (make attack), since 4 s at a fixed rate on a shared
# machine can fall behind for the host's own reasons.
REL_GOALS=${REL_GOALS:-survival} REL_SECONDS=${REL_SECONDS:-4} REL_NMAP_PORTS=${REL_NMAP_PORTS:-T:1-200,U:53,68} \
	exec sh tests/reliability/attack.sh
