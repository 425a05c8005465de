#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""TCP Intercept golden test: cookie handshakes and a spliced SMTP session,
checked byte for byte.

    test_intercept.py SMTPWALL

Policy: policies/intercept.yaml (embryonic-conn-max 1 on TCP/25, default
inspection). Client A's SYN is admitted and stays half-open, so every later
SYN crosses the limit and is answered by the box. A SYN cookie depends on a
secret and the time, so the test runs twice with the same --cookie-secret
and timestamps: the first run only carries the SYNs and yields the cookies;
the second carries the whole conversation built on them:
  B: valid ACK -> the box's SYN to the server -> the server's SYN-ACK -> a
     spliced, inspected SMTP session (banner masked, an unknown verb X'd),
     every segment translated, closed by FIN both ways;
  C: an ACK with a wrong cookie: dropped, counted;
  D: valid ACK, the server refuses (RST): D gets an RST it accepts;
  E: valid ACK, the server never answers: the SYN goes again after 1, 3
     and 7 s, and after the embryonic timeout E gets an RST;
  F: a cookie handshake with no options at all (MSS 536, no scaling, no SACK);
  G: IPv6, window scales 9 (client) and 5 (server).
A third run with `embryonic-action: drop` checks that the SYNs over the
limit are refused instead.
Every frame the box sends or translates is compared with the frame expected
(scapy builds it; checksums included).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from scapy.all import IP, IPv6, TCP, Ether, Raw, UDP, rdpcap, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = os.path.join(HERE, "policies", "intercept.yaml")
SECRET = "000102030405060708090a0b0c0d0e0f"
C_MAC, S_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
CLIENT, SERVER = "198.18.0.1", "198.18.0.2"
T0 = 1700000000.0
BOX_OPTS = "box"  # placeholder for the options of a frame the box built

BANNER = b"220 mail.example.net ESMTP ready\r\n"
BANNER_MASKED = b"220 " + b"*" * (len(BANNER) - 6) + b"\r\n"
EHLO = b"EHLO client.example\r\n"
EHLO_REPLY = b"250-mail.example.net\r\n250 8BITMIME\r\n"
VERB = b"XEXCH50 1 2\r\n"
VERB_X = b"XXXXXXXXXXX\r\n"
REPLY_500 = b"500 unknown\r\n"
QUIT = b"QUIT\r\n"
BYE = b"221 bye\r\n"


class Clock:
    def __init__(self):
        self.t = T0

    def at(self, p, dt=0.001):
        self.t += dt
        p.time = self.t
        return p


CLIENT6, SERVER6 = "2001:2::1", "2001:2::2"


def c2s(cport, flags, seq, ack, data=b"", win=502, options=None, v6=False):
    ip = IPv6(src=CLIENT6, dst=SERVER6) if v6 else IP(src=CLIENT, dst=SERVER, id=7)
    p = Ether(src=C_MAC, dst=S_MAC) / ip / TCP(
        sport=cport, dport=25, flags=flags, seq=seq % 2**32, ack=ack % 2**32, window=win,
        options=options or [])
    return p / Raw(data) if data else p


def s2c(cport, flags, seq, ack, data=b"", win=1000, options=None, v6=False):
    ip = IPv6(src=SERVER6, dst=CLIENT6) if v6 else IP(src=SERVER, dst=CLIENT, id=9)
    p = Ether(src=S_MAC, dst=C_MAC) / ip / TCP(
        sport=25, dport=cport, flags=flags, seq=seq % 2**32, ack=ack % 2**32, window=win,
        options=options or [])
    return p / Raw(data) if data else p


def box(src_is_client, cport, flags, seq, ack, win, options, v6=False):
    """A frame the box builds itself: plain IP header, ID 0, TTL 64, DF."""
    if v6:
        c, s = IPv6(src=CLIENT6, dst=SERVER6, hlim=64), IPv6(src=SERVER6, dst=CLIENT6, hlim=64)
    else:
        c, s = IP(src=CLIENT, dst=SERVER), IP(src=SERVER, dst=CLIENT)
        for ip in (c, s):
            ip.id, ip.ttl, ip.flags = 0, 64, "DF"
    if src_is_client:
        e, ip, sp, dp = Ether(src=C_MAC, dst=S_MAC), c, cport, 25
    else:
        e, ip, sp, dp = Ether(src=S_MAC, dst=C_MAC), s, 25, cport
    return e / ip / TCP(sport=sp, dport=dp, flags=flags, seq=seq % 2**32, ack=ack % 2**32,
                        window=win, options=options)


def box_opts(mss, ws, sack):
    o = [("MSS", mss)]
    if ws is not None:
        o += [("NOP", None), ("WScale", ws)]
    if sack:
        o += [("NOP", None), ("NOP", None), ("SAckOK", b"")]
    return o


SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None),
            ("WScale", 8)]
