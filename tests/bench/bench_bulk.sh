#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bulk transfer through the box on the TAP wire, real Linux TCP at both ends:
# swaks sends one message with a big attachment (20 MB of random bytes,
# 27.4 MB once base64-encoded) to Postfix's smtp-sink, with the box as a
# plain bridge (--no-inspect) and inspecting (default policy), with and
# without netem delay added in both namespaces. Prints one CSV row per
# (mode, delay) with the median of REPEAT sends and the box's counters that
# say whether a bound was hit (lib/tcp drops, window clamps).
#
#   tests/bench/bench_bulk.sh SMTPWALL
#   REPEAT=5 DELAYS="0 10" MB=20 WORKERS=1 tests/bench/bench_bulk.sh build/app/smtpwall/smtpwall
#
# Needs root (namespaces, TAP devices), swaks, smtp-sink, tc (netem).
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
	for t in swaks smtp-sink tc; do
		command -v "$t" >/dev/null || { echo "bench_bulk: $t not installed"; exit 77; }
	done
	att=$(mktemp /tmp/bench-bulk.XXXXXX)
	trap 'rm -f "$att"' EXIT
	head -c "$((MB * 1000 * 1000))" /dev/urandom >"$att"
	echo "mode,delay_ms,median_s,min_s,max_s,MB_per_s,rx_pkts,tcp_drops,ooo_full,unacked_cap,win_clamped"
	for d in $DELAYS; do
		for m in $MODES; do
			BULK_ONE=1 BULK_ATT=$att BULK_MODE=$m BULK_DELAY=$d "$0" "$SW" ||
				echo "$m,$d,failed"
		done
	done
	exit 0
fi

. "$HERE/../e2e/lib.sh"
e2e_require swaks smtp-sink tc
args=""
[ "$BULK_MODE" = bridge ] && args="--no-inspect"
# shellcheck disable=SC2086
wire_up "$SW" "$WORKERS" $args >/dev/null
if [ "$BULK_DELAY" != 0 ]; then
	ip netns exec "$NS_C" tc qdisc add dev "$TAP_IN" root netem delay "${BULK_DELAY}ms" limit 100000
	ip netns exec "$NS_S" tc qdisc add dev "$TAP_OUT" root netem delay "${BULK_DELAY}ms" limit 100000
fi
ip netns exec "$NS_S" smtp-sink -u nobody "$SERVER_IP:25" 64 >/dev/null 2>&1 &
BG_PIDS="$BG_PIDS $!"
for _ in $(seq 50); do
	ip netns exec "$NS_S" ss -ltn 2>/dev/null | grep -q ":25 " && break
	sleep 0.1
done
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 2 "$SERVER_IP" >/dev/null || fail "no path"
times=""
for _ in $(seq "$REPEAT"); do
	t0=$(date +%s.%N)
	ip netns exec "$NS_C" timeout 300 swaks --server "$SERVER_IP" --from a@example.org \
		--to b@example.com --attach "$BULK_ATT" >"$WORKDIR/swaks.log" 2>&1 ||
		{ tail -5 "$WORKDIR/swaks.log"; fail "swaks failed"; }
	t1=$(date +%s.%N)
	grep -q "<- *250" "$WORKDIR/swaks.log" || fail "no 250 after the data"
	times="$times $(awk "BEGIN{print $t1 - $t0}")"
done
bytes=$(stat -c %s "$BULK_ATT")
wire_stop
c() { v=$(counter "$1"); echo "${v:-0}"; }
# tcpc DESCRIPTION: a lib/tcp counter of the final counters (0 if absent).
tcpc() {
	awk -v d="$1" '/final counters/ {f=1} f && index($0, "    " d " ") == 1 {print $NF; exit}' \
		"$SW_LOG" | grep . || echo 0
}
# shellcheck disable=SC2086
echo $times | tr ' ' '\n' | sort -g | awk -v mode="$BULK_MODE" -v d="$BULK_DELAY" \
	-v mb="$(awk "BEGIN{print $bytes * 4 / 3 / 1e6}")" \
	-v rx="$(c rx_pkts)" -v drops="$(c insp_drop_pkts)" -v ooo="$(tcpc "out-of-order drops: queue full")" \
	-v cap="$(tcpc "new data over the unacknowledged cap (window clamp)")" \
	-v clamp="$(tcpc "windows clamped in ACKs to the sender")" '
	{ t[NR] = $1 }
	END {
		med = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
		printf "%s,%s,%.3f,%.3f,%.3f,%.1f,%s,%s,%s,%s,%s\n", mode, d, med, t[1], t[NR],
			mb / med, rx, drops, ooo, cap, clamp
	}'
