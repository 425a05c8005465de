# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap cases: the audit trail (issue 13: no silent loss).

Same shape as cases.py (build(Session), check(result) -> failures, policy),
collected by test_golden.py after cases_hostile.py's.
"""
import re

from cases import BANNER, EHLO_REPLY, expect, greet, static_build

EHLO = b"EHLO client.example.org\r\n"
PIPE_FROM = b"MAIL FROM:<a|b@example.org>\r\n"


def stop_counts(r):
    """(initiator bytes, responder bytes) of the one IOS stop record, or None."""
    stop = [line for line in r.audit.splitlines() if "SESS_AUDIT_TRAIL: Stop" in line]
    if len(stop) != 1:
        return None
    m = re.search(r"initiator \(\S+\) sent (\d+) bytes -- responder \(\S+\) sent (\d+) bytes",
                  stop[0])
    return (int(m.group(1)), int(m.group(2))) if m else None


def stop_check(r, want, why):
    f = []
    got = stop_counts(r)
    expect(got == want, "stop record after %s: %r, want the bytes each side sent %r"
           % (why, got, want), f)
    return f


def drop_build(s):
    greet(s)
    s.c(PIPE_FROM)            # address-pipe: drop-connection (108003)
    s.s(b"250 ok\r\n")        # dropped with everything after it
    s.c(b"QUIT\r\n")


def drop_check(r):
    f = stop_check(r, (len(EHLO) + len(PIPE_FROM), len(BANNER) + len(EHLO_REPLY)),
                   "a drop-connection verdict")
    expect("108003" in r.audit, "no 108003 line for the drop", f)
    expect(b"QUIT" not in r.out[0], "the connection was not dropped", f)
    return f


def evasion_build(s):
    greet(s)
    s.c(b"NOOP\r\n")
    s.raw(0, len(EHLO), b"ATRN\r\n")  # a "retransmission" with other bytes: lib/tcp drops
    s.s(b"250 ok\r\n")


def evasion_check(r):
    f = stop_check(r, (len(EHLO) + len(b"NOOP\r\n"), len(BANNER) + len(EHLO_REPLY)),
                   "lib/tcp's drop (evasion)")
    expect(b"ATRN" not in r.raw_out[0], "the different bytes passed", f)
    return f


def emb_limit_check(r):
    # tcp 50 100 intercepts from 25 half-open (half the connection limit);
    # the line names the configured limit, 100, not the 25 it enforces.
    f = []
    lines = [line for line in r.audit.splitlines() if "201010" in line]
    expect(lines, "no 201010 line", f)
    bad = [line for line in lines if not re.search(r"exceeded \d+/100 for input packet", line)]
    expect(not bad, "201010 does not print the configured limit 100: %r" % bad[:1], f)
    return f


def size_build(s):
    greet(s)
    s.c(b"MAIL FROM:<a@example.org> SIZE=10\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"RCPT TO:<b@example.com>\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"DATA\r\n")
    s.s(b"354 go ahead\r\n")
    s.c(b"Subject: larger than declared\r\n\r\n" + b"x" * 40 + b"\r\n.\r\n")
    s.s(b"250 queued\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def size_check(r):
    f = []
    m = re.search(r"%ASA-7-108006: .*declared size is: (\d+), actual size is (\d+)", r.audit)
    expect(m is not None, "no 108006 line", f)
    if m:
        expect(m.group(1) == "10" and int(m.group(2)) > 10,
               "108006 sizes: declared %s, actual %s" % m.groups(), f)
    expect(r.closed_normally, "a size violation is logged, not dropped", f)
    return f


CASES = [
    ("ios-stop-after-drop", "IOS audit-trail: the stop record of a dropped connection counts the bytes each side sent (not 0)",
     drop_build, drop_check, "ios-audit"),
    ("ios-stop-after-evasion", "IOS audit-trail: ... and of one lib/tcp dropped (different retransmitted bytes)",
     evasion_build, evasion_check, "ios-audit"),
    ("emb-limit-configured", "static tcp 50 100: 201010 prints the configured limit (100), not the 25 it intercepts from",
     static_build, emb_limit_check, "config/examples/tac-static-limits.yaml"),
    ("size-108006", "SIZE=10 and a larger message: 108006 with both sizes, the mail passes",
     size_build, size_check, None),
]
