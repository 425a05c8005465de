#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""docs/configuration.md against lib/config's parameter tables.

Usage: check_docs.py DUMP_PROGRAM DOC. DUMP_PROGRAM (dump_cfg_tables) prints
every table of the loader; the reference tables of DOC follow a marker
`<!-- keys: PATH [PATH...] -->` (a row `a.b` under PATH is key b of PATH.a).
Every table is documented, every key of a table is a row of its doc table
(with its range, choices and default), and every row is a key: the doc and
the loader cannot drift apart. Each problem is one line; exit 1 if any.
"""
import re
import subprocess
import sys

UNITS = {'': 1, 'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30}


def numbers(text):
    """Every number of a cell, with k/m/g (powers of 1024) applied."""
    out = set()
    for n, u in re.findall(r'(\d+)\s*([kKmMgG]?)(?![A-Za-z])', text.replace(',', '')):
        out.add(int(n) * UNITS[u.lower()])
    return out


def durations(text):
    out = set()
    for h, m, s in re.findall(r'(\d+):(\d\d):(\d\d)', text):
        out.add(int(h) * 3600 + int(m) * 60 + int(s))
    text = re.sub(r'\d+:\d\d:\d\d', ' ', text)
    for n, u in re.findall(r'(\d+)\s*(s|min|h)?\b', text):
        out.add(int(n) * {'': 1, 's': 1, 'min': 60, 'h': 3600}[u])
    return out


def norm(s):
    return ' '.join(s.replace('`', '').strip().lower().split())


def cells(line):
    parts = re.split(r'(?<!\\)\|', line.strip())
    return [c.strip() for c in parts[1:-1]]


def doc_tables(path):
    """[(paths, header, rows, line number)] of the marked tables."""
    lines = open(path, encoding='utf-8').read().split('\n')
    found = []
    for i, line in enumerate(lines):
        m = re.match(r'\s*<!--\s*keys:\s*(.*?)\s*-->', line)
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith('|'):
            j += 1
        if j > i + 3:
            found.append((m.group(1).split(), None, [], i + 1))
            continue
        header = [norm(c) for c in cells(lines[j])]
        rows = []
        j += 2
        while j < len(lines) and lines[j].startswith('|'):
            rows.append(cells(lines[j]))
            j += 1
        found.append((m.group(1).split(), header, rows, i + 1))
    return found, lines


def main():
    dump, doc = sys.argv[1], sys.argv[2]
    out = subprocess.run([dump], check=True, capture_output=True, text=True).stdout
    tables = {}
    for line in out.splitlines():
        path, key, typ, lo, hi, names, dflt = line.split('\t')
        tables.setdefault(path, {})[key] = dict(type=typ, min=int(lo), max=int(hi),
                                                names=[n for n in names.split(',') if n],
                                                default=dflt)
    marked, lines = doc_tables(doc)
    bad = []
    documented = {}
    for paths, header, rows, at in marked:
        where = '%s:%d' % (doc, at)
        if header is None:
            bad.append('%s: no table after the marker' % where)
            continue
        col = {h: k for k, h in enumerate(header)}
        tcol = col.get('type', col.get('values'))
        dcol = col.get('default')
        if tcol is None or dcol is None:
            bad.append('%s: the table needs a type (or values) and a default column' % where)
            continue
        for p in paths:
            if p not in tables:
                bad.append('%s: no table %s in the loader' % (where, p))
            documented.setdefault(p, set())
        for r in rows:
            if len(r) <= max(tcol, dcol):
                bad.append('%s: short row %r' % (where, r))
                continue
            for key in re.findall(r'`([^`]+)`', r[0]):
                path, k = paths[0], key
                if '.' in key:
                    head, k = key.rsplit('.', 1)
                    path = paths[0] + '.' + head
                    parts = head.split('.')
                    for n in range(len(parts)):  # the mappings on the way are keys too
                        parent = '.'.join([paths[0]] + parts[:n])
                        documented.setdefault(parent, set()).add(parts[n].replace('[]', ''))
                if path not in paths:
                    bad.append('%s: row %s: %s is not among the marked tables' % (where, key, path))
                    continue
                if k not in tables.get(path, {}):
                    bad.append('%s: %s.%s is documented but the loader has no such key' % (where, path, k))
                    continue
                documented[path].add(k)
                check(bad, where, path, k, tables[path][k], r[tcol], r[dcol])
    for path, keys in sorted(tables.items()):
        if path == '':
            heads = '\n'.join(l for l in lines if l.startswith('#'))
            for k in keys:
                if '`%s`' % k not in heads:
                    bad.append('%s: section %s has no heading' % (doc, k))
            continue
        if path not in documented:
            bad.append('%s: table %s is not documented (<!-- keys: %s -->)' % (doc, path, path))
            continue
        for k in keys:
            if k not in documented[path]:
                bad.append('%s: %s.%s is not documented' % (doc, path, k))
    for b in bad:
        print(b)
    print('%d tables, %d keys checked, %d problems' %
          (len(tables), sum(len(k) for k in tables.values()), len(bad)))
    return 1 if bad else 0


def check(bad, where, path, k, p, tcell, dcell):
    name = '%s: %s.%s' % (where, path, k)
    if p['type'] in ('u32', 'size') and p['max']:
        got = numbers(tcell)
        for v in (p['min'], p['max']):
            if v not in got:
                bad.append('%s: the range %d..%d is not in %r' % (name, p['min'], p['max'], tcell))
                break
    if p['type'] == 'duration':
        if 'duration' not in tcell.lower():
            bad.append('%s: %r does not say duration' % (name, tcell))
        if p['max'] and not {p['min'], p['max']} <= durations(tcell):
            bad.append('%s: the range %d..%d s is not in %r' % (name, p['min'], p['max'], tcell))
    if p['type'] == 'bool' and 'bool' not in tcell.lower():
        bad.append('%s: %r does not say bool' % (name, tcell))
    for n in p['names']:
        if '`%s`' % n not in tcell:
            bad.append('%s: choice %s is not in %r' % (name, n, tcell))
    d = p['default']
    if d == '':
        if not dcell.strip():
            bad.append('%s: no default given' % name)
        return
    if norm(d) == norm(dcell):
        return
    if p['type'] == 'duration' and durations(d) and durations(d) == durations(dcell.replace('`', '')):
        return
    if p['type'] in ('u32', 'size') and numbers(d) and numbers(d) == numbers(dcell):
        return
    bad.append('%s: default %r, the doc says %r' % (name, d, dcell))


if __name__ == '__main__':
    sys.exit(main())
