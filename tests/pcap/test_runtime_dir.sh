#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Nothing left in EAL's runtime directory (/var/run/dpdk/PREFIX) when
# smtpwall goes: offline, live stopped by SIGTERM, and after an error at
# start. (The suite used to leave hundreds of directories.)
# Usage: test_runtime_dir.sh SMTPWALL
set -u
SW=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ID="swrd$$"
BASE=/var/run/dpdk
[ "$(id -u)" -eq 0 ] || BASE=${XDG_RUNTIME_DIR:-/tmp}/dpdk
WORK=$(mktemp -d /tmp/smtpwall-rd.XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	rm -rf "$WORK" "$BASE/$ID"*
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
gone() { # PREFIX WHAT
	if [ -e "$BASE/$1" ]; then
		echo "FAIL: $2: $BASE/$1 left behind ($(ls "$BASE/$1" | tr '\n' ' '))"
		fails=$((fails + 1))
	else
		echo "ok: $2: nothing left in $BASE"
	fi
}
/usr/bin/python3 "$HERE/gen_syn_flood.py" "$WORK/in.pcap" 10 || exit 1
"$SW" --no-pci --file-prefix "${ID}o" -- -r "$WORK/in.pcap" -o "$WORK/out.pcap" >"$WORK/log" 2>&1 ||
	{ echo "FAIL: offline run"; cat "$WORK/log"; exit 1; }
gone "${ID}o" "offline"
"$SW" --no-pci --file-prefix "${ID}l" --vdev net_null0 --vdev net_null1 -- \
	-p net_null0:net_null1 -w 1 --idle-sleep 100 >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q forwarding "$WORK/log" && break; sleep 0.1; done
[ -e "$BASE/${ID}l" ] || echo "note: no runtime directory while running (nothing to check)"
kill -TERM "$PID"
wait "$PID"
PID=""
gone "${ID}l" "live, SIGTERM"
"$SW" --no-pci --file-prefix "${ID}e" -- --audit /nonexistent/dir/audit.log -r "$WORK/in.pcap" \
	-o "$WORK/out.pcap" >"$WORK/log" 2>&1
gone "${ID}e" "an error at start (audit file)"
[ "$fails" -eq 0 ]
