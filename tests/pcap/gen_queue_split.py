#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the captures of the queue-per-worker test: connections split over
two RX queues of each port as a NIC with smtpwall's symmetric RSS key would
(an independent Toeplitz hash here, not lib/rss), and one connection put on
the other queue, which smtpwall must count (wrong_queue) and not forward.

    gen_queue_split.py OUTDIR

OUTDIR/{in,out}_q{0,1}.pcap: client frames (inside port) and server frames
(outside port) of queue 0 and 1; OUTDIR/expect: "frames misplaced flows".
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_frames import C4, S4, C6, S6, tcp_session  # noqa: E402
from scapy.all import IP, IPv6, UDP, Ether, Raw, wrpcap  # noqa: E402

KEY = bytes([0x6d, 0x5a] * 20)
RETA = 128


def toeplitz(data, key=KEY):
    k = int.from_bytes(key, "big")
    klen = len(key) * 8
    h = 0
    for i in range(len(data) * 8):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (k >> (klen - 32 - i)) & 0xffffffff
    return h


def queue_of(frame, nq=2):
    ip = frame[IP] if IP in frame else frame[IPv6]
    import socket
    fam = socket.AF_INET if IP in frame else socket.AF_INET6
    data = socket.inet_pton(fam, ip.src) + socket.inet_pton(fam, ip.dst)
    l4 = ip.payload
    if l4.name in ("TCP", "UDP"):
        data += l4.sport.to_bytes(2, "big") + l4.dport.to_bytes(2, "big")
    return (toeplitz(data) % RETA) % nq


def self_check():
    """Microsoft's first IPv4 vector (default key), so the oracle is right."""
    ms = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                       "6a42b73bbeac01fa")
    data = bytes([66, 9, 149, 187, 161, 142, 100, 80]) + (2794).to_bytes(2, "big") + \
        (1766).to_bytes(2, "big")
    if toeplitz(data, ms) != 0x51ccc178:
        sys.exit("toeplitz oracle wrong: %08x" % toeplitz(data, ms))


def main():
    self_check()
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    flows = []
    for i in range(24):
        if i % 4 == 1:
            flows.append(tcp_session(C6, S6, 41000 + i, l3=IPv6))
        elif i % 4 == 2:
            flows.append(tcp_session(C4, S4, 41000 + i, vlan=100))
        else:
            flows.append(tcp_session(C4, S4, 41000 + i))
    udp = []
    for d in range(3):
        src_is_client = d != 1
        e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        ip = IP(src=C4, dst=S4) if src_is_client else IP(src=S4, dst=C4)
        sp, dp = (5353, 53) if src_is_client else (53, 5353)
        udp.append(e / ip / UDP(sport=sp, dport=dp) / Raw(b"q" * 20))
    flows.append(udp)
    files = {(side, q): [] for side in ("in", "out") for q in (0, 1)}
    queues = [0, 0]
    for fl in flows:
        q = queue_of(fl[0])
        for f in fl:
            if queue_of(f) != q:
                sys.exit("hash not symmetric: %r" % f.summary())
        queues[q] += 1
    if 0 in queues:
        sys.exit("every flow on one queue: %r" % queues)
    misplaced = flows[0]
    for fl in flows:
        q = queue_of(fl[0])
        if fl is misplaced:
            q = 1 - q
        for f in fl:
            src = f[IP].src if IP in f else f[IPv6].src
            side = "in" if src in (C4, C6) else "out"
            files[(side, q)].append(f)
    for (side, q), frames in files.items():
        wrpcap(os.path.join(out, "%s_q%d.pcap" % (side, q)), frames)
    total = sum(len(fl) for fl in flows)
    with open(os.path.join(out, "expect"), "w") as fh:
        fh.write("%d %d %d\n" % (total, len(misplaced), len(flows) - 1))


if __name__ == "__main__":
    main()
