#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs the golden pcap cases (cases*.py: CASE_FILES below) through smtpwall's offline mode.

    test_golden.py SMTPWALL [CASE...]
    JOBS=N test_golden.py ...     N cases at a time (default: the CPUs)

For each case: the session is written to input.pcap, smtpwall reads it with
the case's policy and writes what would leave the box; the facts of the case
are checked on the output streams and the audit trail, and every output
checksum must verify (tshark). Keeps the work files with KEEP=1.
"""
import concurrent.futures
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scapy.all import rdpcap, wrpcap  # noqa: E402

import cases  # noqa: E402
import cases_audit  # noqa: E402
import cases_flowtab  # noqa: E402
import cases_hostile  # noqa: E402
import cases_mime  # noqa: E402
import cases_postfix  # noqa: E402
import fastpcap  # noqa: E402
from session import Session, streams  # noqa: E402

# Every file of cases, in the order they run (a case's index picks its port).
CASE_FILES = [cases, cases_hostile, cases_flowtab, cases_mime, cases_postfix, cases_audit]

HERE = os.path.dirname(os.path.abspath(__file__))
BIG_OUTPUT = 3000  # more output frames than this are not dissected by scapy


class Result:
    pass


def policy_path(policy):
    """A case's policy: a repo-relative path, or a name in policies/."""
    if "/" in policy:
        return os.path.join(HERE, "..", "..", "..", policy)
    return os.path.join(HERE, "policies", policy + ".yaml")


def bad_checksums(path):
    out = subprocess.run(["tshark", "-r", path, "-o", "tcp.check_checksum:TRUE",
                          "-o", "ip.check_checksum:TRUE", "-Y",
                          "tcp.checksum.status == 0 || ip.checksum.status == 0"],
                         capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def run_case(sw, work, idx, name, build, check, policy):
    d = os.path.join(work, name)
    os.makedirs(d)
    s = Session(cport=40000 + idx)
    build(s)
    inp, outp, audit = (os.path.join(d, n) for n in ("input.pcap", "output.pcap", "audit.log"))
    if any(isinstance(f, tuple) for f in s.frames):
        fastpcap.write_pcap(inp, s.frames)  # bulk cases: (time, bytes) records
    else:
        wrpcap(inp, s.frames)
    args = [sw, "--no-pci", "--file-prefix", "swg%d_%d" % (os.getpid(), idx), "--lcores", "0",
            "--log-level", "lib.*:warning", "--", "-r", inp, "-o", outp, "--audit", audit]
    if policy:
        args += ["-c", policy_path(policy)]
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode != 0:
        return ["smtpwall exited %d: %s" % (run.returncode, run.stderr[-500:])], run.stdout
    r = Result()
    r.cport = 40000 + idx
    # Every output frame's TCP fields (fast); scapy frames unless there are
    # too many to dissect in reasonable time (bulk cases: r.frames is None).
    r.segs = [fastpcap.tcp_view(b) for b in fastpcap.read_pcap(outp)]
    if len(r.segs) <= BIG_OUTPUT:
        frames = rdpcap(outp) if os.path.getsize(outp) > 24 else []
        r.streams = lambda port: streams(frames, client_port=port)
    else:
        frames = None
        r.streams = lambda port: fastpcap.streams(r.segs, port)
    r.out = r.streams(40000 + idx)
    r.raw_out = {0: b"", 1: b""}
    fins = set()
    for t in r.segs:
        if t is not None:
            dr = 0 if t.sport == 40000 + idx else 1
            r.raw_out[dr] += t.payload
            if t.flags & 0x01:
                fins.add(dr)
    r.closed_normally = fins == {0, 1}
    r.frames = frames
    r.audit = open(audit).read() if os.path.exists(audit) else ""
    r.stdout, r.stderr = run.stdout, run.stderr  # the final counters are on stdout
    fails = check(r)
    bad = bad_checksums(outp)
    if bad:
        fails.append("%d frames with a bad checksum, e.g. %s" % (len(bad), bad[0]))
    return fails, run.stdout


ALL_CASES = [c for m in CASE_FILES for c in m.CASES]


def run_index(sw, work, idx):
    """One case in a child process (forked: the case list is its own)."""
    name, readme, build, check, policy = ALL_CASES[idx]
    try:
        fails, log = run_case(sw, work, idx, name, build, check, policy)
    except Exception as e:  # a broken case fails alone, with its reason
        fails, log = ["the case raised %r" % e], ""
    return fails, log


def main():
    sw = sys.argv[1]
    only = set(sys.argv[2:])
    work = tempfile.mkdtemp(prefix="smtpwall-golden.")
    jobs = int(os.environ.get("JOBS", "0")) or os.cpu_count() or 1
    passed = failed = 0
    todo = []
    for idx, (name, readme, build, check, policy) in enumerate(ALL_CASES):
        if only and name not in only:
            continue
        if policy and not os.path.exists(policy_path(policy)):
            print("skip %-26s (policy %s not available yet)" % (name, policy))
            continue
        todo.append(idx)
    try:
        # Each case is a smtpwall process, a scapy dissection and a tshark
        # run: independent, so they share the CPUs; reported in case order.
        ctx = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
            futs = [(idx, ex.submit(run_index, sw, work, idx)) for idx in todo]
            for idx, fut in futs:
                name, readme = ALL_CASES[idx][0], ALL_CASES[idx][1]
                fails, log = fut.result()
                if fails:
                    failed += 1
                    print("FAIL %-26s %s" % (name, readme))
                    for f in fails:
                        print("     - %s" % f)
                    print("\n".join("       | " + line for line in log.splitlines()[-25:]))
                else:
                    passed += 1
                    print("ok   %-26s %s" % (name, readme), flush=True)
    finally:
        if os.environ.get("KEEP"):
            print("work files kept in %s" % work)
        else:
            shutil.rmtree(work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
