#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The peer comparison (../shared/peer/README.md): the capture Snort 3 was
# measured on (10,000 SMTP sessions with MIME attachments, 582,834 frames)
# through the offline mode, as a plain bridge (--no-inspect) and with the
# default policy, REPEAT times each, alternating, in the same run. Prints
# whole-process CPU seconds (user + system, reading the capture included, as
# Snort's figure is), the worker's busy cycles per frame, and the ratios:
# inspection / bridge, and Snort 3's 3.74 CPU-s (2-vCPU AMD EPYC Zen 5)
# over ours — comparable only on that CPU kind, which the last line names.
#
#   tests/bench/bench_peer.sh [SMTPWALL] [CAPTURE]
#   REPEAT=5 tests/bench/bench_peer.sh build/app/smtpwall/smtpwall /work/data/smtp-10k.pcap
#
# Without CAPTURE the capture is made in a temporary directory (about 5 s,
# 400 MB) with ../shared/peer/gen_smtp_pcap.py -n 10000 --seed 1.
set -eu
SW=${1:-build/app/smtpwall/smtpwall}
CAP=${2:-}
REPEAT=${REPEAT:-3}
SNORT_CPU_S=${SNORT_CPU_S:-3.74}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-peer.XXXXXX)
trap 'rm -rf "$WORK" "/var/run/dpdk/swpeer$$"' EXIT

if [ -z "$CAP" ]; then
	GEN=$HERE/../../../shared/peer/gen_smtp_pcap.py
	[ -f "$GEN" ] || { echo "bench_peer: no capture given and no $GEN"; exit 77; }
	CAP=$WORK/smtp-10k.pcap
	/usr/bin/python3 "$GEN" -n 10000 --seed 1 -o "$CAP" >/dev/null
fi

one() { # mode -> "cpu_s cycles_per_frame frames"
	args=()
	[ "$1" = bridge ] && args=(--no-inspect)
	/usr/bin/time -f "%U %S" -o "$WORK/time" "$SW" --no-pci --file-prefix "swpeer$$" \
		--lcores 0 --log-level 'lib.*:warning' -- -r "$CAP" -o /dev/null "${args[@]}" \
		>"$WORK/log" 2>&1 || { echo "bench_peer: $1 run failed:" >&2; tail -5 "$WORK/log" >&2; exit 1; }
	cpf=$(sed -n 's/.* busy cycles, \([0-9.]*\) cycles\/frame.*/\1/p' "$WORK/log")
	fr=$(sed -n 's/^offline: \([0-9]*\) frames read.*/\1/p' "$WORK/log")
	awk -v c="$cpf" -v f="$fr" '{ printf "%.3f %s %s\n", $1 + $2, c, f }' "$WORK/time"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$WORK/bridge" && : >"$WORK/inspect"
for _ in $(seq "$REPEAT"); do
	for m in bridge inspect; do
		one "$m" >>"$WORK/$m"
	done
done
echo "mode,runs,frames,cpu_s_median,cpu_s_min,cycles_per_frame_median"
for m in bridge inspect; do
	fr=$(awk 'NR == 1 { print $3 }' "$WORK/$m")
	cpu=$(cut -d' ' -f1 "$WORK/$m" | median)
	cmin=$(cut -d' ' -f1 "$WORK/$m" | sort -n | head -1)
	cpf=$(cut -d' ' -f2 "$WORK/$m" | median)
	echo "$m,$REPEAT,$fr,$cpu,$cmin,$cpf"
	eval "${m}_cpu=$cpu ${m}_cpf=$cpf"
done
# shellcheck disable=SC2154
awk -v bc="$bridge_cpu" -v ic="$inspect_cpu" -v bf="$bridge_cpf" -v if_="$inspect_cpf" \
	-v s="$SNORT_CPU_S" 'BEGIN {
	printf "inspection / bridge: %.2fx cycles per frame, %.2fx CPU seconds\n", if_ / bf, ic / bc
	printf "Snort 3 (%s CPU-s, AMD EPYC Zen 5) / smtpwall inspect: %.1fx\n", s, s / ic }'
echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
