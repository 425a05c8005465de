#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Soak: MAILS mails through the inspected TAP wire (2 workers, default
# policy), one connection each, from smtp-source (the bulk, SESSIONS in
# parallel) and soak_sample.py (every 100th mail: a pseudo-random MIME
# message, spread over the run). Asserts:
#  - zero lost: the server logged exactly MAILS mails;
#  - the sample is byte-exact: the sha256 and length of every sampled body
#    at the server equal those sent;
#  - smtpwall's final counters agree: flow_new == insp_conns == masked
#    banners == MAILS, rx == tx + inspection drops, no drop but the late
#    segments of reset connections, no malformed frame, no tx or dispatch
#    drop;
#  - memory stays flat: VmRSS, sampled every second, grows by less than
#    RSS_MAX_KB (8 MiB) between the end of the first quarter of the run and
#    its end. The series is printed.
# Usage: test_soak.sh SMTPWALL [MAILS] [SESSIONS]   (or SOAK_MAILS=N)
set -u
. "$(dirname "$0")/lib.sh"
e2e_require smtp-source

SW=$1
MAILS=${2:-${SOAK_MAILS:-10000}}
SESSIONS=${3:-20}
RSS_MAX_KB=${RSS_MAX_KB:-8192}
SAMPLE_EVERY=100
SAMPLES=$((MAILS / SAMPLE_EVERY))
[ "$SAMPLES" -ge 1 ] || SAMPLES=1
BULK=$((MAILS - SAMPLES))

wire_up "$SW" 2
# One connection per mail: keep the client's ephemeral ports (TIME_WAIT)
# from running out on long runs.
ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
sink_up "$WORKDIR/mails.log"

# VmRSS of smtpwall (kB) every second, until told to stop.
rss_sampler() {
	while [ ! -e "$WORKDIR/rss.stop" ] && kill -0 "$SW_PID" 2>/dev/null; do
		awk '/^VmRSS:/ {print $2}' "/proc/$SW_PID/status" >>"$WORKDIR/rss.log" 2>/dev/null
		sleep 1
	done
}
: >"$WORKDIR/rss.log"
rss_sampler &
RSS_PID=$!
BG_PIDS="$BG_PIDS $RSS_PID"

echo "soak: $MAILS mails ($BULK smtp-source over $SESSIONS sessions, $SAMPLES sampled), 2 workers"
start=$(date +%s.%N)
ip netns exec "$NS_C" timeout 3000 "$SYSPY" "$E2E_DIR/soak_sample.py" "$SERVER_IP" "$SAMPLES" \
	"$SAMPLE_EVERY" "$WORKDIR/mails.log" "$WORKDIR/sample.log" 11 >"$WORKDIR/sample.out" 2>&1 &
SAMPLER_PID=$!
BG_PIDS="$BG_PIDS $SAMPLER_PID"
ip netns exec "$NS_C" timeout 3000 smtp-source -s "$SESSIONS" -m "$BULK" -l 2048 \
	-f sender@example.com -t rcpt@example.net "$SERVER_IP:25" >"$WORKDIR/source.out" 2>&1 ||
	{ tail -5 "$WORKDIR/source.out"; fail "smtp-source failed"; }
wait "$SAMPLER_PID" || { tail -5 "$WORKDIR/sample.out"; fail "the sampler failed"; }
for _ in $(seq 100); do
	[ "$(wc -l <"$WORKDIR/mails.log")" -ge "$MAILS" ] && break
	sleep 0.1
done
end=$(date +%s.%N)
touch "$WORKDIR/rss.stop"
wait "$RSS_PID"

secs=$(awk "BEGIN{printf \"%.1f\", $end - $start}")
got=$(wc -l <"$WORKDIR/mails.log")
[ "$got" -eq "$MAILS" ] || fail "server received $got of $MAILS mails"
echo "ok: $got/$MAILS mails delivered in $secs s ($(awk "BEGIN{printf \"%.0f\", $MAILS / ($end - $start)}") mails/s)"

grep ' sample[0-9]*@example.org ' "$WORKDIR/mails.log" | awk '{print $1, $2, $3}' | sort \
	>"$WORKDIR/sample.got"
sort "$WORKDIR/sample.log" >"$WORKDIR/sample.want"
[ "$(wc -l <"$WORKDIR/sample.want")" -eq "$SAMPLES" ] || fail "sampler sent $(wc -l <"$WORKDIR/sample.want") of $SAMPLES"
cmp -s "$WORKDIR/sample.got" "$WORKDIR/sample.want" || {
	diff "$WORKDIR/sample.want" "$WORKDIR/sample.got" | head -10
	fail "sampled bodies differ at the server"
}
echo "ok: $SAMPLES sampled bodies byte-exact (sha256 and length)"

# Memory: the series, then first quarter's end against the end.
n=$(wc -l <"$WORKDIR/rss.log")
[ "$n" -ge 4 ] || fail "only $n RSS samples"
echo "VmRSS MiB, 1 s apart: $(awk '{printf "%s%.1f", sep, $1 / 1024; sep = " "}' "$WORKDIR/rss.log")"
q1=$(sed -n "$((n / 4))p" "$WORKDIR/rss.log")
last=$(tail -1 "$WORKDIR/rss.log")
maxkb=$(sort -n "$WORKDIR/rss.log" | tail -1)
growth=$((last - q1))
echo "rss: first-quarter ${q1} kB, end ${last} kB, max ${maxkb} kB, growth ${growth} kB (bound ${RSS_MAX_KB} kB)"
[ "$growth" -lt "$RSS_MAX_KB" ] || fail "VmRSS grew by $growth kB after the first quarter"
echo "ok: memory flat (growth $growth kB < $RSS_MAX_KB kB)"

wire_stop
rx=$(counter rx_pkts) tx=$(counter tx_pkts) flows=$(counter flow_new) insp=$(counter insp_conns)
dropped=$(counter insp_drop_pkts) malformed=$(counter malformed) txdrop=$(counter tx_drop)
ddrop=$(counter dispatch_drop) full=$(counter flow_full)
masked=$(sed -n '/final counters/,$p' "$SW_LOG" | awk '$1 == "event" && $2 == "mask-banner" {print $3}')
echo "counters: rx=$rx tx=$tx flows=$flows insp_conns=$insp masked=${masked:-0}" \
	"insp_drop=${dropped:-0} malformed=${malformed:-0} tx_drop=${txdrop:-0}" \
	"dispatch_drop=${ddrop:-0} flow_full=${full:-0}"
[ "${flows:-0}" -eq "$MAILS" ] || fail "flow_new ${flows:-0} != $MAILS connections"
[ "${insp:-0}" -eq "$MAILS" ] || fail "insp_conns ${insp:-0} != $MAILS"
[ "${masked:-0}" -eq "$MAILS" ] || fail "banners masked ${masked:-0} != $MAILS"
[ "$rx" -eq $((tx + ${dropped:-0})) ] || fail "rx $rx != tx $tx + dropped ${dropped:-0}"
other=$(sed -n '/final counters/,$p' "$SW_LOG" | grep '    drop:' | grep -v 'connection closed by RST')
[ -z "$other" ] || fail "unexpected drops: $other"
[ "${malformed:-0}" -eq 0 ] || fail "malformed frames counted"
[ "${txdrop:-0}" -eq 0 ] || fail "tx drops counted"
[ "${ddrop:-0}" -eq 0 ] || fail "dispatch drops counted"
[ "${full:-0}" -eq 0 ] || fail "flow table full"
echo "PASS: soak $MAILS mails, $secs s, VmRSS growth $growth kB"
