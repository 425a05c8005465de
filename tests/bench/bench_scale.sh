#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Scaling (issue 15): the wire benchmark at 1, 2, 4, 8, 14 workers (as many
# as the machine holds with one CPU per worker and one per generator lcore:
# 2W + 1 <= CPUs; 1 worker always runs), queue-per-worker (no dispatcher,
# each generator lcore on its own memif queue pair, flows chosen by the
# symmetric Toeplitz hash as a NIC's RSS would spread them), testpmd with
# the same queues as the ceiling, bridge and default inspection, for the
# clean SMTP mix (nothing cut), the realistic mix and the conn mix.
#
#   tests/bench/bench_scale.sh [SMTPWALL] [SMTPWALL-GEN] [SECONDS]
#   SCALE_WORKERS="1 2 4 8 14" MIXES="clean smtp conn" REPEAT=3 OUT=DIR
#
# Prints one table per mix: Mpps per DUT and worker count, speed-up over 1
# worker, efficiency (speed-up / workers), and the busy share of the
# busiest worker and generator lcore (who was the bottleneck). Writes
# OUT/scale.csv; tests/bench/plot_scale.py OUT draws it (python3-matplotlib).
# Runs unchanged on a 2-core machine (1 worker only) and on the 16-core one
# (../shared/device/README.md: take the binaries there as a bundle).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SW=${1:-$ROOT/build/app/smtpwall/smtpwall}
GEN=${2:-$ROOT/build/app/smtpwall-gen/smtpwall-gen}
SECS=${3:-6}
NCPU=$(nproc)
SCALE_WORKERS=${SCALE_WORKERS:-"1 2 4 8 14"}
export MIXES=${MIXES-clean smtp conn}
export DUTS=${DUTS:-testpmd bridge inspect}
export REPEAT=${REPEAT:-3}
OUT=${OUT:-$(mktemp -d /tmp/smtpwall-scale.XXXXXX)}
mkdir -p "$OUT"
CSV=$OUT/scale.csv
: >"$CSV"

ran=""
for w in $SCALE_WORKERS; do
	if [ "$w" -gt 1 ] && [ $((2 * w + 1)) -gt "$NCPU" ]; then
		echo "(skipping $w workers: $NCPU CPUs cannot give each worker and generator lcore its own)"
		continue
	fi
	g=1
	[ "$w" -gt 1 ] && g=$w
	OUT=$OUT/w$w WORKERS=$w GEN_QUEUES=$g LAT_MIXES= IDLE_CONNS=0 \
		"$ROOT/tests/bench/bench_wire.sh" "$SW" "$GEN" "$SECS" >"$OUT/w$w.txt" 2>&1 ||
		echo "bench_wire with $w workers failed: $OUT/w$w.txt"
	if [ -s "$OUT/w$w/results.csv" ]; then
		if [ ! -s "$CSV" ]; then
			cp "$OUT/w$w/results.csv" "$CSV"
		else
			tail -n +2 "$OUT/w$w/results.csv" >>"$CSV"
		fi
		ran="$ran $w"
	fi
done
[ -s "$CSV" ] || { echo "no results"; exit 1; }

echo "smtpwall scaling: $(date -u +%F) on $NCPU x$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), workers:$ran, ${SECS}s runs, medians of $REPEAT"
for mix in $MIXES; do
	echo
	echo "Mix $mix (queue-per-worker above 1 worker; Mpps leaving the DUT):"
	echo
	echo "| workers | DUT | Mpps | speed-up | efficiency | DUT busy % | gen busy % | check |"
	echo "|--:|---|--:|--:|--:|--:|--:|---|"
	awk -F, -v m="$mix" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$(c["kind"]) == "tput" && $(c["mix"]) == m {
			k = $(c["workers"]) SUBSEP $(c["dut"])
			v[k] = v[k] " " $(c["mpps"]); db[k] = db[k] " " $(c["dut_busy_pct"])
			gb[k] = gb[k] " " $(c["gen_busy_pct"]); if ($(c["check"]) != "ok") bad[k] = 1
			w[$(c["workers"])] = 1; d[$(c["dut"])] = 1 }
		function med(s,   a, n, i, j, t) {
			n = split(s, a, " "); if (n == 0 || a[1] == "") return ""
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		END {
			split("testpmd bridge inspect", order, " ")
			nw = 0; for (x in w) ws[++nw] = x + 0
			for (i = 1; i <= nw; i++) for (j = i + 1; j <= nw; j++) if (ws[j] < ws[i]) { t = ws[i]; ws[i] = ws[j]; ws[j] = t }
			for (o = 1; o <= 3; o++) {
				dut = order[o]; if (!(dut in d)) continue
				base = med(v[1 SUBSEP dut])
				for (i = 1; i <= nw; i++) {
					k = ws[i] SUBSEP dut; if (!(k in v)) continue
					x = med(v[k]); su = base > 0 ? x / base : 0
					printf "| %d | %s | %.3f | %.2f | %.2f | %s | %s | %s |\n", ws[i], dut, x, su,
						su / ws[i], med(db[k]) == "" ? "-" : med(db[k]), med(gb[k]), (k in bad) ? "FAIL" : "ok"
				}
			}
		}' "$CSV"
done
echo
echo "(speed-up: Mpps / Mpps with 1 worker, same DUT; efficiency: speed-up / workers, 0.9 is the target;"
echo " busy: the busiest worker's and generator lcore's share of cycles on polls that moved frames)"
echo "results: $CSV, logs: $OUT/w*/"
