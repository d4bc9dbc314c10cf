#!/usr/bin/python3
"""Hostile frames for the attack suite (tests/reliability/attack.sh).

    frames.py corpus --seed N --count N --out FILE.pcap --dst-mac MAC --dst IP
    frames.py send   --iface IF --pcap FILE [--seconds S] [--pps N] [--mac OLD=NEW]
    frames.py arp-flood --iface IF --dst IP --seconds S [--seed N]

corpus: at least --count distinct malformed or hostile frames, the same
    bytes for the same seed, addressed to the image (its MAC, or broadcast,
    its IPv4 address), written as a pcap file. Each is made well-formed by
    scapy, then broken in one or a few ways picked by the seeded generator:
    Ethernet (runts, odd types, VLAN tags, padding), IPv4 (version, header
    length, total length, checksum, options, fragments that overlap, run
    past 64 KiB or never complete, TTL 0, odd addresses), TCP (every flag
    combination, data offsets, broken and hostile options, checksums,
    segments out of any window), UDP (lengths, checksums, DHCP replies with
    broken option lists, DNS answers with compression loops and bad labels),
    ICMP (every type and code, errors quoting forged headers of the image's
    own connections, fragmentation-needed with tiny MTUs) and ARP (bad
    sizes, opcodes, requests from odd senders). Prints one line: how many
    of each family.
send: writes the frames of a pcap file onto IF (AF_PACKET), in order,
    cycling until --seconds pass (at least once through), at most --pps a
    second (0: as fast as it goes). Prints "sent N frames in T s".
arp-flood: ARP requests for --dst and gratuitous replies, from random MAC
    addresses and random senders in the /24 of --dst (never its .1, the
    legitimate client, nor --dst itself: poisoning a peer's entry on a
    flat link is out of any stack's reach), for --seconds.

No frame ever claims 10.0.0.1's or the image's own address as its sender
in ARP, so the legitimate client's traffic is not hijacked; every other
field is fair game.
"""
import argparse
import random
import signal
import socket
import struct
import sys
import time

try:
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP,
                           Dot1Q, Ether, Raw, raw)
except ImportError:
    sys.stderr.write("frames.py: scapy is needed (Debian: python3-scapy)\n")
    sys.exit(2)

CLIENT = "10.0.0.1"


def rnd_mac(r):
    b = [r.randrange(256) for _ in range(6)]
    b[0] = (b[0] & 0xFE) | 0x02  # unicast, locally administered
    return ":".join("%02x" % x for x in b)


def rnd_peer(r, dst):
    """A source address on the image's /24 other than the client and the image."""
    base = dst.rsplit(".", 1)[0]
    while True:
        h = r.randrange(3, 255)
        a = "%s.%d" % (base, h)
        if a != dst:
            return a


def rnd_src(r, dst):
    """Mostly peers of the subnet, sometimes odd or off-subnet addresses."""
    c = r.random()
    if c < 0.7:
        return rnd_peer(r, dst)
    return r.choice(["0.0.0.0", "255.255.255.255", "127.0.0.1", "224.0.0.1",
                     "10.0.0.255", "10.0.0.0", "192.0.2.%d" % r.randrange(256),
                     "%d.%d.%d.%d" % tuple(r.randrange(256) for _ in range(4))])


def corrupt(r, b, start=0):
    """Flips, cuts or extends a few bytes of b from offset start."""
    b = bytearray(b)
    for _ in range(r.randrange(1, 4)):
        op = r.randrange(4)
        if op == 0 and len(b) > start:
            i = r.randrange(start, len(b))
            b[i] ^= 1 << r.randrange(8)
        elif op == 1 and len(b) > start:
            i = r.randrange(start, len(b))
            b[i] = r.choice([0, 0xFF, 0x7F, 0x80, r.randrange(256)])
        elif op == 2 and len(b) > start + 1:
            del b[r.randrange(start, len(b)):]
        else:
            b += bytes(r.randrange(256) for _ in range(r.randrange(1, 64)))
    return bytes(b)


def tcp_options(r):
    kinds = [
        [("MSS", r.choice([0, 1, 64, 535, 536, 1460, 65535]))],
        [("WScale", r.choice([0, 14, 15, 200, 255]))],
        [("SAckOK", b"")],
        [("Timestamp", (r.randrange(2**32), r.randrange(2**32)))],
        [("SAck", (r.randrange(2**32), r.randrange(2**32)))],
        [("NOP", None)] * r.randrange(1, 40),
        [("EOL", None)],
    ]
    opts = []
    for _ in range(r.randrange(1, 4)):
        opts += r.choice(kinds)
    return opts


