# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap cases: no walking around the MIME file name rule (issue 13).

A 256-character attachment file name must drop the connection wherever its
part sits: 8 multipart levels deep, behind a boundary longer than RFC
2046's 70 characters, inside a forwarded message (message/rfc822). What
the inspector cannot follow (a 9th level) raises mime-unfollowable. Each
shape has its legitimate counterpart (a 255-character name), which must
pass untouched. Same shape as cases.py (build(Session), check(result) ->
failures, policy), collected by test_golden.py; messages are sent in
97-byte segments, so lines, boundaries and parameters are cut anywhere.
"""
from cases import expect, greet
from cases_hostile import expect_ctr, mail

SEG = 97
FILENAME_AUDIT = "MIME filename length gt 255"


def attachment(name_len):
    name = b"n" * (name_len - 4) + b".exe"
    return (b"Content-Type: application/octet-stream\r\n"
            b"Content-Disposition: attachment;\r\n filename=\"" + name + b"\"\r\n\r\n"
            b"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n")


def nested(levels, name_len):
    """levels multiparts one inside the other, the attachment innermost."""
    m = b"From: a@example.org\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
    for i in range(levels):
        b = b"=_level%d_boundary" % i
        m += b"Content-Type: multipart/mixed; boundary=\"" + b + b"\"\r\n\r\n"
        m += b"--" + b + b"\r\nContent-Type: text/plain\r\n\r\nlevel %d\r\n--" % i + b + b"\r\n"
    m += attachment(name_len)
    for i in reversed(range(levels)):
        m += b"--=_level%d_boundary--\r\n" % i
    return m


LONG_BOUNDARY = b"=_" + b"0123456789abcdefghij" * 10  # 202 characters


def long_boundary(name_len):
    b = LONG_BOUNDARY
    return (b"From: a@example.org\r\nSubject: long boundary\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed;\r\n boundary=\"" + b + b"\"\r\n\r\n"
            b"--" + b + b"\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
            b"--" + b + b"\r\n" + attachment(name_len) + b"--" + b + b"--\r\n")


def rfc822(name_len):
    """A forwarded message whose own multipart holds the attachment."""
    return (b"From: a@example.org\r\nSubject: Fwd: invoice\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            b"--outer\r\nContent-Type: text/plain\r\n\r\nsee the attached mail\r\n"
            b"--outer\r\nContent-Type: message/rfc822\r\n"
            b"Content-Disposition: attachment; filename=\"invoice.eml\"\r\n\r\n"
            b"From: c@example.net\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n"
            b"--inner\r\nContent-Type: text/plain\r\n\r\nplease pay\r\n"
            b"--inner\r\n" + attachment(name_len) + b"--inner--\r\n--outer--\r\n")


def send_mail(msg):
    def build(s):
        greet(s)
        mail(s, msg, sizes=[SEG] * (len(msg) // SEG + 2))
    return build


def dropped(msg, audit, counter):
    """The message never reaches the server whole; the audit names why."""
    def check(r):
        f = []
        expect(msg not in r.out[0], "the whole message reached the server", f)
        expect(b"QUIT" not in r.out[0], "traffic after the drop passed", f)
        expect(audit in r.audit, "no audit line with %r: %r" % (audit, r.audit[-300:]), f)
        expect_ctr(r, "event: " + counter, 1, f)
        return f
    return check


def untouched(msg, audit=None, counter=None):
    """The message and the session pass byte for byte; only audit (if any)
    is logged."""
    def check(r):
        f = []
        expect(msg + b".\r\nQUIT\r\n" in r.out[0], "the message did not pass untouched", f)
        expect(r.closed_normally, "connection did not close normally", f)
        if audit is None:
            expect("10800" not in r.audit.replace("108007", ""),
                   "unexpected audit line: %r" % r.audit[-300:], f)
        else:
            expect(audit in r.audit, "no audit line with %r" % audit, f)
        if counter is not None:
            expect_ctr(r, "event: " + counter, 1, f)
        expect_ctr(r, "event: mime-filename-length", 0, f)
        expect_ctr(r, "event: mime-unfollowable", 0 if counter != "mime-unfollowable" else 1, f)
        return f
    return check


# Suricata's smtp-mime-encap-8649 shape: a plain message labelled base64.
MISLABELLED = (b"From: a@example.org\r\nSubject: Combined\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
               b"Content-Disposition: attachment; filename=\"innocent.txt\"\r\n\r\n"
               b"From: c@example.net\r\nSubject: Inner\r\n" + attachment(256))
NESTED_BAD, NESTED_OK = nested(8, 256), nested(8, 255)
DEEP9 = nested(9, 12)
LONG_BAD, LONG_OK = long_boundary(256), long_boundary(255)
RFC822_BAD, RFC822_OK = rfc822(256), rfc822(255)

CASES = [
    ("mime-nesting-8", "a 256-character file name 8 multipart levels deep drops the connection",
     send_mail(NESTED_BAD), dropped(NESTED_BAD, FILENAME_AUDIT, "mime-filename-length"), None),
    ("mime-nesting-8-legit", "the same 8 levels with a 255-character name pass untouched",
     send_mail(NESTED_OK), untouched(NESTED_OK), None),
    ("mime-nesting-9", "a 9th multipart level cannot be followed: mime-unfollowable drops (108004)",
     send_mail(DEEP9), dropped(DEEP9, "mime-unfollowable: multipart nesting 9", "mime-unfollowable"),
     None),
    ("mime-nesting-9-log", "with mime-unfollowable: log the 9-level mail passes, logged (108005)",
     send_mail(DEEP9), untouched(DEEP9, "108005", "mime-unfollowable"), "mime-unfollowable-log"),
    ("mime-long-boundary", "a 256-character file name behind a 202-character boundary drops the connection",
     send_mail(LONG_BAD), dropped(LONG_BAD, FILENAME_AUDIT, "mime-filename-length"), None),
    ("mime-long-boundary-legit", "the same with a 255-character name passes untouched; the boundary over 70 is logged",
     send_mail(LONG_OK), untouched(LONG_OK, "mime-boundary-length: 202", "mime-boundary-length"),
     None),
    ("mime-rfc822", "a 256-character file name inside a forwarded message (message/rfc822) drops the connection",
     send_mail(RFC822_BAD), dropped(RFC822_BAD, FILENAME_AUDIT, "mime-filename-length"), None),
    ("mime-rfc822-encoded", "a message/rfc822 labelled base64 cannot be followed: mime-unfollowable drops (108004)",
     send_mail(MISLABELLED),
     dropped(MISLABELLED, "mime-unfollowable: encoded message/rfc822", "mime-unfollowable"), None),
    ("mime-rfc822-encoded-log", "with mime-unfollowable: log, the same (plain under the label) is read as it stands: its 256-character name drops",
     send_mail(MISLABELLED), dropped(MISLABELLED, FILENAME_AUDIT, "mime-filename-length"),
     "mime-unfollowable-log"),
    ("mime-rfc822-legit", "the same forwarded message with a 255-character name passes untouched",
     send_mail(RFC822_OK), untouched(RFC822_OK), None),
]
