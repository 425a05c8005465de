#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes a capture of N complete SMTP sessions, interleaved, for the
offline benchmark (stdlib only: fast enough for 100k sessions).

    gen_sessions.py OUT.pcap N [BODY_BYTES]

Each session: handshake, banner, EHLO and its reply, MAIL, RCPT, DATA, a
body of BODY_BYTES in 1448-byte segments with ACKs, QUIT, FIN both ways.
Checksums are correct; 64 sessions are in flight at a time.
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return 0xFFFF - s


def frame(src, dst, sp, dp, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                      65535, 0, 0)
    ph = src + dst + struct.pack("!BBH", 0, 6, 20 + len(data))
    c = csum(ph + tcp + data)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002020000000001" if sp != 25 else "020000000001020000000002")
    return eth + b"\x08\x00" + ip + tcp + data


def session(i, body):
    c = bytes([198, 18, (i >> 8) & 255, i & 255])
    s = bytes([198, 19, 0, 1])
    cp = 1024 + (i % 60000)
    cs, ss = 1000, 5000
    out = []

    def cli(data, flags=0x18):
        nonlocal cs
        out.append(frame(c, s, cp, 25, cs, ss, flags, data))
        cs += len(data)

    def srv(data, flags=0x18):
        nonlocal ss
        out.append(frame(s, c, 25, cp, ss, cs, flags, data))
        ss += len(data)

    out.append(frame(c, s, cp, 25, cs, 0, 0x02))
    cs += 1
    out.append(frame(s, c, 25, cp, ss, cs, 0x12))
    ss += 1
    out.append(frame(c, s, cp, 25, cs, ss, 0x10))
    srv(b"220 mx.example.com ESMTP Postfix\r\n")
    cli(b"EHLO client.example.org\r\n")
    srv(b"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"
        b"250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n")
    cli(b"MAIL FROM:<sender%d@example.org>\r\n" % i)
    srv(b"250 2.1.0 Ok\r\n")
    cli(b"RCPT TO:<rcpt@example.com>\r\n")
    srv(b"250 2.1.5 Ok\r\n")
    cli(b"DATA\r\n")
    srv(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    msg = b"Subject: bench\r\nFrom: a@example.org\r\n\r\n"
    line = b"x" * 76 + b"\r\n"
    msg += line * (body // len(line)) + b".\r\n"
    for off in range(0, len(msg), 1448):
        cli(msg[off:off + 1448])
        if (off // 1448) % 2 == 1:
            out.append(frame(s, c, 25, cp, ss, cs, 0x10))
    srv(b"250 2.0.0 Ok: queued\r\n")
    cli(b"QUIT\r\n")
    srv(b"221 2.0.0 Bye\r\n")
    out.append(frame(c, s, cp, 25, cs, ss, 0x11))
    cs += 1
    out.append(frame(s, c, 25, cp, ss, cs, 0x11))
    ss += 1
    out.append(frame(c, s, cp, 25, cs, ss, 0x10))
    return out


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    body = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 0
        for base in range(0, n, 64):
            sess = [session(i, body) for i in range(base, min(n, base + 64))]
            k = 0
            while any(sess):
                for q in sess:
                    if q:
                        fr = q.pop(0)
                        t += 1
                        f.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000,
                                            len(fr), len(fr)))
                        f.write(fr)
                k += 1


if __name__ == "__main__":
    main()
