#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bare `smtpwall`, no argument at all, as a user starts it on this machine
# (2 cores are enough): it creates its default TAP wire (smtpw-in,
# smtpw-out), forwards a frame from one to the other, and SIGTERM stops it
# with 0. An offline run with no EAL argument works beside a live instance
# (no lock, no telemetry socket taken from it). An error after a stdout
# line reaches a pipe after that line (stdout is line-buffered). Each part
# fails on its own.
#
# The default names (smtpw-in/out, file prefix "smtpwall") are global, so
# the test runs in network and mount namespaces of its own, with a private
# /run/dpdk: a demo or another test on this machine is not disturbed.
#   test_default_wire.sh SMTPWALL
set -u
SW=$(realpath "$1")
if [ -z "${SW_PRIVATE_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (namespaces, TAP devices)"; exit 77; }
	[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: unshare not installed"; exit 77; }
	exec unshare --mount --net env SW_PRIVATE_NS=1 "$0" "$@"
fi
mkdir -p /run/dpdk && mount -t tmpfs tmpfs /run/dpdk || { echo "FAIL: private /run/dpdk"; exit 1; }
ip link set lo up
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_require
fails=0
ok() {
	echo "ok:   $*"
}
ko() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# start LOG ARGS...: smtpwall in the background until "forwarding"; 1 (and
# the last lines) when it never gets there.
start() {
	log=$1
	shift
	"$SW" "$@" >"$log" 2>&1 </dev/null &
	SW_PID=$!
	wait_grep forwarding "$log" 150 && return 0
	grep -v '^  ' "$log" | tail -3 | sed 's/^/      | /'
	kill -KILL "$SW_PID" 2>/dev/null
	wait "$SW_PID" 2>/dev/null
	SW_PID=""
	return 1
}
# stop: SIGTERM; the exit status in $st, 0 when it is 0.
stop() {
	kill -TERM "$SW_PID"
	wait "$SW_PID"
	st=$?
	SW_PID=""
	return $st
}

# 1. Bare smtpwall: its default wire, the default worker count, a frame
# from smtpw-in leaves smtpw-out, SIGTERM ends it with 0.
ncpu=$(nproc)
want_w=$((ncpu > 2 ? ncpu - 2 : 1))
[ "$want_w" -gt 64 ] && want_w=64
if ! start "$SW_LOG"; then
	ko "bare smtpwall did not start"
elif ! grep -q "creating the default wire" "$SW_LOG" ||
	! grep -q "$want_w worker(s)" "$SW_LOG"; then
	ko "bare smtpwall: no default wire, or not $want_w worker(s) on $ncpu CPUs"
	stop
else
	ip link set smtpw-in up && ip link set smtpw-out up
	if "$SYSPY" - <<'PY'; then
import os, socket, sys, time
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88B5))
rx.bind(("smtpw-out", 0))
rx.settimeout(0.2)
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
tx.bind(("smtpw-in", 0))
mark = b"smtpwall default wire %d" % os.getpid()
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5" + mark.ljust(46, b"\0")
for _ in range(25):
    tx.send(frame)
    end = time.time() + 0.2
    while time.time() < end:
        try:
            if mark in rx.recv(2048):
                sys.exit(0)
        except socket.timeout:
            break
sys.exit(1)
PY
		ok "bare smtpwall: default wire, $want_w worker(s) on $ncpu CPUs, a frame crossed"
	else
		ko "bare smtpwall: no frame crossed smtpw-in -> smtpw-out"
	fi
	if stop && grep -q "final counters" "$SW_LOG"; then
		ok "bare smtpwall: SIGTERM, exit 0"
	else
		ko "bare smtpwall: exit $st on SIGTERM"
	fi
fi

# 2. Offline with no EAL argument beside a live instance on the default
# prefix (which holds its lock and telemetry socket): it runs, and the
# live instance's telemetry still answers.
"$SYSPY" "$E2E_DIR/../pcap/pcap_tool.py" frames "$WORKDIR/in.pcap" 3
if start "$WORKDIR/live.log" --no-pci --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 -- -w 1; then
	"$SW" -- -r "$WORKDIR/in.pcap" -o "$WORKDIR/out.pcap" >"$WORKDIR/off.log" 2>&1 </dev/null
	off=$?
	json=$(echo /smtpwall/stats | dpdk-telemetry.py -f smtpwall 2>/dev/null | grep '^{' | tail -1)
	if [ "$off" -eq 0 ] && grep -q "3 frames read .* 3 written" "$WORKDIR/off.log" &&
		echo "$json" | grep -q '"rx_pkts"'; then
		ok "offline beside a live instance: 3 frames through, live telemetry answers"
	else
		ko "offline beside a live instance: exit $off; $(grep -m1 -E 'lock|failed' "$WORKDIR/off.log")"
	fi
	stop || ko "live instance: exit $st on SIGTERM"
else
	ko "live instance on the default prefix did not start"
fi

# 3. Order through a pipe: the default wire's line (stdout), then the
# error that follows it (stderr), in that order.
"$SW" -l 0-1 -- -w 3 2>&1 </dev/null | cat >"$WORKDIR/pipe.log"
wire_at=$(grep -n "creating the default wire" "$WORKDIR/pipe.log" | head -1 | cut -d: -f1)
err_at=$(grep -n "3 worker.* and a dispatcher need" "$WORKDIR/pipe.log" | head -1 | cut -d: -f1)
if [ -z "$wire_at" ] || [ -z "$err_at" ]; then
	ko "-l 0-1 -w 3: the default wire's line or the error is missing"
elif [ "$wire_at" -lt "$err_at" ]; then
	ok "through a pipe, the error follows the stdout line printed before it"
else
	ko "through a pipe, the error (line $err_at) came before the stdout line it follows ($wire_at)"
fi

[ "$fails" -eq 0 ]
