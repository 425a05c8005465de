#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, the audit trail and reload lose nothing silently (issue 13):
#  1. start-up: an unusable audit destination (a file in a missing
#     directory, from --audit or the YAML; syslog with no daemon on
#     /dev/log) stops smtpwall with one line; a static's udp limit is
#     refused with file:line:column;
#  2. syslog gets the YAML facility (a listener on /dev/log in a private
#     mount namespace): local6 from the YAML destination, local3 with
#     --audit syslog;
#  3. live, the YAML's file destination: `smtpwall-ctl reload` prints the
#     new generation, or the refusal with file:line:column and exits 1; a
#     file whose destination cannot be opened is refused and the lines keep
#     going to the old file; logrotate (rename, SIGHUP) gets a new file even
#     while the configuration is refused;
#  4. live, --audit FILE is reopened on SIGHUP the same way.
# Usage: test_audit.sh SMTPWALL SMTPWALL_CTL
set -u
. "$(dirname "$0")/lib.sh"
e2e_require swaks unshare mount

SW=$1
CTL=$2
ctl() { "$CTL" -f "$TEL_PREFIX" "$@"; }
offline() {
	"$SW" --no-pci --file-prefix "${E2E_ID}x" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$WORKDIR/in.pcap" -o "$WORKDIR/out.pcap" "$@"
}
# One session whose MAIL FROM has a pipe: one %ASA-2-108003 record.
"$SYSPY" - "$SRC_ROOT/tests/pcap/golden" "$WORKDIR/in.pcap" <<'PY' || fail "no input capture"
import sys
sys.path.insert(0, sys.argv[1])
from scapy.all import wrpcap
from session import Session
s = Session()
s.handshake()
s.s(b"220 mail.example.com ESMTP\r\n")
s.c(b"EHLO client.example.org\r\n")
s.s(b"250 mail.example.com\r\n")
s.c(b"MAIL FROM:<a|b@example.org>\r\n")
wrpcap(sys.argv[2], s.frames)
PY

# 1. Start-up errors: one line, exit status 1, nothing runs.
printf 'logging: {destination: file, file: %s}\n' "$WORKDIR/nodir/a.log" >"$WORKDIR/bad-dest.yaml"
offline -c "$WORKDIR/bad-dest.yaml" >"$WORKDIR/o1" 2>&1 &&
	fail "an audit destination that cannot be opened did not stop smtpwall"
grep -q "^smtpwall: audit destination $WORKDIR/nodir/a.log: No such file or directory$" \
	"$WORKDIR/o1" || { tail -3 "$WORKDIR/o1"; fail "no start-up error for the YAML destination"; }
offline --audit "$WORKDIR/nodir/b.log" >"$WORKDIR/o2" 2>&1 && fail "--audit in a missing directory ran"
grep -q "audit destination $WORKDIR/nodir/b.log: No such file or directory" "$WORKDIR/o2" ||
	fail "no start-up error for --audit"
# A socket nobody listens on: syslog(3) would drop every line silently.
"$SYSPY" -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])' \
	"$WORKDIR/dead.sock"
printf 'logging: {destination: syslog}\n' >"$WORKDIR/syslog.yaml"
"$E2E_DIR/with_dev_log.sh" "$WORKDIR/dead.sock" "$SW" --no-pci --file-prefix "${E2E_ID}y" \
	--lcores 0 -- -r "$WORKDIR/in.pcap" -o "$WORKDIR/out.pcap" -c "$WORKDIR/syslog.yaml" \
	>"$WORKDIR/o3" 2>&1 && fail "syslog with no daemon did not stop smtpwall"
grep -q "audit destination syslog: no syslog daemon on /dev/log" "$WORKDIR/o3" ||
	{ tail -3 "$WORKDIR/o3"; fail "no start-up error for syslog without a daemon"; }
