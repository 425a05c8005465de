#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compares the frames of two pcap files (stdlib only).

    pcap_compare.py [--per-flow] [--dlt-null-to-eth] EXPECTED ACTUAL

Default: frame i of ACTUAL equals frame i of EXPECTED, byte for byte, and
the counts match. --per-flow: the same frames, and within each connection
(symmetric 5-tuple) the same order; frames of different connections may
interleave differently (several workers). --dlt-null-to-eth: EXPECTED is a
loopback/raw capture that smtpwall gave an Ethernet header; compare from
the IP header on. --drop-bad-ip4-csum: frames of EXPECTED whose IPv4 header
checksum is wrong (or whose UDP length lies) are not expected in ACTUAL
(the appliance drops them, and they are what the public captures hold).
Exit 0 when equal, 1 with the first difference otherwise.
"""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit("%s: too short" % path)
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise SystemExit("%s: not a classic pcap file" % path)
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return linktype, frames


def strip_link(linktype, frame):
    """The IP packet inside a frame of the given link type."""
    if linktype in (0, 108):
        return frame[4:]
    if linktype in (101, 228, 229):
        return frame
    return frame[14:]


def flow_key(frame):
    """Symmetric key of an Ethernet frame; non-IP frames share one key."""
    off, etype = 12, frame[12:14]
    while etype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= off + 6:
        off += 4
        etype = frame[off:off + 2]
    ip = frame[off + 2:]
    if etype == b"\x08\x00" and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        proto, src, dst = ip[9], ip[12:16], ip[16:20]
        frag = struct.unpack(">H", ip[6:8])[0] & 0x3FFF
        l4 = ip[ihl:]
    elif etype == b"\x86\xdd" and len(ip) >= 40:
        proto, src, dst, frag, l4 = ip[6], ip[8:24], ip[24:40], 0, ip[40:]
    else:
        return ("other",)
    if proto in (6, 17) and not frag and len(l4) >= 4:
        a, b = (src, l4[0:2]), (dst, l4[2:4])
        return (proto,) + tuple(sorted([a, b]))
    return ("other",)


def ip4_header_bad(linktype, frame):
    """True when the frame holds an IPv4 header whose checksum is wrong, or
    a UDP header whose length is impossible: what the appliance drops."""
    if linktype == 1:
        off, etype = 12, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= off + 6:
            off += 4
            etype = frame[off:off + 2]
        if etype != b"\x08\x00":
            return False
        ip = frame[off + 2:]
    else:
        ip = strip_link(linktype, frame)
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return False
    ihl = (ip[0] & 15) * 4
    if ihl < 20 or len(ip) < ihl:
        return False
    s = sum(struct.unpack(">%dH" % (ihl // 2), ip[:ihl]))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    if s != 0xFFFF:
        return True
    # A UDP header whose length field lies (below 8, or beyond the packet).
    total = struct.unpack(">H", ip[2:4])[0]
    first = struct.unpack(">H", ip[6:8])[0] & 0x1FFF == 0
    if ip[9] == 17 and first and len(ip) >= ihl + 8:
        ulen = struct.unpack(">H", ip[ihl + 4:ihl + 6])[0]
        return ulen < 8 or ulen > total - ihl
    return False


def main():
    args = sys.argv[1:]
    per_flow = "--per-flow" in args
    null_to_eth = "--dlt-null-to-eth" in args
    drop_bad_csum = "--drop-bad-ip4-csum" in args
    args = [a for a in args if not a.startswith("--")]
    lt_e, exp = read_pcap(args[0])
    lt_a, act = read_pcap(args[1])
    if drop_bad_csum:
        # The appliance drops these (verify-ipv4-checksum): expect the rest.
        exp = [f for f in exp if not ip4_header_bad(lt_e, f)]
    if null_to_eth:
        exp = [strip_link(lt_e, f) for f in exp]
        act = [strip_link(lt_a, f) for f in act]
    if len(exp) != len(act):
        print("frame count differs: expected %d, got %d" % (len(exp), len(act)))
        return 1
    if per_flow:
        flows_e, flows_a = {}, {}
        for f in exp:
            flows_e.setdefault(flow_key(f), []).append(f)
        for f in act:
            flows_a.setdefault(flow_key(f), []).append(f)
        for k, frames in flows_e.items():
            if flows_a.get(k) != frames:
                print("flow %r differs (%d frames expected, %d got)"
                      % (k, len(frames), len(flows_a.get(k, []))))
                return 1
        return 0
    for i, (e, a) in enumerate(zip(exp, act)):
        if e != a:
            where = next((j for j in range(min(len(e), len(a))) if e[j] != a[j]),
                         min(len(e), len(a)))
            print("frame %d differs at byte %d (lengths %d/%d)" % (i + 1, where, len(e), len(a)))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