def raw_tcp_options(r):
    """Option bytes scapy would refuse to build: zero and huge lengths."""
    pick = r.randrange(6)
    if pick == 0:
        o = bytes([2, 0, 5, 0xB4])  # MSS with length 0
    elif pick == 1:
        o = bytes([2, 40]) + bytes(2)  # a length past the header
    elif pick == 2:
        o = bytes([5, 2])  # SACK with no block
    elif pick == 3:
        o = bytes([8, 3, 0])  # timestamp cut short
    elif pick == 4:
        o = bytes([r.randrange(256), 1])  # length 1
    else:
        o = bytes(r.randrange(256) for _ in range(r.randrange(1, 40)))
    o = o[:40]
    return o + bytes((4 - len(o) % 4) % 4)


def dns_name_bomb(r):
    pick = r.randrange(4)
    if pick == 0:  # a compression pointer to itself
        return b"\xc0\x0c"
    if pick == 1:  # a label longer than 63
        return bytes([64 + r.randrange(128)]) + b"a" * 10 + b"\x00"
    if pick == 2:  # a pointer past the message
        return b"\xff\xff"
    return b"\x3fx" * 5  # labels that run out of the message


def ip_checksum(h):
    if len(h) % 2:
        h += b"\0"
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_with_options(packet, opt):
    """packet (an IPv4 header of 20 bytes and what follows) with option
    bytes opt (a multiple of 4, at most 40) inserted, lengths and checksum
    made right, so that only the options are hostile."""
    h = bytearray(packet[:20]) + opt
    h[0] = 0x40 | (len(h) // 4)
    struct.pack_into("!H", h, 2, len(h) + len(packet) - 20)
    struct.pack_into("!H", h, 10, 0)
    struct.pack_into("!H", h, 10, ip_checksum(bytes(h)))
    return bytes(h) + packet[20:]


def frame_ether(r, mac, dst):
    kind = r.randrange(5)
    if kind == 0:
        return bytes(r.randrange(256) for _ in range(r.randrange(0, 14)))  # runt
    if kind == 1:
        return raw(Ether(dst=mac, src=rnd_mac(r), type=r.randrange(0x10000)) /
                   Raw(bytes(r.randrange(256) for _ in range(r.randrange(0, 80)))))
    if kind == 2:
        return raw(Ether(dst=mac, src=rnd_mac(r)) / Dot1Q(vlan=r.randrange(4096)) /
                   IP(src=rnd_src(r, dst), dst=dst) / ICMP())
    if kind == 3:  # a frame of another host, then one to a multicast MAC
        other = r.choice([rnd_mac(r), "01:00:5e:00:00:01", "33:33:00:00:00:01"])
        return raw(Ether(dst=other, src=rnd_mac(r)) / IP(src=rnd_src(r, dst), dst=dst) / ICMP())
    # IPv4 with lots of trailing padding
    return raw(Ether(dst=mac, src=rnd_mac(r)) / IP(src=rnd_src(r, dst), dst=dst) / ICMP() /
               Raw(b"\x00" * r.randrange(1, 1400)))


def frame_ip(r, mac, dst):
    eth = Ether(dst=mac, src=rnd_mac(r))
    src = rnd_src(r, dst)
    kind = r.randrange(8)
    if kind == 0:
        p = IP(src=src, dst=dst, version=r.choice([0, 5, 6, 15])) / ICMP()
    elif kind == 1:
        p = IP(src=src, dst=dst, ihl=r.choice([0, 1, 4, 6, 15])) / ICMP()
    elif kind == 2:
        p = IP(src=src, dst=dst, len=r.choice([0, 1, 19, 20, 21, 1500, 65535])) / ICMP()
    elif kind == 3:
        p = IP(src=src, dst=dst, chksum=r.randrange(0x10000)) / ICMP()
    elif kind == 4:
        opt = bytes(r.randrange(256) for _ in range(r.choice([4, 8, 20, 40])))
        return raw(eth) + ip_with_options(raw(IP(src=src, dst=dst) / ICMP()), opt)
    elif kind == 5:  # fragments: overlapping, past 64 KiB, never completed
        p = IP(src=src, dst=dst, id=r.randrange(0x10000), flags=r.choice([0, 1, 2, 3]),
               frag=r.choice([0, 1, 7, 100, 8000, 8191]), proto=r.choice([1, 6, 17])) / \
            Raw(bytes(r.randrange(256) for _ in range(r.choice([0, 1, 8, 9, 1472]))))
    elif kind == 6:
        p = IP(src=src, dst=dst, ttl=0, proto=r.randrange(256)) / \
            Raw(bytes(r.randrange(256) for _ in range(r.randrange(0, 64))))
    else:
        p = IP(src=src, dst=r.choice([dst, "10.0.0.255", "255.255.255.255", "10.0.0.77"]),
               proto=r.randrange(256)) / Raw(bytes(r.randrange(256) for _ in range(20)))
    b = raw(eth / p)
    if r.random() < 0.3:
        b = corrupt(r, b, 14)
    return b


def frame_tcp(r, mac, dst):
    eth = Ether(dst=mac, src=rnd_mac(r))
    src = rnd_src(r, dst)
    sport = r.randrange(1, 65536)
    dport = r.choice([80, 80, 80, r.randrange(65536)])
    flags = r.randrange(256)
    seq, ack = r.randrange(2**32), r.randrange(2**32)
    payload = bytes(r.randrange(256) for _ in range(r.choice([0, 0, 1, 10, 600, 1400])))
    kind = r.randrange(5)
    if kind == 0:
        t = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
                options=tcp_options(r), window=r.randrange(0x10000), urgptr=r.randrange(0x10000))
        b = raw(eth / IP(src=src, dst=dst) / t / Raw(payload))
    elif kind == 1:  # options scapy would not build
        opts = raw_tcp_options(r)
        t = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
                dataofs=5 + len(opts) // 4) / Raw(opts + payload)
        b = raw(eth / IP(src=src, dst=dst) / t)
    elif kind == 2:  # data offset below 5 or past the segment
        t = TCP(sport=sport, dport=dport, flags=flags, dataofs=r.choice([0, 1, 4, 15]))
        b = raw(eth / IP(src=src, dst=dst) / t / Raw(payload[:8]))
    elif kind == 3:  # checksum wrong
        t = TCP(sport=sport, dport=dport, flags=flags, chksum=r.randrange(0x10000))
        b = raw(eth / IP(src=src, dst=dst) / t / Raw(payload))
    else:  # truncated inside the TCP header
        b = raw(eth / IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags=flags))
        b = b[:14 + 20 + r.randrange(0, 20)]
    if r.random() < 0.2:
        b = corrupt(r, b, 34)
    return b


