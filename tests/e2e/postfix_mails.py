#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The mail set of the Postfix end-to-end test, and its checks.

    postfix_mails.py gen DIR COUNT ATTACH_MB...   write DIR/NNNN.eml + DIR/manifest
    postfix_mails.py inject DIR HOST [KIND|FILE...] submit every mail (or those named) to HOST:25
    postfix_mails.py check DIR MAILDIR [KIND|FILE...] every copy arrived once, body byte-identical
    postfix_mails.py status DIR MAILDIR FILE...  per copy: same, changed (its transfer encoding), missing

The set is deterministic (fixed seed): 7-bit and 8-bit UTF-8 bodies (dot
lines, "From " lines, 990-byte lines), mails to 50 recipients, UTF-8
addresses (SMTPUTF8), and one multipart mail with a base64 attachment per
ATTACH_MB size. Every sender and recipient is at server.test, so bounces
land in the server's Maildir too. manifest: one line per mail,
"file kind message-id sha256-of-body sender rcpt1,rcpt2,...".

check reads every file of MAILDIR/new: Message-ID and Delivered-To name the
copy, the body (after the first empty line) must hash as sent. It prints
one summary line and exits 1 on a missing, duplicated, changed or
unexpected copy.
"""
import hashlib
import os
import random
import smtplib
import sys

KINDS = ("plain", "8bit", "many", "utf8", "attach")


def body_7bit(rnd, i):
    words = ["mail", "relay", "queue", "inspect", "policy", "wire", "banner", "token"]
    lines = []
    for n in range(rnd.randint(3, 40)):
        lines.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 14))))
    lines.insert(rnd.randint(0, len(lines)), ".a line that starts with a dot")
    lines.insert(rnd.randint(0, len(lines)), "..two dots")
    lines.insert(rnd.randint(0, len(lines)), ".")  # a lone dot (sendmail -i keeps it)
    lines.append("mail %d ends here" % i)
    return "\n".join(lines) + "\n"


def body_8bit(rnd, i):
    words = ["Grüße", "naïve", "façade", "smörgåsbord", "Ærø", "日本語", "Ελληνικά",
             "русский", "emoji 📬", "ñandú", "crème brûlée"]
    lines = []
    for n in range(rnd.randint(3, 60)):
        lines.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 12))))
    lines.insert(rnd.randint(0, len(lines)), "From the start of a line (mbox would escape it)")
    lines.insert(rnd.randint(0, len(lines)), ".à dot then 8-bit")
    long = ("ü" * 600)[:490]  # 980 bytes of UTF-8: under the 998 limits
    lines.insert(rnd.randint(0, len(lines)), long)
    lines.append("Nachricht %d Ende" % i)
    return "\n".join(lines) + "\n"


def attachment(rnd, i, size):
    import base64
    data = bytes(rnd.getrandbits(8) for _ in range(min(size, 4096)))
    data = (data * (size // len(data) + 1))[:size]
    b64 = base64.encodebytes(data).decode("ascii")
    return ("MIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"=_b%d\"\n" % i,
            "This is a multi-part message in MIME format.\n\n"
            "--=_b%d\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\nAnbei die Datei (%d Bytes), grüße.\n\n"
            "--=_b%d\nContent-Type: application/octet-stream; name=\"data-%d.bin\"\n"
            "Content-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"data-%d.bin\"\n\n%s\n"
            "--=_b%d--\n" % (i, size, i, i, i, b64, i))


def plan(count, attach_mb):
    """Kinds in a fixed order: a fifth 8-bit, a few many-recipient and
    UTF-8 mails, the attachments, the rest 7-bit."""
    n_many = max(2, count // 30)
    n_utf8 = max(2, count // 15)
    n_8bit = max(2, count // 4)
    kinds = (["attach"] * len(attach_mb) + ["many"] * n_many + ["utf8"] * n_utf8 +
             ["8bit"] * n_8bit)
    kinds += ["plain"] * max(0, count - len(kinds))
    return kinds


def gen(d, count, attach_mb):
    rnd = random.Random(19)
    os.makedirs(d, exist_ok=True)
    sizes = list(attach_mb)
    with open(os.path.join(d, "manifest"), "w", encoding="utf-8") as man:
        for i, kind in enumerate(plan(count, attach_mb)):
            sender = "sender%d@server.test" % (i % 7)
            rcpts = ["user%d@server.test" % rnd.randint(0, 99) for _ in range(rnd.randint(1, 3))]
            head = ""
            if kind == "plain":
                body = body_7bit(rnd, i)
            elif kind == "8bit":
                head = ("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: 8bit\n")
                body = body_8bit(rnd, i)
            elif kind == "many":
                rcpts = ["list%d.%d@server.test" % (i, k) for k in range(50)]
                body = body_7bit(rnd, i)
            elif kind == "utf8":
                sender = "jörg%d@server.test" % i
                rcpts = ["usér%d@server.test" % i, "ναυτίλος%d@server.test" % i]
                head = ("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: 8bit\n")
                body = body_8bit(rnd, i)
            else:
                size = int(float(sizes.pop(0)) * (1 << 20))
                head, body = attachment(rnd, i, size)
            rcpts = sorted(set(rcpts))
            mid = "<pf%04d.%s@client.test>" % (i, kind)
            msg = ("From: %s\nTo: %s\nSubject: mail %d (%s)\nDate: Thu, 19 Nov 2026 10:00:00 +0000\n"
                   "Message-ID: %s\n%s\n%s" % (sender, rcpts[0], i, kind, mid, head, body))
            raw = msg.encode("utf-8")
            name = "%04d.eml" % i
            with open(os.path.join(d, name), "wb") as f:
                f.write(raw)
            sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
            man.write("%s %s %s %s %s %s\n" % (name, kind, mid, sha, sender, ",".join(rcpts)))


def manifest(d, kinds):
    with open(os.path.join(d, "manifest"), encoding="utf-8") as man:
        for line in man:
            name, kind, mid, sha, sender, rcpts = line.split()
            if not kinds or kind in kinds or name in kinds:
                yield name, kind, mid, sha, sender, rcpts.split(",")


def inject(d, host, kinds):
    """One SMTP session to the client MTA for the whole batch (a process per
    mail is slow on a busy machine); SMTPUTF8 where an address needs it.
    Prints the recipient copies to expect."""
    n = 0
    s = smtplib.SMTP(host, 25, timeout=120)
    s.ehlo("submit.client.test")
    for name, kind, mid, sha, sender, rcpts in manifest(d, kinds):
        with open(os.path.join(d, name), "rb") as f:
            msg = f.read().replace(b"\n", b"\r\n")
        opts = ["BODY=8BITMIME"]
        if not (sender + "".join(rcpts)).isascii():
            opts.append("SMTPUTF8")
        s.sendmail(sender, rcpts, msg, mail_options=opts)
        n += len(rcpts)
    s.quit()
    print(n)


def parse(path):
    raw = open(path, "rb").read()
    head, _, body = raw.partition(b"\n\n")
    fields = {}
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") or b":" not in line:
            continue
        k, _, v = line.partition(b":")
        fields.setdefault(k.strip().lower(), v.strip())
    return fields, body


def delivered(maildir):
    """(message-id, delivered-to) -> (body, content-transfer-encoding), and
    the number of copies seen twice or not of the set."""
    out, dup = {}, 0
    new = os.path.join(maildir, "new")
    for fn in sorted(os.listdir(new)) if os.path.isdir(new) else []:
        fields, body = parse(os.path.join(new, fn))
        key = (fields.get(b"message-id", b"").decode("utf-8", "replace"),
               fields.get(b"delivered-to", b"").decode("utf-8", "replace"))
        dup += key in out
        out[key] = (body, fields.get(b"content-transfer-encoding", b"-").decode())
    return out, dup


def status(d, maildir, names):
    got, _ = delivered(maildir)
    for name, kind, mid, sha, sender, rcpts in manifest(d, names):
        for r in rcpts:
            if (mid, r) not in got:
                print("%s %s missing" % (name, r))
            elif hashlib.sha256(got[(mid, r)][0]).hexdigest() == sha:
                print("%s %s same" % (name, r))
            else:
                print("%s %s changed %s" % (name, r, got[(mid, r)][1]))
    return 0


def check(d, maildir, kinds):
    want = {}
    for name, kind, mid, sha, sender, rcpts in manifest(d, kinds):
        for r in rcpts:
            want[(mid, r)] = sha
    got, dup = delivered(maildir)
    other = sum(1 for k in got if k not in want)
    missing = [k for k in want if k not in got]
    changed = [k for k in want if k in got and hashlib.sha256(got[k][0]).hexdigest() != want[k]]
    print("%d of %d recipient copies, %d missing, %d changed, %d duplicated, %d other" %
          (len(want) - len(missing), len(want), len(missing), len(changed), dup, other))
    for m in missing[:5]:
        print("  missing: %s to %s" % m)
    for c in changed[:5]:
        print("  changed: %s to %s (%s)" % (c + (got[c][1],)))
    return 1 if missing or changed or dup or other else 0


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "gen":
        gen(d, int(sys.argv[3]), sys.argv[4:])
        return 0
    if cmd == "inject":
        inject(d, sys.argv[3], sys.argv[4:])
        return 0
    if cmd == "check":
        return check(d, sys.argv[3], sys.argv[4:])
    if cmd == "status":
        return status(d, sys.argv[3], sys.argv[4:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
