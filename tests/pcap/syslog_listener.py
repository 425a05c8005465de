#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A syslog server for tests: one UDP and two TCP listeners on 127.0.0.1.

    syslog_listener.py PORTFILE OUTDIR

Writes "udp tcp5424 tcp3164" (the ports it got) to PORTFILE, then stores
every message it receives, one per line, in OUTDIR/{udp,tcp5424,tcp3164}.txt:
UDP one datagram a message, TCP RFC 6587 octet counting on the first TCP
port and line-feed framing on the second. A TCP frame that does not parse
is written as "BADFRAME ...". Stops on SIGTERM.
"""
import os
import selectors
import signal
import socket
import sys


def main():
    portfile, outdir = sys.argv[1], sys.argv[2]
    sel = selectors.DefaultSelector()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind(("127.0.0.1", 0))
    outs = {k: open(os.path.join(outdir, k + ".txt"), "w") for k in ("udp", "tcp5424", "tcp3164")}
    sel.register(udp, selectors.EVENT_READ, ("udp", None))
    ports = [udp.getsockname()[1]]
    for kind in ("tcp5424", "tcp3164"):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(8)
        sel.register(ls, selectors.EVENT_READ, ("listen", kind))
        ports.append(ls.getsockname()[1])
    with open(portfile + ".tmp", "w") as f:
        f.write(" ".join(map(str, ports)) + "\n")
    os.rename(portfile + ".tmp", portfile)

    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    bufs = {}
    while not stop:
        for key, _ in sel.select(timeout=0.1):
            what, kind = key.data
            if what == "udp":
                data = key.fileobj.recv(65536)
                outs["udp"].write(data.decode("utf-8", "replace") + "\n")
            elif what == "listen":
                c, _ = key.fileobj.accept()
                sel.register(c, selectors.EVENT_READ, ("conn", kind))
                bufs[c] = b""
            else:
                data = key.fileobj.recv(65536)
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                b = bufs[key.fileobj] + data
                while True:
                    if kind == "tcp5424":
                        sp = b.find(b" ")
                        if sp < 0:
                            break
                        if not b[:sp].isdigit():
                            outs[kind].write("BADFRAME %r\n" % b[:60])
                            b = b""
                            break
                        n = int(b[:sp])
                        if len(b) < sp + 1 + n:
                            break
                        msg, b = b[sp + 1:sp + 1 + n], b[sp + 1 + n:]
                    else:
                        lf = b.find(b"\n")
                        if lf < 0:
                            break
                        msg, b = b[:lf], b[lf + 1:]
                    outs[kind].write(msg.decode("utf-8", "replace") + "\n")
                bufs[key.fileobj] = b
        for f in outs.values():
            f.flush()
    for f in outs.values():
        f.close()


if __name__ == "__main__":
    main()
