#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Pcap integration through real DPDK ports: net_pcap vdevs feed a capture
# into the inside port, and what leaves the outside port is written to a
# capture. With 1 worker the output equals the input frame for frame; with
# 2 workers (software dispatch) each connection keeps its order.
# Usage: test_pcap_ports.sh SMTPWALL SHARED_PCAP_DIR
set -u
SW=$1
PUB=$2
SYSPY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-pcapport.XXXXXX)
PREFIX="swp$$"
SW_PID=""
cleanup() {
	[ -n "$SW_PID" ] && kill -KILL "$SW_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
fails=0 passes=0

frames() {
	"$SYSPY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcap_compare as p; print(len(p.read_pcap(sys.argv[2])[1]))' "$HERE" "$1"
}

run_ports() { # capture workers compare-args...
	cap=$1 workers=$2
	shift 2
	n=$(frames "$cap")
	"$SYSPY" -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))' "$WORK/empty.pcap"
	rm -f "$WORK/out0.pcap" "$WORK/out1.pcap"
	# The lcores (main, dispatcher, workers) float over this machine's cores.
	"$SW" --no-pci --file-prefix "$PREFIX" --lcores "(0-$((workers + 1)))@(0-$(($(nproc) - 1)))" \
		--vdev "net_pcap0,rx_pcap=$cap,tx_pcap=$WORK/out0.pcap" \
		--vdev "net_pcap1,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/out1.pcap" -- \
		-p net_pcap0:net_pcap1 -w "$workers" --idle-sleep 100 --no-inspect >"$WORK/log" 2>&1 </dev/null &
	SW_PID=$!
	tx=0
	for _ in $(seq 200); do
		sleep 0.1
		json=$(echo /smtpwall/stats | dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | grep '^{' | tail -1)
		tx=$(echo "$json" | sed -n 's/.*"tx_pkts": \([0-9]*\).*/\1/p')
		rx=$(echo "$json" | sed -n 's/.*"rx_pkts": \([0-9]*\).*/\1/p')
		[ "${rx:-0}" -ge "$n" ] && [ "${tx:-0}" -ge "$n" ] && break
	done
	kill -TERM "$SW_PID"
	wait "$SW_PID"
	rc=$?
	SW_PID=""
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $(basename "$cap") x$workers: smtpwall exited $rc"; tail -5 "$WORK/log"
		fails=$((fails + 1)); return
	fi
	if ! msg=$("$SYSPY" "$HERE/pcap_compare.py" "$@" "$cap" "$WORK/out1.pcap"); then
		echo "FAIL $(basename "$cap") x$workers: $msg (telemetry saw rx=${rx:-?} tx=${tx:-?})"
		fails=$((fails + 1)); return
	fi
	echo "ok $(basename "$cap") with $workers worker(s): $n frames"
	passes=$((passes + 1))
}

"$SYSPY" "$HERE/gen_frames.py" "$WORK/gen" || { echo "FAIL: gen_frames.py"; exit 1; }
run_ports "$WORK/gen/passthrough.pcap" 1
run_ports "$WORK/gen/passthrough.pcap" 2 --per-flow
for c in suricata-verify/tests/smtp-startssl/input.pcap zeek/testing/btest/Traces/smtp.pcap; do
	if [ -f "$PUB/$c" ]; then
		run_ports "$PUB/$c" 1
		run_ports "$PUB/$c" 2 --per-flow
	fi
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
