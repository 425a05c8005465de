#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The byte-exact sample of the soak test: sends COUNT pseudo-random MIME
messages (smtp_send.message: long lines, leading dots, base64 attachments),
message i once the sink has logged i*EVERY messages, so the sample is spread
over the whole run instead of bunched at its start.

    soak_sample.py HOST COUNT EVERY SINKLOG OUTFILE [SEED]

Each message goes over its own connection, from sample<i>@example.org, so
the sink's log tells the sample from the bulk mail. OUTFILE gets
"<sha256> <length> sample<i>@example.org" per message, as smtp_sink.py
logs it. Exit 1 when any message could not be sent.
"""
import hashlib
import os
import random
import smtplib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_send import message  # noqa: E402


def lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def main():
    host, count, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sinklog, outfile = sys.argv[4], sys.argv[5]
    rnd = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    errors = 0
    with open(outfile, "w", buffering=1) as out:
        for i in range(count):
            # Wait for the bulk to move on; give up waiting (not sending)
            # when it stalls, so a stall shows as missing mail, not a hang.
            seen, since = lines(sinklog), time.monotonic()
            while seen < i * every and time.monotonic() - since < 30:
                time.sleep(0.05)
                n = lines(sinklog)
                if n != seen:
                    seen, since = n, time.monotonic()
            m = message(rnd, i)
            sender = "sample%d@example.org" % i
            try:
                with smtplib.SMTP(host, 25, timeout=60) as s:
                    s.ehlo("client.example.org")
                    s.sendmail(sender, ["rcpt@example.com"], m)
            except Exception as e:  # noqa: BLE001 - reported and counted
                print("soak_sample: message %d: %r" % (i, e), flush=True)
                errors += 1
                continue
            out.write("%s %d %s\n" % (hashlib.sha256(m).hexdigest(), len(m), sender))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
