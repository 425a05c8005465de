# SPDX-License-Identifier: BSD-3-Clause
# Shared by the overload tests (test_tx_full.sh, test_audit_full.sh): a live
# smtpwall on vdev ports whose counters are read over telemetry. Set ID (the
# --file-prefix) and WORK before sourcing.

fail() {
	echo "FAIL: $*"
	exit 1
}

# stat NAME: a counter of the running smtpwall (0 when absent).
stat() {
	echo /smtpwall/stats | dpdk-telemetry.py -f "$ID" 2>/dev/null | grep '^{' | tail -1 |
		/usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['/smtpwall/stats'].get('$1', 0))" 2>/dev/null
}

# flood_pcap N: $WORK/in.pcap (N SYNs, tests/bench/gen_syns.py) and an empty
# $WORK/empty.pcap for a port that only transmits.
flood_pcap() {
	/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../bench/gen_syns.py" "$WORK/in.pcap" "$1"
	/usr/bin/python3 -c "import struct; open('$WORK/empty.pcap','wb').write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))"
}

# wait_rx N PID: until smtpwall has received N frames (fails if it exits).
wait_rx() {
	for _ in $(seq 300); do
		[ "$(stat rx_pkts)" = "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || fail "smtpwall exited"
		sleep 0.1
	done
	fail "smtpwall did not read the $1 frames ($(stat rx_pkts))"
}
