#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SYNs of N new connections to TCP/25 from N client ports of 8 clients.

    gen_syn_flood.py OUT.pcap N
"""
import sys

from scapy.all import IP, TCP, Ether, wrpcap

n = int(sys.argv[2])
frames = []
for i in range(n):
    frames.append(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                  IP(src="198.18.1.%d" % (1 + i % 8), dst="198.18.0.2") /
                  TCP(sport=20000 + i, dport=25, flags="S", seq=1000 + i))
wrpcap(sys.argv[1], frames)
