#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Overload: the audit trail cannot be written (its reader stalls: stdout is a
# pipe nobody reads), so the control lcore blocks and the workers' log rings
# fill. The workers keep forwarding, count what they could not log
# (audit_ring_full), and everything drains when the reader comes back.
# Records come from IOS `audit-trail on` (one per session start, not
# rate-limited) for a capture of N SYNs.
#   test_audit_full.sh SMTPWALL [SESSIONS]
set -u
SW=$1
N=${2:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
ID="swau$$"
WORK=$(mktemp -d /tmp/smtpwall-auditfull.XXXXXX)
SW_PID="" CAT_PID=""
cleanup() {
	rc=$?
	[ -n "$SW_PID" ] && kill -KILL "$SW_PID" 2>/dev/null
	[ -n "$CAT_PID" ] && kill -KILL "$CAT_PID" 2>/dev/null
	wait 2>/dev/null
	exec 3>&- 2>/dev/null
	[ "$rc" -ne 0 ] && [ -f "$WORK/out" ] && tail -20 "$WORK/out"
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
. "$HERE/overload_lib.sh"
trap 'exit 130' INT TERM

flood_pcap "$N"
mkfifo "$WORK/fifo"
exec 3<>"$WORK/fifo" # held open, never read: writes block once the pipe is full
"$SW" --no-huge -m 512 --no-pci --file-prefix "$ID" --lcores "(0-2)@(0-$(($(nproc) - 1)))" \
	--vdev "net_pcap0,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/fwd.pcap" \
	--vdev "net_pcap1,rx_pcap=$WORK/in.pcap,tx_pcap=$WORK/back.pcap" -- \
	-p net_pcap0/net_pcap1 -w 1 --idle-sleep 50 -c "$HERE/golden/policies/ios-audit.yaml" \
	--audit - >"$WORK/fifo" 2>"$WORK/err" </dev/null &
SW_PID=$!
wait_rx "$N" "$SW_PID"
full=$(stat audit_ring_full) tx=$(stat tx_pkts)
echo "reader stalled: rx $N, tx $tx, audit_ring_full $full"
[ "$full" -gt 0 ] || fail "no audit_ring_full counted while the reader stalled"
[ "$tx" -gt 0 ] || fail "the workers stopped forwarding while the audit trail was blocked"
# The reader comes back: everything drains, smtpwall stops cleanly.
cat <&3 >"$WORK/out" &
CAT_PID=$!
kill -TERM "$SW_PID"
wait "$SW_PID" || fail "smtpwall exited with $?"
SW_PID=""
sleep 0.5
kill "$CAT_PID" 2>/dev/null
wait "$CAT_PID" 2>/dev/null
CAT_PID=""
grep -q "final counters" "$WORK/out" || fail "no final counters after the drain"
n=$(grep -c "SESS_AUDIT_TRAIL_START" "$WORK/out")
echo "drained: $n start records written after the reader came back"
[ "$n" -gt 0 ] || fail "no audit record came through after the drain"
echo "ok: audit ring overload counted ($full), forwarding went on, drained on recovery"
