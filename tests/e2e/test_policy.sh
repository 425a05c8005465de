#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, the policy at run time:
#  - smtpwall-ctl's `show service-policy inspect esmtp` counts exactly the
#    sessions the test made (mask-banner count, per-rule packets);
#  - a reload (smtpwall-ctl reload) under traffic loses no mail: smtp-source
#    keeps sending while the policy changes; every mail arrives;
#  - after the reload new connections get the new policy (the server is
#    exempt: its banner is no longer masked);
#  - a broken file is refused on reload and the running policy stays.
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

# 2. Reload under traffic: no mail lost, new connections get the new policy.
ip netns exec "$NS_C" timeout 300 smtp-source -s 5 -m 400 -l 1024 \
	-f a@example.org -t b@example.com "$SERVER_IP:25" >"$WORKDIR/source.out" 2>&1 &
src=$!
BG_PIDS="$BG_PIDS $src"
sleep 0.5
cp "$E2E_DIR/policy-exempt-server.yaml" "$WORKDIR/policy.yaml"
ctl reload >/dev/null || fail "smtpwall-ctl reload"
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
ctl reload >/dev/null || fail "smtpwall-ctl reload"
sleep 0.5
grep -q "reload refused, the running policy stays: .*policy.yaml:3:" "$SW_LOG" ||
	{ tail -5 "$SW_LOG"; fail "a broken file was not refused with file:line:column"; }
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >"$WORKDIR/swaks3" 2>&1
grep -q '^<-  220 \*\*\*' "$WORKDIR/swaks3" && fail "the refused file changed the policy"
echo "ok: a broken file is refused, the policy stays"

wire_stop
echo "PASS"
