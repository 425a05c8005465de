# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap cases: what real MTAs need (issue 19, items 3-5).

Same shape as cases.py (build(Session), check(result) -> failures, policy),
collected by test_golden.py after cases_hostile.py's:
 - mask-banner neutral: the greeting hides host, software and version, same
   length, and is not what Postfix takes for a PIX (the ASA's '*' mask is);
 - config/examples/modern-esmtp.yaml: SMTPUTF8, 8BITMIME, DSN,
   ENHANCEDSTATUSCODES, SIZE, PIPELINING, CHUNKING, REQUIRETLS, STARTTLS
   and AUTH kept, the rest masked; BDAT inspected; the default map still
   masks SMTPUTF8 (the "before");
 - AUTH lines follow RFC 4954: an AUTH XOAUTH2 line with a 10 KB token
   passes untouched, 13 KB (AUTH line or SASL response) drops the
   connection with `auth-line-length`.
"""
from cases import expect, long_header_check
from cases_hostile import expect_ctr, mail

MODERN = "config/examples/modern-esmtp.yaml"

# Postfix 3.7's greeting and EHLO reply (smtpd_banner with Debian's text),
# plus REQUIRETLS (RFC 8689) and two keywords no profile lets through.
PF_BANNER = b"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"
PF_EHLO = (b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-VRFY\r\n"
           b"250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
           b"250-DSN\r\n250-SMTPUTF8\r\n250-REQUIRETLS\r\n250-BINARYMIME\r\n"
           b"250-XCLIENT NAME ADDR\r\n250 CHUNKING\r\n")
PF_EHLO_MODERN = (b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-XXXX\r\n"
                  b"250-XXXX\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                  b"250-DSN\r\n250-SMTPUTF8\r\n250-REQUIRETLS\r\n250-XXXXXXXXXX\r\n"
                  b"250-XXXXXXX NAME ADDR\r\n250 CHUNKING\r\n")
PF_EHLO_ASA = (b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-VRFY\r\n"
               b"250-ETRN\r\n250-XXXXXXXX\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
               b"250-DSN\r\n250-XXXXXXXX\r\n250-XXXXXXXXXX\r\n250-XXXXXXXXXX\r\n"
               b"250-XXXXXXX NAME ADDR\r\n250 XXXXXXXX\r\n")


def postfix_sees_pix(greeting):
    """Postfix's smtp_proto.c: a greeting made only of these bytes is a
    PIX/ASA's, and the client then turns ESMTP off (disable_esmtp)."""
    return greeting.rstrip(b"\r\n").strip(b"20 *\t\n\r") == b""


def pf_greet(s):
    s.handshake()
    s.s(PF_BANNER)
    s.c(b"EHLO client.test\r\n")
    s.s(PF_EHLO)


def pf_quit(s):
    s.c(b"QUIT\r\n")
    s.s(b"221 2.0.0 Bye\r\n")
    s.close()


# --- mask-banner neutral ---------------------------------------------------

def neutral_build(s):
    pf_greet(s)
    mail(s)


def neutral_check(r):
    f = []
    want = b"220 ESMTP" + b" " * (len(PF_BANNER) - 11) + b"\r\n"
    got = r.out[1][:len(PF_BANNER)]
    expect(got == want, "neutral banner: %r, want %r" % (got, want), f)
    expect(not postfix_sees_pix(got), "Postfix would take the neutral banner for a PIX", f)
    expect(postfix_sees_pix(b"220 " + b"*" * (len(PF_BANNER) - 6) + b"\r\n"),
           "the PIX test itself is wrong (the ASA mask must trip it)", f)
    expect(b"Postfix" not in r.out[1] and b"mail.example.com ESMTP" not in r.out[1],
           "server software or host leaked", f)
    expect_ctr(r, "event: mask-banner", 1, f)
    return f


# --- the modern profile ------------------------------------------------------

UTF8_BODY = b"Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n\r\nGr\xc3\xbc\xc3\x9fe aus M\xc3\xbcnchen\r\n"


def modern_build(s):
    pf_greet(s)
    s.c(b"MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8 BODY=8BITMIME\r\n")
    s.s(b"250 2.1.0 Ok\r\n")
    s.c(b"RCPT TO:<us\xc3\xa9r@example.com>\r\n")
    s.s(b"250 2.1.5 Ok\r\n")
    s.c(b"BDAT %d LAST\r\n" % len(UTF8_BODY) + UTF8_BODY)
    s.s(b"250 2.0.0 Ok: queued\r\n")
    pf_quit(s)


def modern_check(r):
    f = []
    expect(PF_EHLO_MODERN in r.out[1], "modern EHLO reply: %r" % r.out[1], f)
    expect(r.out[0].endswith(b"BDAT %d LAST\r\n" % len(UTF8_BODY) + UTF8_BODY + b"QUIT\r\n"),
           "the BDAT message was changed or X'd: %r" % r.out[0][-100:], f)
    expect(b"MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8 BODY=8BITMIME\r\n" in r.out[0],
           "the UTF-8 MAIL FROM was changed", f)
    expect(r.closed_normally, "the session did not end normally", f)
    expect_ctr(r, "event: ehlo-reply-parameter", 4, f)  # VRFY ETRN BINARYMIME XCLIENT
    return f


def modern_bdat_build(s):
    """BDAT is inspected, not only let through: a header line over 998
    bytes in a chunk drops the connection as it would in DATA."""
    pf_greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\n")
    s.s(b"250 2.1.0 Ok\r\n")
    s.c(b"RCPT TO:<b@example.com>\r\n")
    s.s(b"250 2.1.5 Ok\r\n")
    body = b"Subject: " + b"x" * 1000 + b"\r\n\r\nbody\r\n"
    s.c(b"BDAT %d LAST\r\n" % len(body) + body, sizes=[600, 600])
    s.s(b"250 2.0.0 Ok: queued\r\n")


def asa_smtputf8_build(s):
    pf_greet(s)
    pf_quit(s)


def asa_smtputf8_check(r):
    f = []
    expect(PF_EHLO_ASA in r.out[1], "default map EHLO reply: %r" % r.out[1], f)
    expect(postfix_sees_pix(r.out[1][:len(PF_BANNER)]), "the ASA banner mask changed", f)
    return f


# --- AUTH lines (RFC 4954) -------------------------------------------------

def token(n):
    """A base64-looking XOAUTH2 initial response of n bytes."""
    alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return bytes(alpha[(i * 7) % 64] for i in range(n))


def auth_ir_build(n):
    def build(s):
        s.handshake()
        s.s(PF_BANNER)
        s.c(b"EHLO client.test\r\n")
        s.s(b"250-mail.example.com\r\n250-AUTH PLAIN XOAUTH2\r\n250 8BITMIME\r\n")
        s.c(b"AUTH XOAUTH2 " + token(n - 13) + b"\r\n", sizes=[1448] * (n // 1448 + 1))
        s.s(b"235 2.7.0 Authentication successful\r\n")
        mail(s)
    return build


def auth_10k_check(r):
    f = []
    line = b"AUTH XOAUTH2 " + token(10240 - 13) + b"\r\n"
    expect(line in r.out[0], "the 10 KB AUTH line did not pass untouched", f)
    expect(b"hello\r\n.\r\nQUIT\r\n" in r.out[0], "the mail after AUTH did not pass", f)
    expect(r.closed_normally, "the session did not end normally", f)
    expect_ctr(r, "insp_conn_dropped", 0, f)
    expect_ctr(r, "event: auth-line-length", 0, f)
    return f


def auth_over_check(r):
    f = []
    ehlo = b"EHLO client.test\r\n"
    line = r.out[0][len(ehlo):]
    expect(len(line) <= 12288, "%d bytes of a 13 KB AUTH line passed (limit 12288)" % len(line), f)
    expect(b"MAIL FROM" not in r.out[0], "traffic after the drop passed", f)
    expect("auth-line-length: 12289" in r.audit, "no audit line naming auth-line-length", f)
    expect_ctr(r, "event: auth-line-length", 1, f)
    expect_ctr(r, "insp_conn_dropped", 1, f)
    return f


def auth_sasl_build(s):
    s.handshake()
    s.s(PF_BANNER)
    s.c(b"EHLO client.test\r\n")
    s.s(b"250-mail.example.com\r\n250 AUTH XOAUTH2\r\n")
    s.c(b"AUTH XOAUTH2\r\n")
    s.s(b"334 \r\n")
    s.c(token(13312) + b"\r\n", sizes=[1448] * 10)
    s.s(b"235 2.7.0 Authentication successful\r\n")
    mail(s)


def auth_sasl_check(r):
    f = []
    head = b"EHLO client.test\r\nAUTH XOAUTH2\r\n"
    expect(r.out[0].startswith(head), "client stream: %r" % r.out[0][:40], f)
    expect(len(r.out[0]) - len(head) <= 12288,
           "%d bytes of a 13 KB SASL response passed" % (len(r.out[0]) - len(head)), f)
    expect(b"MAIL FROM" not in r.out[0], "traffic after the drop passed", f)
    expect_ctr(r, "event: auth-line-length", 1, f)
    return f


CASES = [
    ("banner-neutral", "mask-banner neutral: Postfix's greeting becomes '220 ESMTP' + spaces, same length, not a PIX's",
     neutral_build, neutral_check, MODERN),
    ("modern-profile", "config/examples/modern-esmtp.yaml: SMTPUTF8 ... REQUIRETLS kept, VRFY ETRN BINARYMIME XCLIENT masked; a UTF-8 BDAT mail passes",
     modern_build, modern_check, MODERN),
    ("modern-bdat-inspected", "modern profile: a BDAT chunk with a 1009-byte header line drops the connection",
     modern_bdat_build, long_header_check, MODERN),
    ("asa-masks-smtputf8", "the default map: '*' banner (a PIX to Postfix), SMTPUTF8 STARTTLS CHUNKING REQUIRETLS masked",
     asa_smtputf8_build, asa_smtputf8_check, None),
    ("auth-xoauth2-10k", "an AUTH XOAUTH2 line of 10 KB passes untouched (RFC 4954: 12,288), the mail after it too",
     auth_ir_build(10240), auth_10k_check, None),
    ("auth-xoauth2-13k", "an AUTH line of 13 KB drops the connection at byte 12,289 (auth-line-length)",
     auth_ir_build(13312), auth_over_check, None),
    ("auth-sasl-13k", "a 13 KB SASL response after 334 drops the connection (auth-line-length)",
     auth_sasl_build, auth_sasl_check, None),
]
