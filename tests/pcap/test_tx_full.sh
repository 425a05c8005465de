#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Overload: the output port refuses frames (a memif whose peer is not there
# yet: a NIC whose TX ring stays full). smtpwall keeps what it can in order
# (tx_backlog), drops and counts the rest (tx_drop), keeps running, and
# sends the backlog once the port takes frames again (testpmd connects as
# the memif peer and drains it).
#   test_tx_full.sh SMTPWALL [FRAMES]
set -u
SW=$1
N=${2:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
ID="swtx$$"
WORK=$(mktemp -d /tmp/smtpwall-txfull.XXXXXX)
SOCK="/run/$ID.sock"
SW_PID="" TP_PID=""
cleanup() {
	rc=$?
	[ -n "$TP_PID" ] && kill -KILL "$TP_PID" 2>/dev/null
	[ -n "$SW_PID" ] && kill -KILL "$SW_PID" 2>/dev/null
	wait 2>/dev/null
	[ "$rc" -ne 0 ] && tail -30 "$WORK/sw.log"
	rm -rf "$WORK" "$SOCK"
	exit "$rc"
}
trap cleanup EXIT
. "$HERE/overload_lib.sh"
trap 'exit 130' INT TERM
command -v dpdk-testpmd >/dev/null || { echo "SKIP: dpdk-testpmd not installed"; exit 77; }

flood_pcap "$N"
"$SW" --no-huge -m 512 --no-pci --file-prefix "$ID" --lcores "(0-2)@(0-$(($(nproc) - 1)))" \
	--vdev "net_pcap0,rx_pcap=$WORK/in.pcap,tx_pcap=$WORK/back.pcap" \
	--vdev "net_memif0,role=server,socket=$SOCK" -- \
	-p net_pcap0/net_memif0 -w 1 --idle-sleep 50 --no-inspect >"$WORK/sw.log" 2>&1 </dev/null &
SW_PID=$!
wait_rx "$N" "$SW_PID"
sleep 0.5
drop=$(stat tx_drop) backlog=$(stat tx_backlog)
echo "port refusing: rx $N, tx_backlog $backlog, tx_drop $drop"
[ "$drop" -gt 0 ] || fail "no tx_drop counted while the port refused frames"
[ "$backlog" -gt 0 ] || fail "nothing kept in the TX backlog"
kill -0 "$SW_PID" 2>/dev/null || fail "smtpwall died under TX overload"

# The peer comes: the backlog leaves (the port's own TX count, at exit).
sleep 30 | dpdk-testpmd --no-huge -m 256 --no-pci --file-prefix "${ID}t" --lcores 3@0,4@1 \
	--vdev "net_memif0,role=client,socket=$SOCK" -- --forward-mode=rxonly -a \
	--total-num-mbufs=4096 >"$WORK/testpmd.log" 2>&1 &
TP_PID=$!
sleep 5
kill -TERM "$SW_PID"
wait "$SW_PID" || fail "smtpwall exited with $?"
SW_PID=""
sent=$(sed -n 's/.*port 1 (net_memif): rx [0-9]* tx \([0-9]*\).*/\1/p' "$WORK/sw.log")
echo "peer connected: the memif port sent ${sent:-0} frames"
[ "${sent:-0}" -gt 0 ] || fail "the backlog was not sent once the port took frames"
[ "${sent:-0}" -le "$backlog" ] || fail "sent $sent frames, more than the backlog held ($backlog)"
echo "ok: TX overload counted (tx_drop $drop), survived, backlog sent on recovery"
