#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end: smtpwall with 2 workers bridges two TAP ports between a
# client and a server namespace. ARP and ping cross the wire; smtp-source
# sends 1,000 mails over 20 parallel sessions to a real SMTP server; every
# mail arrives; the appliance's counters (live telemetry and final) match.
# MODE bridge: --no-inspect, every frame must leave (rx == tx). MODE inspect:
# the default policy inspects TCP/25; the only frames the appliance may
# drop are those lib/tcp drops after a connection was reset (late FINs).
# Usage: test_forward.sh SMTPWALL [MAILS] [SESSIONS] [bridge|inspect]
set -u
. "$(dirname "$0")/lib.sh"
e2e_require smtp-source dpdk-telemetry.py

SW=$1
MAILS=${2:-1000}
SESSIONS=${3:-20}
MODE=${4:-bridge}
if [ "$MODE" = bridge ]; then
	wire_up "$SW" 2 --no-inspect
else
	wire_up "$SW" 2
fi

ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 2 "$SERVER_IP" >/dev/null ||
	fail "ping across the wire"
ip -n "$NS_C" neigh show "$SERVER_IP" | grep -q lladdr || fail "no ARP entry for the server"
echo "ok: ARP and ICMP cross the wire"

sink_up "$WORKDIR/mails.log"
start=$(date +%s.%N)
ip netns exec "$NS_C" timeout 300 smtp-source -s "$SESSIONS" -m "$MAILS" -l 2048 \
	-f sender@example.com -t rcpt@example.net "$SERVER_IP:25" ||
	fail "smtp-source failed"
end=$(date +%s.%N)
for _ in $(seq 100); do
	[ "$(wc -l <"$WORKDIR/mails.log")" -ge "$MAILS" ] && break
	sleep 0.1
done
got=$(wc -l <"$WORKDIR/mails.log")
[ "$got" -eq "$MAILS" ] || fail "server received $got of $MAILS mails"
echo "ok: $got/$MAILS mails delivered in $(awk "BEGIN{printf \"%.1f\", $end - $start}") s"

json=$(telemetry /smtpwall/stats)
echo "telemetry: $json" | cut -c1-200
echo "$json" | grep -q '"rx_pkts": [1-9]' || fail "telemetry /smtpwall/stats shows no rx_pkts"
json_flows=$(telemetry /smtpwall/flows)
echo "$json_flows" | grep -q '"created": ' || fail "telemetry /smtpwall/flows missing"

wire_stop
rx=$(counter rx_pkts); tx=$(counter tx_pkts)
flows=$(counter flow_new); malformed=$(counter malformed); txdrop=$(counter tx_drop)
tcp=$(counter tcp)
echo "counters: rx=$rx tx=$tx tcp=$tcp flows=$flows malformed=${malformed:-0} tx_drop=${txdrop:-0}"
[ "${rx:-0}" -gt 0 ] || fail "no frames counted"
insp=$(counter insp_conns)
if [ "$MODE" = bridge ]; then
	[ "$rx" -eq "$tx" ] || fail "rx $rx != tx $tx: frames lost in the appliance"
	[ "${insp:-0}" -eq 0 ] || fail "--no-inspect still inspected $insp connections"
else
	dropped=$(counter insp_drop_pkts)
	[ "$rx" -eq $((tx + ${dropped:-0})) ] || fail "rx $rx != tx $tx + dropped ${dropped:-0}"
	[ "${insp:-0}" -eq "$MAILS" ] || fail "inspected ${insp:-0} connections, expected $MAILS"
	other=$(sed -n '/final counters/,$p' "$SW_LOG" | grep '    drop:' | grep -v 'connection closed by RST')
	[ -z "$other" ] || fail "unexpected drops: $other"
	masked=$(sed -n '/final counters/,$p' "$SW_LOG" | awk '$1 == "event" && $2 == "mask-banner" {print $3}')
	[ "${masked:-0}" -eq "$MAILS" ] || fail "banners masked ${masked:-0}, expected $MAILS"
fi
[ "${malformed:-0}" -eq 0 ] || fail "malformed frames counted"
[ "${txdrop:-0}" -eq 0 ] || fail "tx drops counted"
# smtp-source opens one connection per mail (no -d).
[ "${flows:-0}" -eq "$MAILS" ] || fail "flow_new $flows != $MAILS connections"
echo "PASS"
