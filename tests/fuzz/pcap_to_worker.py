#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Converts a pcap capture into an input of the worker fuzz target
(tests/fuzz/fuzz_worker.c documents the format): an options byte, then
per frame a flags byte (port, time advance), a big-endian u16 length and
the Ethernet frame. Loopback and raw-IP captures get an Ethernet header, as
the offline mode gives them.

    pcap_to_worker.py IN.pcap OUT [--policy N] [--pickup] [--verify-csum]
                      [--max-frames N]

The port of a frame: the endpoint that sent a connection's first SYN is the
client, on the inside port (0); the other side arrives on port 1. Without a
SYN seen, a frame to port 25, 465 or 587 comes from the inside.
No dependency beyond the standard library.
"""
import argparse
import struct
import sys

SMTP_PORTS = (25, 465, 587)
MACS = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1])


def records(path):
    """(timestamp ns, linktype, frame bytes) of each record."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise SystemExit("%s: not a pcap file" % path)
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            endian = ">"
        else:
            raise SystemExit("%s: not a classic pcap file (pcapng: editcap -F pcap)" % path)
        nano = struct.unpack(endian + "I", hdr[:4])[0] == 0xA1B23C4D
        linktype = struct.unpack(endian + "I", hdr[20:24])[0] & 0x0FFFFFFF
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return
            sec, frac, incl, _ = struct.unpack(endian + "IIII", rh)
            data = f.read(incl)
            if len(data) < incl:
                return
            yield sec * 1000000000 + (frac if nano else frac * 1000), linktype, data


def to_ethernet(linktype, data):
    if linktype == 1:
        return data
    if linktype in (0, 108):  # DLT_NULL, DLT_LOOP: a 4-byte family
        fam = struct.unpack("<I", data[:4])[0] if len(data) >= 4 else 0
        et = 0x0800 if fam in (2, 0x02000000) else 0x86DD
        return MACS + struct.pack(">H", et) + data[4:]
    if linktype in (101, 228, 229):  # raw IP
        et = 0x86DD if data and data[0] >> 4 == 6 else 0x0800
        return MACS + struct.pack(">H", et) + data
    return None


def endpoints(frame):
    """(src, sport, dst, dport, syn_only) of a TCP frame, or None."""
    off, et = 14, struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else 0
    while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
        et = struct.unpack(">H", frame[off + 2:off + 4])[0]
        off += 4
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        if frame[off + 9] != 6:
            return None
        src, dst, l4 = frame[off + 12:off + 16], frame[off + 16:off + 20], off + ihl
    elif et == 0x86DD and len(frame) >= off + 40:
        if frame[off + 6] != 6:
            return None
        src, dst, l4 = frame[off + 8:off + 24], frame[off + 24:off + 40], off + 40
    else:
        return None
    if len(frame) < l4 + 14:
        return None
    sport, dport = struct.unpack(">HH", frame[l4:l4 + 4])
    flags = frame[l4 + 13]
    return src, sport, dst, dport, (flags & 0x12) == 0x02


def time_code(delta_ns):
    """The 7-bit time advance closest to delta_ns without passing it much."""
    if delta_ns <= 0:
        return 0
    if delta_ns < 64 * 100000:
        return max(1, min(63, round(delta_ns / 100000)))
    secs = round(delta_ns / 1e9)
    if secs < 64:
        return 63 + max(1, secs)
    return 127 if secs >= 3601 else 126


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("out")
    ap.add_argument("--policy", type=int, default=0, help="policy index (0: default.yaml)")
    ap.add_argument("--pickup", action="store_true", help="midstream pickup")
    ap.add_argument("--verify-csum", action="store_true", help="verify TCP checksums")
    ap.add_argument("--max-frames", type=int, default=400)
    a = ap.parse_args()

    out = bytearray([(a.policy & 0x0F) | (0x40 if a.verify_csum else 0) |
                     (0x80 if a.pickup else 0)])
    clients, last, n = set(), None, 0
    for ts, linktype, data in records(a.pcap):
        frame = to_ethernet(linktype, data)
        if frame is None or len(frame) > 0xFFFF:
            continue
        port = 0
        ep = endpoints(frame)
        if ep is not None:
            src, sport, dst, dport, syn = ep
            if syn:
                clients.add((src, sport))
            if (src, sport) in clients:
                port = 0
            elif (dst, dport) in clients:
                port = 1
            else:
                port = 1 if sport in SMTP_PORTS and dport not in SMTP_PORTS else 0
        code = 0 if last is None else time_code(ts - last)
        last = ts
        out += bytes([code << 1 | port]) + struct.pack(">H", len(frame)) + frame
        n += 1
        if n == a.max_frames:
            break
    with open(a.out, "wb") as f:
        f.write(out)
    print("%s: %d frames, %d bytes -> %s" % (a.pcap, n, len(out), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
