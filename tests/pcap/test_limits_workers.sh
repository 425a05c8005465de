#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Box-wide connection limits with several workers (issue 15): ASA's
# conn-max holds for the whole box, not per worker. 400 SYNs (8 clients)
# through 4 workers (software dispatch spreads them) against
# `set-connection conn-max 20` (tests/pcap/golden/policies/hostile-limits:
# also per-client-max 5 of 8 clients = 40, above 20): between 20 and
# 20 + (workers - 1) connections pass, the rest are refused and counted.
# Usage: test_limits_workers.sh SMTPWALL
set -u
SW=$1
W=${W:-4}
SYSPY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-limw.XXXXXX)
PREFIX="swl$$"
SW_PID=""
cleanup() {
	[ -n "$SW_PID" ] && kill -KILL "$SW_PID" 2>/dev/null
	rm -rf "$WORK" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; tail -20 "$WORK/log" 2>/dev/null; exit 1; }

N=400
"$SYSPY" "$HERE/gen_syn_flood.py" "$WORK/syn.pcap" "$N" || fail "gen_syn_flood.py"
"$SYSPY" -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))' "$WORK/empty.pcap"
# memory: W flow tables of the default 131,072 entries (90 MB each)
"$SW" --no-pci -m $((W * 128 + 512)) --file-prefix "$PREFIX" --lcores "(0-$((W + 1)))@(0-$(($(nproc) - 1)))" \
	--vdev "net_pcap0,rx_pcap=$WORK/syn.pcap,tx_pcap=$WORK/out0.pcap" \
	--vdev "net_pcap1,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/out1.pcap" -- \
	-p net_pcap0:net_pcap1 -w "$W" --dispatch software --idle-sleep 100 \
	-c "$HERE/golden/policies/hostile-limits.yaml" >"$WORK/log" 2>&1 </dev/null &
SW_PID=$!
json=""
for _ in $(seq 300); do
	sleep 0.1
	kill -0 "$SW_PID" 2>/dev/null || break
	json=$(echo /smtpwall/stats | dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | grep '^{' | tail -1)
	rx=$(echo "$json" | sed -n 's/.*"rx_pkts": \([0-9]*\).*/\1/p')
	[ "${rx:-0}" -ge "$N" ] && break
done
sleep 0.5
json=$(echo /smtpwall/stats | dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | grep '^{' | tail -1)
kill -TERM "$SW_PID"
wait "$SW_PID"
rc=$?
SW_PID=""
[ "$rc" -eq 0 ] || fail "smtpwall exited $rc"
grep -q "$W worker(s), software dispatch" "$WORK/log" || fail "not $W workers"
num() { echo "$json" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
passed=$("$SYSPY" -c 'import sys; from scapy.all import rdpcap; print(len(rdpcap(sys.argv[1])))' "$WORK/out1.pcap")
[ "$(num rx_pkts)" = "$N" ] || fail "rx_pkts $(num rx_pkts), want $N"
[ "$passed" -ge 20 ] && [ "$passed" -le $((20 + W - 1)) ] ||
	fail "$passed SYNs passed, want 20..$((20 + W - 1)) (conn-max 20, $W workers)"
[ "$(num limit_drop)" = $((N - passed)) ] || fail "limit_drop $(num limit_drop), want $((N - passed))"
echo "ok: conn-max 20 with $W workers: $passed of $N SYNs passed, $((N - passed)) refused (limit_drop)"
