#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Sends N messages over K parallel SMTP sessions and records what was sent.

    smtp_send.py HOST N K OUTFILE [SEED]

Messages are pseudo-random (seeded): plain text with lines up to 990
characters, lines starting with '.', headers, and base64 MIME attachments.
OUTFILE gets "<sha256> <length>" of each message as the server must receive
it (CR LF line ends, dot-stuffing undone), the format smtp_sink.py logs.
"""
import base64
import hashlib
import random
import smtplib
import sys
import threading


def message(rnd, i):
    lines = ["From: sender%d@example.org" % i, "To: rcpt@example.com",
             "Subject: message %d" % i, "MIME-Version: 1.0",
             'Content-Type: multipart/mixed; boundary="b%d"' % i, "", "--b%d" % i,
             "Content-Type: text/plain", ""]
    for _ in range(rnd.randint(1, 60)):
        n = rnd.choice([0, 1, 10, 76, 500, 990])
        line = "".join(rnd.choice("abcdefghij .,-") for _ in range(n))
        if rnd.random() < 0.1:
            line = "." + line[:989]
        lines.append(line)
    if rnd.random() < 0.5:
        blob = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(10, 20000)))
        b64 = base64.encodebytes(blob).decode().splitlines()
        lines += ["--b%d" % i, "Content-Type: application/octet-stream",
                  "Content-Transfer-Encoding: base64",
                  'Content-Disposition: attachment; filename="f%d.bin"' % i, ""] + b64
    lines.append("--b%d--" % i)
    return ("\r\n".join(lines) + "\r\n").encode()


def worker(host, msgs, out, lock, errors):
    try:
        with smtplib.SMTP(host, 25, timeout=60) as s:
            s.ehlo("client.example.org")
            for m in msgs:
                s.sendmail("sender@example.org", ["rcpt@example.com"], m)
                with lock:
                    out.write("%s %d\n" % (hashlib.sha256(m).hexdigest(), len(m)))
    except Exception as e:  # noqa: BLE001 - reported and counted
        with lock:
            errors.append(repr(e))


def main():
    host, n, k, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    msgs = [message(rnd, i) for i in range(n)]
    lock, errors = threading.Lock(), []
    with open(path, "w") as out:
        threads = [threading.Thread(target=worker, args=(host, msgs[j::k], out, lock, errors))
                   for j in range(k)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for e in errors:
        print("smtp_send: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
