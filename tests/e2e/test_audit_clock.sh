#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, the audit clock keeps real time (issue 19): smtpwall runs
# under libfaketime, whose clock the test moves by an hour once smtpwall is
# forwarding (as an NTP step would, or the seconds a TSC rate estimate
# loses over a day). The TSC does not move: an audit clock derived from it
# alone stays an hour behind; re-synced on the control lcore every second,
# the next record carries the new time.
# Usage: test_audit_clock.sh SMTPWALL
set -u
. "$(dirname "$0")/lib.sh"
e2e_require swaks
FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
[ -r "$FT" ] || { echo "SKIP: libfaketime not installed (tests/scripts/install-deps.sh)"; exit 77; }

SW=$1
OFFSET=3600
# smtpwall alone runs on the fake clock: a wrapper, so the test's own
# tools (ip, swaks, date) keep the real one. Monotonic clocks stay real
# (DPDK's timers); only CLOCK_REALTIME moves, by what the file says.
# A sanitizer build wants its runtime first in the preload list.
pre=$(ldd "$SW" | awk '/libasan/ {print $3}')
echo "+0" >"$WORKDIR/faketime"
cat >"$WORKDIR/sw-faketime" <<SH
#!/bin/sh
LD_PRELOAD="${pre:+$pre }$FT" FAKETIME_TIMESTAMP_FILE=$WORKDIR/faketime FAKETIME_NO_CACHE=1 \\
FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$SW" "\$@"
SH
chmod +x "$WORKDIR/sw-faketime"
A=$WORKDIR/audit.log
wire_up "$WORKDIR/sw-faketime" 1 -c "$E2E_DIR/policy-ios-audit.yaml" --audit "$A"
sink_up "$WORKDIR/mails.log"

# stamp_of LINE: the record's time (UTC, "Mon DD YYYY HH:MM:SS") in seconds.
stamp_of() { date -u -d "$(echo "$1" | cut -c1-20)" +%s; }
# session_lag OFFSET: one session; prints the lag of its start record's time
# behind the fake clock (the real one + OFFSET), in seconds.
session_lag() {
	n=$(grep -c SESS_AUDIT_TRAIL_START "$A" 2>/dev/null || true)
	before=$(date -u +%s)
	ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >/dev/null 2>&1 ||
		fail "swaks"
	for _ in $(seq 100); do
		[ "$(grep -c SESS_AUDIT_TRAIL_START "$A" 2>/dev/null || true)" -gt "$n" ] && break
		sleep 0.1
	done
	line=$(grep SESS_AUDIT_TRAIL_START "$A" | tail -1)
	[ -n "$line" ] || fail "no start record"
	echo $((before + $1 - $(stamp_of "$line")))
}
lag=$(session_lag 0)
[ "$lag" -ge -2 ] && [ "$lag" -le 2 ] || fail "before the step: the record is $lag s off the clock"
echo "+$OFFSET" >"$WORKDIR/faketime"
sleep 2 # a re-sync a second
lag=$(session_lag "$OFFSET")
[ "$lag" -ge -2 ] && [ "$lag" -le 2 ] ||
	fail "the clock moved $OFFSET s; the audit record is $lag s behind it (never re-synced)"
echo "ok: after a $OFFSET s step of the real clock the audit record is $lag s off it"
wire_stop
echo "PASS"
