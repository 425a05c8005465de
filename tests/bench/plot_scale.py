#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots of tests/bench/bench_scale.sh: throughput and per-worker efficiency
against workers, one line per DUT, one panel pair per mix.

    /usr/bin/python3 tests/bench/plot_scale.py OUT-DIR [IMG-DIR]

OUT-DIR holds scale.csv; bench-scale.png goes to IMG-DIR (default OUT-DIR).
Needs Debian's python3-matplotlib (CI does not run it).
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    out = sys.argv[1]
    img = sys.argv[2] if len(sys.argv) > 2 else out
    runs = defaultdict(list)
    for r in csv.DictReader(open(os.path.join(out, "scale.csv"))):
        if r["kind"] == "tput" and r["mpps"]:
            runs[(r["mix"], r["dut"], int(r["workers"]))].append(float(r["mpps"]))
    mixes = sorted({k[0] for k in runs})
    fig, axes = plt.subplots(2, len(mixes), figsize=(5 * len(mixes), 7), squeeze=False)
    for j, mix in enumerate(mixes):
        for dut in ("testpmd", "bridge", "inspect"):
            ws = sorted(w for (m, d, w) in runs if m == mix and d == dut)
            if not ws:
                continue
            mpps = [statistics.median(runs[(mix, dut, w)]) for w in ws]
            base = mpps[0] if ws[0] == 1 else None
            axes[0][j].plot(ws, mpps, marker="o", label=dut)
            if base:
                axes[1][j].plot(ws, [m / base / w for m, w in zip(mpps, ws)], marker="o",
                                label=dut)
        axes[0][j].set_title("mix " + mix)
        axes[0][j].set_ylabel("Mpps")
        axes[1][j].set_ylabel("efficiency (speed-up / workers)")
        axes[1][j].axhline(0.9, color="grey", linestyle=":")
        for a in (axes[0][j], axes[1][j]):
            a.set_xlabel("workers")
            a.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(img, "bench-scale.png"), dpi=100)


if __name__ == "__main__":
    main()
