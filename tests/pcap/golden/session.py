# SPDX-License-Identifier: BSD-3-Clause
"""Builds TCP/SMTP sessions as frames for golden pcap cases (scapy).

A Session keeps both directions' sequence numbers and emits Ethernet
frames: the handshake, data split into chosen segments, out-of-order and
retransmitted copies, FIN. Timestamps advance 1 ms per frame.
"""
from scapy.all import IP, IPv6, TCP, Dot1Q, Ether, Raw

C_MAC, S_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"


class Session:
    def __init__(self, client="198.18.0.1", server="198.18.0.2", cport=40000, sport=25,
                 isn_c=1000, isn_s=5000, v6=False, vlan=None, t0=1700000000.0, step=0.001):
        self.client, self.server = client, server
        self.cport, self.sport = cport, sport
        self.seq = [isn_c, isn_s]  # next seq to send, per direction (0 = client)
        self.isn = [isn_c, isn_s]
        self.v6, self.vlan = v6, vlan
        self.t = t0
        self.step = step
        self.frames = []

    def frame(self, d, flags, seq, ack, data=b""):
        src_mac, dst_mac = (C_MAC, S_MAC) if d == 0 else (S_MAC, C_MAC)
        e = Ether(src=src_mac, dst=dst_mac)
        if self.vlan is not None:
            e = e / Dot1Q(vlan=self.vlan)
        l3 = IPv6 if self.v6 else IP
        ip = (l3(src=self.client, dst=self.server) if d == 0
              else l3(src=self.server, dst=self.client))
        sp, dp = (self.cport, self.sport) if d == 0 else (self.sport, self.cport)
        p = e / ip / TCP(sport=sp, dport=dp, flags=flags, seq=seq % 2**32, ack=ack % 2**32,
                         window=65535)
        if data:
            p = p / Raw(data)
        p.time = self.t
        self.t += self.step
        return p

    def emit(self, f):
        self.frames.append(f)
        return f

    def handshake(self):
        self.emit(self.frame(0, "S", self.seq[0], 0))
        self.seq[0] += 1
        self.emit(self.frame(1, "SA", self.seq[1], self.seq[0]))
        self.seq[1] += 1
        self.emit(self.frame(0, "A", self.seq[0], self.seq[1]))
        return self

    def segments(self, d, data, sizes=None):
        """Frames for data from direction d, split by sizes (not emitted)."""
        sizes = list(sizes or [len(data)])
        out, off = [], 0
        while off < len(data):
            n = sizes.pop(0) if sizes else len(data) - off
            chunk = data[off:off + n]
            out.append(self.frame(d, "PA", self.seq[d] + off, self.seq[1 - d], chunk))
            off += len(chunk)
        self.seq[d] += len(data)
        return out

    def send(self, d, data, sizes=None, order=None):
        segs = self.segments(d, data, sizes)
        for i in (order or range(len(segs))):
            self.emit(segs[i])
        return segs

    def c(self, data, sizes=None, order=None):
        return self.send(0, data, sizes, order)

    def s(self, data, sizes=None, order=None):
        return self.send(1, data, sizes, order)

    def ack(self, d):
        """A pure ACK from direction d acknowledging everything so far."""
        return self.emit(self.frame(d, "A", self.seq[d], self.seq[1 - d]))

    def raw(self, d, rel_seq, data, flags="PA"):
        """A segment at an explicit offset from d's ISN+1 (retransmissions)."""
        return self.emit(self.frame(d, flags, self.isn[d] + 1 + rel_seq, self.seq[1 - d], data))

    def close(self):
        self.emit(self.frame(0, "FA", self.seq[0], self.seq[1]))
        self.seq[0] += 1
        self.emit(self.frame(1, "FA", self.seq[1], self.seq[0]))
        self.seq[1] += 1
        self.emit(self.frame(0, "A", self.seq[0], self.seq[1]))
        return self


def streams(frames, client_port=None):
    """Reassembles the payload of each direction by sequence number.

    Returns {0: bytes, 1: bytes} (0 = client to server), keeping the first
    copy of every byte; a gap ends the stream there.
    """
    segs = {0: {}, 1: {}}
    isn = {}
    for f in frames:
        if TCP not in f:
            continue
        t = f[TCP]
        if client_port is not None and client_port not in (t.sport, t.dport):
            continue  # another connection
        d = 0 if (client_port is None and t.dport == 25) or t.sport == client_port else 1
        if t.flags & 0x02:
            isn[d] = t.seq
            continue
        data = bytes(t.payload)
        if data and d in isn:
            rel = (t.seq - isn[d] - 1) % 2**32
            segs[d].setdefault(rel, data)
    out = {}
    for d in (0, 1):
        buf = bytearray()
        for rel in sorted(segs[d]):
            data = segs[d][rel]
            if rel > len(buf):
                break
            buf[rel:rel + len(data)] = data
        out[d] = bytes(buf)
    return out
