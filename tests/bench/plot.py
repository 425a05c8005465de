#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots of the wire benchmark (tests/bench/bench_wire.sh) for docs/benchmarks.md.

    /usr/bin/python3 tests/bench/plot.py OUT-DIR [IMG-DIR]

OUT-DIR is the benchmark's OUT directory (results.csv, memory.csv and the
lat.*.csv histograms); the PNGs go to IMG-DIR (docs/img). Needs Debian's
python3-matplotlib (only this script does; CI does not run it).

  bench-throughput.png   Mpps per mix per DUT (median, min-max whiskers),
                         testpmd as the reference bar
  bench-cycles.png       smtpwall's busy cycles per frame per mix
  bench-latency.png      latency CDF per DUT at half load (histograms of all
                         repetitions summed), one panel per mix
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DUTS = ["testpmd", "bridge", "inspect"]
COLORS = {"testpmd": "#888888", "bridge": "#4c72b0", "inspect": "#dd8452"}
LABELS = {
    "testpmd": "dpdk-testpmd io",
    "bridge": "smtpwall --no-inspect",
    "inspect": "smtpwall default.yaml",
}
MIX_ORDER = ["udp64", "smtp", "data", "conn"]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def load(out):
    rows = []
    with open(os.path.join(out, "results.csv"), newline="") as f:
        for r in csv.DictReader(f):
            rows.append(r)
    return rows


def series(rows, kind, col, workers):
    """{(mix, dut): [values over repetitions]}"""
    d = defaultdict(list)
    for r in rows:
        if r["kind"] == kind and r["workers"] == workers:
            v = num(r[col])
            if v is not None:
                d[(r["mix"], r["dut"])].append(v)
    return d


def bars(ax, data, mixes, ylabel, title, duts, fmt="{:.3g}"):
    width = 0.8 / len(duts)
    for j, dut in enumerate(duts):
        xs, ys, lo, hi = [], [], [], []
        for i, mix in enumerate(mixes):
            v = data.get((mix, dut))
            if not v:
                continue
            m = statistics.median(v)
            xs.append(i + (j - (len(duts) - 1) / 2) * width)
            ys.append(m)
            lo.append(m - min(v))
            hi.append(max(v) - m)
        if not xs:
            continue
        ax.bar(xs, ys, width, color=COLORS[dut], label=LABELS[dut],
               yerr=[lo, hi], capsize=3, error_kw={"elinewidth": 0.8})
        for x, y in zip(xs, ys):
            ax.annotate(fmt.format(y), (x, y), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(mixes)))
    ax.set_xticklabels(mixes)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print(f"{path}: {os.path.getsize(path) // 1024} KiB")


def hist(path):
    out = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            ub = r["upper_ns"]
            out.append((float("inf") if ub == "inf" else float(ub), int(r["count"])))
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    out = sys.argv[1]
    img = sys.argv[2] if len(sys.argv) > 2 else "docs/img"
    os.makedirs(img, exist_ok=True)
    rows = load(out)
    workers = sorted({r["workers"] for r in rows}, key=int)[0]
    mixes = [m for m in MIX_ORDER if any(r["mix"] == m and r["kind"] == "tput" for r in rows)]

    # Throughput.
    fig, ax = plt.subplots(figsize=(8, 4))
    bars(ax, series(rows, "tput", "mpps", workers), mixes, "Mpps back at the generator",
         f"Throughput per mix, {workers} worker, closed loop over memif "
         "(median of repetitions, whiskers min-max)", DUTS)
    save(fig, os.path.join(img, "bench-throughput.png"))

    # Cycles per frame (smtpwall only) and per session.
    fig, axs = plt.subplots(1, 2, figsize=(9, 3.6))
    bars(axs[0], series(rows, "tput", "cycles_per_pkt", workers), mixes,
         "busy TSC cycles / frame", "smtpwall cycles per frame", ["bridge", "inspect"], "{:.0f}")
    sm = [m for m in mixes if m != "udp64"]
    bars(axs[1], series(rows, "tput", "cycles_per_sess", workers), sm,
         "busy TSC cycles / session", "smtpwall cycles per session", ["bridge", "inspect"],
         "{:.0f}")
    axs[1].set_yscale("log")
    save(fig, os.path.join(img, "bench-cycles.png"))

    # Latency CDFs at half load.
    lmixes = [m for m in MIX_ORDER if any(r["mix"] == m and r["kind"] == "lat" for r in rows)]
    if lmixes:
        fig, axs = plt.subplots(1, len(lmixes), figsize=(4.5 * len(lmixes), 3.6), squeeze=False)
        for ax, mix in zip(axs[0], lmixes):
            offered = next((r["offered"] for r in rows if r["kind"] == "lat" and r["mix"] == mix), "?")
            for dut in DUTS:
                acc = defaultdict(int)
                for fn in os.listdir(out):
                    if fn.startswith(f"lat.lat-{mix}-{dut}-w{workers}-") and fn.endswith(".csv"):
                        for ub, c in hist(os.path.join(out, fn)):
                            acc[ub] += c
                if not acc:
                    continue
                total = sum(acc.values())
                xs, ys, seen = [], [], 0
                for ub in sorted(acc):
                    seen += acc[ub]
                    if ub != float("inf"):
                        xs.append(ub / 1000)
                        ys.append(seen / total)
                ax.step(xs, ys, where="post", color=COLORS[dut], label=LABELS[dut])
            ax.set_xscale("log")
            ax.set_xlabel("latency, µs (generator → DUT → generator)")
            ax.set_ylabel("fraction of frames")
            unit = "frames/s" if mix == "udp64" else "sessions/s"
            ax.set_title(f"{mix}: {offered} {unit} offered (half load)", fontsize=10)
            for p in (0.5, 0.99):
                ax.axhline(p, color="k", lw=0.5, ls=":")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8, loc="lower right")
        save(fig, os.path.join(img, "bench-latency.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
