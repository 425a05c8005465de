#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Parses Prometheus text exposition (format 0.0.4) strictly, the way a
scraper would, and prints "name{labels} value" per sample.

    check_metrics.py FILE|URL

Exits 1 on the first line that is not a valid HELP, TYPE or sample line,
a sample of a family without TYPE, a family typed twice, a counter whose
name does not end in _total, or a value that is not a number."""
import re
import sys
import urllib.request

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s)(?:,%s)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$"
                    % (NAME, LABEL, LABEL))


def main():
    src = sys.argv[1]
    if src.startswith("http"):
        with urllib.request.urlopen(src, timeout=10) as r:
            ctype = r.headers.get("Content-Type", "")
            if not ctype.startswith("text/plain; version=0.0.4"):
                sys.exit("bad Content-Type %r" % ctype)
            text = r.read().decode()
    else:
        text = open(src).read()
    types = {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            if not re.match(r"^# HELP %s .*$" % NAME, line):
                sys.exit("line %d: bad HELP: %r" % (n, line))
            continue
        if line.startswith("# TYPE "):
            m = re.match(r"^# TYPE (%s) (counter|gauge)$" % NAME, line)
            if not m or m.group(1) in types:
                sys.exit("line %d: bad or repeated TYPE: %r" % (n, line))
            types[m.group(1)] = m.group(2)
            if m.group(2) == "counter" and not m.group(1).endswith("_total"):
                sys.exit("line %d: counter %s without _total" % (n, m.group(1)))
            continue
        m = SAMPLE.match(line)
        if not m:
            sys.exit("line %d: not a sample: %r" % (n, line))
        if m.group(1) not in types:
            sys.exit("line %d: %s has no TYPE" % (n, m.group(1)))
        float(m.group(3))
        print("%s%s %s" % (m.group(1), m.group(2) or "", m.group(3)))
    if not text.endswith("\n") or not types:
        sys.exit("empty, or no final line feed")


if __name__ == "__main__":
    main()
