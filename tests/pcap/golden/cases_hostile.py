# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap cases: hostile traffic and overload (the Hardening issue).

Same shape as cases.py (build(Session), check(result) -> failures, policy),
collected by test_golden.py after cases.py's. Every case also asserts the
counter that must move: counters(r) reads the final counters smtpwall
prints at exit. Bulk cases build their frames with fastpcap (bytes, not
scapy) and their output is read without scapy.
"""
import re
import struct

import fastpcap as fp
from cases import BANNER, EHLO_MASKED, expect, greet, masked_banner, merge
from scapy.all import IP, TCP, Ether, IPv6, Raw
from session import Session

# --- helpers ---------------------------------------------------------------


def counters(r):
    """The final counters: worker counters by name ("flow_full"), malformed
    drops as "drop ip4_ihl", lib/tcp counters as "tcp: <description>" and
    its drops as "tcp drop: <reason>", ESMTP events as "event: <name>",
    "held"/"queued" gauges, "audit written/filtered/lost", "flows live"."""
    c = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^  ([a-z0-9_]+) +(\d+)  ", line)
        if m:
            c[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"^  drop ([a-z0-9_]+) +(\d+)", line)
        if m:
            c["drop " + m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"^    drop: (.+?) +(\d+)$", line)
        if m:
            c["tcp drop: " + m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"^    event (\S+) +(\d+)$", line)
        if m:
            c["event: " + m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"^    now held (\d+) packets \((\d+) bytes\), queued (\d+)", line)
        if m:
            c["held"], c["queued"] = int(m.group(1)), int(m.group(3))
            continue
        m = re.match(r"^  audit: (\d+) records written, (\d+) filtered.*, (\d+) lost", line)
        if m:
            c["audit written"], c["audit filtered"], c["audit lost"] = map(int, m.groups())
            continue
        m = re.match(r"^  flows: (\d+) live", line)
        if m:
            c["flows live"] = int(m.group(1))
            continue
        m = re.match(r"^    (\S.*?) +(\d+)$", line)
        if m and not line.startswith("    verdict "):
            c["tcp: " + m.group(1)] = int(m.group(2))
    return c


def expect_ctr(r, name, want, f, cmp="=="):
    got = counters(r).get(name, 0)
    ok = {"==": got == want, ">=": got >= want, "<=": got <= want}[cmp]
    expect(ok, "counter %r is %d, want %s %d" % (name, got, cmp, want), f)


def mail(s, body=b"Subject: hi\r\n\r\nhello\r\n", rcpt=b"b@example.com", sizes=None):
    """A whole transaction and QUIT (the server agrees to everything); the
    message is cut into segments of sizes if given."""
    s.c(b"MAIL FROM:<a@example.org>\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"RCPT TO:<%s>\r\n" % rcpt)
    s.s(b"250 ok\r\n")
    s.c(b"DATA\r\n")
    s.s(b"354 go ahead\r\n")
    s.c(body + b".\r\n", sizes=sizes)
    s.s(b"250 queued\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def delivered(stream, body=b"hello\r\n"):
    return (b"DATA\r\n" in stream and body + b".\r\n" in stream and
            stream.endswith(b"QUIT\r\n"))


def syns(r, server_port=25):
    return [t for t in r.segs if t is not None and t.flags & 0x12 == 0x02 and
            t.dport == server_port]


def fast_handshake(s):
    fp.emit(s, 0, "S", s.seq[0], 0)
    s.seq[0] += 1
    fp.emit(s, 1, "SA", s.seq[1], s.seq[0])
    s.seq[1] += 1
    fp.emit(s, 0, "A", s.seq[0], s.seq[1])


def fast_send(s, d, data, size, ack_every=None):
    """data from d in segments of size; with ack_every, the receiver ACKs
    every so many bytes (the window and lib/tcp's 64 KiB of unacknowledged
    bytes need it)."""
    base = s.seq[d]
    for off in range(0, len(data), size):
        fp.emit(s, d, "PA", base + off, s.seq[1 - d], data[off:off + size])
        if ack_every and (off // size + 1) % (ack_every // size) == 0:
            fp.emit(s, 1 - d, "A", s.seq[1 - d], base + off + len(data[off:off + size]))
    s.seq[d] += len(data)
    if ack_every:
        fp.emit(s, 1 - d, "A", s.seq[1 - d], s.seq[d])


# --- connection limits under a flood ----------------------------------------


def conn_flood_build(s):
    # A legitimate client is connected; 40 others complete handshakes and
    # hold their connections (conn-max 20); the legitimate mail goes on.
    legit = Session(cport=s.cport, t0=s.t)
    greet(legit)
    flood = []
    t = legit.t
    for i in range(40):
        c = Session(client="198.18.7.%d" % (i + 1), cport=s.cport, t0=t, step=0.0001)
        c.handshake()
        t = c.t
        flood.append(c)
    legit.t = t
    mail(legit)
    # The flood goes away (FINs; closed entries linger 5 s) and a late
    # client 10 s later gets a connection again.
    for c in flood:
        c.t = legit.t
        c.close()
        legit.t = c.t
    late = Session(client="198.18.9.1", cport=s.cport, t0=legit.t + 10)
    greet(late)
    mail(late)
    merge(s, [legit] + flood + [late])


def conn_flood_check(r):
    f = []
    passed = {t.src for t in syns(r)}
    expect(len(passed) == 21, "%d clients got their SYN through, conn-max 20 (+ the late one)"
           % len(passed), f)
    expect_ctr(r, "limit_drop", 21, f)
    expect("201011" in r.audit, "no 201011 (conn-max) line", f)
    expect(delivered(r.out[0]), "the connected client's mail was not delivered: %r"
           % r.out[0][-80:], f)
    late = [t for t in r.segs if t is not None and t.src == "198.18.9.1" and b"QUIT" in t.payload]
    expect(len(late) == 1, "the late client did not get through after the flood left", f)
    return f


def client_flood_build(s):
    # One client opens 10 connections (per-client-max 5): 5 pass. Another
    # client is not affected, and one of the flooder's own sessions works.
    flood = []
    t = s.t
    for i in range(10):
        c = Session(client="198.18.8.1", cport=s.cport + 100 + i, t0=t, step=0.0001)
        c.handshake()
        c.s(BANNER)
        t = c.t
        flood.append(c)
    flood[0].t = t
    mail(flood[0])
    other = Session(cport=s.cport, t0=flood[0].t)
    greet(other)
    mail(other)
    merge(s, flood + [other])


def client_flood_check(r):
    f = []
    ports = sorted(t.sport for t in syns(r) if t.src == "198.18.8.1")
    expect(len(ports) == 5, "%d connections of one client passed, per-client-max 5: %r"
           % (len(ports), ports), f)
    expect_ctr(r, "limit_drop", 5, f)
    expect("201013" in r.audit or "201012" in r.audit, "no 2010xx per-client line", f)
    expect(delivered(r.out[0]), "another client's mail was not delivered", f)
    expect(delivered(r.streams(r.cport + 100)[0]), "the flooder's admitted session failed", f)
    return f


# --- lines that never end, megabyte lines, 1-byte segments ---------------------


def line_never_ends_build(s):
    greet(s)
    # 20000 bytes of one command line, no CR LF, 200 segments.
    s.c(b"NOOP " + b"A" * 19995, sizes=[100] * 200)


def line_never_ends_check(r):
    f = []
    ehlo = b"EHLO client.example.org\r\n"
    line = r.out[0][len(ehlo):]
    expect(0 < len(line) <= 512, "%d bytes of an endless command line passed (limit 512)"
           % len(line), f)
    expect("cmd line length gt 512" in r.audit, "no audit line for the command line", f)
    expect_ctr(r, "insp_conn_dropped", 1, f)
    expect_ctr(r, "insp_drop_pkts", 190, f, ">=")
    return f


MB = 1 << 20


def line_unlimited_build(s):
    # A policy with no line limit: a 1 MiB command line without CR LF
    # streams through, nothing is held for it, then the client gives up.
    s.step = 0.00001
    greet(s)
    fast_send(s, 0, b"NOOP " + b"B" * (MB - 5), 1400, ack_every=28000)
    fp.emit(s, 0, "FA", s.seq[0], s.seq[1])
    s.seq[0] += 1
    fp.emit(s, 1, "FA", s.seq[1], s.seq[0])
    s.seq[1] += 1
    fp.emit(s, 0, "A", s.seq[0], s.seq[1])


def line_unlimited_check(r):
    f = []
    expect(r.out[0].endswith(b"NOOP " + b"B" * (MB - 5)), "the 1 MiB line did not stream (%d "
           "bytes out)" % len(r.out[0]), f)
    c = counters(r)
    expect(c.get("held", -1) == 0 and c.get("queued", -1) == 0, "packets still held or queued "
           "at exit: %r" % {k: c.get(k) for k in ("held", "queued")}, f)
    expect_ctr(r, "tcp: stream bytes delivered to the inspector (first time)", MB, f, ">=")
    expect(r.closed_normally, "the connection did not close", f)
    return f


def mb_command_build(s):
    # A 1 MiB command line with its CR LF: then the inspector must still be
    # in step with the lines (XEXCH50 is X'd).
    s.step = 0.00001
    greet(s)
    fast_send(s, 0, b"NOOP " + b"C" * (MB - 7) + b"\r\n", 1400, ack_every=28000)
    s.s(b"250 ok\r\n")
    s.c(b"XEXCH50\r\nQUIT\r\n")
    s.s(b"500 no\r\n221 bye\r\n")
    s.close()


def mb_command_check(r):
    f = []
    expect(r.out[0].endswith(b"C\r\nXXXXXXX\r\nQUIT\r\n"),
           "lost step after a 1 MiB command line: %r" % r.out[0][-30:], f)
    expect_ctr(r, "event: cmd-unknown", 1, f)
    expect(r.closed_normally, "the connection did not close", f)
    return f


def mb_header_build(s):
    s.step = 0.00001
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    s.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    fast_send(s, 0, b"Subject: " + b"D" * MB + b"\r\n\r\nbody\r\n.\r\n", 1400, ack_every=28000)
    s.s(b"250 queued\r\n")


def mb_header_check(r):
    f = []
    expect(b"body" not in r.out[0], "a message with a 1 MiB header line passed", f)
    expect(r.out[0].count(b"D") < 2000, "%d bytes of the header line passed"
           % r.out[0].count(b"D"), f)
    expect("header line length gt 998" in r.audit, "no audit line for the header line", f)
    expect_ctr(r, "insp_conn_dropped", 1, f)
    return f


def mb_body_build(s):
    # Body line length gt 998 is `log` in _default_esmtp_map: the line
    # passes, is logged once, and the end of data is still found.
    s.step = 0.00001
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    s.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    fast_send(s, 0, b"Subject: x\r\n\r\n" + b"E" * MB + b"\r\n.\r\n", 1400, ack_every=28000)
    s.s(b"250 queued\r\n")
    s.c(b"XEXCH50\r\nQUIT\r\n")
    s.s(b"500 no\r\n221 bye\r\n")
    s.close()


def mb_body_check(r):
    f = []
    expect(b"E" * MB + b"\r\n.\r\nXXXXXXX\r\nQUIT\r\n" in r.out[0],
           "the 1 MiB body line, the end of data or the next command: %r" % r.out[0][-40:], f)
    expect(r.audit.count("body line length gt 998") == 1, "want one audit line for the body "
           "line, got %d" % r.audit.count("body line length gt 998"), f)
    expect(r.closed_normally, "the connection did not close", f)
    return f


ONE_BYTE_N = 100000


def one_byte_build(s):
    # 100k segments of one byte each: a message body sent by a hostile
    # (or broken) client; the server ACKs every 1000 bytes.
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    s.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567\r\n"
    body = b"Subject: slow\r\n\r\n" + line * (ONE_BYTE_N // len(line))
    body = body[:ONE_BYTE_N - 3] + b".\r\n"
    s.step = 0.000001
    fast_send(s, 0, body, 1, ack_every=1000)
    s.step = 0.001
    s.s(b"250 queued\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def one_byte_check(r):
    f = []
    expect(r.out[0].endswith(b"01234567\r\n.\r\nQUIT\r\n"), "100k 1-byte segments: %r"
           % r.out[0][-40:], f)
    expect(len(r.out[0]) > ONE_BYTE_N, "stream of %d bytes" % len(r.out[0]), f)
    expect_ctr(r, "tcp: segments in", ONE_BYTE_N, f, ">=")
    expect_ctr(r, "tcp: packets dropped", 0, f)
    expect(r.closed_normally, "the connection did not close", f)
    return f


# --- out-of-order storms ---------------------------------------------------


def ooo_storm_build(s):
    # 40 segments of a message body, sent last first: the queue takes 16,
    # the rest are dropped (counted); the sender then retransmits in order.
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    s.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    body = b"".join(b"line %04d of the body" % i + b"." * 27 + b"\r\n" for i in range(40))
    segs = s.segments(0, body + b".\r\n", sizes=[50] * 40)
    for seg in reversed(segs[:40]):
        seg.time = s.t
        s.t += s.step
        s.emit(seg)
    s.t += 0.2
    for seg in segs:  # the retransmission, in order
        x = seg.copy()
        x.time = s.t
        s.t += s.step
        s.emit(x)
    s.s(b"250 queued\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def ooo_storm_check(r):
    f = []
    expect(delivered(r.out[0], b"line 0039 of the body" + b"." * 27 + b"\r\n"),
           "the message did not pass after the storm: %r" % r.out[0][-60:], f)
    expect_ctr(r, "tcp: out-of-order drops: queue full", 23, f)
    expect_ctr(r, "tcp: segments queued out of order", 16, f)
    expect(r.closed_normally, "the connection did not close", f)
    return f


def ooo_window_build(s):
    # A real sender's window behind one lost segment: 40 segments of 1448
    # bytes (58 KB, inside the unscaled window); the first is lost before
    # the box and retransmitted after the rest.
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    s.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"
    body = (line * (40 * 1448 // len(line) + 1))[:40 * 1448 - 5] + b"\r\n.\r\n"
    segs = s.segments(0, body, sizes=[1448] * 40)
    for seg in segs[1:]:
        seg.time = s.t
        s.t += s.step
        s.emit(seg)
    s.t += 0.2
    first = segs[0].copy()
    first.time = s.t
    s.emit(first)
    s.t += s.step
    s.s(b"250 queued\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def ooo_window_check(r):
    f = []
    expect(r.out[0].endswith(b"\r\n.\r\nQUIT\r\n"), "the message did not pass whole", f)
    expect_ctr(r, "tcp: segments queued out of order", 39, f)
    expect_ctr(r, "tcp: packets dropped", 0, f)
    expect(r.closed_normally, "the connection did not close", f)
    return f


TICK_CONNS = 1100  # more than the worker's 1024 timer slots


def tick_full_build(s):
    # 1100 connections each queue one out-of-order segment at once: the
    # worker's timer list (1024) overflows (counted). 5 s later every
    # queued segment is gone (timer, or at the connection's next segment)
    # and each connection sends the gap and retransmits the rest.
    conns = []
    s.step = 0.00001
    for i in range(TICK_CONNS):
        c = Session(client="198.19.%d.%d" % (i // 250, i % 250 + 1), cport=s.cport,
                    t0=s.t, step=0.00001)
        fast_handshake(c)
        fp.emit(c, 1, "PA", c.seq[1], c.seq[0], b"220 x\r\n")
        c.seq[1] += 7
        fp.emit(c, 0, "PA", c.seq[0] + 2, c.seq[1], b"IT\r\n")
        s.t = c.t
        conns.append(c)
    s.t += 5.0
    for c in conns:
        c.t = s.t
        fp.emit(c, 0, "PA", c.seq[0], c.seq[1], b"QU")
        fp.emit(c, 0, "PA", c.seq[0] + 2, c.seq[1], b"IT\r\n")
        s.t = c.t
    for c in conns:
        s.frames += c.frames
    s.frames.sort(key=lambda x: x[0])


def tick_full_check(r):
    f = []
    expect_ctr(r, "insp_tick_full", TICK_CONNS - 1024, f)
    expect_ctr(r, "tcp: out-of-order drops: timeout", TICK_CONNS, f)
    qu = sum(1 for t in r.segs if t is not None and t.payload == b"QU")
    it = sum(1 for t in r.segs if t is not None and t.payload == b"IT\r\n")
    expect(qu == TICK_CONNS and it == TICK_CONNS,
           "%d QU and %d IT left, want %d each (queued copies must not)" % (qu, it, TICK_CONNS), f)
    return f


MBUF_CONNS = 70


def mbuf_exhaust_build(s):
    # Offline the mbuf pool has 1024 buffers; 70 connections x 16 queued
    # out-of-order segments want more. Then the storm stops, the queued
    # segments time out, and a legitimate session passes.
    s.step = 0.00001
    conns = []
    for i in range(MBUF_CONNS):
        c = Session(client="198.20.0.%d" % (i + 1), cport=s.cport, t0=s.t, step=0.00001)
        fast_handshake(c)
        for k in range(1, 17):
            fp.emit(c, 0, "PA", c.seq[0] + 6 * k, c.seq[1], b"NOOP\r\n")
        s.t = c.t
        conns.append(c)
    for c in conns:
        s.frames += c.frames
    s.frames.sort(key=lambda x: x[0])
    s.t += 5.0
    s.step = 0.001
    greet(s)
    mail(s)


def mbuf_exhaust_check(r):
    f = []
    expect_ctr(r, "rx_nombuf", 1, f, ">=")
    expect_ctr(r, "tcp: out-of-order drops: timeout", 1000, f, ">=")
    expect(delivered(r.out[0]), "the session after the storm failed: %r" % r.out[0][-60:], f)
    expect("could not be read" in r.stderr or counters(r).get("rx_nombuf"),
           "records lost without a word", f)
    return f


def flow_full_build(s):
    # flows.max-per-worker 16: 40 SYNs that never complete fill the table;
    # a legitimate SYN is refused; 10 s later (embryonic 5 s) the table has
    # drained and a legitimate session passes.
    sess = []
    for i in range(40):
        c = Session(client="198.18.10.%d" % (i + 1), cport=s.cport, t0=s.t + i * 0.0001)
        c.emit(c.frame(0, "S", c.seq[0], 0))
        sess.append(c)
    s.t += 0.01
    early = Session(client="198.18.11.1", cport=s.cport, t0=s.t)
    early.emit(early.frame(0, "S", early.seq[0], 0))
    merge(s, sess + [early])
    s.t += 10.0
    greet(s)
    mail(s)


def flow_full_check(r):
    f = []
    flood = [t for t in syns(r) if t.src.startswith("198.18.10.")]
    expect(len(flood) == 16, "%d flood SYNs passed, the table holds 16" % len(flood), f)
    expect(not [t for t in syns(r) if t.src == "198.18.11.1"],
           "a SYN passed while the table was full", f)
    expect_ctr(r, "flow_full", 25, f)
    expect_ctr(r, "flow_expired", 16, f, ">=")
    expect(delivered(r.out[0]), "no session after the table drained", f)
    return f


AUDIT_CONNS = 500


def audit_flood_build(s):
    # 500 connections in 0.1 s each earn a 108003 record: the worker's
    # audit rate limit (burst 400) suppresses the rest, counted; every
    # connection is still dropped.
    s.step = 0.00004
    for i in range(AUDIT_CONNS):
        c = Session(client="198.21.%d.%d" % (i // 250, i % 250 + 1), cport=s.cport, t0=s.t,
                    step=0.00004)
        fast_handshake(c)
        fp.emit(c, 1, "PA", c.seq[1], c.seq[0], b"220 x\r\n")
        c.seq[1] += 7
        fp.emit(c, 0, "PA", c.seq[0], c.seq[1], b"MAIL FROM:<|x@example.org>\r\n")
        s.t = c.t
        s.frames += c.frames
    s.frames.sort(key=lambda x: x[0])


def audit_flood_check(r):
    f = []
    c = counters(r)
    lines = r.audit.count("108003")
    sup = c.get("audit_suppressed", 0)
    expect(sup > 0, "no audit record suppressed by the rate limit", f)
    expect(lines + sup + c.get("audit filtered", 0) == AUDIT_CONNS,
           "%d lines + %d suppressed + %d filtered != %d events" %
           (lines, sup, c.get("audit filtered", 0), AUDIT_CONNS), f)
    expect_ctr(r, "insp_conn_dropped", AUDIT_CONNS, f)
    mails = sum(1 for t in r.segs if t is not None and b"MAIL FROM" in t.payload)
    expect(mails == 0, "%d MAIL FROM with a pipe passed" % mails, f)
    return f


# --- overlapping retransmissions -------------------------------------------

EHLO_LEN = len(b"EHLO client.example.org\r\n")


def ovl_start_build(same):
    def build(s):
        greet(s)
        s.c(b"NOOP\r\n")
        # Before the server acknowledges it (bytes it acknowledged it
        # discards, whatever they are): overlaps the last 2 bytes of
        # NOOP\r\n and brings QUIT\r\n.
        s.raw(0, EHLO_LEN + 4, (b"\r\n" if same else b"XY") + b"QUIT\r\n")
        s.seq[0] += 6
        s.s(b"250 ok\r\n221 bye\r\n")
    return build


def ovl_start_same_check(r):
    f = []
    expect(r.out[0].endswith(b"NOOP\r\nQUIT\r\n"), "stream: %r" % r.out[0], f)
    expect_ctr(r, "tcp: retransmissions or overlaps with different bytes (connection dropped)",
               0, f)
    return f


def ovl_start_diff_check(r):
    f = []
    expect(b"QUIT" not in r.raw_out[0], "an overlap with other bytes passed", f)
    expect_ctr(r, "tcp: retransmissions or overlaps with different bytes (connection dropped)",
               1, f)
    expect_ctr(r, "insp_conn_dropped", 1, f)
    return f


def ovl_end_build(s):
    # An early segment (QUIT\r\n) is queued; the in-order segment before it
    # runs 2 bytes into it with other bytes (XX instead of QU).
    greet(s)
    base = s.seq[0]
    late = s.frame(0, "PA", base + 6, s.seq[1], b"QUIT\r\n")
    s.emit(late)
    s.emit(s.frame(0, "PA", base, s.seq[1], b"NOOP\r\nXX"))
    s.seq[0] += 12
    s.s(b"250 ok\r\n")


def ovl_end_check(r):
    f = []
    expect(b"QUIT" not in r.raw_out[0] and b"XX" not in r.raw_out[0],
           "bytes of an inconsistent overlap passed: %r" % r.raw_out[0], f)
    expect_ctr(r, "tcp: retransmissions or overlaps with different bytes (connection dropped)",
               1, f)
    return f


def ovl_span_build(same):
    def build(s):
        # Two queued early segments, then one that spans the end of the first
        # and the start of the second; then the gap is filled.
        greet(s)
        base = s.seq[0]
        s.emit(s.frame(0, "PA", base + 6, s.seq[1], b"RSET\r\n"))
        s.emit(s.frame(0, "PA", base + 12, s.seq[1], b"QUIT\r\n"))
        s.emit(s.frame(0, "PA", base + 9, s.seq[1], b"T\r\nQU" if same else b"T\r\nXEXCH"))
        s.emit(s.frame(0, "PA", base, s.seq[1], b"NOOP\r\n"))
        s.seq[0] += 18
        s.s(b"250 ok\r\n250 ok\r\n221 bye\r\n")
    return build


def ovl_span_same_check(r):
    f = []
    expect(r.out[0].endswith(b"NOOP\r\nRSET\r\nQUIT\r\n"), "stream: %r" % r.out[0], f)
    expect_ctr(r, "tcp: out-of-order duplicates dropped", 1, f)
    return f


def ovl_span_diff_check(r):
    f = []
    expect(b"XEXCH" not in r.raw_out[0] and b"QUIT" not in r.raw_out[0],
           "bytes of an inconsistent overlap passed: %r" % r.raw_out[0], f)
    expect_ctr(r, "tcp: retransmissions or overlaps with different bytes (connection dropped)",
               1, f)
    return f


# --- RSTs (RFC 5961) --------------------------------------------------------


def rst_oow_build(s):
    greet(s)
    # Blind RSTs far outside the window, both ways: dropped, the mail goes on.
    s.emit(s.frame(0, "R", s.seq[0] + 10000000, 0))
    s.emit(s.frame(1, "RA", s.seq[1] - 5000000, s.seq[0]))
    mail(s)


def rst_oow_check(r):
    f = []
    rst = [t for t in r.segs if t is not None and t.flags & 0x04]
    expect(not rst, "%d out-of-window RSTs passed" % len(rst), f)
    expect_ctr(r, "tcp: RSTs outside the window", 2, f)
    expect(delivered(r.out[0]) and r.closed_normally, "the mail did not survive", f)
    return f


def rst_challenge_build(s):
    greet(s)
    # In the window but not at the expected sequence: dropped (the receiver
    # would answer a challenge ACK); the mail goes on. Then an exact RST
    # closes the connection; data after it is dropped.
    s.emit(s.frame(0, "R", s.seq[0] + 1000, 0))
    s.c(b"MAIL FROM:<a@example.org>\r\n")
    s.s(b"250 ok\r\n")
    s.emit(s.frame(1, "RA", s.seq[1] + 500, s.seq[0]))
    s.c(b"RCPT TO:<b@example.com>\r\n")
    s.s(b"250 ok\r\n")
    s.emit(s.frame(0, "RA", s.seq[0], s.seq[1]))
    s.c(b"DATA\r\n")


def rst_challenge_check(r):
    f = []
    rst = [t for t in r.segs if t is not None and t.flags & 0x04]
    expect(len(rst) == 1 and rst[0].sport == r.cport, "want only the exact RST, got %d" % len(rst),
           f)
    expect_ctr(r, "tcp: RSTs in window, not exact (challenge)", 2, f)
    expect_ctr(r, "tcp: RSTs accepted", 1, f)
    expect(b"RCPT TO:<b@example.com>\r\n" in r.out[0], "the session did not survive the "
           "in-window RSTs", f)
    expect(b"DATA" not in r.raw_out[0], "data after the accepted RST passed", f)
    return f


# --- malformed frames ---------------------------------------------------------


def ip4_csum(b, off=14):
    """b with a correct IPv4 header checksum (over the IHL or the bytes there)."""
    b = bytearray(b)
    ihl = min((b[off] & 15) * 4, len(b) - off) & ~1
    b[off + 10:off + 12] = b"\0\0"
    b[off + 10:off + 12] = struct.pack("!H", fp.csum_fold(fp.csum_add(bytes(b[off:off + ihl]))))
    return bytes(b)


def patch(b, off, data):
    return b[:off] + data + b[off + len(data):]


def malformed_frames(s):
    """(reason, frame bytes) pairs: every length field lying once."""
    p = b"XEXCH50\r\n"
    t = fp.frame(s, 0, "PA", s.seq[0], s.seq[1], p)
    # Ether 0..14, IPv4 14..34, TCP 34..54, payload 54..
    out = [
        ("trunc_eth", t[:10]),
        ("trunc_ip4", t[:24]),
        ("ip4_version", ip4_csum(patch(t, 14, b"\x65"))),
        ("ip4_ihl", ip4_csum(patch(t, 14, b"\x44"))),        # IHL 4 < 5
        ("ip4_ihl", ip4_csum(patch(t, 14, b"\x4f"))),        # 60 bytes > the packet
        ("ip4_totlen", ip4_csum(patch(t, 16, b"\x05\xdc"))),  # 1500 > the frame
        ("ip4_totlen", ip4_csum(patch(t, 16, b"\x00\x0a"))),  # 10 < IHL
        ("trunc_tcp", ip4_csum(patch(t[:44], 16, b"\x00\x1e"))),  # 10 bytes of TCP
        ("tcp_doff", ip4_csum(patch(t, 46, b"\x40"))),       # data offset 4 < 5
        ("tcp_doff", ip4_csum(patch(t, 46, b"\xf0"))),       # 60 bytes > the segment
        # data offset 6: an option of length 0, an option running past the header
        ("tcp_opt", ip4_csum(patch(patch(t, 46, b"\x60"), 54, b"\x02\x00\x00\x00"))),
        ("tcp_opt", ip4_csum(patch(patch(t, 46, b"\x60"), 54, b"\x08\x0a\x00\x00"))),
        ("tcp_opt", ip4_csum(patch(patch(t, 46, b"\x60"), 54, b"\x03\x04\x00\x00"))),  # wscale len 4
    ]
    # UDP whose length says 500 in a small datagram
    u = bytes(Ether(src=fp.C_MAC, dst=fp.S_MAC) /
              IP(src=s.client, dst=s.server) / Raw(b"\0" * 20))
    u = patch(u, 23, b"\x11")
    u = patch(u, 34, struct.pack("!HHHH", 5000, 5001, 500, 0))
    out.append(("trunc_udp", ip4_csum(u)))
    # IPv6: a payload length beyond the frame; an extension header that
    # runs past the packet; the version nibble lying.
    v6 = bytes(Ether(src=fp.C_MAC, dst=fp.S_MAC) /
               IPv6(src="2001:db8::1", dst="2001:db8::2") /
               TCP(sport=s.cport, dport=25, flags="PA", seq=1, ack=1) / Raw(p))
    out.append(("ip6_plen", patch(v6, 18, b"\x07\xd0")))
    ext = bytes(Ether(src=fp.C_MAC, dst=fp.S_MAC) /
                IPv6(src="2001:db8::1", dst="2001:db8::2", nh=0) /
                Raw(bytes([6, 200]) + b"\0" * 6 + p))
    out.append(("ip6_ext", ext))
    out.append(("ip6_version", patch(v6, 14, b"\x40")))
    return out


def malformed_build(s):
    greet(s)
    s.seq_before = s.seq[0]
    for _reason, b in malformed_frames(s):
        s.frames.append((s.t, b))
        s.t += s.step
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def malformed_check(r):
    f = []
    c = counters(r)
    want = {}
    for reason, _b in malformed_frames(Session(cport=r.cport)):
        want[reason] = want.get(reason, 0) + 1
    for reason, n in sorted(want.items()):
        expect(c.get("drop " + reason, 0) == n, "drop %s: %d, want %d"
               % (reason, c.get("drop " + reason, 0), n), f)
    expect(c.get("malformed", 0) == sum(want.values()), "malformed %d, want %d"
           % (c.get("malformed", 0), sum(want.values())), f)
    expect(b"XEXCH50" not in r.raw_out[0] and b"XEXCH50" not in r.raw_out[1],
           "a malformed frame was forwarded", f)
    expect(r.out[0].endswith(b"EHLO client.example.org\r\nQUIT\r\n") and r.closed_normally,
           "the session around the malformed frames: %r" % r.out[0], f)
    return f


def tagged(frames, tags):
    """Frames as (time, bytes) with VLAN tags [(tpid, vid)...] after the MACs."""
    tag = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in tags)
    out = []
    for fr in frames:
        t, b = (fr if isinstance(fr, tuple) else (float(fr.time), bytes(fr)))
        out.append((t, b[:12] + tag + b[12:]))
    return out


def vlan_session(s, cport, tags):
    x = Session(cport=cport, t0=s.t)
    greet(x)
    x.c(b"XEXCH50\r\nQUIT\r\n")
    x.s(b"500 x\r\n221 bye\r\n")
    x.close()
    s.t = x.t
    s.frames += tagged(x.frames, tags)
    return len(x.frames)


def vlan_build(s):
    # QinQ (802.1ad 0x88a8 outside 0x8100), two 0x8100 tags: parsed and
    # inspected; three tags: too deep, dropped; a cut tag: dropped.
    [vlan_session(s, s.cport, [(0x88A8, 100), (0x8100, 200)]),
           vlan_session(s, s.cport + 1, [(0x8100, 101), (0x8100, 201)]),
           vlan_session(s, s.cport + 2, [(0x88A8, 102), (0x8100, 202), (0x8100, 302)])]
    t = fp.frame(s, 0, "S", 77, 0)
    s.frames.append((s.t, t[:12] + b"\x81\x00\x00"))


def vlan_check(r):
    f = []
    for port in (r.cport, r.cport + 1):
        out = r.streams(port)
        expect(out[1].startswith(masked_banner(BANNER)) and EHLO_MASKED in out[1],
               "port %d: a double-tagged session was not inspected" % port, f)
        expect(out[0].endswith(b"XXXXXXX\r\nQUIT\r\n"), "port %d: %r" % (port, out[0]), f)
    deep = [t for t in r.segs if t is not None and r.cport + 2 in (t.sport, t.dport)]
    expect(not deep, "%d frames with three tags passed" % len(deep), f)
    c = counters(r)
    expect(c.get("drop vlan_depth", 0) == 11, "drop vlan_depth %d, want 11 (every frame of the "
           "3-tag session)" % c.get("drop vlan_depth", 0), f)
    expect_ctr(r, "drop trunc_vlan", 1, f)
    expect_ctr(r, "vlan", 22, f)
    return f


# --- SMTP smuggling ----------------------------------------------------------

SMUGGLED = b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nspoof\r\n"
VARIANTS = [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r", b"\r.\r", b"\r.\n"]


def smuggle_session(s, cport, end, sizes=None):
    x = Session(cport=cport, t0=s.t)
    greet(x)
    x.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    x.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    x.c(b"Subject: s\r\n\r\nhello" + end + SMUGGLED + b"\r\n.\r\n", sizes=sizes)
    x.s(b"250 queued\r\n")
    x.c(b"QUIT\r\n")
    x.s(b"221 bye\r\n")
    x.close()
    s.t = x.t
    s.frames += x.frames


def control_session(s, cport):
    # Dot-stuffed lines and dots inside lines are not an end of data.
    x = Session(cport=cport, t0=s.t)
    greet(x)
    mail(x, body=b"Subject: c\r\n\r\n..leading dot\r\na . b\r\n.x\r\n..\r\nhello\r\n")
    s.t = x.t
    s.frames += x.frames


def smuggle_log_build(s):
    # _default_esmtp_map: data-end-smuggling is `log`; every variant is
    # reported (108005) and the message is judged as one message.
    for i, v in enumerate(VARIANTS):
        smuggle_session(s, s.cport + 100 * i, v)
    control_session(s, s.cport + 1000)


def smuggle_log_check(r):
    f = []
    expect_ctr(r, "event: data-end-smuggling", len(VARIANTS), f)
    expect(r.audit.count("data-end-smuggling") == len(VARIANTS),
           "%d audit lines for %d smuggling variants" % (r.audit.count("data-end-smuggling"),
                                                        len(VARIANTS)), f)
    expect(delivered(r.streams(r.cport + 1000)[0]), "the control message did not pass", f)
    return f


def smuggle_drop_build(s):
    # data-end-smuggling: drop-connection: the server never sees the bytes
    # after a would-be end of data, whatever the segmentation.
    for i, v in enumerate(VARIANTS):
        smuggle_session(s, s.cport + 100 * i, v)
        # the same split after the dot
        smuggle_session(s, s.cport + 100 * i + 1, v, sizes=[14 + 5 + v.index(b".") + 1])
    control_session(s, s.cport + 1000)


def smuggle_drop_check(r):
    f = []
    for i, v in enumerate(VARIANTS):
        for k in (0, 1):
            out = r.streams(r.cport + 100 * i + k)[0]
            expect(b"evil@" not in out, "variant %r (split %d): the smuggled transaction "
                   "reached the server" % (v, k), f)
    expect_ctr(r, "insp_conn_dropped", 2 * len(VARIANTS), f)
    expect(delivered(r.streams(r.cport + 1000)[0]), "the control message was dropped", f)
    return f


# --- pipelined STARTTLS (CVE-2011-0411 class) -----------------------------------


def starttls_pipe_build(s):
    greet(s)
    s.c(b"STARTTLS\r\nMAIL FROM:<a@example.org>\r\n")
    s.s(b"500 5.5.1 unknown\r\n250 ok\r\n")
    s.c(b"XEXCH50\r\n")
    s.s(b"500 no\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def starttls_pipe_check(r):
    # No allow-tls: STARTTLS is masked in the EHLO reply and X'd; TLS never
    # starts, so the MAIL FROM behind it is an ordinary plaintext command,
    # inspected as such, and inspection goes on (XEXCH50 X'd).
    f = []
    expect(EHLO_MASKED in r.out[1], "STARTTLS not masked in the EHLO reply", f)
    expect(r.out[0].endswith(b"XXXXXXXX\r\nMAIL FROM:<a@example.org>\r\nXXXXXXX\r\nQUIT\r\n"),
           "stream: %r" % r.out[0], f)
    expect_ctr(r, "insp_conn_bypassed", 0, f)
    expect("108007" not in r.audit, "TLS reported as started", f)
    expect(r.closed_normally, "the connection did not survive", f)
    return f


def starttls_inject_build(s):
    greet(s)
    s.c(b"STARTTLS\r\nMAIL FROM:<a@example.org>\r\n")
    s.s(b"220 2.0.0 Ready to start TLS\r\n")
    s.c(b"\x16\x03\x01\x00\x05hello")


def starttls_inject_check(r):
    # allow-tls: plaintext behind STARTTLS before the 220 would be taken as
    # sent over TLS: the connection is dropped (starttls-injection), the
    # command never reaches the server and TLS is never bypassed.
    f = []
    expect(b"MAIL FROM" not in r.raw_out[0], "the injected command reached the server", f)
    expect_ctr(r, "event: starttls-injection", 1, f)
    expect_ctr(r, "insp_conn_dropped", 1, f)
    expect_ctr(r, "insp_conn_bypassed", 0, f)
    expect(b"\x16\x03" not in r.raw_out[0], "TLS bytes passed after the injection", f)
    return f


def noconn_flood_build(s):
    # 60 stray ACKs of no connection to port 25 in the same second (a box
    # restart, a scan): all dropped (midstream: drop), 106015 rate-limited.
    for i in range(60):
        s.emit(s.frame(0, "A", 1000 + i, 5000))


def noconn_flood_check(r):
    f = []
    lines = [l for l in r.audit.splitlines() if "%ASA-6-106015:" in l]
    want = ("%%ASA-6-106015: Deny TCP (no connection) from 198.18.0.1/%d to 198.18.0.2/25 "
            "flags ACK on interface " % r.cport)
    expect(not [x for x in r.frames if TCP in x], "a segment of no connection left", f)
    expect_ctr(r, "midstream_drop", 60, f)
    expect(len(lines) == 20, "%d 106015 lines, want 20 (a burst of 20, 10 a second)"
           % len(lines), f)
    expect(lines and want in lines[0], "106015 line %r, want %r" % (lines[:1], want), f)
    return f


# --- postscreen's checks: a client that talks first, illegal pipelining ---

EHLO_NO_PIPE = b"250-mail.example.com\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"


def early_talker_session(s, cport):
    # The client sends EHLO before the server's banner (a spambot does).
    x = Session(cport=cport, t0=s.t)
    x.handshake()
    x.c(b"EHLO bot.example.net\r\n")
    x.s(BANNER)
    x.s(EHLO_NO_PIPE)
    mail(x)
    s.t = x.t
    s.frames += x.frames


def illegal_pipe_session(s, cport):
    # The server did not offer PIPELINING; the client sends MAIL, RCPT and
    # DATA in one segment without waiting.
    x = Session(cport=cport, t0=s.t)
    x.handshake()
    x.s(BANNER)
    x.c(b"EHLO bot.example.net\r\n")
    x.s(EHLO_NO_PIPE)
    x.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
    x.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    x.c(b"Subject: p\r\n\r\nhello\r\n.\r\n")
    x.s(b"250 queued\r\n")
    x.c(b"QUIT\r\n")
    x.s(b"221 bye\r\n")
    x.close()
    s.t = x.t
    s.frames += x.frames


def prescreen_build(s):
    early_talker_session(s, s.cport)
    illegal_pipe_session(s, s.cport + 100)
    control_session(s, s.cport + 1000)


def prescreen_log_check(r):
    # _default_esmtp_map: both are logged (108005) and the mails pass.
    f = []
    expect(delivered(r.streams(r.cport)[0]), "the early talker's mail did not pass", f)
    expect(delivered(r.streams(r.cport + 100)[0], body=b"hello\r\n"),
           "the pipelining client's mail did not pass", f)
    expect_ctr(r, "event: early-talker", 1, f)
    expect_ctr(r, "event: pipelining", 1, f, ">=")
    expect(re.search(r"%ASA-6-108005: .*early-talker", r.audit) is not None,
           "no 108005 line for the early talker", f)
    return f


def prescreen_drop_check(r):
    # early-talker and pipelining: drop-connection: neither client's
    # MAIL FROM reaches the server; a well-behaved client's mail passes.
    f = []
    early = r.streams(r.cport)[0]
    pipe = r.streams(r.cport + 100)[0]
    expect(b"MAIL FROM" not in early, "the early talker's MAIL FROM reached the server", f)
    expect(b"DATA" not in pipe, "the pipelining client's DATA reached the server", f)
    expect_ctr(r, "insp_conn_dropped", 2, f)
    expect(re.search(r"%ASA-4-108004: .*Dropped connection.*early-talker", r.audit) is not None,
           "no 108004 drop line for the early talker: %s" % r.audit[-300:], f)
    expect(delivered(r.streams(r.cport + 1000)[0]), "the control message was dropped", f)
    return f


CASES = [
    ("early-talker-pipelining-log", "a client that talks before the banner, and one that pipelines where the server offered no PIPELINING: logged (108005), the mails pass (ASA default)",
     prescreen_build, prescreen_log_check, None),
    ("early-talker-pipelining-drop", "early-talker and pipelining drop-connection (postscreen's pregreet and pipelining tests, acting): neither client's transaction reaches the server; a normal client's does",
     prescreen_build, prescreen_drop_check, "prescreen-drop"),
    ("noconn-106015", "60 stray ACKs of no connection to port 25: dropped (midstream_drop 60), ASA 106015 'Deny TCP (no connection) ... flags ACK' logged, rate-limited to a burst of 20",
     noconn_flood_build, noconn_flood_check, None),
    ("conn-max-flood", "set-connection conn-max 20: 40 clients hold connections, 21 refused, the connected client's mail passes, a late client gets in after the flood",
     conn_flood_build, conn_flood_check, "hostile-limits"),
    ("per-client-flood", "per-client-max 5: one client's 10 connections, 5 refused; other clients and the admitted ones work",
     client_flood_build, client_flood_check, "hostile-limits"),
    ("line-never-ends", "a command line growing without CR LF over 200 segments is cut at 512 bytes",
     line_never_ends_build, line_never_ends_check, None),
    ("line-unlimited-1mib", "with no line limit a 1 MiB command line without CR LF streams, nothing held",
     line_unlimited_build, line_unlimited_check, "hostile-no-line-limit"),
    ("command-line-1mib", "a 1 MiB command line (no limit): the next command is still X'd",
     mb_command_build, mb_command_check, "hostile-no-line-limit"),
    ("header-line-1mib", "a 1 MiB header line drops the connection at byte 999",
     mb_header_build, mb_header_check, None),
    ("body-line-1mib", "a 1 MiB body line is logged once and passes; the end of data is found",
     mb_body_build, mb_body_check, None),
    ("one-byte-100k", "100k 1-byte segments of a message body all pass, in order",
     one_byte_build, one_byte_check, None),
    ("ooo-storm", "a queue of 16 (tcp.out-of-order-segments): 40 segments last first, 16 queued, 23 dropped; the retransmission passes",
     ooo_storm_build, ooo_storm_check, "hostile-ooo-16"),
    ("ooo-window", "a window of 40 full segments behind a lost first one: all 39 wait (default queue), none dropped, the retransmission delivers",
     ooo_window_build, ooo_window_check, None),
    ("ooo-tick-list-full", "1100 connections with queued segments: 76 over the 1024 timer slots, counted; all time out",
     tick_full_build, tick_full_check, "hostile-mbufs"),
    ("mbuf-exhaustion", "1120 queued segments want more than the offline pool's 1024 mbufs: counted; after the timeouts a session passes",
     mbuf_exhaust_build, mbuf_exhaust_check, None),
    ("flow-table-full", "flows.max-per-worker 16: 40 SYNs fill it, others refused (flow_full); it drains after the embryonic timeout",
     flow_full_build, flow_full_check, "hostile-flows-16"),
    ("audit-flood", "500 108003 records in 0.1 s: the audit rate limit suppresses the excess (counted), every connection is dropped",
     audit_flood_build, audit_flood_check, None),
    ("overlap-start-same", "a segment overlapping the end of the previous one with the same bytes passes",
     ovl_start_build(True), ovl_start_same_check, None),
    ("overlap-start-different", "a segment overlapping the end of the previous one with other bytes drops the connection",
     ovl_start_build(False), ovl_start_diff_check, None),
    ("overlap-end-different", "an in-order segment running into a queued one with other bytes drops the connection",
     ovl_end_build, ovl_end_check, None),
    ("overlap-span-same", "an early segment spanning two queued ones with the same bytes is a duplicate",
     ovl_span_build(True), ovl_span_same_check, None),
    ("overlap-span-different", "an early segment spanning two queued ones with other bytes drops the connection",
     ovl_span_build(False), ovl_span_diff_check, None),
    ("rst-out-of-window", "RSTs far outside the window (both ways) are dropped; the mail goes on",
     rst_oow_build, rst_oow_check, None),
    ("rst-in-window", "RSTs in the window, not exact, are dropped (challenge); the exact one closes",
     rst_challenge_build, rst_challenge_check, None),
    ("malformed-lengths", "every lying length field (IHL, total length, payload length, data offset, options, UDP) dropped with its reason",
     malformed_build, malformed_check, None),
    ("vlan-stacks", "QinQ (0x88a8) and 0x8100 x2 are inspected; 3 tags and a cut tag are dropped",
     vlan_build, vlan_check, None),
    ("smuggling-log", "every would-be end of data (\\n.\\n, \\r.\\r, \\r\\n.\\r ...) is reported (default log)",
     smuggle_log_build, smuggle_log_check, None),
    ("smuggling-drop", "data-end-smuggling drop-connection: the smuggled transaction never reaches the server",
     smuggle_drop_build, smuggle_drop_check, "hostile-smuggling-drop"),
    ("starttls-pipelined", "STARTTLS + MAIL FROM in one segment, no allow-tls: STARTTLS X'd, MAIL inspected as plaintext",
     starttls_pipe_build, starttls_pipe_check, None),
    ("starttls-injection", "with allow-tls, a command pipelined behind STARTTLS drops the connection",
     starttls_inject_build, starttls_inject_check, "allow-tls"),
]
