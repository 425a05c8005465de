#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP Intercept: how many cookie SYN-ACKs one worker sends per second. The
# same capture of N flood SYNs (distinct spoofed sources) goes through the
# offline mode as a plain bridge (--no-inspect: each SYN forwarded) and with
# an embryonic limit of 1 (every SYN but the first answered with a cookie);
# the worker's busy cycles per frame are compared. File I/O is outside the
# measured cycles.
#   tests/bench/bench_intercept.sh [SMTPWALL] [N]
set -eu
SW=${1:-build/app/smtpwall/smtpwall}
N=${2:-500000}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

/usr/bin/python3 "$HERE/gen_syns.py" "$WORK/in.pcap" "$N"
printf "%-40s %10s %14s %12s %12s\n" "mode" "frames" "cycles/frame" "Mpps/core" "cookies"
for mode in bridge intercept; do
	args=(--no-inspect)
	[ "$mode" = intercept ] && args=(-c "$HERE/../pcap/golden/policies/intercept.yaml")
	"$SW" --no-pci --file-prefix "swbc$$" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$WORK/in.pcap" -o "$WORK/out.pcap" "${args[@]}" >"$WORK/log" 2>&1
	cpf=$(sed -n 's/.* busy cycles, \([0-9.]*\) cycles\/frame, \([0-9.]*\) Mpps.*/\1/p' "$WORK/log")
	mpps=$(sed -n 's/.* cycles\/frame, \([0-9.]*\) Mpps.*/\1/p' "$WORK/log")
	fr=$(sed -n 's/^offline: \([0-9]*\) frames read.*/\1/p' "$WORK/log")
	ck=$(awk '$1 == "ic_cookie_sent" {print $2}' "$WORK/log")
	printf "%-40s %10s %14s %12s %12s\n" "$mode ($N SYNs)" "$fr" "$cpf" "$mpps" "${ck:-0}"
done
echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), TSC $(awk '/cpu MHz/ {print $4; exit}' /proc/cpuinfo) MHz)"
