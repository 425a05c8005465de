# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap cases: a flow table full of closed connections (issue 13).

Same shape as cases.py (build(Session), check(result) -> failures, policy),
collected by test_golden.py after cases_hostile.py's. A closed connection
lingers only to absorb late FINs and ACKs: when the table is full, a new
connection takes the place of the one closed longest ago (flow_reclaimed);
only a table with no closed entry refuses it (flow_full).
"""
import fastpcap as fp
from cases import expect, greet
from cases_hostile import counters, delivered, expect_ctr, mail
from session import Session

CLOSED = 16  # the table's size (policies/flows-16-closed-60)


def client_frames(segs, src, sport):
    return sum(1 for t in segs if t is not None and t.src == src and t.sport == sport)


def full_of_closed_build(s):
    # 16 mail sessions fill the 16-entry table and close (12 with FINs, 4
    # reset by the client after the 221); their entries would linger 60 s.
    # Then two new clients send mail: each takes the place of the oldest
    # closed connection. A late ACK of the oldest closed connection follows
    # the first new SYN within the same burst (the worker looked its entry
    # up in bulk before the SYN took it); last, a late ACK of the sixth
    # closed connection (still lingering).
    s.closed = []
    t = s.t
    for i in range(CLOSED):
        c = Session(client="198.18.20.%d" % (i + 1), cport=s.cport + 1000 + i, t0=t)
        greet(c)
        if i % 4 == 3:
            c.c(b"QUIT\r\n")
            c.s(b"221 bye\r\n")
            c.emit(c.frame(0, "R", c.seq[0], 0))
        else:
            mail(c)
        t = c.t + 0.05
        s.closed.append(c)
    s.t = t + 1.0
    c = s.closed[0]
    c.t = s.t + 0.0001
    c.emit(c.frame(0, "A", c.seq[0], c.seq[1]))
    greet(s)
    mail(s)
    second = Session(client="198.18.21.1", cport=s.cport + 2000, t0=s.t + 0.05)
    greet(second)
    mail(second, body=b"Subject: two\r\n\r\nsecond\r\n")
    c = s.closed[5]
    c.t = second.t + 0.1
    c.emit(c.frame(0, "A", c.seq[0], c.seq[1]))
    for c in s.closed:
        s.frames += c.frames
    s.frames += second.frames
    s.frames.sort(key=lambda x: x.time)


def full_of_closed_check(r):
    f = []
    expect(delivered(r.out[0]), "a new connection was refused by a table of closed ones: %r" %
           r.out[0][-60:], f)
    second = fp.streams(r.segs, r.cport + 2000)
    expect(delivered(second[0], b"second\r\n"), "the second new connection's mail did not pass",
           f)
    expect_ctr(r, "flow_reclaimed", 2, f)
    expect_ctr(r, "flow_full", 0, f)
    # The late ACK of the connection whose entry went is unknown now: it may
    # not take a closed entry itself (only SYNs do), so the full table drops
    # it; the sixth connection's entry still absorbs its own.
    expect_ctr(r, "flow_full_midstream", 1, f)
    # Connections 0, 1 and 5 sent the same frames, but for the late ACKs of 0 and 5.
    n = [client_frames(r.segs, "198.18.20.%d" % (i + 1), r.cport + 1000 + i) for i in (0, 1, 5)]
    expect(n[1] >= 10, "closed connection 1: only %d of its client's frames left" % n[1], f)
    expect(n[0] == n[1], "the late ACK of the reclaimed connection left the box", f)
    expect(n[2] == n[1] + 1, "the late ACK of a lingering closed connection was not forwarded", f)
    expect(counters(r).get("flows live") == CLOSED, "the table should end full (%s live)" %
           counters(r).get("flows live"), f)
    return f


CASES = [
    ("closed-table-reclaim", "a 16-entry table full of closed connections (linger 60 s): two new connections take the two oldest closed entries (flow_reclaimed 2, flow_full 0), their mails pass; a late ACK of a reclaimed one is dropped (flow_full_midstream), of a lingering one passes",
     full_of_closed_build, full_of_closed_check, "flows-16-closed-60"),
]
