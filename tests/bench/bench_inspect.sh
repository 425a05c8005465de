#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Inspection cost, measured on identical input in the same run: a capture of
# N interleaved SMTP sessions (tests/bench/gen_sessions.py) goes through the
# offline mode twice — as a plain bridge (--no-inspect) and with the default
# policy (TCP/25, ASA _default_esmtp_map) — and the worker's busy cycles per
# frame are compared. File I/O is outside the measured cycles.
#   tests/bench/bench_inspect.sh [SMTPWALL] [SESSIONS] [BODY_BYTES]
set -eu
SW=${1:-build/app/smtpwall/smtpwall}
N=${2:-20000}
BODY=${3:-4096}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

/usr/bin/python3 "$HERE/gen_sessions.py" "$WORK/in.pcap" "$N" "$BODY"
printf "%-34s %12s %14s %12s\n" "mode" "frames" "cycles/frame" "Mpps/core"
for mode in bridge inspect; do
	args=()
	[ "$mode" = bridge ] && args=(--no-inspect)
	"$SW" --no-pci --file-prefix "swbi$$" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$WORK/in.pcap" -o "$WORK/out.pcap" "${args[@]}" >"$WORK/log" 2>&1
	cpf=$(sed -n 's/.* busy cycles, \([0-9.]*\) cycles\/frame, \([0-9.]*\) Mpps.*/\1/p' "$WORK/log")
	mpps=$(sed -n 's/.* cycles\/frame, \([0-9.]*\) Mpps.*/\1/p' "$WORK/log")
	fr=$(sed -n 's/^offline: \([0-9]*\) frames read.*/\1/p' "$WORK/log")
	printf "%-34s %12s %14s %12s\n" "$mode ($N sessions, ${BODY}B body)" "$fr" "$cpf" "$mpps"
done
echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), TSC $(awk '/cpu MHz/ {print $4; exit}' /proc/cpuinfo) MHz)"
