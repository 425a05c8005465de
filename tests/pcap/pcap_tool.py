#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Small pcap utilities for the tests (stdlib only, fast to start).

    pcap_tool.py fix IN OUT        loopback/raw -> Ethernet, then recompute the
                                   IPv4 header and TCP/UDP checksums (what a
                                   capture taken with checksum offload lacks)
    pcap_tool.py badsum FILE...    print frames whose IPv4/TCP/UDP checksum is
                                   wrong ("file:frame: what"); exit 1 if any
    pcap_tool.py offers FILE       count EHLO lines offering STARTTLS sent
                                   from TCP port 25
    pcap_tool.py frames OUT N      write N broadcast frames of EtherType
                                   0x88b5 (no IP: forwarded untouched)
"""
import struct
import sys

from pcap_compare import read_pcap, strip_link

ETH_HDR = bytes.fromhex("020000000002020000000001")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def locate(frame):
    """(ip_off, version) of the IP header in an Ethernet frame, or None."""
    off, et = 12, frame[12:14]
    while et in (b"\x81\x00", b"\x88\xa8") and len(frame) >= off + 6:
        off += 4
        et = frame[off:off + 2]
    if et == b"\x08\x00":
        return off + 2, 4
    if et == b"\x86\xdd":
        return off + 2, 6
    return None


def l4(frame):
    """(ip_off, ver, l4_off, proto, l4_len, pseudo) or None (fragments too)."""
    loc = locate(frame)
    if loc is None:
        return None
    ip, ver = loc
    if ver == 4:
        if len(frame) < ip + 20:
            return None
        ihl = (frame[ip] & 15) * 4
        total = struct.unpack("!H", frame[ip + 2:ip + 4])[0]
        if struct.unpack("!H", frame[ip + 6:ip + 8])[0] & 0x3FFF or ip + total > len(frame):
            return None
        proto, ln = frame[ip + 9], total - ihl
        pseudo = frame[ip + 12:ip + 20] + struct.pack("!BBH", 0, proto, ln)
        return ip, 4, ip + ihl, proto, ln, pseudo
    if len(frame) < ip + 40:
        return None
    plen = struct.unpack("!H", frame[ip + 4:ip + 6])[0]
    proto = frame[ip + 6]
    if proto not in (6, 17) or ip + 40 + plen > len(frame):
        return None
    pseudo = frame[ip + 8:ip + 40] + struct.pack("!IxxxB", plen, proto)
    return ip, 6, ip + 40, proto, plen, pseudo


def fix(frame):
    f = bytearray(frame)
    loc = locate(f)
    if loc and loc[1] == 4 and len(f) >= loc[0] + 20:
        ip = loc[0]
        ihl = (f[ip] & 15) * 4
        f[ip + 10:ip + 12] = b"\0\0"
        f[ip + 10:ip + 12] = struct.pack("!H", 0xFFFF - csum(bytes(f[ip:ip + ihl])))
    x = l4(bytes(f))
    if x and x[3] in (6, 17):
        ip, ver, o, proto, ln, pseudo = x
        co = o + (16 if proto == 6 else 6)
        if co + 2 <= o + ln:
            f[co:co + 2] = b"\0\0"
            v = 0xFFFF - csum(pseudo + bytes(f[o:o + ln]))
            if proto == 17 and v == 0:
                v = 0xFFFF
            f[co:co + 2] = struct.pack("!H", v)
    return bytes(f)


def bad(frame):
    loc = locate(frame)
    if loc and loc[1] == 4 and len(frame) >= loc[0] + 20:
        ihl = (frame[loc[0]] & 15) * 4
        if csum(frame[loc[0]:loc[0] + ihl]) != 0xFFFF:
            return "ipv4 header checksum"
    x = l4(frame)
    if x and x[3] in (6, 17):
        ip, ver, o, proto, ln, pseudo = x
        if proto == 17 and ver == 4 and frame[o + 6:o + 8] == b"\0\0":
            return None
        if csum(pseudo + frame[o:o + ln]) != 0xFFFF:
            return "tcp checksum" if proto == 6 else "udp checksum"
    return None


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "fix":
        lt, frames = read_pcap(args[0])
        if lt != 1:
            frames = [ETH_HDR + (b"\x86\xdd" if (strip_link(lt, fr)[:1] or b"\0")[0] >> 4 == 6
                                 else b"\x08\x00") + strip_link(lt, fr) for fr in frames]
        write_pcap(args[1], [fix(fr) for fr in frames])
        return 0
    if cmd == "badsum":
        rc = 0
        for path in args:
            lt, frames = read_pcap(path)
            for i, fr in enumerate(frames):
                why = bad(fr)
                if why:
                    print("%s:%d: %s" % (path, i + 1, why))
                    rc = 1
        return rc
    if cmd == "offers":
        n = 0
        for fr in read_pcap(args[0])[1]:
            x = l4(fr)
            if x and x[3] == 6 and struct.unpack("!H", fr[x[2]:x[2] + 2])[0] == 25:
                doff = (fr[x[2] + 12] >> 4) * 4
                p = fr[x[2] + doff:x[2] + x[4]].upper()
                n += p.count(b"250-STARTTLS") + p.count(b"250 STARTTLS")
        print(n)
        return 0
    if cmd == "frames":
        write_pcap(args[0], [b"\xff" * 6 + bytes([2, 0, 0, 0, 0, i % 256]) + b"\x88\xb5" + bytes(46)
                             for i in range(int(args[1]))])
        return 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
