#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the generated captures of the pcap integration tests (scapy).

    gen_frames.py OUTDIR

OUTDIR/passthrough.pcap: every kind of frame a bump in the wire must pass
untouched (ARP, IPv4/IPv6 TCP and UDP, ICMP, 802.1Q, QinQ, IPv4 options,
IPv6 extension headers, fragments, TCP sessions of several connections).
OUTDIR/malformed.pcap: one frame per malformation, each must be dropped;
OUTDIR/malformed.txt: the drop reason expected for each, one per line.
"""
import os
import sys

from scapy.all import (ARP, ICMP, IP, UDP, TCP, Dot1Q, Dot1AD, Ether, IPv6, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt, IPOption_RR,
                       Raw, RawPcapWriter, fragment, wrpcap)

C_MAC, S_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
C4, S4 = "198.18.0.1", "198.18.0.2"
C6, S6 = "2001:db8::1", "2001:db8::2"


def eth(src=C_MAC, dst=S_MAC):
    return Ether(src=src, dst=dst)


def tcp_session(ipc, ips, sport, l3=IP, payloads=(b"EHLO x\r\n",), vlan=None):
    """A small client/server exchange with plausible sequence numbers."""
    def frame(src_is_client, flags, seq, ack, data=b""):
        e = eth() if src_is_client else eth(S_MAC, C_MAC)
        if vlan is not None:
            e = e / Dot1Q(vlan=vlan)
        ip = l3(src=ipc, dst=ips) if src_is_client else l3(src=ips, dst=ipc)
        sp, dp = (sport, 25) if src_is_client else (25, sport)
        return e / ip / TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack) / Raw(data)

    out, cs, ss = [], 1000, 5000
    out.append(frame(True, "S", cs, 0))
    out.append(frame(False, "SA", ss, cs + 1))
    cs += 1
    ss += 1
    out.append(frame(True, "A", cs, ss))
    out.append(frame(False, "PA", ss, cs, b"220 mail.example ESMTP\r\n"))
    ss += 24
    for p in payloads:
        out.append(frame(True, "PA", cs, ss, p))
        cs += len(p)
        out.append(frame(False, "PA", ss, cs, b"250 ok\r\n"))
        ss += 8
    out.append(frame(True, "FA", cs, ss))
    out.append(frame(False, "FA", ss, cs + 1))
    out.append(frame(True, "A", cs + 1, ss + 1))
    return out


def passthrough():
    f = []
    f.append(eth(dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=C4, pdst=S4))
    f.append(eth(S_MAC, C_MAC) / ARP(op=2, psrc=S4, pdst=C4, hwsrc=S_MAC))
    f += tcp_session(C4, S4, 40001)
    f += tcp_session(C6, S6, 40002, l3=IPv6)
    f += tcp_session(C4, S4, 40003, vlan=100)
    f.append(eth() / Dot1AD(vlan=10) / Dot1Q(vlan=20) / IP(src=C4, dst=S4) /
             TCP(sport=40004, dport=25, flags="S"))
    f.append(eth() / Dot1Q(vlan=10) / Dot1Q(vlan=20) / IP(src=C4, dst=S4) /
             TCP(sport=40005, dport=25, flags="S"))
    f.append(eth() / IP(src=C4, dst=S4, options=[IPOption_RR()]) /
             TCP(sport=40006, dport=25, flags="S"))
    f.append(eth() / IP(src=C4, dst=S4) / UDP(sport=5353, dport=53) / Raw(b"q" * 30))
    f.append(eth() / IPv6(src=C6, dst=S6) / UDP(sport=5353, dport=53) / Raw(b"q" * 30))
    f.append(eth() / IP(src=C4, dst=S4) / ICMP() / Raw(b"ping"))
    f.append(eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting() /
             IPv6ExtHdrDestOpt() / TCP(sport=40007, dport=25, flags="S"))
    for fr in fragment(IP(src=C4, dst=S4) / UDP(sport=1, dport=2) / Raw(b"z" * 3000),
                       fragsize=1000):
        f.append(eth() / fr)
    f.append(eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(offset=0, m=1, id=7) /
             TCP(sport=40008, dport=25, flags="PA") / Raw(b"a" * 64))
    f.append(eth() / IPv6(src=C6, dst=S6) / IPv6ExtHdrFragment(offset=9, m=0, id=7, nh=6) /
             Raw(b"b" * 64))
    # Ethernet padding beyond the IP packet must be forwarded as it came.
    f.append(eth() / IP(src=C4, dst=S4) / TCP(sport=40009, dport=25, flags="A") /
             Raw(b"\x00" * 6))
    # Many connections, for the multi-worker (per-flow order) tests.
    for i in range(64):
        f += tcp_session(C4, S4, 41000 + i, payloads=(b"NOOP\r\n", b"QUIT\r\n"))
    return f


def malformed():
    good = eth() / IP(src=C4, dst=S4) / TCP(sport=40001, dport=25, flags="S")
    raw = bytes(good)
    cases = []
    cases.append((raw[:10], "trunc_eth"))
    cases.append((bytes(eth() / Dot1Q(vlan=5))[:16], "trunc_vlan"))
    cases.append((bytes(eth() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) /
                        IP(src=C4, dst=S4)), "vlan_depth"))
    cases.append((raw[:14 + 12], "trunc_ip4"))
    b = bytearray(raw); b[14] = 0x55                      # IHL 5, version 5
    cases.append((bytes(b), "ip4_version"))
    b = bytearray(bytes(eth() / IP(src=C4, dst=S4, ihl=4) / TCP(flags="S")))
    cases.append((bytes(b), "ip4_ihl"))
    cases.append((bytes(eth() / IP(src=C4, dst=S4, len=4000) / TCP(flags="S")), "ip4_totlen"))
    b = bytearray(raw); b[14 + 10] ^= 0xff                # header checksum
    cases.append((bytes(b), "ip4_csum"))
    cases.append((bytes(eth() / IPv6(src=C6, dst=S6) / TCP(flags="S"))[:14 + 30], "trunc_ip6"))
    cases.append((bytes(eth() / IPv6(src=C6, dst=S6, plen=900) / TCP(flags="S")), "ip6_plen"))
    cases.append((bytes(eth() / IP(src=C4, dst=S4) / TCP(flags="S"))[:14 + 20 + 10],
                  "ip4_totlen"))
    cases.append((bytes(eth() / IP(src=C4, dst=S4, len=30) / TCP(flags="S")), "trunc_tcp"))
    cases.append((bytes(eth() / IP(src=C4, dst=S4) / TCP(flags="S", dataofs=3)), "tcp_doff"))
    cases.append((bytes(eth() / IP(src=C4, dst=S4) / TCP(flags="S", dataofs=15)), "tcp_doff"))
    return cases


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    wrpcap(os.path.join(out, "passthrough.pcap"), passthrough())
    cases = malformed()
    w = RawPcapWriter(os.path.join(out, "malformed.pcap"), linktype=1)
    for frame, _ in cases:
        w.write(frame)
    w.close()
    with open(os.path.join(out, "malformed.txt"), "w") as f:
        for _, why in cases:
            f.write(why + "\n")


if __name__ == "__main__":
    main()
