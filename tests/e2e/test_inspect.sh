#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end through the inspected wire (default policy: TCP/25 with ASA's
# _default_esmtp_map), real client and server:
#  - swaks sees a masked banner and XXXXXXXX instead of STARTTLS;
#  - an unknown command reaches the server as X's and gets its 500;
#  - a session with 101 recipients is cut, nothing is delivered;
#  - 1,000 mails from smtp-source all arrive;
#  - 200 MIME messages from Python's smtplib arrive byte-identical (sha256
#    on both sides).
# Usage: test_inspect.sh SMTPWALL
set -u
. "$(dirname "$0")/lib.sh"
e2e_require swaks smtp-source openssl

SW=$1
wire_up "$SW" 2 --audit "$WORKDIR/audit.log"
sink_up "$WORKDIR/mails.log" --tls

# 1. Banner and EHLO reply as the client sees them.
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >"$WORKDIR/swaks1" 2>&1
grep -q '^<-  220 \*\*\*\*' "$WORKDIR/swaks1" || { cat "$WORKDIR/swaks1"; fail "banner not masked"; }
grep -q '^<-  250-XXXXXXXX' "$WORKDIR/swaks1" || grep -q '^<-  250 XXXXXXXX' "$WORKDIR/swaks1" ||
	{ cat "$WORKDIR/swaks1"; fail "STARTTLS not masked in the EHLO reply"; }
grep -qi 'STARTTLS' "$WORKDIR/swaks1" && { cat "$WORKDIR/swaks1"; fail "STARTTLS offered"; }
echo "ok: swaks sees '$(grep -m1 '^<-  220' "$WORKDIR/swaks1")' and XXXXXXXX for STARTTLS"

# 2. An unknown command gets the server's 500.
reply=$(ip netns exec "$NS_C" "$SYSPY" - "$SERVER_IP" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 25), timeout=10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline()
        lines.append(l)
        if len(l) < 4 or l[3:4] != b"-":
            return lines
reply()
s.sendall(b"EHLO client.example.org\r\n"); reply()
s.sendall(b"XEXCH50 1 2\r\n"); r = reply()
s.sendall(b"QUIT\r\n"); reply()
print(r[-1].decode().strip())
PY
)
case "$reply" in
500*XXXXXXX*) echo "ok: unknown command answered '$reply'" ;;
*) fail "unknown command: server answered '$reply'" ;;
esac

# 3. 101 recipients: the connection is cut, no mail delivered.
before=$(wc -l <"$WORKDIR/mails.log")
rcpts=$(seq -f 'u%g@example.com' 1 101 | paste -sd, -)
if ip netns exec "$NS_C" timeout 60 swaks --server "$SERVER_IP" --to "$rcpts" \
	--from a@example.org >"$WORKDIR/swaks3" 2>&1; then
	fail "a mail to 101 recipients was accepted"
fi
sleep 0.5
[ "$(wc -l <"$WORKDIR/mails.log")" -eq "$before" ] || fail "a mail to 101 recipients arrived"
grep -q 'cmd RCPT count gt 100' "$WORKDIR/audit.log" || fail "no audit line for the 101st RCPT"
echo "ok: 101 recipients cut ($(grep -c 'RCPT TO' "$WORKDIR/swaks3") RCPT sent before the cut)"

# 4. 1,000 mails from smtp-source.
before=$(wc -l <"$WORKDIR/mails.log")
ip netns exec "$NS_C" timeout 300 smtp-source -s 20 -m 1000 -l 4096 \
	-f sender@example.com -t rcpt@example.net "$SERVER_IP:25" || fail "smtp-source failed"
sleep 0.5
got=$(($(wc -l <"$WORKDIR/mails.log") - before))
[ "$got" -eq 1000 ] || fail "smtp-source: $got of 1000 mails arrived"
echo "ok: 1000/1000 smtp-source mails arrived"

# 5. Byte-identical bodies.
before=$(wc -l <"$WORKDIR/mails.log")
ip netns exec "$NS_C" timeout 300 "$SYSPY" "$E2E_DIR/smtp_send.py" "$SERVER_IP" 200 10 \
	"$WORKDIR/sent.log" 7 || fail "smtplib sender failed"
sleep 0.5
tail -n +"$((before + 1))" "$WORKDIR/mails.log" | awk '{print $1, $2}' | sort >"$WORKDIR/got"
sort "$WORKDIR/sent.log" >"$WORKDIR/want"
cmp -s "$WORKDIR/got" "$WORKDIR/want" ||
	{ diff "$WORKDIR/want" "$WORKDIR/got" | head; fail "received bodies differ from sent ones"; }
echo "ok: 200/200 MIME messages arrived byte-identical"

wire_stop
sed -n '/final counters/,$p' "$SW_LOG" | grep -E 'insp_|event|verdict' | sed 's/^/  /'
echo "PASS"