def frame_udp(r, mac, dst):
    eth = Ether(dst=mac, src=rnd_mac(r))
    src = rnd_src(r, dst)
    kind = r.randrange(5)
    if kind == 0:
        u = UDP(sport=r.randrange(65536), dport=r.randrange(65536),
                len=r.choice([0, 1, 7, 8, 9, 600, 65535]))
        b = raw(eth / IP(src=src, dst=dst) / u / Raw(b"x" * r.randrange(0, 32)))
    elif kind == 1:
        u = UDP(sport=r.randrange(65536), dport=r.choice([7, 53, 68, 80, 123]),
                chksum=r.choice([0, 0xFFFF, r.randrange(0x10000)]))
        b = raw(eth / IP(src=src, dst=dst) / u / Raw(b"y" * r.randrange(0, 64)))
    elif kind == 2:  # a DHCP reply with a broken option list
        opts = [("message-type", r.choice([1, 2, 5, 6, 0, 255])),
                ("server_id", src), ("lease_time", r.randrange(2**32)),
                ("subnet_mask", "255.255.255.%d" % r.randrange(256)), "end"]
        d = BOOTP(op=2, xid=r.randrange(2**32), yiaddr=dst, chaddr=bytes.fromhex(mac.replace(":", ""))) / \
            DHCP(options=opts)
        b = corrupt(r, raw(eth / IP(src=src, dst=r.choice([dst, "255.255.255.255"])) /
                           UDP(sport=67, dport=68) / d), 14 + 20 + 8 + 236)
    elif kind == 3:  # a DNS answer: loops, bad labels, lies
        q = DNS(id=r.randrange(0x10000), qr=1, rd=1, ra=1, qdcount=1, ancount=1,
                qd=DNSQR(qname="keel.test"), an=DNSRR(rrname="keel.test", rdata="10.0.0.9"))
        body = bytearray(raw(q))
        bomb = dns_name_bomb(r)
        i = r.randrange(12, len(body))
        body[i:i + len(bomb)] = bomb
        b = raw(eth / IP(src=src, dst=dst) / UDP(sport=53, dport=r.randrange(1024, 65536)) /
                Raw(bytes(body)))
    else:  # an oversized or truncated datagram
        b = raw(eth / IP(src=src, dst=dst) / UDP(sport=r.randrange(65536), dport=7) /
                Raw(bytes(r.randrange(256) for _ in range(r.choice([0, 1, 1472])))))
        if r.random() < 0.5:
            b = b[:14 + 20 + r.randrange(0, 8)]
    return b


