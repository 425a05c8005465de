#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A capture of N SYNs to 198.18.0.2:25 from distinct spoofed sources
(198.19.0.0/16 and ports), 1 µs apart, each with MSS, SACK-permitted and
window scale: what a SYN flood looks like to the box.

    gen_syns.py OUT.pcap N
"""
import random
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(1)
    dst = bytes([198, 18, 0, 2])
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    opts = bytes([2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7])  # MSS 1460, SACK-perm, NOP, WS 7
    opts += b"\x01\x01"  # pad to 12
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            src = bytes([198, 19, (i >> 8) & 0xff, i & 0xff])
            sport = 1024 + (i >> 16) * 7 % 60000
            tcp = struct.pack("!HHIIBBHHH", sport, 25, rnd.getrandbits(32), 0, (5 + 3) << 4,
                              0x02, 64240, 0, 0) + opts
            ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
            tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0x4000, 64, 6,
                             0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            frame = eth + ip + tcp
            t = 1700000000 * 10**6 + i
            f.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(frame), len(frame)) + frame)


if __name__ == "__main__":
    main()
