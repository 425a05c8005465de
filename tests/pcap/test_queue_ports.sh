#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Queue-per-worker (--dispatch queue): two net_pcap ports with two RX and
# two TX queues each, 2 workers and no dispatcher. The connections sit on
# the queue a NIC with smtpwall's symmetric RSS key would give them (both
# directions on one queue; gen_queue_split.py computes it on its own), one
# connection sits on the other queue. Checks: every frame of the placed
# connections leaves, on the queue it came in on; the misplaced one is
# counted (wrong_queue) and none of its frames leaves.
# Usage: test_queue_ports.sh SMTPWALL
set -u
SW=$1
TAG=qport
. "$(dirname "$0")/pcap_ports_lib.sh"

"$SYSPY" "$HERE/gen_queue_split.py" "$WORK" || fail "gen_queue_split.py"
read -r total misplaced flows <"$WORK/expect"
want=$((total - misplaced))
W=$WORK
# main lcore and 2 workers, floating over this machine's cores
"$SW" --no-pci --file-prefix "$PREFIX" --lcores "(0-2)@(0-$(($(nproc) - 1)))" \
	--vdev "net_pcap0,rx_pcap=$W/in_q0.pcap,rx_pcap=$W/in_q1.pcap,tx_pcap=$W/tx0_q0.pcap,tx_pcap=$W/tx0_q1.pcap" \
	--vdev "net_pcap1,rx_pcap=$W/out_q0.pcap,rx_pcap=$W/out_q1.pcap,tx_pcap=$W/tx1_q0.pcap,tx_pcap=$W/tx1_q1.pcap" -- \
	-p net_pcap0:net_pcap1 -w 2 --dispatch queue --idle-sleep 100 --no-inspect >"$WORK/log" 2>&1 </dev/null &
SW_PID=$!
wait_rx "$total"
stop_sw || fail "smtpwall exited $?"
grep -q "2 worker(s), queue-per-worker dispatch" "$WORK/log" || fail "not queue-per-worker: $(grep worker "$WORK/log")"
[ "$(num rx_pkts)" = "$total" ] || fail "rx_pkts $(num rx_pkts), want $total"
[ "$(num wrong_queue)" = "$misplaced" ] || fail "wrong_queue $(num wrong_queue), want $misplaced"
[ "$(num tx_pkts)" = "$want" ] || fail "tx_pkts $(num tx_pkts), want $want"
[ "$(num flow_new)" = "$flows" ] || fail "flow_new $(num flow_new), want $flows"
# What left on queue q of one port is exactly what came in on queue q of
# the other: a worker transmits on its own queue.
"$SYSPY" - "$WORK" <<'PY' || fail "frames per queue"
import os, sys
from scapy.all import rdpcap, raw
w = sys.argv[1]
mis = None
for q in (0, 1):
    sent = sorted(raw(f) for f in rdpcap(os.path.join(w, "in_q%d.pcap" % q))) + \
        sorted(raw(f) for f in rdpcap(os.path.join(w, "out_q%d.pcap" % q)))
    left = [raw(f) for f in rdpcap(os.path.join(w, "tx1_q%d.pcap" % q))] + \
        [raw(f) for f in rdpcap(os.path.join(w, "tx0_q%d.pcap" % q))]
    extra = [f for f in left if f not in sent]
    if extra:
        sys.exit("queue %d: %d frames left that did not come in on it" % (q, len(extra)))
print("per-queue ok")
PY
echo "ok: $want frames of $flows connections forwarded on their queues; $misplaced frames of a connection on the wrong queue counted (wrong_queue) and dropped"
