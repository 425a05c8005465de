#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, a `rate-limit` rule holds its rate for the whole box, not per
# worker (issue 13): with two workers and `rate-limit 1`, 16 clients spread
# over both workers send NOOP (the rule's match) within the same second:
# exactly one passes, the other 15 connections are dropped. (Each worker
# had a bucket of its own before: one per worker passed, two in all.)
# Usage: test_rate_limit.sh SMTPWALL
set -u
. "$(dirname "$0")/lib.sh"
e2e_require

SW=$1
N=16
cat >"$WORKDIR/policy.yaml" <<'YAML'
inspect-maps:
  rl_map:
    rules:
      - match: {cmd-verb: [NOOP]}
        action: {rate-limit: 1}
policy-maps:
  global_policy:
    - class: inspection_default
      inspect: {esmtp: rl_map}
YAML
wire_up "$SW" 2 -c "$WORKDIR/policy.yaml"
sink_up "$WORKDIR/mails.log"

# worker_counter W NAME: a counter of one worker, live.
worker_counter() {
	telemetry "/smtpwall/worker,$1" | "$SYSPY" -c '
import json, sys
d = json.loads(sys.stdin.read() or "{}")
print(next(iter(d.values()), {}).get(sys.argv[1], 0) if d else 0)' "$2"
}

# One round: N connections opened and greeted first, then every NOOP sent
# at once. Prints "<passed> <seconds between the first and last NOOP>".
round() {
	ip netns exec "$NS_C" "$SYSPY" - "$SERVER_IP" "$N" <<'PY'
import socket, sys, time
srv, n = sys.argv[1], int(sys.argv[2])
conns = []
for _ in range(n):
    s = socket.create_connection((srv, 25), timeout=5)
    s.recv(512)
    s.sendall(b"EHLO rate.example\r\n")
    conns.append(s)
for s in conns:
    buf = b""
    while not buf.endswith(b"\r\n") or b"250 " not in buf:
        buf += s.recv(4096)
t0 = time.monotonic()
for s in conns:
    s.sendall(b"NOOP\r\n")
window = time.monotonic() - t0
passed = 0
for s in conns:
    s.settimeout(2)
    try:
        passed += s.recv(512).startswith(b"250")
    except OSError:
        pass
    s.close()
print(passed, "%.3f" % window)
PY
}

for try in 1 2 3; do
	w0=$(worker_counter 0 insp_conns)
	w1=$(worker_counter 1 insp_conns)
	read -r passed window < <(round)
	d0=$(($(worker_counter 0 insp_conns) - w0))
	d1=$(($(worker_counter 1 insp_conns) - w1))
	echo "round $try: $passed of $N NOOPs passed in ${window} s (worker 0: $d0, worker 1: $d1 connections)"
	[ "$((d0 + d1))" -eq "$N" ] || fail "$((d0 + d1)) of $N connections inspected"
	# Both workers must have had clients, all in one second: else again.
	if [ "$d0" -gt 0 ] && [ "$d1" -gt 0 ] && awk "BEGIN {exit !($window < 0.8)}"; then
		[ "$passed" -eq 1 ] ||
			fail "rate-limit 1 let $passed NOOPs through two workers in one second"
		limited=$(($(worker_counter 0 insp_rate_limited) + $(worker_counter 1 insp_rate_limited)))
		echo "ok: rate-limit 1 with two workers: 1 of $N passed, insp_rate_limited $limited"
		wire_stop
		echo "PASS"
		exit 0
	fi
	sleep 2 # the bucket refills
done
fail "no round had clients on both workers within one second"
