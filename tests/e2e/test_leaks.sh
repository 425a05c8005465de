#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Leak check, in the ASan build (LeakSanitizer; skipped, 77, in a build
# without AddressSanitizer): smtpwall must exit 0 with no leak report after
#   1. offline mode: a capture of SESSIONS generated sessions (normal mail,
#      unknown verbs, STARTTLS, 101 recipients, long headers, refused
#      connections) through the default policy;
#   2. live mode on a memif wire (no root needed): smtpwall-gen runs
#      sessions for 8 s while the policy is reloaded four times (SIGHUP):
#      to a new policy, to a broken file (refused, the policy stays), back
#      to the default, and to the new one again; then SIGTERM. Every policy
#      generation, the retired ones included, must be freed.
# LeakSanitizer sees malloc'd memory (policies, generations, limits, the
# config loader, audit); DPDK's own heap (mbufs, flow tables) is not
# malloc'd: the worker fuzz target checks that mbufs all come back.
#
#   tests/e2e/test_leaks.sh SMTPWALL SMTPWALL-GEN [SESSIONS]
set -u
SW=${1:-}
GEN=${2:-}
SESSIONS=${3:-3000}
ID="lk$$"
WORK=$(mktemp -d "/tmp/smtpwall-leaks.XXXXXX")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DUT_PID=""
GEN_PID=""

cleanup() {
	rc=$?
	for p in $GEN_PID $DUT_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $GEN_PID $DUT_PID; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for f in "$WORK"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f (last 40 lines) ---"
			tail -40 "$f"
		done
	fi
	rm -rf "$WORK" /var/run/dpdk/"$ID"* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/"$ID"* 2>/dev/null
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	exit 1
}
[ -x "$SW" ] || skip "smtpwall executable '$SW' not found"
[ -x "$GEN" ] || skip "smtpwall-gen executable '$GEN' not found"
grep -q __asan_init "$SW" || skip "not an AddressSanitizer build (LeakSanitizer needed)"
ls /usr/lib/*/dpdk/pmds-*/librte_net_memif.so* /usr/local/lib/*/dpdk/pmds-*/librte_net_memif.so* \
	>/dev/null 2>&1 || ldconfig -p 2>/dev/null | grep -q librte_net_memif ||
	skip "DPDK memif PMD (librte_net_memif) not installed"

# Leaks make the process exit 23 and print a report; nothing else may.
export ASAN_OPTIONS="detect_leaks=1:exitcode=23:abort_on_error=0"
export LSAN_OPTIONS="exitcode=23"
# The generator is instrumented too; its leaks are not this test's subject.
GEN_ASAN="detect_leaks=0"

no_leak() { # LOG WHAT: the run's log must hold no sanitizer report
	if grep -q -E 'LeakSanitizer|AddressSanitizer|runtime error:' "$1"; then
		grep -E -A12 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$1" | head -60
		fail "$2: sanitizer report"
	fi
}
event() { # LOG NAME: an esmtp event count from the final counters
	awk -v n="$2" '$1 == "event" && $2 == n { print $3; exit }' "$1"
}
counter() {
	awk -v n="$2" '$1 == n { print $2; exit }' "$1"
}

# 1. Offline: thousands of sessions from a capture.
MIX=short=85,verb=4,starttls=4,rcpt101=3,longhdr=2,conn=2
ASAN_OPTIONS=$GEN_ASAN "$GEN" --no-huge -m 256 --no-pci --file-prefix "${ID}p" -- \
	--pcap "$WORK/s.pcap" -n "$SESSIONS" -C 64 --mix "$MIX" >"$WORK/genpcap.log" 2>&1 ||
	fail "smtpwall-gen --pcap"
"$SW" --no-pci --file-prefix "${ID}o" -- -c "$SRC/config/default.yaml" \
	--audit "$WORK/audit-offline.txt" -r "$WORK/s.pcap" -o "$WORK/o.pcap" \
	>"$WORK/offline.log" 2>&1