"$E2E_DIR/with_dev_log.sh" "$WORKDIR/dead.sock" "$SW" --no-pci --file-prefix "${E2E_ID}y" \
	--lcores 0 -- -r "$WORKDIR/in.pcap" -o "$WORKDIR/out.pcap" --audit syslog \
	>"$WORKDIR/o4" 2>&1 && fail "--audit syslog with no daemon did not stop smtpwall"
printf 'statics:\n  - static (inside,outside) 1.1.1.1 192.168.1.1 tcp 50 100 udp 10\n' \
	>"$WORKDIR/udp.yaml"
"$SW" -- --check -c "$WORKDIR/udp.yaml" >"$WORKDIR/o5" 2>&1 && fail "static ... udp 10 was accepted"
grep -q "^$WORKDIR/udp.yaml:2:5: udp 10: smtpwall does not count UDP connections" "$WORKDIR/o5" ||
	{ cat "$WORKDIR/o5"; fail "static udp: no file:line:column refusal"; }
echo "ok: unusable destinations (file, --audit, syslog) and static udp stop smtpwall with one line"

# 2. The facility reaches syslog: PRI = facility * 8 + severity (108003: 2).
"$SYSPY" "$E2E_DIR/syslog_sink.py" "$WORKDIR/log.sock" "$WORKDIR/syslog.txt" \
	>"$WORKDIR/syslog.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_grep '^listening$' "$WORKDIR/syslog.out" || fail "the syslog listener did not start"
printf 'logging: {destination: syslog, facility: local6}\n' >"$WORKDIR/local6.yaml"
"$E2E_DIR/with_dev_log.sh" "$WORKDIR/log.sock" "$SW" --no-pci --file-prefix "${E2E_ID}y" \
	--lcores 0 -- -r "$WORKDIR/in.pcap" -o "$WORKDIR/out.pcap" -c "$WORKDIR/local6.yaml" \
	>"$WORKDIR/o6" 2>&1 || { tail -3 "$WORKDIR/o6"; fail "smtpwall with a syslog listener failed"; }
wait_grep '^<178>.*%ASA-2-108003: ' "$WORKDIR/syslog.txt" 30 ||
	{ grep ASA "$WORKDIR/syslog.txt"; fail "the 108003 line did not come with facility local6 (<178>)"; }
printf 'logging: {destination: stdout, facility: local3}\n' >"$WORKDIR/local3.yaml"
"$E2E_DIR/with_dev_log.sh" "$WORKDIR/log.sock" "$SW" --no-pci --file-prefix "${E2E_ID}y" \
	--lcores 0 -- -r "$WORKDIR/in.pcap" -o "$WORKDIR/out.pcap" -c "$WORKDIR/local3.yaml" \
	--audit syslog >"$WORKDIR/o7" 2>&1 || fail "smtpwall --audit syslog failed"
wait_grep '^<154>.*%ASA-2-108003: ' "$WORKDIR/syslog.txt" 30 ||
	{ grep ASA "$WORKDIR/syslog.txt"; fail "--audit syslog did not use the YAML's local3 (<154>)"; }
echo "ok: syslog lines carry the YAML facility (local6: <178>, --audit syslog + local3: <154>)"

# 3. Live, the YAML's destination. IOS audit-trail: every session writes a
# start record, so each step can see where the lines go.
policy() { # policy FILE AUDIT_FILE
	{
		cat "$E2E_DIR/policy-ios-audit.yaml"
		echo "logging: {destination: file, file: $2}"
	} >"$1"
}
broken() {
	printf 'policy-maps:\n  global_policy:\n    - class: nosuchclass\n' >"$WORKDIR/policy.yaml"
}
session() { ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >/dev/null 2>&1 ||
	fail "swaks"; }
