#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, issue 19: a bulk transfer between real Linux TCP stacks keeps
# its speed through the inspecting box. swaks sends one message with a
# multi-megabyte base64 attachment to the aiosmtpd sink across the TAP wire;
# the body arrives byte for byte, and lib/tcp never dropped in-window data
# for one of its bounds (out-of-order queue, in-flight cap, store pool).
# With a policy that sets tcp.max-in-flight below Linux's windows, the box
# clamps the windows it forwards (counted) instead of dropping.
#   test_bulk.sh SMTPWALL [POLICY] [MB] [expect-clamp]
set -u
. "$(dirname "$0")/lib.sh"
e2e_require swaks

SW=$1
POLICY=${2:-}
MB=${3:-8}
EXPECT_CLAMP=${4:-}
args=""
[ -n "$POLICY" ] && args="-c $POLICY"
# shellcheck disable=SC2086
wire_up "$SW" 1 $args

att="$WORKDIR/att.bin"
msg="$WORKDIR/msg.eml"
head -c "$((MB * 1000 * 1000))" /dev/urandom >"$att"
"$SYSPY" - "$att" "$msg" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.com", "bulk"
m.set_content("A big attachment follows.\n")
m.add_attachment(open(sys.argv[1], "rb").read(), maintype="application",
                 subtype="octet-stream", filename="bulk.bin")
open(sys.argv[2], "wb").write(m.as_bytes().replace(b"\n", b"\r\n"))
PY
sink_up "$WORKDIR/mails.log"
start=$(date +%s.%N)
ip netns exec "$NS_C" timeout 300 swaks --server "$SERVER_IP" --from a@example.org \
	--to b@example.com --data "@$msg" >"$WORKDIR/swaks.log" 2>&1 ||
	{ tail -5 "$WORKDIR/swaks.log"; fail "swaks failed"; }
end=$(date +%s.%N)
wait_grep . "$WORKDIR/mails.log" || fail "the sink got no message"
# swaks ends the data with CR LF before the final dot: the sink sees it.
want=$({ cat "$msg"; printf '\r\n'; } | sha256sum | cut -d' ' -f1)
got=$(cut -d' ' -f1 "$WORKDIR/mails.log")
[ "$got" = "$want" ] || fail "the body changed: sha256 $got, sent $want"
echo "ok: $(stat -c %s "$msg") bytes delivered byte for byte in" \
	"$(awk "BEGIN{printf \"%.2f\", $end - $start}") s"

wire_stop
# tcpc DESCRIPTION: a lib/tcp counter of the final counters (0 if absent).
tcpc() {
	awk -v d="$1" '/final counters/ {f=1} f && index($0, "    " d " ") == 1 {print $NF; exit}' \
		"$SW_LOG" | grep . || echo 0
}
ooo=$(tcpc "out-of-order drops: queue full")
oob=$(tcpc "out-of-order drops: byte cap")
cap=$(tcpc "new data over the unacknowledged cap (window ignored)")
pool=$(tcpc "retransmission store pool empty")
clamped=$(tcpc "windows clamped in ACKs to the sender")
echo "lib/tcp: queue full $ooo, byte cap $oob, in-flight cap $cap, store pool empty $pool," \
	"windows clamped $clamped"
[ "$ooo" -eq 0 ] && [ "$oob" -eq 0 ] && [ "$cap" -eq 0 ] && [ "$pool" -eq 0 ] ||
	fail "lib/tcp dropped in-window data for a bound"
if [ -n "$EXPECT_CLAMP" ]; then
	[ "$clamped" -gt 0 ] || fail "tcp.max-in-flight below the windows, but nothing clamped"
fi
echo "PASS"
