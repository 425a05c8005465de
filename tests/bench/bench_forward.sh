#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Pass-through benchmark: smtpwall against dpdk-testpmd's io forwarding on
# the same virtual ports, back to back in the same run, one forwarding lcore
# each. Prints Mpps for both, the ratio, and smtpwall's busy cycles/frame.
#   tests/bench/bench_forward.sh [SMTPWALL] [SECONDS]
# Traffic: (1) net_null ports, 64-byte frames (measures per-frame overhead;
# the frames are not IP, so smtpwall parses and forwards); (2) net_pcap with
# infinite_rx replaying a real SMTP capture (parse + flow lookup + TCP
# state on every frame).
set -u
SW=${1:-build/app/smtpwall/smtpwall}
SECS=${2:-5}
PCAP=${PCAP:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/pcaps/public/zeek/testing/btest/Traces/smtp.pcap}
PREFIX="swb$$"
PID=""
trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -f /tmp/swb$$.*' EXIT

tx_of() { # prefix port -> opackets
	echo "/ethdev/stats,$2" | dpdk-telemetry.py -f "$1" 2>/dev/null |
		sed -n 's/.*"opackets": \([0-9]*\).*/\1/p' | tail -1
}

measure() { # label -> prints Mpps of port 1 TX over SECS
	sleep 2 # warm-up
	a=$(tx_of "$PREFIX" 1); t0=$(date +%s.%N)
	sleep "$SECS"
	b=$(tx_of "$PREFIX" 1); t1=$(date +%s.%N)
	awk -v a="${a:-0}" -v b="${b:-0}" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.3f", (b-a)/(t1-t0)/1e6}'
}

run_testpmd() { # vdev args...
	PREFIX="swb$$tp$RANDOM"
	(sleep $((SECS + 6)) | dpdk-testpmd --no-huge -m 1024 --no-pci --file-prefix "$PREFIX" -l 0-1 \
		"$@" -- --forward-mode=io --total-num-mbufs=16384 --auto-start >/tmp/swb$$.tp 2>&1) &
	PID=$!
	measure
	pkill -f "file-prefix $PREFIX" 2>/dev/null; wait $PID 2>/dev/null; PID=""
}

run_smtpwall() { # vdev args...
	PREFIX="swb$$sw$RANDOM"
	"$SW" --no-pci --file-prefix "$PREFIX" -l 0-1 "$@" -- -p 0:1 -w 1 >/tmp/swb$$.sw 2>&1 &
	PID=$!
	measure
	echo "/smtpwall/stats" | dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | tail -1 >/tmp/swb$$.st
	kill -TERM $PID; wait $PID 2>/dev/null || { echo "smtpwall failed:" >&2; tail -3 /tmp/swb$$.sw >&2; }; PID=""
}

cpp() { # cycles per frame from the last smtpwall stats
	awk '{ match($0, /"rx_pkts": [0-9]+/); r=substr($0, RSTART+11, RLENGTH-11);
	       match($0, /"busy_cycles": [0-9]+/); c=substr($0, RSTART+15, RLENGTH-15);
	       if (r > 0) printf "%.0f", c / r; else printf "-" }' /tmp/swb$$.st
}

printf "%-28s %10s %10s %7s %12s\n" "traffic" "testpmd" "smtpwall" "ratio" "cycles/frame"
row() { # label vdevs...
	label=$1
	shift
	tp=$(run_testpmd "$@")
	sw=$(run_smtpwall "$@")
	printf "%-28s %8s M %8s M %7s %12s\n" "$label" "$tp" "$sw" \
		"$(awk -v a="$sw" -v b="$tp" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')" "$(cpp)"
}
row "net_null 64B (non-IP)" --vdev net_null0 --vdev net_null1
if [ -f "$PCAP" ]; then
	row "net_pcap loop, SMTP capture" --vdev "net_pcap0,rx_pcap=$PCAP,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev "net_pcap1,rx_pcap=$PCAP,infinite_rx=1,tx_pcap=/dev/null"
fi
echo "(Mpps measured on port 1 TX over ${SECS}s after a 2s warm-up; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2))"