ISN = {"A": 1000, "B": 2000, "C": 3000, "D": 4000, "E": 5000, "F": 6000, "G": 7000}
PORT = {"A": 41000, "B": 41001, "C": 41002, "D": 41003, "E": 41004, "F": 41005, "G": 41006}
S_ISN = {"B": 90000, "D": 70000}


def syns(clk):
    """Part one: A is admitted (embryonic 1), the others cross the limit."""
    fr = [clk.at(c2s(PORT["A"], "S", ISN["A"], 0, win=64240, options=SYN_OPTS))]
    for k in "BCDE":
        fr.append(clk.at(c2s(PORT[k], "S", ISN[k], 0, win=64240, options=SYN_OPTS)))
    fr.append(clk.at(c2s(PORT["F"], "S", ISN["F"], 0, win=8192)))
    fr.append(clk.at(c2s(PORT["G"], "S", ISN["G"], 0, win=64800, v6=True,
                         options=[("MSS", 1440), ("NOP", None), ("WScale", 9)])))
    return fr


def run(sw, work, name, frames, policy=POLICY):
    inp, outp = os.path.join(work, name + ".in.pcap"), os.path.join(work, name + ".out.pcap")
    wrpcap(inp, frames)
    r = subprocess.run([sw, "--no-pci", "--file-prefix", "swic%d%s" % (os.getpid(), name),
                        "--lcores", "0", "--log-level", "lib.*:warning", "--", "-r", inp,
                        "-o", outp, "-c", policy, "--cookie-secret", SECRET],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("smtpwall exited %d: %s" % (r.returncode, r.stderr[-800:]))
    counters = {m.group(1): int(m.group(2))
                for m in re.finditer(r"^\s+(\w+)\s+(\d+)\s", r.stdout, re.M)}
    out = rdpcap(outp) if os.path.getsize(outp) > 24 else []
    return out, counters, r.stdout


def tcp_of(frames, cport, toward_client):
    key = (25, cport) if toward_client else (cport, 25)
    return [f for f in frames if TCP in f and (f[TCP].sport, f[TCP].dport) == key]


def main():
    sw = sys.argv[1]
    work = tempfile.mkdtemp(prefix="smtpwall-intercept.")
    fails = []

    def expect(cond, msg):
        if not cond:
            fails.append(msg)

    def same(got, want, what):
        g, w = bytes(got), bytes(want)
        if g != w:
            fails.append("%s differs:\n       got  %s\n       want %s" % (what, g.hex(), w.hex()))

    try:
        # Run 1: the SYNs alone give the cookies.
        out1, k1, log1 = run(sw, work, "syns", syns(Clock()))
        cookie = {}
        for k in "BCDEFG":
            sa = tcp_of(out1, PORT[k], True)
            expect(len(sa) == 1 and sa[0][TCP].flags == "SA", "%s: one SYN-ACK from the box" % k)
            if sa:
                cookie[k] = sa[0][TCP].seq
        expect(len(tcp_of(out1, PORT["A"], False)) == 1, "A's SYN is forwarded to the server")
        expect(k1.get("ic_cookie_sent") == 6, "6 cookies sent (%s)" % k1.get("ic_cookie_sent"))
        if fails:
            raise SystemExit
        # The SYN-ACKs, byte for byte: the options the cookie grants.
        for k in "BCDE":
            same(tcp_of(out1, PORT[k], True)[0],
                 box(False, PORT[k], "SA", cookie[k], ISN[k] + 1, 4 * 1460,
                     box_opts(1460, 7, True)), "%s's SYN-ACK" % k)
        same(tcp_of(out1, PORT["F"], True)[0],
             box(False, PORT["F"], "SA", cookie["F"], ISN["F"] + 1, 4 * 536,
                 box_opts(536, None, False)), "F's SYN-ACK")
        same(tcp_of(out1, PORT["G"], True)[0],
             box(False, PORT["G"], "SA", cookie["G"], ISN["G"] + 1, 4 * 1440,
                 box_opts(1440, 7, False), v6=True), "G's SYN-ACK (IPv6)")

        # Run 2: the conversations.
        clk = Clock()
        fr = syns(clk)
        b, cb, sb = PORT["B"], cookie["B"], S_ISN["B"]
        ib = ISN["B"] + 1  # B's next sequence number
        fr.append(clk.at(c2s(b, "A", ib, cb + 1, win=502)))
        fr.append(clk.at(s2c(b, "SA", sb, ib, win=29200,
                             options=[("MSS", 1400), ("NOP", None), ("WScale", 6)])))
        cs = sb + 1  # the server's next sequence number (server space)
        dl = cs - (cb + 1)  # server space minus client space
        fr.append(clk.at(s2c(b, "PA", cs, ib, BANNER, win=1000)))
        fr.append(clk.at(c2s(b, "PA", ib, cs + len(BANNER) - dl, EHLO)))
        fr.append(clk.at(s2c(b, "PA", cs + len(BANNER), ib + len(EHLO), EHLO_REPLY)))
        ib2 = ib + len(EHLO)
        cs2 = cs + len(BANNER) + len(EHLO_REPLY)
        fr.append(clk.at(c2s(b, "PA", ib2, cs2 - dl, VERB)))
        fr.append(clk.at(s2c(b, "PA", cs2, ib2 + len(VERB), REPLY_500)))
        ib3, cs3 = ib2 + len(VERB), cs2 + len(REPLY_500)
        fr.append(clk.at(c2s(b, "PA", ib3, cs3 - dl, QUIT)))
        fr.append(clk.at(s2c(b, "PA", cs3, ib3 + len(QUIT), BYE)))
        ib4, cs4 = ib3 + len(QUIT), cs3 + len(BYE)
        fr.append(clk.at(s2c(b, "FA", cs4, ib4)))
        fr.append(clk.at(c2s(b, "FA", ib4, cs4 + 1 - dl)))
        fr.append(clk.at(s2c(b, "A", cs4 + 1, ib4 + 1)))
        # C: a wrong cookie.
        fr.append(clk.at(c2s(PORT["C"], "A", ISN["C"] + 1, cookie["C"] + 2)))
        # D: the server refuses.
        fr.append(clk.at(c2s(PORT["D"], "A", ISN["D"] + 1, cookie["D"] + 1)))
        fr.append(clk.at(s2c(PORT["D"], "RA", 0, ISN["D"] + 1, win=0)))
        # E: the server never answers; F: no options.
        fr.append(clk.at(c2s(PORT["E"], "A", ISN["E"] + 1, cookie["E"] + 1)))
        fr.append(clk.at(c2s(PORT["F"], "A", ISN["F"] + 1, cookie["F"] + 1, win=8192)))
        fr.append(clk.at(s2c(PORT["F"], "SA", 123456, ISN["F"] + 1, win=16384,
                             options=[("MSS", 1460)])))
        fr.append(clk.at(s2c(PORT["F"], "PA", 123457, ISN["F"] + 1, BANNER, win=16384)))
        # G, over IPv6: scale 9 to the box, 5 from the server.
        pg, cg, sg = PORT["G"], cookie["G"], 300000
        fr.append(clk.at(c2s(pg, "A", ISN["G"] + 1, cg + 1, win=100, v6=True)))
        fr.append(clk.at(s2c(pg, "SA", sg, ISN["G"] + 1, win=28800, v6=True,
                             options=[("MSS", 1440), ("NOP", None), ("WScale", 5)])))
        fr.append(clk.at(s2c(pg, "PA", sg + 1, ISN["G"] + 1, BANNER, win=4000, v6=True)))
        fr.append(clk.at(c2s(pg, "PA", ISN["G"] + 1, cg + 1 + len(BANNER), EHLO, win=100,
                             v6=True)))
        # Time passes (frames drive the offline clock): E's SYN is sent
        # again after 1, 3 and 7 s; the embryonic timeout (30 s) ends its wait.
        for dt in (1.5, 2.0, 4.0, 40.0):
            fr.append(clk.at(Ether(src=C_MAC, dst=S_MAC) / IP(src=CLIENT, dst=SERVER) /
                             UDP(sport=1, dport=2) / Raw(b"tick"), dt=dt))
        out, k2, log2 = run(sw, work, "full", fr)

        # B, to the server: the box's SYN, then B's own segments translated.
        to_s = tcp_of(out, b, False)
        want_s = [
            box(True, b, "S", ISN["B"], 0, min(65535, 502 << 8), box_opts(1460, 8, True)),
            c2s(b, "A", ib, sb + 1, win=502),
            c2s(b, "PA", ib, cs + len(BANNER), EHLO),
            c2s(b, "PA", ib2, cs2, VERB_X),
            c2s(b, "PA", ib3, cs3, QUIT),
            c2s(b, "FA", ib4, cs4 + 1),
        ]
        expect(len(to_s) == len(want_s), "B: %d frames to the server, want %d"
               % (len(to_s), len(want_s)))
        for i, (g, w) in enumerate(zip(to_s, want_s)):
            same(g, w, "B to server #%d" % i)
        # B, to the client: the server's segments in the cookie's numbers,
        # windows from scale 6 to the box's 7 (the SYN-ACK is not among them).
        to_c = tcp_of(out, b, True)
        want_c = [
            s2c(b, "PA", cb + 1, ib, BANNER_MASKED, win=500),
            s2c(b, "PA", cs + len(BANNER) - dl, ib + len(EHLO), EHLO_REPLY, win=500),
            s2c(b, "PA", cs2 - dl, ib2 + len(VERB), REPLY_500, win=500),
            s2c(b, "PA", cs3 - dl, ib3 + len(QUIT), BYE, win=500),
            s2c(b, "FA", cs4 - dl, ib4, win=500),
            s2c(b, "A", cs4 + 1 - dl, ib4 + 1, win=500),
        ]
        expect(len(to_c) == len(want_c) + 1, "B: %d frames to the client, want %d"
               % (len(to_c), len(want_c) + 1))
        for i, (g, w) in enumerate(zip(to_c[1:], want_c)):
            same(g, w, "B to client #%d" % i)
        # C: nothing reaches the server.
        expect(tcp_of(out, PORT["C"], False) == [], "C: a wrong cookie opens nothing")
        # D: SYN to the server, then an RST to the client in its numbers.
        d_c = tcp_of(out, PORT["D"], True)
        expect(len(tcp_of(out, PORT["D"], False)) == 1, "D: only the SYN reaches the server")
        expect(len(d_c) == 2, "D: SYN-ACK and RST to the client")
        if len(d_c) == 2:
            same(d_c[1], box(False, PORT["D"], "RA", cookie["D"] + 1, ISN["D"] + 1, 0, []),
                 "D's RST")
        e_c = tcp_of(out, PORT["E"], True)
        expect(len(e_c) == 2, "E: SYN-ACK and, after the timeout, an RST")
        if len(e_c) == 2:
            same(e_c[1], box(False, PORT["E"], "RA", cookie["E"] + 1, ISN["E"] + 1, 0, []),
                 "E's RST")
            expect(e_c[1].time - e_c[0].time > 29, "E's RST comes after the embryonic timeout")
        e_s = tcp_of(out, PORT["E"], False)
        expect(len(e_s) == 4 and all(x[TCP].flags == "S" for x in e_s),
               "E: the SYN to the silent server and 3 retransmissions (%d)" % len(e_s))
        if len(e_s) == 4:
            for x in e_s[1:]:
                same(x, e_s[0], "E's SYN sent again")
            gaps = [round(x.time - e_s[0].time) for x in e_s[1:]]
            expect(gaps == [2, 4, 8], "E's retransmissions came %r s after (ticks at 1.5, 3.5, "
                   "7.5 s after the ACK)" % gaps)
        # F: no scaling anywhere, so windows pass as they are.
        f_s = tcp_of(out, PORT["F"], False)
        f_c = tcp_of(out, PORT["F"], True)
        expect(len(f_s) == 2 and len(f_c) == 2, "F: SYN + ACK out, SYN-ACK + banner back")
        if len(f_s) == 2 and len(f_c) == 2:
            same(f_s[0], box(True, PORT["F"], "S", ISN["F"], 0, 8192, box_opts(536, None, False)),
                 "F's SYN to the server")
            same(f_s[1], c2s(PORT["F"], "A", ISN["F"] + 1, 123457, win=8192), "F's ACK")
            same(f_c[1], s2c(PORT["F"], "PA", cookie["F"] + 1, ISN["F"] + 1, BANNER_MASKED,
                             win=16384), "F's banner")
        g_s, g_c = tcp_of(out, pg, False), tcp_of(out, pg, True)
        want_gs = [box(True, pg, "S", ISN["G"], 0, min(65535, 100 << 9), box_opts(1440, 9, False),
                       v6=True),
                   c2s(pg, "A", ISN["G"] + 1, sg + 1, win=100, v6=True),
                   c2s(pg, "PA", ISN["G"] + 1, sg + 1 + len(BANNER), EHLO, win=100, v6=True)]
        want_gc = [s2c(pg, "PA", cg + 1, ISN["G"] + 1, BANNER_MASKED, win=(4000 << 5) >> 7,
                       v6=True)]
        expect(len(g_s) == 3 and len(g_c) == 2, "G: %d frames to the server, %d to the client"
               % (len(g_s), len(g_c)))
        for i, (gg, w) in enumerate(zip(g_s, want_gs)):
            same(gg, w, "G to server #%d (IPv6)" % i)
        for gg, w in zip(g_c[1:], want_gc):
            same(gg, w, "G's banner (IPv6)")
        for name, want in (("ic_cookie_sent", 6), ("ic_cookie_ok", 5), ("ic_cookie_bad", 1),
                           ("ic_spliced", 3), ("ic_srv_refused", 1), ("ic_srv_timeout", 1),
                           ("ic_syn_retx", 3)):
            expect(k2.get(name) == want, "%s = %s, want %d" % (name, k2.get(name), want))
        if fails:
            print(log2[-3000:])
        # embryonic-action drop: no cookies, the SYNs over the limit are refused.
        out3, k3, _ = run(sw, work, "drop", syns(Clock()),
                          os.path.join(HERE, "policies", "intercept-drop.yaml"))
        expect(all(tcp_of(out3, PORT[k], True) == [] for k in "BCDEFG"),
               "embryonic-action drop: no SYN-ACK from the box")
        expect(len(tcp_of(out3, PORT["A"], False)) == 1, "drop: A's SYN still passes")
        expect(k3.get("ic_cookie_sent") is None and k3.get("limit_drop") == 6,
               "drop: 6 SYNs refused, no cookie (%s, %s)"
               % (k3.get("ic_cookie_sent"), k3.get("limit_drop")))
    finally:
        if os.environ.get("KEEP"):
            print("work files kept in %s" % work)
        else:
            shutil.rmtree(work)
    for f in fails:
        print("FAIL " + f)
    print("%s: %d failures" % ("ok" if not fails else "FAILED", len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