def frame_icmp(r, mac, dst):
    eth = Ether(dst=mac, src=rnd_mac(r))
    src = rnd_src(r, dst)
    kind = r.randrange(4)
    if kind == 0:
        # Built by hand: scapy fills some types' fields (timestamps) from
        # the clock, and the corpus must not depend on it.
        body = bytearray([r.randrange(256), r.randrange(256), 0, 0]) + \
            bytes(r.randrange(256) for _ in range(r.randrange(4, 68)))
        struct.pack_into("!H", body, 2, ip_checksum(bytes(body)))
        p = IP(src=src, dst=dst, proto=1) / Raw(bytes(body))
    elif kind == 1:  # an error quoting a forged segment of the image's own port 80
        inner = IP(src=dst, dst=CLIENT) / TCP(sport=80, dport=r.randrange(1024, 65536),
                                               seq=r.randrange(2**32))
        p = IP(src=r.choice([CLIENT, src]), dst=dst) / \
            ICMP(type=3, code=r.choice([0, 1, 2, 3, 4, 13])) / Raw(raw(inner)[:28])
        if r.random() < 0.5:  # fragmentation needed, with a tiny MTU
            p[ICMP].code = 4
            p[ICMP].nexthopmtu = r.choice([0, 1, 68, 100, 296, 576])
    elif kind == 2:  # redirect, source quench, time exceeded
        inner = IP(src=dst, dst=src) / UDP()
        p = IP(src=src, dst=dst) / ICMP(type=r.choice([4, 5, 11, 12]), code=r.randrange(4)) / \
            Raw(raw(inner))
    else:  # echo with a wrong checksum, or cut short
        p = IP(src=src, dst=dst) / ICMP(type=8, chksum=r.randrange(0x10000)) / Raw(b"ping")
    b = raw(eth / p)
    if r.random() < 0.2:
        b = corrupt(r, b, 34)
    return b


def frame_arp(r, mac, dst):
    bcast = "ff:ff:ff:ff:ff:ff"
    smac = rnd_mac(r)
    kind = r.randrange(4)
    if kind == 0:
        a = ARP(op=r.randrange(0x10000), hwsrc=smac, psrc=rnd_peer(r, dst), pdst=dst)
    elif kind == 1:
        a = ARP(hwlen=r.choice([0, 1, 5, 7, 255]), plen=r.choice([0, 3, 5, 16, 255]),
                hwsrc=smac, psrc=rnd_peer(r, dst), pdst=dst)
    elif kind == 2:
        a = ARP(op=1, hwsrc=r.choice([smac, bcast, "00:00:00:00:00:00"]),
                psrc=r.choice(["0.0.0.0", "255.255.255.255", "224.0.0.1", rnd_peer(r, dst)]),
                pdst=r.choice([dst, "10.0.0.255", "0.0.0.0"]))
    else:
        a = ARP(op=2, hwsrc=smac, psrc=rnd_peer(r, dst), pdst=dst, hwdst=mac)
    b = raw(Ether(dst=r.choice([mac, bcast]), src=smac) / a)
    if r.random() < 0.3:
        b = b[:14 + r.randrange(0, 28)]
    return b


FAMILIES = [("ether", frame_ether, 1), ("ipv4", frame_ip, 3), ("tcp", frame_tcp, 4),
            ("udp-dhcp-dns", frame_udp, 3), ("icmp", frame_icmp, 2), ("arp", frame_arp, 1)]


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, b in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(b), len(b)))
            f.write(b)


def read_pcap(path):
    frames = []
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) != 24 or struct.unpack("<I", head[:4])[0] != 0xA1B2C3D4:
            raise SystemExit("frames.py: %s is not a pcap file of this script" % path)
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            n = struct.unpack("<IIII", h)[2]
            frames.append(f.read(n))
    return frames


