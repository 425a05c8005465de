#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP Intercept end to end: a SYN flood from spoofed sources crosses the
# embryonic limit of a policy while smtp-source delivers mail through the
# same wire. The limit protects the real server: the flood's half-open
# connections it holds (ss state syn-recv, from the spoofed 198.19.0.0/16)
# never exceed the limit (plus the ASA's workers - 1 overshoot), the flood
# is answered with SYN cookies, and every mail arrives (the legitimate
# clients that got cookies are spliced). A spliced client's own handshake
# with the server is half-open for one round trip too; those are validated
# clients, bounded by smtp-source's sessions, not by the embryonic limit
# (docs/intercept.md), and are counted apart.
#   test_intercept.sh SMTPWALL POLICY LIMIT
set -u
. "$(dirname "$0")/lib.sh"
e2e_require smtp-source ss
SW=$1
POLICY=$2
LIMIT=$3
WORKERS=2
MAILS=${MAILS:-300}
FLOOD_S=${FLOOD_S:-12}

wire_up "$SW" "$WORKERS" -c "$POLICY"
# The server keeps its half-open connections long enough to be counted,
# and does not fall back to its own cookies (that would hide an overflow).
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=0
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_max_syn_backlog=4096
ip netns exec "$NS_S" sysctl -qw net.core.somaxconn=4096
# Its SYN-ACKs to the spoofed sources go back toward the client side.
ip -n "$NS_S" route add default via "$CLIENT_IP"
sink_up "$WORKDIR/mails.log"
ip netns exec "$NS_C" ping -c 2 -i 0.2 -W 2 "$SERVER_IP" >/dev/null || fail "ping across the wire"
smac=$(ip -n "$NS_S" link show "$TAP_OUT" | awk '/link\/ether/ {print $2}')

# Watch the server's half-open connections while the flood runs: the
# flood's (spoofed sources) and the spliced clients' (the client's address).
SESSIONS=4
(
	fmax=0 cmax=0
	while :; do
		f=$(ip netns exec "$NS_S" ss -Htan state syn-recv dst 198.19.0.0/16 | wc -l)
		c=$(ip netns exec "$NS_S" ss -Htan state syn-recv dst "$CLIENT_IP" | wc -l)
		[ "$f" -gt "$fmax" ] && fmax=$f && echo "$fmax" >"$WORKDIR/synrecv.flood"
		[ "$c" -gt "$cmax" ] && cmax=$c && echo "$cmax" >"$WORKDIR/synrecv.client"
		sleep 0.05
	done
) &
BG_PIDS="$BG_PIDS $!"
echo 0 >"$WORKDIR/synrecv.flood"
echo 0 >"$WORKDIR/synrecv.client"

ip netns exec "$NS_C" "$SYSPY" "$E2E_DIR/syn_flood.py" "$TAP_IN" "$smac" "$SERVER_IP" 25 \
	"$FLOOD_S" >"$WORKDIR/flood.out" 2>&1 &
flood=$!
BG_PIDS="$BG_PIDS $flood"
wait_grep flooding "$WORKDIR/flood.out" 200 || { cat "$WORKDIR/flood.out"; fail "the flood did not start"; }
sleep 1
ip netns exec "$NS_C" timeout 300 smtp-source -s "$SESSIONS" -m "$MAILS" -l 1024 \
	-f sender@example.com -t rcpt@example.net "$SERVER_IP:25" >"$WORKDIR/source.out" 2>&1 ||
	{ cat "$WORKDIR/source.out"; fail "smtp-source failed during the flood"; }
wait "$flood" || { cat "$WORKDIR/flood.out"; fail "the flood did not run"; }
cat "$WORKDIR/flood.out"
for _ in $(seq 100); do
	[ "$(wc -l <"$WORKDIR/mails.log")" -ge "$MAILS" ] && break
	sleep 0.1
done
got=$(wc -l <"$WORKDIR/mails.log")
max=$(cat "$WORKDIR/synrecv.flood")
cmax=$(cat "$WORKDIR/synrecv.client")
wire_stop
sent=$(counter ic_cookie_sent)
ok=$(counter ic_cookie_ok)
spliced=$(counter ic_spliced)
echo "mails $got/$MAILS; server half-open max $max from the flood (limit $LIMIT)," \
	"$cmax from spliced clients;" \
	"cookies sent ${sent:-0}, valid ${ok:-0}, spliced ${spliced:-0}"
[ "$got" -eq "$MAILS" ] || fail "server received $got of $MAILS mails during the flood"
[ "$max" -le $((LIMIT + WORKERS - 1)) ] ||
	fail "the server held $max half-open connections from the flood, limit $LIMIT"
[ "$cmax" -le "$SESSIONS" ] ||
	fail "the server held $cmax half-open connections from $SESSIONS client sessions"
[ "${sent:-0}" -gt 1000 ] || fail "the flood was not answered with cookies (${sent:-0})"
[ "${spliced:-0}" -gt 0 ] || fail "no legitimate client was spliced through the box"
echo "ok: intercept held the server at $max half-open from the flood while $got mails arrived"
