# SPDX-License-Identifier: BSD-3-Clause
"""Golden pcap cases: a session in, the default policy, facts about what
leaves the box. One entry per inspector behaviour and per evasion the TCP
layer must defeat (issue 4). Each case: build(Session) emits the input,
check(result) returns a list of failures (empty when the facts hold).
"""
from scapy.all import IP, TCP, UDP, Raw, fragment

from session import Session  # noqa: F401

BANNER = b"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"
EHLO_REPLY = (b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
              b"250-STARTTLS\r\n250-XEXCH50\r\n250-8BITMIME\r\n250 CHUNKING\r\n")
EHLO_MASKED = (b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
               b"250-XXXXXXXX\r\n250-XXXXXXX\r\n250-8BITMIME\r\n250 XXXXXXXX\r\n")


def greet(s, ehlo=True):
    s.handshake()
    s.s(BANNER)
    if ehlo:
        s.c(b"EHLO client.example.org\r\n")
        s.s(EHLO_REPLY)


def expect(cond, msg, fails):
    if not cond:
        fails.append(msg)


def masked_banner(b):
    return b[:4] + bytes(0x2A if c not in (13, 10) else c for c in b[4:])


# --- cases -----------------------------------------------------------------

def banner_build(s):
    s.handshake()
    s.s(b"220-mail.example.com ESMTP\r\n220 second line\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def banner_check(r):
    f = []
    expect(r.out[1].startswith(masked_banner(b"220-mail.example.com ESMTP\r\n") +
                               masked_banner(b"220 second line\r\n")),
           "banner not masked: %r" % r.out[1][:60], f)
    expect(r.out[0] == b"QUIT\r\n", "client stream changed", f)
    return f


def starttls_build(s):
    greet(s)
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def starttls_check(r):
    f = []
    expect(EHLO_MASKED in r.out[1], "EHLO reply not masked as expected: %r" % r.out[1], f)
    return f


def unknown_verb_build(s):
    greet(s)
    s.c(b"XEXCH50 1 2\r\n")
    s.s(b"500 5.5.2 Error: command not recognized\r\n")
    s.c(b"VERB\r\n")
    s.s(b"500 5.5.2 Error: command not recognized\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def unknown_verb_check(r):
    f = []
    expect(b"XXXXXXXXXXX\r\nXXXX\r\nQUIT\r\n" in r.out[0],
           "unknown verbs not X'd: %r" % r.out[0], f)
    expect(r.closed_normally, "connection did not survive", f)
    return f


def rcpt101_build(s):
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\n")
    s.s(b"250 ok\r\n")
    for i in range(101):
        s.c(b"RCPT TO:<u%d@example.com>\r\n" % i)
        s.s(b"250 ok\r\n")
    s.c(b"DATA\r\n")


def rcpt101_check(r):
    f = []
    expect(b"RCPT TO:<u99@example.com>\r\n" in r.out[0], "the 100th RCPT must pass", f)
    expect(b"u100@" not in r.out[0], "the 101st RCPT passed", f)
    expect(b"DATA" not in r.out[0], "traffic after the drop passed", f)
    expect("cmd RCPT count gt 100" in r.audit, "no audit line naming the rule", f)
    return f


def long_header_build(s):
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n",
        sizes=[27, 24, 6])
    s.s(b"250 ok\r\n250 ok\r\n354 go\r\n")
    s.c(b"Subject: " + b"x" * 1000 + b"\r\n\r\nbody\r\n.\r\n", sizes=[600, 600])
    s.s(b"250 queued\r\n")


def long_header_check(r):
    f = []
    expect(b"body" not in r.out[0], "a message with a 1009-byte header line passed", f)
    expect("header line length gt 998" in r.audit, "no audit line for the header", f)
    return f


def mime_name_build(s):
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"RCPT TO:<b@example.com>\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"DATA\r\n")
    s.s(b"354 go\r\n")
    name = b"A" * 256 + b".txt"
    msg = (b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n"
           b"--BB\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
           b"--BB\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Disposition: attachment;\r\n filename=\"" + name + b"\"\r\n\r\n"
           b"AAAA\r\n--BB--\r\n.\r\n")
    s.c(msg, sizes=[300, 300])
    s.s(b"250 queued\r\n")


def mime_name_check(r):
    f = []
    expect(b"--BB--" not in r.out[0], "a 260-character MIME file name passed", f)
    expect("MIME filename length gt 255" in r.audit, "no audit line for the file name", f)
    return f


def pipe_build(s):
    greet(s)
    s.c(b"MAIL FROM:<|/usr/bin/sh@example.org>\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"RCPT TO:<b@example.com>\r\n")


def pipe_check(r):
    f = []
    expect(b"MAIL FROM" not in r.out[0], "the MAIL FROM with a pipe reached the server", f)
    expect("108003" in r.audit and "|/usr/bin/sh" in r.audit, "no 108003 audit line", f)
    return f


def split_verb_build(s):
    greet(s)
    s.c(b"XEXCH50 x\r\n", sizes=[3, 8])
    s.s(b"500 unknown\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def split_verb_check(r):
    f = []
    expect(b"XEX" not in r.out[0] or b"XXXXXXXXX\r\n" in r.out[0], "split verb leaked", f)
    expect(b"XXXXXXXXX\r\nQUIT" in r.out[0], "split verb not X'd: %r" % r.out[0], f)
    expect(b"EXCH" not in r.raw_out[0], "a frame carried part of the bad verb", f)
    return f


def telnet_build(s):
    greet(s)
    s.c(b"VRFY root\r\nXEXCH50\r\n", sizes=[1] * 20)
    s.s(b"252 ok\r\n500 unknown\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def telnet_check(r):
    f = []
    expect(b"VRFY root\r\nXXXXXXX\r\nQUIT\r\n" in r.out[0],
           "1-byte segments: %r" % r.out[0], f)
    return f


def ooo_build(s):
    greet(s)
    # Three segments sent in the order 3, 1, 2: the command must be X'd
    # and reach the server in order.
    s.c(b"ONEX\r\nNOOP\r\nQUIT\r\n", sizes=[6, 6, 6], order=[2, 0, 1])
    s.s(b"500 x\r\n250 ok\r\n221 bye\r\n")
    s.close()


def ooo_check(r):
    f = []
    expect(r.out[0].endswith(b"XXXX\r\nNOOP\r\nQUIT\r\n"), "out of order: %r" % r.out[0], f)
    expect(b"ONEX" not in r.raw_out[0], "an out-of-order frame carried ONEX", f)
    return f


def retrans_same_build(s):
    greet(s)
    seg = s.c(b"ATRN\r\n")[0]
    s.emit(seg.copy())  # the same bytes again
    s.s(b"500 x\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def retrans_same_check(r):
    f = []
    expect(r.raw_out[0].count(b"XXXX\r\n") >= 2, "the retransmission did not get the same edit", f)
    expect(b"ATRN" not in r.raw_out[0], "a copy of ATRN left unedited", f)
    expect(r.closed_normally, "connection did not survive a plain retransmission", f)
    return f


def retrans_diff_build(s):
    greet(s)
    s.c(b"NOOP\r\n")
    # The "retransmission" carries other bytes: evasion.
    s.raw(0, len(b"EHLO client.example.org\r\n"), b"ATRN\r\n")
    s.s(b"250 ok\r\n")
    s.c(b"QUIT\r\n")


def retrans_diff_check(r):
    f = []
    expect(b"ATRN" not in r.raw_out[0], "different retransmitted bytes passed", f)
    expect(b"QUIT" not in r.out[0], "the connection was not dropped", f)
    return f


def retrans_acked_build(s):
    greet(s)
    seg = s.c(b"ONEX\r\n")[0]                       # X'd by the box
    s.s(b"502 5.5.2 Error: command not recognized\r\n")  # acknowledges it
    s.t += 0.3
    again = seg.copy()                                # 300 ms later, the same bytes
    again.time = s.t
    s.emit(again)
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def retrans_acked_check(r):
    f = []
    expect(b"ONEX" not in r.raw_out[0], "a copy of ONEX left unedited", f)
    expect(b"XXXX\r\nQUIT\r\n" in r.out[0], "the first copy was not X'd", f)
    expect(r.closed_normally, "the session did not go on after the copy", f)
    return f


def allow_tls_build(s):
    greet(s)
    s.c(b"STARTTLS\r\n")
    s.s(b"220 2.0.0 Ready to start TLS\r\n")
    s.c(b"\x16\x03\x01\x00\x05XEXCH50\r\n")  # TLS records are not inspected


def allow_tls_check(r):
    f = []
    expect(b"250-STARTTLS\r\n" in r.out[1], "allow-tls: STARTTLS was masked", f)
    expect(b"STARTTLS\r\n" in r.out[0], "allow-tls: STARTTLS was X'd", f)
    expect(r.out[0].endswith(b"\x16\x03\x01\x00\x05XEXCH50\r\n"), "TLS bytes were changed", f)
    expect("108007" in r.audit, "no 108007 TLS started line", f)
    return f


def bad_csum_build(s):
    greet(s)
    seg = s.segments(0, b"XEXCH50\r\n")[0]
    evil = seg.copy()
    evil[TCP].chksum = 0x1234      # the receiver would discard it
    evil[Raw].load = b"NOOP   \r\n"  # ... so the inspector must never see it
    s.emit(evil)
    s.emit(seg)                    # the real bytes, retransmitted
    s.s(b"500 unknown\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def bad_csum_check(r):
    f = []
    expect(b"NOOP" not in r.raw_out[0], "a segment with a bad checksum was forwarded", f)
    expect(b"XXXXXXX\r\nQUIT" in r.out[0], "the good copy was not inspected: %r" % r.out[0], f)
    return f


def reuse_build(s):
    s.handshake()
    s.s(BANNER)
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()
    # The client reuses its port at once, while the first connection lingers.
    s2 = Session(cport=s.cport, isn_c=777777, isn_s=999999, t0=s.t)
    s2.handshake()
    s2.s(BANNER)
    s2.c(b"XEXCH50\r\nQUIT\r\n")
    s2.s(b"500 x\r\n221 bye\r\n")
    s2.close()
    s.frames += s2.frames


def reuse_check(r):
    f = []
    raw = r.raw_out[0]
    expect(raw.count(b"QUIT\r\n") == 2, "the second connection on the same port did not pass", f)
    expect(b"XXXXXXX\r\nQUIT" in raw, "the second connection was not inspected", f)
    expect(r.raw_out[1].count(masked_banner(BANNER)) == 2, "both banners must be masked", f)
    return f


def exemption_build(s):
    # The mail gateway 192.168.1.1 is exempt (no inspect esmtp); another
    # server behind the same wire is inspected.
    gw = Session(server="192.168.1.1", cport=s.cport + 1000, t0=s.t)
    gw.handshake()
    gw.s(BANNER)
    gw.c(b"XEXCH50\r\nQUIT\r\n")
    gw.s(b"500 x\r\n221 bye\r\n")
    gw.close()
    s.t = gw.t
    s.handshake()
    s.s(BANNER)
    s.c(b"XEXCH50\r\nQUIT\r\n")
    s.s(b"500 x\r\n221 bye\r\n")
    s.close()
    s.frames[:0] = gw.frames


def exemption_check(r):
    f = []
    gw = r.streams(r.cport + 1000)
    expect(gw[1].startswith(BANNER), "the gateway's banner was masked", f)
    expect(b"XEXCH50\r\n" in gw[0], "the gateway's traffic was inspected", f)
    expect(r.out[1].startswith(masked_banner(BANNER)), "the other server was not inspected", f)
    expect(b"XXXXXXX\r\n" in r.out[0], "the other server's traffic was not X'd", f)
    return f


def half_open(s, prefix, n, server):
    """n clients (prefix.1 .. prefix.n) each send a SYN to server; not emitted."""
    sess = []
    for i in range(n):
        c = Session(client="%s.%d" % (prefix, i + 1), server=server, cport=s.cport, t0=s.t)
        c.emit(c.frame(0, "S", c.seq[0], 0))
        s.t = c.t
        sess.append(c)
    return sess


def complete(s, sess):
    """The handshakes of sess complete (SYN-ACK, ACK), after every SYN."""
    for c in sess:
        c.t = s.t
        c.emit(c.frame(1, "SA", c.seq[1], c.seq[0] + 1))
        c.emit(c.frame(0, "A", c.seq[0] + 1, c.seq[1] + 1))
        s.t = c.t


def merge(s, sess):
    for c in sess:
        s.frames += c.frames
    s.frames.sort(key=lambda x: x.time)


def late_syn(s, client, server, after):
    late = Session(client=client, server=server, cport=s.cport, t0=s.t + after)
    late.emit(late.frame(0, "S", late.seq[0], 0))
    s.frames += late.frames


def static_build(s):
    # 60 clients open connections to the gateway and never finish them; the
    # first 25 then complete (the server answers them), and 30 more clients
    # connect one after the other.
    first = half_open(s, "198.18.1", 60, "192.168.1.1")
    merge(s, first)
    complete(s, first[:25])
    for c in first[:25]:
        s.frames += c.frames[1:]  # the SYN-ACK and ACK (the SYN is in already)
    for i in range(30):
        c = Session(client="198.18.2.%d" % (i + 1), server="192.168.1.1", cport=s.cport, t0=s.t)
        c.handshake()
        s.t = c.t
        s.frames += c.frames
    s.frames.sort(key=lambda x: x.time)


def static_check(r):
    f = []
    syns = [x for x in r.frames if TCP in x and x[TCP].flags & 0x12 == 0x02]
    to_srv = {x[IP].src for x in syns}
    box_sa = [x for x in r.frames if TCP in x and x[TCP].flags & 0x12 == 0x12 and
              x[IP].dst.startswith("198.18.1.") and int(x[IP].dst.split(".")[3]) > 25]
    first = {"198.18.1.%d" % i for i in range(1, 26)}
    second = {"198.18.2.%d" % i for i in range(1, 26)}
    expect(to_srv == first | second,
           "SYNs reaching the gateway: %d (want the first 25 half-open, then 25 more)"
           % len(to_srv), f)
    expect(len(box_sa) == 35, "%d cookie SYN-ACKs, want 35 (intercept from 25 half-open)"
           % len(box_sa), f)
    expect("201010" in r.audit, "no 201010 line for the embryonic limit", f)
    expect("201011" in r.audit or "201009" in r.audit, "no 201011/201009 line for the 51st", f)
    return f


def reset_build(s):
    greet(s)
    s.c(b"MAIL FROM:<a@example.org>\r\n")
    s.s(b"250 ok\r\n")
    for i in range(3):
        s.c(b"RCPT TO:<u%d@example.com>\r\n" % i)
        s.s(b"250 ok\r\n")


def reset_check(r):
    f = []
    rst = [x for x in r.frames if TCP in x and x[TCP].flags & 0x04]
    to_srv = [x for x in rst if x[TCP].dport == 25]
    to_cli = [x for x in rst if x[TCP].sport == 25]
    expect(len(to_srv) == 1 and len(to_cli) == 1, "expected one RST each way, got %d/%d"
           % (len(to_srv), len(to_cli)), f)
    expect(b"u2@" not in r.out[0], "the third RCPT reached the server", f)
    if to_srv:
        # The server expects the next client byte: ISN + 1 + what it got.
        want = (1000 + 1 + len(r.out[0])) % 2**32
        expect(to_srv[0][TCP].seq == want, "RST to the server: seq %d, the server expects %d"
               % (to_srv[0][TCP].seq, want), f)
    if to_cli:
        want = (5000 + 1 + len(r.out[1])) % 2**32
        expect(to_cli[0][TCP].seq == want, "RST to the client: seq %d, the client expects %d"
               % (to_cli[0][TCP].seq, want), f)
    expect("Reset connection for" in r.audit, "no 108004 reset line", f)
    return f


def midstream_build(s):
    # No handshake: the appliance never saw this connection open.
    s.isn = [1000, 5000]
    s.seq = [1001, 5001]
    s.c(b"XEXCH50\r\n")
    s.s(b"500 x\r\n")
    # Other ports stay transparent, handshake or not.
    o = Session(cport=s.cport + 1, sport=8080, t0=s.t)
    o.seq = [2001, 3001]
    o.c(b"GET / HTTP/1.0\r\n\r\n")
    s.frames += o.frames


def midstream_check(r):
    f = []
    smtp = [x for x in r.frames if TCP in x and 25 in (x[TCP].sport, x[TCP].dport)]
    other = [x for x in r.frames if TCP in x and 8080 in (x[TCP].sport, x[TCP].dport)]
    expect(not smtp, "%d frames of an unknown port-25 connection left" % len(smtp), f)
    expect(len(other) == 1, "the unknown connection on port 8080 was not forwarded", f)
    return f


def embryonic_build(s):
    # The handshake stalls for 15 s after the SYN-ACK: the class's embryonic
    # timeout (10 s) frees the connection; its late ACK is then unknown.
    s.emit(s.frame(0, "S", s.seq[0], 0))
    s.seq[0] += 1
    s.emit(s.frame(1, "SA", s.seq[1], s.seq[0]))
    s.seq[1] += 1
    s.t += 15.0
    s.emit(s.frame(0, "A", s.seq[0], s.seq[1]))
    s.c(b"EHLO late.example\r\n")


def embryonic_check(r):
    f = []
    late = [x for x in r.frames if TCP in x and not x[TCP].flags & 0x02]
    expect(not late, "%d frames passed after the 10 s embryonic timeout" % len(late), f)
    return f


def idle_build(s):
    # Silent 50 s (under the class's 60 s idle timeout): NOOP still passes.
    # Then silent 90 s: the connection is gone, its next command unknown.
    greet(s)
    s.t += 50.0
    s.c(b"NOOP\r\n")
    s.s(b"250 ok\r\n")
    s.t += 90.0
    s.c(b"MAIL FROM:<late@example.org>\r\n")


def idle_check(r):
    f = []
    data = [bytes(x[TCP].payload) for x in r.frames if TCP in x]
    expect(any(b"NOOP" in d for d in data), "the NOOP after 50 s idle did not pass", f)
    expect(any(d.startswith(b"250 ok") for d in data), "the NOOP's reply did not pass", f)
    expect(not any(b"MAIL FROM" in d for d in data),
           "a command passed after 90 s idle (class idle timeout 60 s)", f)
    return f


def custom_build(s):
    def sess(cport, sender, rcpts):
        x = Session(cport=cport, t0=s.t, step=0.00005)
        greet(x)
        x.c(b"MAIL FROM:<%s>\r\n" % sender)
        x.s(b"250 ok\r\n")
        for i in range(rcpts):
            x.c(b"RCPT TO:<u%d@example.com>\r\n" % i)
            x.s(b"250 ok\r\n")
        x.c(b"QUIT\r\n")
        x.s(b"221 bye\r\n")
        x.close()
        s.t = x.t
        s.frames.extend(x.frames)
    sess(s.cport, b"user1@cisco.com", 1)       # blacklisted sender
    sess(s.cport + 1, b"friend@example.org", 1)  # a normal mail
    for k in range(12):                          # 12 list mails within a second
        sess(s.cport + 10 + k, b"list@example.org", 51)


def custom_check(r):
    f = []
    black = r.streams(r.cport)[0]
    expect(b"QUIT" not in black, "the blacklisted sender's session went on", f)
    expect(b"QUIT" in r.streams(r.cport + 1)[0], "a normal mail was cut", f)
    passed = sum(b"QUIT" in r.streams(r.cport + 10 + k)[0] for k in range(12))
    expect(passed == 10, "%d of 12 list mails passed a rate-limit of 10/s" % passed, f)
    expect("sender address regex" in r.audit or "sender-address" in r.audit,
           "no audit line for the blacklisted sender", f)
    return f


def ios_host_build(s):
    # 60 half-open connections to the host; then the server answers them all.
    sess = half_open(s, "198.18.2", 60, "172.22.1.110")
    for c in sess:
        c.t = s.t
        c.emit(c.frame(1, "SA", c.seq[1], c.seq[0] + 1))
        s.t = c.t
    merge(s, sess)


def ios_host_check(r):
    # block-time 0: each SYN over the limit deletes the oldest half-open
    # session to the host; the deleted ones' SYN-ACKs are dropped.
    f = []
    syns = [x for x in r.frames if TCP in x and x[TCP].flags == 0x02]
    synacks = sorted(x[IP].dst for x in r.frames if TCP in x and x[TCP].flags == 0x12)
    expect(len(syns) == 60, "%d SYNs passed, all 60 must (the oldest are deleted)" % len(syns), f)
    gone = ["198.18.2.%d" % i for i in range(1, 11)]
    expect(len(synacks) == 50 and not set(gone) & set(synacks),
           "SYN-ACKs of deleted sessions passed, or live ones were dropped: %d" % len(synacks), f)
    return f


def ios_block_build(s):
    # 6 SYNs: the 6th crosses `max-incomplete host 5` and blocks the host
    # for a minute; the 5 complete their handshakes (no longer half-open),
    # yet a 7th client 10 s later is still refused (blocked).
    sess = half_open(s, "198.18.3", 6, "172.22.1.110")
    complete(s, sess[:5])
    merge(s, sess)
    late_syn(s, "198.18.3.99", "172.22.1.110", 10)


def ios_block_check(r):
    # block-time 1: the 6th SYN deletes the host's half-open sessions and
    # blocks it: their handshakes die, and a SYN 10 s later is refused.
    f = []
    syns = sorted(x[IP].src for x in r.frames if TCP in x and x[TCP].flags == 0x02)
    acks = [x for x in r.frames if TCP in x and x[TCP].flags & 0x10]
    expect(syns == ["198.18.3.%d" % i for i in range(1, 6)], "SYNs that passed: %r" % syns, f)
    expect(not acks, "%d handshake packets of deleted sessions passed" % len(acks), f)
    return f


def ios_aggr_build(s):
    # 12 half-open: over `high 10` the firewall is aggressive and each new
    # request deletes the oldest half-open session; then the server answers.
    sess = half_open(s, "198.18.4", 12, "172.22.1.110")
    complete(s, sess)
    merge(s, sess)


def ios_aggr_check(r):
    f = []
    syns = [x for x in r.frames if TCP in x and x[TCP].flags == 0x02]
    synacks = sorted(x[IP].dst for x in r.frames if TCP in x and x[TCP].flags == 0x12)
    expect(len(syns) == 12, "%d SYNs passed, all 12 must (the oldest are deleted)" % len(syns), f)
    expect("198.18.4.1" not in synacks and "198.18.4.2" not in synacks and len(synacks) == 10,
           "SYN-ACKs that passed: %r (the 2 oldest sessions must be gone)" % synacks, f)
    return f


def ios_intercept_check(r):
    f = []
    syns = sorted(x[IP].src for x in r.frames if TCP in x and x[TCP].flags == 0x02)
    box = sorted(x[IP].dst for x in r.frames if TCP in x and x[TCP].flags == 0x12 and
                 x[IP].ttl == 64 and x[IP].id == 0)
    expect(len(syns) == 10 and "198.18.4.11" not in syns and "198.18.4.12" not in syns,
           "%d SYNs passed: the first 10 must, the others get cookies" % len(syns), f)
    expect(box == ["198.18.4.11", "198.18.4.12"], "cookie SYN-ACKs went to %r" % box, f)
    expect(" ios_deleted " not in r.stdout, "no half-open session is deleted", f)
    return f


def blind_build(s):
    greet(s)
    # The whole transaction in one segment, before any reply (blind
    # pipelining): the message follows DATA without waiting for 354.
    s.c(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"
        b"Subject: pipelined\r\n\r\nhello world\r\n.\r\n")
    s.s(b"250 ok\r\n250 ok\r\n354 go ahead\r\n")
    s.s(b"250 queued\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def blind_check(r):
    f = []
    want = (b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"
            b"Subject: pipelined\r\n\r\nhello world\r\n.\r\nQUIT\r\n")
    expect(r.out[0].endswith(want), "the pipelined message did not pass intact: %r" % r.out[0], f)
    expect(r.closed_normally, "the session did not complete", f)
    # The held message must leave with the 354 that decides it (same
    # burst), before the server's final answer, which a real server sends
    # only after it got the message.
    pos = {k: next((i for i, x in enumerate(r.frames)
                    if TCP in x and k in bytes(x[TCP].payload)), None)
           for k in (b"hello world", b"354 go", b"250 queued")}
    expect(None not in pos.values() and pos[b"hello world"] < pos[b"250 queued"],
           "the message left only after the final reply (held past the 354): %r" % pos, f)
    return f


def ooo_timeout_build(s):
    greet(s)
    a, b = s.segments(0, b"NOOP\r\nRSET\r\n", sizes=[6, 6])
    s.emit(b)          # early: waits for the gap ...
    s.t += 5.0         # ... longer than the 4 s queue timeout
    a.time = s.t
    s.emit(a)          # the gap is filled
    s.t += 1.0
    b2 = b.copy()
    b2.time = s.t
    s.emit(b2)         # the sender retransmits the dropped segment
    s.s(b"250 ok\r\n250 ok\r\n")
    s.c(b"QUIT\r\n")
    s.s(b"221 bye\r\n")
    s.close()


def ooo_timeout_check(r):
    f = []
    copies = sum(1 for x in r.frames if TCP in x and bytes(x[TCP].payload) == b"RSET\r\n")
    expect(copies == 1, "%d copies of the early segment left; the queued one must time out "
           "after 4 s, only its retransmission passes" % copies, f)
    expect(r.out[0].endswith(b"NOOP\r\nRSET\r\nQUIT\r\n"), "stream: %r" % r.out[0], f)
    return f


def audit_trail_check(r):
    f = []
    start = ("%%FW-6-SESS_AUDIT_TRAIL_START: Start esmtp session: initiator (198.18.0.1:%d) -- "
             "responder (198.18.0.2:25)" % r.cport)
    expect(start in r.audit, "no session start record", f)
    stop = [line for line in r.audit.splitlines() if "SESS_AUDIT_TRAIL: Stop" in line]
    expect(len(stop) == 1 and "sent 6 bytes" in stop[0] and "sent 54 bytes" in stop[0],
           "stop record missing or with wrong byte counts: %r" % stop, f)
    return f


def ios_minute_build(s):
    # 12 connections in one minute, all completing their handshakes (never
    # many half-open at once): over `one-minute high 10` the 11th and 12th
    # are refused; the next minute (12 were seen) stays aggressive; the one
    # after (1 was seen, under `low 5`) is calm again.
    s.t = 1700000040.0
    sess = half_open(s, "198.18.5", 12, "172.22.1.110")
    complete(s, sess)
    merge(s, sess)
    late_syn(s, "198.18.5.98", "172.22.1.110", 60)
    late_syn(s, "198.18.5.99", "172.22.1.110", 120)


def ios_minute_check(r):
    # Over the rate the oldest half-open sessions go (1, 2); the next minute
    # is still aggressive with nothing left to delete (refused); the one
    # after is calm.
    f = []
    srcs = [x[IP].src for x in r.frames if TCP in x and x[TCP].flags == 0x02]
    synacks = [x[IP].dst for x in r.frames if TCP in x and x[TCP].flags == 0x12]
    expect(len(srcs) == 13 and "198.18.5.99" in srcs and "198.18.5.98" not in srcs,
           "SYNs that passed: %r" % srcs, f)
    expect("198.18.5.1" not in synacks and "198.18.5.2" not in synacks,
           "the oldest sessions were not deleted", f)
    return f


def frag_build(s):
    greet(s)
    # An unknown verb smuggled in IPv4 fragments, and a fragmented UDP
    # datagram (which must pass).
    seg = s.segments(0, b"XEXCH50 split\r\n")[0]
    for fr in fragment(seg[IP], fragsize=24):
        s.emit(seg.__class__(bytes(seg)[:14]) / fr)
    s.emit(s.frame(0, "PA", s.seq[0], s.seq[1], b"QUIT\r\n"))
    u = IP(src="198.18.0.1", dst="198.18.0.2") / UDP(sport=5000, dport=5001) / Raw(b"u" * 60)
    for fr in fragment(u, fragsize=32):
        s.emit(seg.__class__(bytes(seg)[:14]) / fr)


def frag_check(r):
    f = []
    tcp_frags = [x for x in r.frames if IP in x and x[IP].proto == 6 and
                 (x[IP].flags.MF or x[IP].frag)]
    udp_frags = [x for x in r.frames if IP in x and x[IP].proto == 17]
    expect(not tcp_frags, "%d TCP fragments passed uninspected" % len(tcp_frags), f)
    expect(len(udp_frags) >= 2, "fragments of UDP must pass", f)
    return f


CASES = [
    ("banner-masked", "every character of a multi-line 220 banner but code, separator and CR LF becomes *",
     banner_build, banner_check, None),
    ("starttls-masked", "STARTTLS, XEXCH50 and CHUNKING are masked in the EHLO reply",
     starttls_build, starttls_check, None),
    ("unknown-verb", "XEXCH50 and VERB are X'd whole, the session goes on",
     unknown_verb_build, unknown_verb_check, None),
    ("rcpt-101", "the 101st RCPT drops the connection (cmd RCPT count gt 100)",
     rcpt101_build, rcpt101_check, None),
    ("long-header", "a header line over 998 bytes drops the connection",
     long_header_build, long_header_check, None),
    ("mime-filename-256", "a MIME file name over 255 characters drops the connection",
     mime_name_build, mime_name_check, None),
    ("pipe-in-address", "| in MAIL FROM drops the connection with 108003",
     pipe_build, pipe_check, None),
    ("split-verb", "a bad verb split across two segments is X'd in both",
     split_verb_build, split_verb_check, None),
    ("telnet-1-byte", "commands sent one byte per segment are decided per line",
     telnet_build, telnet_check, None),
    ("out-of-order", "reordered segments are inspected in order",
     ooo_build, ooo_check, None),
    ("retransmission-same", "a retransmission gets the edits of the first copy",
     retrans_same_build, retrans_same_check, None),
    ("retransmission-different", "a retransmission with other bytes drops the connection",
     retrans_diff_build, retrans_diff_check, None),
    ("retransmission-acked", "a copy of X'd, acknowledged bytes never leaves unmasked; the session goes on",
     retrans_acked_build, retrans_acked_check, None),
    ("port-reuse", "a new SYN on the 5-tuple of a lingering closed connection starts a new one",
     reuse_build, reuse_check, None),
    ("class-embryonic-timeout", "a class's own embryonic timeout (10 s) frees a stalled handshake",
     embryonic_build, embryonic_check, "embryonic-10s"),
    ("class-idle-timeout", "a class's own idle timeout (60 s, not the global 1 h) ends a silent connection",
     idle_build, idle_check, "idle-60s"),
    ("custom-map", "config/examples/custom-esmtp-map.yaml: a sender blacklist drops, rate-limit 10 cuts the 11th list mail",
     custom_build, custom_check, "config/examples/custom-esmtp-map.yaml"),
    ("ios-host-max-incomplete", "IOS tcp max-incomplete host 50 block-time 0: 60 half-open, the 10 oldest deleted",
     ios_host_build, ios_host_check, "config/examples/ios-cbac-smtp.yaml"),
    ("ios-block-time", "IOS max-incomplete host 5 block-time 1: the host's half-open deleted, host blocked",
     ios_block_build, ios_block_check, "ios-block"),
    ("ios-max-incomplete", "IOS max-incomplete high 10: aggressive, each new request deletes the oldest",
     ios_aggr_build, ios_aggr_check, "ios-aggressive"),
    ("ios-intercept", "IOS max-incomplete high 10 with intercept: true: SYN cookies, nothing deleted",
     ios_aggr_build, ios_intercept_check, "ios-intercept"),
    ("blind-pipelining", "a message sent before the 354 is judged as content once the 354 arrives",
     blind_build, blind_check, None),
    ("ooo-timeout", "an out-of-order segment not put in order within 4 s is dropped; its retransmission passes",
     ooo_timeout_build, ooo_timeout_check, None),
    ("ios-audit-trail", "IOS audit-trail on: a start and a stop record with the bytes each side sent",
     banner_build, audit_trail_check, "ios-audit"),
    ("ios-one-minute", "IOS one-minute high 10 low 5: over the rate the oldest half-open go",
     ios_minute_build, ios_minute_check, "ios-one-minute"),
    ("ip-fragments", "TCP in IP fragments is dropped (no bypass of inspection); UDP fragments pass",
     frag_build, frag_check, None),
    ("midstream-drop", "an unknown connection on an inspected port is dropped; other ports pass",
     midstream_build, midstream_check, None),
    ("bad-checksum", "a segment with a bad TCP checksum is dropped, never inspected",
     bad_csum_build, bad_csum_check, None),
    ("allow-tls-bypass", "with allow-tls, STARTTLS passes, 108007 is logged, TLS is not inspected",
     allow_tls_build, allow_tls_check, "allow-tls"),
    ("reset", "a reset rule sends a valid RST to both ends (cmd RCPT count gt 2 reset)",
     reset_build, reset_check, "reset-rcpt"),
    ("gateway-exemption", "REFERENCE.md §0's fix: the gateway's traffic passes uninspected",
     exemption_build, exemption_check, "config/examples/tac-gateway-exemption.yaml"),
    ("static-limits", "static ... tcp 50 100: intercept from 25 half-open, the 51st connection refused",
     static_build, static_check, "config/examples/tac-static-limits.yaml"),
]
