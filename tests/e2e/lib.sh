# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the end-to-end tests: a wire of two TAP ports owned by
# smtpwall, each moved into a network namespace of its own (client side,
# server side, 198.18.0.0/15 test addresses). Source it, then call
# wire_up; everything is torn down by the EXIT trap, on every exit path.
#
# Names are unique per run (the shell's PID), so tests can run side by side.

E2E_ID="sw$$"
NS_C="${E2E_ID}c"
NS_S="${E2E_ID}s"
TAP_IN="${E2E_ID}i"
TAP_OUT="${E2E_ID}o"
TEL_PREFIX="$E2E_ID"
CLIENT_IP=198.18.0.1
SERVER_IP=198.18.0.2
WORKDIR=$(mktemp -d "/tmp/smtpwall-e2e.XXXXXX")
SW_PID=""
SW_LOG="$WORKDIR/smtpwall.log"
BG_PIDS=""
SYSPY=/usr/bin/python3
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$E2E_DIR/../.." && pwd)

e2e_cleanup() {
	rc=$?
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	if [ -n "$SW_PID" ] && kill -0 "$SW_PID" 2>/dev/null; then
		kill -TERM "$SW_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$SW_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SW_PID" 2>/dev/null
	fi
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	ip netns pids "$NS_C" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns pids "$NS_S" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	if [ "$rc" -ne 0 ] && [ -f "$SW_LOG" ]; then
		echo "--- smtpwall log (last 60 lines) ---"
		tail -60 "$SW_LOG"
	fi
	rm -rf "$WORKDIR"
	exit "$rc"
}

e2e_require() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: end-to-end tests need root (network namespaces, TAP devices)"
		exit 77
	fi
	for t in ip "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
	done
	[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# wire_up SMTPWALL WORKERS [app args...]: starts smtpwall on two new TAP
# ports and plugs them into the client and server namespaces. WORKERS
# "default" runs it with no EAL arguments on its own default wire.
wire_up() {
	sw=$1 workers=$2
	shift 2
	ip netns add "$NS_C" || fail "netns add"
	ip netns add "$NS_S" || fail "netns add"
	# Two busy-polling lcores per worker set share this small machine's
	# cores with the client and server: let idle lcores sleep.
	if [ "$workers" = default ]; then
		# The appliance exactly as a user starts it: no EAL arguments, so
		# it creates its default TAP wire itself.
		TAP_IN=smtpw-in TAP_OUT=smtpw-out TEL_PREFIX=smtpwall
		"$sw" -- "$@" >"$SW_LOG" 2>&1 </dev/null &
	else
		"$sw" --no-pci --file-prefix "$E2E_ID" \
			--vdev "net_tap0,iface=$TAP_IN" --vdev "net_tap1,iface=$TAP_OUT" -- \
			-p net_tap0:net_tap1 -w "$workers" --idle-sleep 50 "$@" \
			>"$SW_LOG" 2>&1 </dev/null &
	fi
	SW_PID=$!
	for _ in $(seq 100); do
		grep -q "forwarding" "$SW_LOG" 2>/dev/null && break
		kill -0 "$SW_PID" 2>/dev/null || fail "smtpwall exited at start"
		sleep 0.1
	done
	grep -q "forwarding" "$SW_LOG" || fail "smtpwall did not start"
	ip link set "$TAP_IN" netns "$NS_C" || fail "move $TAP_IN"
	ip link set "$TAP_OUT" netns "$NS_S" || fail "move $TAP_OUT"
	ip -n "$NS_C" addr add "$CLIENT_IP/24" dev "$TAP_IN"
	ip -n "$NS_S" addr add "$SERVER_IP/24" dev "$TAP_OUT"
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set lo up
		# Router solicitations and DAD only add noise to the counters.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	ip -n "$NS_C" link set "$TAP_IN" up
	ip -n "$NS_S" link set "$TAP_OUT" up
}

# Starts the counting aiosmtpd server on the server side; LOG gets a line
# per message. sink_up LOG [--tls]
sink_up() {
	log=$1
	shift
	: >"$log"
	ip netns exec "$NS_S" "$SYSPY" "$E2E_DIR/smtp_sink.py" "$SERVER_IP" 25 "$log" "$@" \
		>"$WORKDIR/sink.out" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	for _ in $(seq 100); do
		grep -q listening "$WORKDIR/sink.out" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$WORKDIR/sink.out"
	fail "SMTP server did not start"
}

# Reads one telemetry command's JSON from the running smtpwall.
telemetry() {
	echo "$1" | dpdk-telemetry.py -f "$TEL_PREFIX" 2>/dev/null | sed -n 's/^{/{/p' | tail -1
}

# Stops smtpwall with SIGTERM and waits for its final counters.
wire_stop() {
	kill -TERM "$SW_PID"
	for _ in $(seq 100); do kill -0 "$SW_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$SW_PID" 2>/dev/null && fail "smtpwall did not stop on SIGTERM"
	wait "$SW_PID"
	sw_rc=$?
	SW_PID=""
	[ "$sw_rc" -eq 0 ] || fail "smtpwall exited with $sw_rc"
	grep -q "final counters" "$SW_LOG" || fail "no final counters printed"
}

# counter NAME: a counter's value from the final counters in the log.
counter() {
	awk -v n="$1" '/final counters/ {f=1} f && $1 == n {print $2; exit}' "$SW_LOG"
}

# wait_grep PATTERN FILE [TENTHS]: waits up to TENTHS/10 s (default 10 s)
# until FILE has a line matching PATTERN (grep -E); 1 if it never does.
wait_grep() {
	for _ in $(seq "${3:-100}"); do
		grep -Eq "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	grep -Eq "$1" "$2" 2>/dev/null
}
