#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, the policy at run time:
#  - smtpwall-ctl's `show service-policy inspect esmtp` counts exactly the
#    sessions the test made (mask-banner count, per-rule packets);
#  - a reload (smtpwall-ctl reload) under traffic loses no mail: smtp-source
#    keeps sending while the policy changes; every mail arrives;
#  - after the reload new connections get the new policy (the server is
#    exempt: its banner is no longer masked);
#  - a broken file is refused on reload and the running policy stays;
#  - `show conn` lists an open connection (side, state, inspection, bytes),
#    `show conn count` and `show conn address A` filter.
# Usage: test_policy.sh SMTPWALL SMTPWALL_CTL
set -u
. "$(dirname "$0")/lib.sh"
e2e_require swaks smtp-source

SW=$1
CTL=$2
cp "$SRC_ROOT/config/default.yaml" "$WORKDIR/policy.yaml"
wire_up "$SW" 2 -c "$WORKDIR/policy.yaml" --audit "$WORKDIR/audit.log"
sink_up "$WORKDIR/mails.log"
ctl() { "$CTL" -f "$TEL_PREFIX" "$@"; }

# 1. Counters equal what we did: 5 sessions, each banner masked once.
for i in 1 2 3 4 5; do
	ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >/dev/null 2>&1 ||
		fail "swaks $i"
done
sleep 0.3
ctl show service-policy inspect esmtp >"$WORKDIR/show1" || fail "smtpwall-ctl failed"
cat "$WORKDIR/show1" | sed 's/^/  | /'
grep -q 'Inspect: esmtp _default_esmtp_map' "$WORKDIR/show1" || fail "no inspect line"
grep -q 'mask-banner, count 5$' "$WORKDIR/show1" || fail "mask-banner count is not 5"
grep -q 'match cmd RCPT count gt 100' "$WORKDIR/show1" || fail "rules not listed"
echo "ok: show service-policy counts the 5 sessions"

# 1b. show conn lists a connection that is open, with its side, state,
# inspection and bytes; an address filter finds it or nothing.
ip netns exec "$NS_C" "$SYSPY" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 25), timeout=10)
s.recv(512)
s.sendall(b"EHLO held.example\r\n")
time.sleep(0.3)
s.recv(4096)
print(s.getsockname()[1], flush=True)
time.sleep(float(sys.argv[2]))
s.sendall(b"QUIT\r\n")
s.recv(512)
s.close()' "$SERVER_IP" 4 >"$WORKDIR/held.port" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_grep '^[0-9]+$' "$WORKDIR/held.port" 50
port=$(head -1 "$WORKDIR/held.port")
case "$port" in '' | *[!0-9]*) cat "$WORKDIR/held.port"; fail "the held connection did not open" ;; esac
ctl show conn >"$WORKDIR/conn1" || fail "smtpwall-ctl show conn failed"
sed 's/^/  | /' "$WORKDIR/conn1"
grep -q "^TCP inside $CLIENT_IP:$port outside $SERVER_IP:25, established, esmtp$" "$WORKDIR/conn1" ||
	fail "show conn does not list the open connection"
grep -A1 ":$port outside" "$WORKDIR/conn1" | grep -Eq '^    uptime 0:00:0[0-9], timeout (1:00:00|0:59:[0-5][0-9]), bytes [1-9][0-9]* \(client [1-9][0-9]*, server [1-9][0-9]*\)$' ||
	fail "show conn: no uptime, idle timeout or bytes for the connection"
ctl show conn count >"$WORKDIR/conn2" || fail "show conn count"
grep -Eq '^[1-9][0-9]* in use$' "$WORKDIR/conn2" || fail "show conn count: $(cat "$WORKDIR/conn2")"
[ "$(wc -l <"$WORKDIR/conn2")" -eq 1 ] || fail "show conn count lists connections"
ctl show conn address "$CLIENT_IP" | grep -q ":$port outside" || fail "show conn address CLIENT"
ctl show conn address 198.18.77.77 >"$WORKDIR/conn3" || fail "show conn address"
[ "$(cat "$WORKDIR/conn3")" = "0 in use" ] || fail "show conn address 198.18.77.77: $(cat "$WORKDIR/conn3")"
ctl show conn address not-an-address >/dev/null 2>&1 && fail "a bad address was accepted"
# 90 open connections: 80 listed (a telemetry reply's worth), the rest counted.
ip netns exec "$NS_C" "$SYSPY" -c '
import socket, sys, time
conns = [socket.create_connection((sys.argv[1], 25), timeout=10) for _ in range(90)]
for s in conns:
    s.recv(512)
print("open", flush=True)
time.sleep(4)
for s in conns:
    s.close()' "$SERVER_IP" >"$WORKDIR/held90" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_grep '^open$' "$WORKDIR/held90" || { cat "$WORKDIR/held90"; fail "90 connections did not open"; }
ctl show conn >"$WORKDIR/conn4" || fail "show conn with 90 open"
n=$(head -1 "$WORKDIR/conn4" | awk '{print $1}')
[ "$n" -ge 90 ] || fail "show conn: $n in use with 90 open"
[ "$(grep -c '^TCP ' "$WORKDIR/conn4")" -eq 80 ] || fail "show conn did not list 80 connections"
grep -q "^($((n - 80)) more not listed" "$WORKDIR/conn4" || fail "show conn: no 'more not listed' line"
echo "ok: show conn lists the open connection ($CLIENT_IP:$port), count and address filters; $n open: 80 listed"

# 2. Reload under traffic: no mail lost, new connections get the new policy.
ip netns exec "$NS_C" timeout 300 smtp-source -s 5 -m 400 -l 1024 \
	-f a@example.org -t b@example.com "$SERVER_IP:25" >"$WORKDIR/source.out" 2>&1 &
src=$!
BG_PIDS="$BG_PIDS $src"
sleep 0.5
cp "$E2E_DIR/policy-exempt-server.yaml" "$WORKDIR/policy.yaml"
[ "$(ctl reload)" = "reloaded: generation 2" ] || fail "smtpwall-ctl reload"
wait "$src" || { cat "$WORKDIR/source.out"; fail "smtp-source failed during the reload"; }
sleep 0.5
got=$(wc -l <"$WORKDIR/mails.log")
[ "$got" -eq 400 ] || fail "$got of 400 mails arrived across the reload"
grep -q "reloaded .*policy generation 2" "$SW_LOG" || fail "no reload in the log"
echo "ok: 400/400 mails delivered across a reload"
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >"$WORKDIR/swaks2" 2>&1
grep -q '^<-  220 \*\*\*' "$WORKDIR/swaks2" && fail "the exempt server's banner is still masked"
grep -q '^<-  220 ' "$WORKDIR/swaks2" || fail "no banner after the reload"
echo "ok: after the reload the exempt server is not inspected"

# 3. A broken file is refused; the running policy stays.
printf 'policy-maps:\n  global_policy:\n    - class: nosuchclass\n' >"$WORKDIR/policy.yaml"
ctl reload 2>&1 | grep -q "^reload refused: .*policy.yaml:3:" || fail "smtpwall-ctl reload"
grep -q "reload refused, the running policy stays: .*policy.yaml:3:" "$SW_LOG" ||
	{ tail -5 "$SW_LOG"; fail "a broken file was not refused with file:line:column"; }
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >"$WORKDIR/swaks3" 2>&1
grep -q '^<-  220 \*\*\*' "$WORKDIR/swaks3" && fail "the refused file changed the policy"
echo "ok: a broken file is refused, the policy stays"

wire_stop
echo "PASS"
