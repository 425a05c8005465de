#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bulk transfer through the box on the TAP wire, real Linux TCP at both ends:
# swaks sends one message with a big attachment (20 MB of random bytes,
# 27.4 MB once base64-encoded, built once) to Postfix's smtp-sink, with the box as a
# plain bridge (--no-inspect) and inspecting (default policy), with and
# without netem delay added in both namespaces. Prints one CSV row per
# (mode, delay) with the median of REPEAT sends and the box's counters that
# say whether a bound was hit (lib/tcp drops, window clamps).
#
#   tests/bench/bench_bulk.sh SMTPWALL
#   REPEAT=5 DELAYS="0 10" MB=20 WORKERS=1 tests/bench/bench_bulk.sh build/app/smtpwall/smtpwall
#
# Needs root (namespaces, TAP devices), swaks, smtp-sink; delays use netem
# where the kernel has it, else build/tests/bench/delay_line.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SW=${1:?usage: bench_bulk.sh SMTPWALL}
SW=$(cd "$(dirname "$SW")" && pwd)/$(basename "$SW")
REPEAT=${REPEAT:-3}
DELAYS=${DELAYS:-"0 10"}
MODES=${MODES:-"bridge inspect"}
MB=${MB:-20}
WORKERS=${WORKERS:-1}

if [ "${BULK_ONE:-}" = "" ]; then
	for t in swaks smtp-sink; do
		command -v "$t" >/dev/null || { echo "bench_bulk: $t not installed"; exit 77; }
	done
	att=$(mktemp /tmp/bench-bulk.XXXXXX)
	trap 'rm -f "$att" "$att.eml"' EXIT
	head -c "$((MB * 1000 * 1000))" /dev/urandom >"$att"
	# The message is built once (MIME, base64): the sends time the wire,
	# not the client's encoding.
	/usr/bin/python3 - "$att" "$att.eml" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.com", "bulk"
m.set_content("A big attachment follows.\n")
m.add_attachment(open(sys.argv[1], "rb").read(), maintype="application",
                 subtype="octet-stream", filename="bulk.bin")
open(sys.argv[2], "wb").write(m.as_bytes().replace(b"\n", b"\r\n"))
PY
	echo "mode,delay_ms,rtt_ms,median_s,min_s,max_s,MB_per_s,rx_pkts,tcp_drops,ooo_full,unacked_cap,win_clamped"
	for d in $DELAYS; do
		for m in $MODES; do
			BULK_ONE=1 BULK_ATT=$att BULK_MODE=$m BULK_DELAY=$d "$0" "$SW" ||
				echo "$m,$d,failed"
		done
	done
	exit 0
fi

. "$HERE/../e2e/lib.sh"
e2e_require swaks smtp-sink
args=""
[ "$BULK_MODE" = bridge ] && args="--no-inspect"
# shellcheck disable=SC2086
wire_up "$SW" "$WORKERS" $args >/dev/null
if [ "$BULK_DELAY" != 0 ]; then
	# netem where the kernel has it (each namespace's egress: RTT + 2 x
	# delay); else a delay line on the client's side holding each
	# direction as long (the same RTT).
	if ip netns exec "$NS_C" tc qdisc add dev "$TAP_IN" root netem delay "${BULK_DELAY}ms" \
		limit 100000 2>/dev/null; then
		ip netns exec "$NS_S" tc qdisc add dev "$TAP_OUT" root netem delay \
			"${BULK_DELAY}ms" limit 100000 || fail "netem"
	else
		DL=${DELAY_LINE:-$(dirname "$SW")/../../tests/bench/delay_line}
		[ -x "$DL" ] || fail "no netem and no $DL"
		ip -n "$NS_C" link set "$TAP_IN" netns 1 || fail "tap back"
		sysctl -qw "net.ipv6.conf.$TAP_IN.disable_ipv6=1"
		ip link set "$TAP_IN" up
		"$DL" "${E2E_ID}d" "$TAP_IN" "$BULK_DELAY" >"$WORKDIR/delay.log" 2>&1 &
		BG_PIDS="$BG_PIDS $!"
		wait_grep ready "$WORKDIR/delay.log" || fail "delay line did not start"
		ip link set "${E2E_ID}d" netns "$NS_C" || fail "move the delay tap"
		ip -n "$NS_C" addr add "$CLIENT_IP/24" dev "${E2E_ID}d"
		ip -n "$NS_C" link set "${E2E_ID}d" up
	fi
fi
ip netns exec "$NS_S" smtp-sink -u nobody "$SERVER_IP:25" 64 >/dev/null 2>&1 &
BG_PIDS="$BG_PIDS $!"
for _ in $(seq 50); do
	ip netns exec "$NS_S" ss -ltn 2>/dev/null | grep -q ":25 " && break
	sleep 0.1
done
rtt=$(ip netns exec "$NS_C" ping -c 3 -i 0.2 -W 2 "$SERVER_IP" | awk -F/ '/^rtt/ {print $5}')
[ -n "$rtt" ] || fail "no path"
times=""
for _ in $(seq "$REPEAT"); do
	t0=$(date +%s.%N)
	ip netns exec "$NS_C" timeout 300 swaks --server "$SERVER_IP" --from a@example.org \
		--to b@example.com --data "@$BULK_ATT.eml" >"$WORKDIR/swaks.log" 2>&1 ||
		{ tail -5 "$WORKDIR/swaks.log"; fail "swaks failed"; }
	t1=$(date +%s.%N)
	grep -q "<- *250" "$WORKDIR/swaks.log" || fail "no 250 after the data"
	times="$times $(awk "BEGIN{print $t1 - $t0}")"
done
bytes=$(stat -c %s "$BULK_ATT.eml")
wire_stop
c() { v=$(counter "$1"); echo "${v:-0}"; }
# tcpc DESCRIPTION: a lib/tcp counter of the final counters (0 if absent).
tcpc() {
	awk -v d="$1" '/final counters/ {f=1} f && index($0, "    " d " ") == 1 {print $NF; exit}' \
		"$SW_LOG" | grep . || echo 0
}
# shellcheck disable=SC2086
echo $times | tr ' ' '\n' | sort -g | awk -v mode="$BULK_MODE" -v d="$BULK_DELAY" -v rtt="$rtt" \
	-v mb="$(awk "BEGIN{print $bytes / 1e6}")" \
	-v rx="$(c rx_pkts)" -v drops="$(c insp_drop_pkts)" -v ooo="$(tcpc "out-of-order drops: queue full")" \
	-v cap="$(tcpc "new data over the unacknowledged cap (window clamp)")" \
	-v clamp="$(tcpc "windows clamped in ACKs to the sender")" '
	{ t[NR] = $1 }
	END {
		med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
		printf "%s,%s,%s,%.3f,%.3f,%.3f,%.1f,%s,%s,%s,%s,%s\n", mode, d, rtt, med, t[1], t[NR],
			mb / med, rx, drops, ooo, cap, clamp
	}'