st=$?
no_leak "$WORK/offline.log" "offline"
[ "$st" -eq 0 ] || fail "offline run exited $st"
banners=$(event "$WORK/offline.log" mask-banner)
flows=$(counter "$WORK/offline.log" flow_new)
[ "${flows:-0}" -ge "$SESSIONS" ] || fail "offline: flow_new ${flows:-0} < $SESSIONS sessions"
[ "${banners:-0}" -gt 0 ] || fail "offline: nothing inspected"
echo "ok: offline, $SESSIONS sessions ($flows flows, $banners banners masked): no leak"
rm -f "$WORK/s.pcap" "$WORK/o.pcap"

# 2. Live on memif, four reloads under traffic.
NCPU=$(nproc)
LAST=$((NCPU - 1))
cp "$SRC/config/default.yaml" "$WORK/policy.yaml"
"$SW" --no-huge -m 512 --no-pci --file-prefix "${ID}d" --lcores "(0-1)@(0-$LAST)" \
	--vdev "net_memif0,role=server,socket=/run/$ID.0.sock" \
	--vdev "net_memif1,role=server,socket=/run/$ID.1.sock" \
	-- -p net_memif0/net_memif1 -w 1 --idle-sleep 50 -c "$WORK/policy.yaml" \
	--audit "$WORK/audit-live.txt" >"$WORK/live.log" 2>&1 &
DUT_PID=$!
for _ in $(seq 300); do
	[ "$(grep -c "@/run/$ID.[01].sock" /proc/net/unix)" -ge 2 ] &&
		grep -q "forwarding; Ctrl-C" "$WORK/live.log" && break
	kill -0 "$DUT_PID" 2>/dev/null || fail "smtpwall exited at start"
	sleep 0.1
done
grep -q "forwarding; Ctrl-C" "$WORK/live.log" || fail "smtpwall did not start"

ASAN_OPTIONS=$GEN_ASAN timeout 120 "$GEN" --no-huge -m 256 --no-pci --file-prefix "${ID}g" \
	--lcores "0@(0-$LAST)" \
	--vdev "net_memif0,role=client,socket=/run/$ID.0.sock" \
	--vdev "net_memif1,role=client,socket=/run/$ID.1.sock" \
	-- -p net_memif0/net_memif1 -q -n 0 -d 8 -C 64 --mix "$MIX" >"$WORK/gen.log" 2>&1 &
GEN_PID=$!
reload() { # FILE: becomes the policy file, then SIGHUP
	sleep 1.5
	cp "$1" "$WORK/policy.yaml"
	kill -HUP "$DUT_PID" || fail "smtpwall is gone"
}
reload "$SRC/tests/e2e/policy-exempt-server.yaml"
printf 'policy-maps:\n  global_policy:\n    - class: nosuchclass\n' >"$WORK/broken.yaml"
reload "$WORK/broken.yaml"
reload "$SRC/config/default.yaml"
reload "$SRC/tests/e2e/policy-exempt-server.yaml"
wait "$GEN_PID"
gst=$?
GEN_PID=""
[ "$gst" -eq 0 ] || fail "smtpwall-gen exited $gst"
sleep 0.5
kill -TERM "$DUT_PID"
wait "$DUT_PID"
st=$?
DUT_PID=""
no_leak "$WORK/live.log" "live with reloads"
[ "$st" -eq 0 ] || fail "smtpwall exited $st"
grep -q "final counters" "$WORK/live.log" || fail "no final counters"
for g in 2 3 4; do
	grep -q "reloaded .*policy generation $g" "$WORK/live.log" || fail "no reload to generation $g"
done
grep -q "reload refused, the running policy stays" "$WORK/live.log" ||
	fail "the broken file was not refused"
started=$(sed -n 's/^RESULT.* started=\([0-9]*\).*/\1/p' "$WORK/gen.log")
flows=$(counter "$WORK/live.log" flow_new)
[ "${started:-0}" -gt 0 ] || fail "the generator started no session"
[ "${flows:-0}" -eq "$started" ] || fail "flow_new ${flows:-0} != sessions started $started"
echo "ok: live, $started sessions, 3 reloads and 1 refused: no leak"
echo "PASS"