def cmd_corpus(a):
    r = random.Random(a.seed)
    # scapy draws a few defaults from the module's generator: seed it too.
    random.seed(a.seed)
    seen, frames, counts = set(), [], {}
    weights = []
    for name, fn, w in FAMILIES:
        weights += [(name, fn)] * w
    tries = 0
    while len(frames) < a.count:
        tries += 1
        if tries > a.count * 20:
            raise SystemExit("frames.py: could not make %d distinct frames" % a.count)
        name, fn = r.choice(weights)
        b = fn(r, a.dst_mac, a.dst)
        # Frames go out on an Ethernet device: at least a header, at most
        # what a TAP takes (a 1500-byte MTU and its header).
        b = b[:1514]
        if len(b) < 14:
            b = b + bytes(14 - len(b))
        if b in seen:
            continue
        seen.add(b)
        frames.append(b)
        counts[name] = counts.get(name, 0) + 1
    write_pcap(a.out, frames)
    print("corpus: %d distinct frames (seed %d): %s" %
          (len(frames), a.seed, ", ".join("%s %d" % (k, counts.get(k, 0)) for k, _, _ in FAMILIES)))


def open_iface(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((name, 0))
    return s


stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


def paced_send(s, frames, seconds, pps):
    """Sends frames in turn for `seconds` (at least once through); never
    blocks on a full queue (the frame is then not counted), and stops
    early on SIGTERM, still reporting what it sent."""
    signal.signal(signal.SIGTERM, on_term)
    t0 = time.monotonic()
    n = 0
    i = 0
    while not stopping:
        now = time.monotonic()
        if n >= len(frames) and now - t0 >= seconds:
            break
        if now - t0 > seconds + 120:  # a hard bound whatever the pace
            break
        if pps and n > (now - t0) * pps:
            time.sleep(min(0.01, n / pps - (now - t0)))
            continue
        try:
            s.send(frames[i], socket.MSG_DONTWAIT)
            n += 1
        except BlockingIOError:
            time.sleep(0.0005)  # the queue is full: try the same frame again
            continue
        except OSError:
            n += 1  # the kernel refused the frame (too short, too long)
        i = (i + 1) % len(frames)
    return n, time.monotonic() - t0


def cmd_send(a):
    frames = read_pcap(a.pcap)
    if not frames:
        raise SystemExit("frames.py: no frames in %s" % a.pcap)
    if a.mac:
        # The corpus names a placeholder MAC; the image's is known only
        # once it runs.
        old, new = (bytes.fromhex(m.replace(":", "")) for m in a.mac.split("="))
        frames = [new + f[6:] if f[:6] == old else f for f in frames]
    n, t = paced_send(open_iface(a.iface), frames, a.seconds, a.pps)
    print("sent %d frames in %.1f s" % (n, t), flush=True)


def cmd_arp_flood(a):
    r = random.Random(a.seed)
    frames = []
    for _ in range(4096):
        smac = rnd_mac(r)
        if r.random() < 0.5:
            p = Ether(dst="ff:ff:ff:ff:ff:ff", src=smac) / ARP(op=1, hwsrc=smac,
                                                               psrc=rnd_peer(r, a.dst), pdst=a.dst)
        else:
            ip = rnd_peer(r, a.dst)
            p = Ether(dst="ff:ff:ff:ff:ff:ff", src=smac) / ARP(op=2, hwsrc=smac, psrc=ip, pdst=ip)
        frames.append(raw(p))
    n, t = paced_send(open_iface(a.iface), frames, a.seconds, a.pps)
    print("sent %d ARP frames in %.1f s" % (n, t), flush=True)


def main():
    ap = argparse.ArgumentParser(prog="frames.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--count", type=int, default=10000)
    c.add_argument("--out", required=True)
    c.add_argument("--dst-mac", required=True)
    c.add_argument("--dst", required=True)
    s = sub.add_parser("send")
    s.add_argument("--iface", required=True)
    s.add_argument("--pcap", required=True)
    s.add_argument("--seconds", type=float, default=0)
    s.add_argument("--pps", type=float, default=0)
    s.add_argument("--mac", help="OLD=NEW: rewrite destination MAC OLD to NEW")
    f = sub.add_parser("arp-flood")
    f.add_argument("--iface", required=True)
    f.add_argument("--dst", required=True)
    f.add_argument("--seconds", type=float, required=True)
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--pps", type=float, default=0)
    a = ap.parse_args()
    {"corpus": cmd_corpus, "send": cmd_send, "arp-flood": cmd_arp_flood}[a.cmd](a)


if __name__ == "__main__":
    main()