starts() { grep -c "SESS_AUDIT_TRAIL_START" "$1" 2>/dev/null || true; }
# one_more FILE N: FILE gets its (N+1)th start record.
one_more() {
	for _ in $(seq 100); do
		[ "$(starts "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
A=$WORKDIR/audit.log
policy "$WORKDIR/policy.yaml" "$A"
wire_up "$SW" 1 -c "$WORKDIR/policy.yaml"
sink_up "$WORKDIR/mails.log"
session
one_more "$A" 0 || fail "no start record in the YAML destination"

ctl reload >"$WORKDIR/r1" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$WORKDIR/r1")" = "reloaded: generation 2" ] ||
	fail "reload: rc $rc, '$(cat "$WORKDIR/r1")' (want 'reloaded: generation 2', rc 0)"
broken
ctl reload >"$WORKDIR/r2" 2>"$WORKDIR/r2.err"
rc=$?
[ "$rc" -eq 1 ] || fail "a refused reload exited $rc"
grep -q "^reload refused: $WORKDIR/policy.yaml:3:14: unknown class-map 'nosuchclass'$" \
	"$WORKDIR/r2.err" || { cat "$WORKDIR/r2" "$WORKDIR/r2.err"; fail "no file:line:column refusal"; }
echo "ok: smtpwall-ctl reload: 'reloaded: generation 2'; a broken file: refused with file:line:column, exit 1"

policy "$WORKDIR/policy.yaml" "$WORKDIR/nodir/audit.log"
n=$(starts "$A")
ctl reload >"$WORKDIR/r3" 2>"$WORKDIR/r3.err" && fail "a reload to an unusable destination succeeded"
grep -q "^reload refused: audit destination $WORKDIR/nodir/audit.log: No such file or directory$" \
	"$WORKDIR/r3.err" || { cat "$WORKDIR/r3.err"; fail "no refusal for the unusable destination"; }
session
one_more "$A" "$n" || fail "after a refused destination the lines no longer reach the old file"
echo "ok: a destination that cannot be opened is refused; the old one keeps the lines"

# logrotate: rename, SIGHUP. The file is broken: refused, yet reopened.
broken
n=$(grep -c "reload refused" "$SW_LOG")
mv "$A" "$A.1"
kill -HUP "$SW_PID"
for _ in $(seq 50); do [ "$(grep -c "reload refused" "$SW_LOG")" -gt "$n" ] && break; sleep 0.1; done
session
one_more "$A" 0 || fail "SIGHUP with a refused file did not reopen the audit file"
old=$(starts "$A.1")
policy "$WORKDIR/policy.yaml" "$A"
mv "$A" "$A.2"
kill -HUP "$SW_PID"
wait_grep "reloaded .*policy generation 3" "$SW_LOG" || fail "SIGHUP did not reload"
session
one_more "$A" 0 || fail "SIGHUP did not reopen the audit file"
[ "$(starts "$A.1")" -eq "$old" ] || fail "lines went on into the renamed file"
ctl reload | grep -q "^reloaded: generation 4$" || fail "the generation after two refusals"
echo "ok: logrotate (rename + SIGHUP) reopens the YAML's file, also while the file is refused"
wire_stop
for p in $BG_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
BG_PIDS=""
ip netns del "$NS_C"
ip netns del "$NS_S"

# 4. --audit FILE: reopened on SIGHUP too.
C=$WORKDIR/cli.log
policy "$WORKDIR/policy.yaml" "$A"
wire_up "$SW" 1 -c "$WORKDIR/policy.yaml" --audit "$C"
sink_up "$WORKDIR/mails.log"
session
one_more "$C" 0 || fail "no start record in --audit's file"
mv "$C" "$C.1"
kill -HUP "$SW_PID"
wait_grep "reloaded .*policy generation 2" "$SW_LOG" || fail "SIGHUP did not reload"
session
one_more "$C" 0 || fail "SIGHUP did not reopen --audit's file (logrotate)"
[ "$(starts "$C.1")" -eq 1 ] || fail "lines went on into the renamed file"
echo "ok: --audit FILE is reopened on SIGHUP"
wire_stop
echo "PASS"
