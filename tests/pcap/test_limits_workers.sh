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
TAG=limw
. "$(dirname "$0")/pcap_ports_lib.sh"

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
wait_rx "$N"
sleep 0.5 # the refusals counted after the last frame read
json=$(stats_json)
stop_sw || fail "smtpwall exited $?"
grep -q "$W worker(s), software dispatch" "$WORK/log" || fail "not $W workers"
passed=$("$SYSPY" -c 'import sys; from scapy.all import rdpcap; print(len(rdpcap(sys.argv[1])))' "$WORK/out1.pcap")
[ "$(num rx_pkts)" = "$N" ] || fail "rx_pkts $(num rx_pkts), want $N"
[ "$passed" -ge 20 ] && [ "$passed" -le $((20 + W - 1)) ] ||
	fail "$passed SYNs passed, want 20..$((20 + W - 1)) (conn-max 20, $W workers)"
[ "$(num limit_drop)" = $((N - passed)) ] || fail "limit_drop $(num limit_drop), want $((N - passed))"
echo "ok: conn-max 20 with $W workers: $passed of $N SYNs passed, $((N - passed)) refused (limit_drop)"
