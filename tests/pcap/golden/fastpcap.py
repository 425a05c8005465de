# SPDX-License-Identifier: BSD-3-Clause
"""Fast frames for the bulk golden cases (cases_hostile.py).

scapy builds and dissects a few thousand frames a second: too slow for a
case of 100k segments. Here frames are bytes built with struct (Ethernet,
IPv4, TCP, checksums), written and read as classic pcap records, and the
output is parsed with a minimal Ethernet/VLAN/IPv4/IPv6/TCP reader. A case
may mix these (timestamp, bytes) records with scapy packets in
Session.frames; test_golden.py writes both.
"""
import socket
import struct
from collections import namedtuple

C_MAC = bytes.fromhex("020000000001")
S_MAC = bytes.fromhex("020000000002")
FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}

Seg = namedtuple("Seg", "src dst sport dport seq ack flags payload")


def csum_add(data, s=0):
    if len(data) % 2:
        data += b"\0"
    return s + sum(struct.unpack("!%dH" % (len(data) // 2), data))


def csum_fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(s, d, flags, seq, ack, data=b"", win=65535):
    """One Ethernet/IPv4/TCP frame of Session s from direction d, as bytes."""
    src, dst = (s.client, s.server) if d == 0 else (s.server, s.client)
    sp, dp = (s.cport, s.sport) if d == 0 else (s.sport, s.cport)
    eth = (S_MAC + C_MAC if d == 0 else C_MAC + S_MAC) + b"\x08\x00"
    sa, da = socket.inet_aton(src), socket.inet_aton(dst)
    fl = sum(FLAGS[c] for c in flags) if isinstance(flags, str) else flags
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq % 2**32, ack % 2**32, 5 << 4, fl, win, 0, 0)
    ph = sa + da + struct.pack("!BBH", 0, 6, 20 + len(data))
    c = csum_fold(csum_add(data, csum_add(tcp, csum_add(ph))))
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 1, 0, 64, 6, 0, sa, da)
    ip = ip[:10] + struct.pack("!H", csum_fold(csum_add(ip))) + ip[12:]
    return eth + ip + tcp + data


def emit(s, d, flags, seq, ack, data=b""):
    """Appends a fast frame to s.frames at s.t (1 step later after)."""
    s.frames.append((s.t, frame(s, d, flags, seq, ack, data)))
    s.t += s.step


def send(s, d, data, size):
    """data from direction d in segments of size bytes (fast frames)."""
    for off in range(0, len(data), size):
        emit(s, d, "PA", s.seq[d] + off, s.seq[1 - d], data[off:off + size])
    s.seq[d] += len(data)


def write_pcap(path, frames):
    """Frames: scapy packets (time from .time) or (time, bytes) records."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for fr in frames:
            if isinstance(fr, tuple):
                t, b = fr
            else:
                t, b = float(fr.time), bytes(fr)
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(struct.pack("<IIII", sec, usec, len(b), len(b)))
            f.write(b)


def read_pcap(path):
    """Records of a classic pcap (micro- or nanosecond): a list of bytes."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from(end + "I", data, off + 8)[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def tcp_view(b):
    """The TCP fields of an Ethernet frame, or None (not TCP, a fragment)."""
    if len(b) < 14:
        return None
    et, off = struct.unpack_from("!H", b, 12)[0], 14
    while et in (0x8100, 0x88A8) and off + 4 <= len(b):
        et, off = struct.unpack_from("!H", b, off + 2)[0], off + 4
    if et == 0x0800 and off + 20 <= len(b):
        ihl = (b[off] & 15) * 4
        tot = struct.unpack_from("!H", b, off + 2)[0]
        frag = struct.unpack_from("!H", b, off + 6)[0]
        if b[off + 9] != 6 or frag & 0x3FFF:
            return None
        src, dst = socket.inet_ntoa(b[off + 12:off + 16]), socket.inet_ntoa(b[off + 16:off + 20])
        l4, end = off + ihl, off + tot
    elif et == 0x86DD and off + 40 <= len(b):
        if b[off + 6] != 6:
            return None
        src = socket.inet_ntop(socket.AF_INET6, b[off + 8:off + 24])
        dst = socket.inet_ntop(socket.AF_INET6, b[off + 24:off + 40])
        l4, end = off + 40, off + 40 + struct.unpack_from("!H", b, off + 4)[0]
    else:
        return None
    if l4 + 20 > len(b):
        return None
    sp, dp, seq, ack, doff, fl = struct.unpack_from("!HHIIBB", b, l4)
    return Seg(src, dst, sp, dp, seq, ack, fl, bytes(b[l4 + (doff >> 4) * 4:end]))


def streams(segs, client_port):
    """As session.streams, over tcp_view() results: {0: c2s, 1: s2c}."""
    parts = {0: {}, 1: {}}
    isn = {}
    for t in segs:
        if t is None or client_port not in (t.sport, t.dport):
            continue
        d = 0 if t.sport == client_port else 1
        if t.flags & 0x02:
            isn[d] = t.seq
            continue
        if t.payload and d in isn:
            parts[d].setdefault((t.seq - isn[d] - 1) % 2**32, t.payload)
    out = {}
    for d in (0, 1):
        buf = bytearray()
        for rel in sorted(parts[d]):
            if rel > len(buf):
                break
            buf[rel:rel + len(parts[d][rel])] = parts[d][rel]
        out[d] = bytes(buf)
    return out
