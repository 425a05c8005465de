#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SYN flood for the TCP Intercept test (Debian's python3-scapy).

    syn_flood.py IFACE DST_MAC DST_IP DST_PORT SECONDS [PPS]

Sends SYNs from spoofed sources (198.19.0.0/16, random ports and ISNs) out
of IFACE until SECONDS have passed, at about PPS per second (default
10000: a flood for a 20-SYN limit, within what a shared 2-vCPU test VM
forwards); prints how many it sent.
"""
import random
import sys
import time

import socket

from scapy.all import IP, TCP, Ether


def main():
    iface, dmac, dst, dport, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), \
        float(sys.argv[5])
    pps = float(sys.argv[6]) if len(sys.argv) > 6 else 10000.0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    smac = s.getsockname()[4].hex(":")
    rnd = random.Random(7)
    # A pool of frames, cycled: building each one costs more than sending it.
    pool = [bytes(Ether(src=smac, dst=dmac) /
                  IP(src="198.19.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255)), dst=dst) /
                  TCP(sport=rnd.randrange(1024, 65535), dport=dport, flags="S",
                      seq=rnd.randrange(2**32), options=[("MSS", 1460)]))
            for _ in range(1024)]
    print("syn_flood: flooding", flush=True)
    start = time.time()
    sent, end = 0, start + secs
    while time.time() < end:
        ahead = sent / pps - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
        for f in pool[:256]:
            try:
                s.send(f)
            except OSError:  # the TAP's queue is full: the flood is on
                time.sleep(0.0001)
        sent += 256
        pool = pool[256:] + pool[:256]
    s.close()
    print("syn_flood: sent %d SYNs" % sent, flush=True)


if __name__ == "__main__":
    main()
