#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The appliance on its default virtual wire with the default policy:
# installs, builds, starts smtpwall with no EAL arguments (it creates two
# TAP ports, smtpw-in and smtpw-out), moves them into a client and a server
# network namespace (198.18.0.1 and 198.18.0.2), runs a real SMTP server
# (aiosmtpd) behind it and real SMTP clients (swaks, Postfix's
# smtp-source) in front, and prints what passed and the counters.
set -eu
cd "$(dirname "$0")/../.."
tests/scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

set +e
# shellcheck source=../e2e/lib.sh
. tests/e2e/lib.sh
e2e_require swaks smtp-source
SW=build/app/smtpwall/smtpwall
MAILS=${MAILS:-100}

echo "=== starting smtpwall on its default wire (config/default.yaml) ==="
wire_up "$SW" default -c config/default.yaml
sed -n '/smtpwall:/p' "$SW_LOG"
sink_up "$WORKDIR/mails.log"

echo
echo "=== swaks: one mail, client side transcript ==="
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --from alice@example.com \
	--to bob@example.net --header "Subject: hello through smtpwall" \
	--body "This mail crossed the wire." || fail "swaks could not send"

echo
echo "=== smtp-source: $MAILS mails over 10 parallel sessions ==="
ip netns exec "$NS_C" timeout 120 smtp-source -s 10 -m "$MAILS" -l 4096 \
	-f sender@example.com -t rcpt@example.net "$SERVER_IP:25" || fail "smtp-source failed"
sleep 0.5
echo "server received $(wc -l <"$WORKDIR/mails.log") of $((MAILS + 1)) mails"

echo
echo "=== live counters (dpdk-telemetry.py -f smtpwall, /smtpwall/stats) ==="
telemetry /smtpwall/stats

echo
wire_stop
sed -n '/final counters/,$p' "$SW_LOG"
[ "$(wc -l <"$WORKDIR/mails.log")" -eq $((MAILS + 1)) ] || fail "mails lost"
echo "demo: every mail passed the wire"
