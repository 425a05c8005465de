#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Remote syslog (logging.hosts, ASA `logging host`): one offline run sends
# its audit trail to a local file and to three servers of a test listener
# (UDP RFC 5424, TCP RFC 5424 with octet counting, TCP RFC 3164 with line
# feeds) and to a TCP port where nobody listens. Every server must get
# exactly the file's records, in order, each a well-formed syslog message
# (priority local4 + the ASA severity, the device-id as HOSTNAME, UTC time
# with its zone in RFC 5424, MSGID ASA-<id>); the dead server's records are
# counted as dropped and the run still exits 0.
# Usage: test_remote_syslog.sh SMTPWALL SMTPWALL-GEN
set -u
SW=$1
GEN=$2
SYSPY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-rsyslog.XXXXXX)
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

"$GEN" -- --pcap "$WORK/in.pcap" -n 200 -C 16 --mix short=60,verb=20,rcpt101=10,longhdr=10 \
	>/dev/null 2>&1 || { echo "FAIL: smtpwall-gen --pcap"; exit 1; }

"$SYSPY" "$HERE/syslog_listener.py" "$WORK/ports" "$WORK" &
LPID=$!
for _ in $(seq 100); do [ -s "$WORK/ports" ] && break; sleep 0.05; done
read -r UDP T5424 T3164 <"$WORK/ports" || { echo "FAIL: listener did not start"; exit 1; }
# A port nobody listens on: bind one and close it.
DEAD=$("$SYSPY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat >"$WORK/policy.yaml" <<YAML
logging:
  destination: file
  file: $WORK/audit.log
  level: debugging
  device-id: mx-edge-1
  hosts:
    - {address: 127.0.0.1, port: $UDP}
    - {address: 127.0.0.1, protocol: tcp, port: $T5424, format: rfc5424}
    - {address: 127.0.0.1, protocol: tcp, port: $T3164, format: rfc3164}
    - {address: 127.0.0.1, protocol: tcp, port: $DEAD}
YAML

if ! "$SW" --no-pci --file-prefix "swrs$$" --lcores 0 --log-level 'lib.*:warning' -- \
	-c "$WORK/policy.yaml" -r "$WORK/in.pcap" -o "$WORK/out.pcap" >"$WORK/log" 2>&1; then
	tail -5 "$WORK/log"
	echo "FAIL: smtpwall exited non-zero"
	exit 1
fi
sleep 0.3 # the listener writes what is still in its socket buffers
kill "$LPID" && wait "$LPID"
LPID=""

n=$(wc -l <"$WORK/audit.log")
[ "$n" -ge 20 ] || fail "only $n audit records: the capture should make more"
if ! out=$("$SYSPY" - "$WORK" <<'PY'
import re, sys, datetime
work = sys.argv[1]
# The file's records without its time prefix ("Dec 05 2026 10:00:00: ").
want = [l.rstrip("\n").split(": ", 1)[1] for l in open(work + "/audit.log")]
r5424 = re.compile(r"^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (.*)$")
r3164 = re.compile(r"^<(\d+)>([A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d) (\S+) (.*)$")
bad = []
for kind in ("udp", "tcp5424", "tcp3164"):
    got = [l.rstrip("\n") for l in open("%s/%s.txt" % (work, kind))]
    texts = []
    for m in got:
        if kind == "tcp3164":
            x = r3164.match(m)
            if not x:
                bad.append("%s: not RFC 3164: %r" % (kind, m[:80])); continue
            pri, host, text = int(x.group(1)), x.group(3), x.group(4)
        else:
            x = r5424.match(m)
            if not x:
                bad.append("%s: not RFC 5424: %r" % (kind, m[:80])); continue
            pri, ts, host, app, _pid, msgid, sd, text = (int(x.group(1)),) + x.groups()[1:]
            if not ts.endswith("Z"):
                bad.append("%s: time without zone: %s" % (kind, ts))
            datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
            asa = re.match(r"%ASA-\d-(\d{6}):", text)
            if app != "smtpwall" or sd != "-" or (asa and msgid != "ASA-" + asa.group(1)):
                bad.append("%s: header %r %r %r for %r" % (kind, app, msgid, sd, text[:40]))
        sev = re.match(r"%ASA-(\d)-", text)
        if pri // 8 != 20 or (sev and pri % 8 != int(sev.group(1))):
            bad.append("%s: priority %d for %r (local4 is 20)" % (kind, pri, text[:40]))
        if host != "mx-edge-1":
            bad.append("%s: HOSTNAME %r, not the device-id" % (kind, host))
        texts.append(text)
    if texts != want:
        bad.append("%s: %d records, the file has %d%s" % (kind, len(texts), len(want),
                   "" if len(texts) != len(want) else " (they differ)"))
    print("%s: %d records" % (kind, len(texts)))
for b in bad[:10]:
    print("BAD", b)
sys.exit(1 if bad else 0)
PY
); then
	fail "what the servers got: $out"
else
	echo "$out" | sed 's/^/ok:   /'
fi

grep -q "^smtpwall: audit host 127.0.0.1 udp/$UDP rfc5424: $n sent, 0 dropped" "$WORK/log" ||
	fail "report of the UDP server: $(grep "udp/$UDP" "$WORK/log")"
grep -q "^smtpwall: audit host 127.0.0.1 tcp/$T3164 rfc3164: $n sent, 0 dropped" "$WORK/log" ||
	fail "report of the RFC 3164 server: $(grep "tcp/$T3164" "$WORK/log")"
grep -q "^smtpwall: audit host 127.0.0.1 tcp/$DEAD rfc5424: 0 sent, $n dropped" "$WORK/log" ||
	fail "report of the server nobody runs: $(grep "tcp/$DEAD" "$WORK/log")"

[ "$fails" -eq 0 ] && echo "remote syslog: ok"
[ "$fails" -eq 0 ]
