#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A syslog daemon for tests: binds a datagram socket at PATH (glibc's
syslog(3) tries datagrams first) and appends every message, raw with its
<PRI> header, as one line of OUT. Prints "listening" when ready; runs until
killed.

    syslog_sink.py PATH OUT
"""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\n") + b"\n")
