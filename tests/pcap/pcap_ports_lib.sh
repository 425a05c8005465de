# SPDX-License-Identifier: BSD-3-Clause
# Shared by the tests that run smtpwall live on net_pcap ports and read its
# counters over telemetry. Source it after setting TAG (a short name);
# it sets SW_PID, WORK, PREFIX, SYSPY, HERE, the EXIT trap and:
#   fail MSG              one line (and the log's tail), exit 1
#   wait_rx N             polls /smtpwall/stats until rx_pkts >= N (20 s at
#                         most, or until smtpwall is gone); leaves it in $json
#   stop_sw               SIGTERM, wait; returns smtpwall's exit status
#   num NAME              a counter of the last $json
SYSPY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "/tmp/smtpwall-$TAG.XXXXXX")
PREFIX="sw$TAG$$"
SW_PID=""
json=""
pcap_ports_cleanup() {
	[ -n "$SW_PID" ] && kill -KILL "$SW_PID" 2>/dev/null
	rm -rf "$WORK" "/var/run/dpdk/$PREFIX"
}
trap pcap_ports_cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; tail -20 "$WORK/log" 2>/dev/null; exit 1; }
stats_json() { echo /smtpwall/stats | dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | grep '^{' | tail -1; }
num() { echo "$json" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
wait_rx() {
	for _ in $(seq 200); do
		sleep 0.1
		kill -0 "$SW_PID" 2>/dev/null || return 0
		json=$(stats_json)
		[ "$(num rx_pkts)" -ge "$1" ] 2>/dev/null && return 0
	done
}
stop_sw() {
	kill -TERM "$SW_PID"
	wait "$SW_PID"
	local rc=$?
	SW_PID=""
	return $rc
}
