#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Wire benchmark: the same generator (smtpwall-gen), the same memif ports,
# back to back, against three devices under test:
#   testpmd   dpdk-testpmd --forward-mode=io (the plain-forwarding ceiling)
#   bridge    smtpwall --no-inspect (parses, tracks flows, inspects nothing)
#   inspect   smtpwall with config/default.yaml (ASA default ESMTP map)
# for three mixes (64-byte UDP, realistic SMTP, DATA-heavy SMTP), then on
# the inspecting smtpwall: new connections/s, memory per idle connection,
# and latency at light load. Every generator run is also a correctness run
# (--check; "ok" in the table).
#
#   tests/bench/bench_wire.sh [SMTPWALL] [SMTPWALL-GEN] [SECONDS]
# Environment: IDLE_CONNS (connections for the memory test, 1000000),
# WORKERS (smtpwall workers, 1), OUT (keep the logs in this directory).
#
# Lcores: the generator polls on CPU 0; each DUT has its main lcore on CPU 0
# (asleep) and its forwarding lcore on the last CPU. On a 2-core machine
# generator and DUT each get one core; on a shared machine the numbers are
# noisy (the table says how long each run was).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SW=${1:-$ROOT/build/app/smtpwall/smtpwall}
GEN=${2:-$ROOT/build/app/smtpwall-gen/smtpwall-gen}
SECS=${3:-6}
IDLE_CONNS=${IDLE_CONNS:-1000000}
WORKERS=${WORKERS:-1}
ID="bw$$"
WORK=${OUT:-$(mktemp -d "/tmp/smtpwall-bench.XXXXXX")}
mkdir -p "$WORK"
DUT_PID=""
NCPU=$(nproc)
LAST=$((NCPU - 1))

cleanup() {
	rc=$?
	if [ -n "$DUT_PID" ]; then
		kill -TERM "$DUT_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$DUT_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$DUT_PID" 2>/dev/null
	fi
	rm -rf /var/run/dpdk/"$ID"* 2>/dev/null
	[ -z "${OUT:-}" ] && rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for x in "$SW" "$GEN"; do
	[ -x "$x" ] || { echo "not found: $x" >&2; exit 2; }
done
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd not installed" >&2; exit 2; }

if [ "$WORKERS" -gt 1 ]; then
	# One lcore per worker from CPU 1 up (plus main on 0); the memif ports
	# get one queue pair per worker when smtpwall asks (no RSS: software
	# dispatch, one more lcore).
	DUT_LCORES="0@0,(1-$((WORKERS + 1)))@(1-$LAST)"
else
	DUT_LCORES="0@0,1@$LAST"
fi
GEN_LCORES="0@0"
N=0

memif() { # ROLE NAME -> the two --vdev arguments
	echo "--vdev net_memif0,role=$1,socket=/run/$ID.$2.0.sock,rsize=11"
	echo "--vdev net_memif1,role=$1,socket=/run/$ID.$2.1.sock,rsize=11"
}

# start_dut KIND NAME [smtpwall args]: KIND testpmd | smtpwall
start_dut() {
	kind=$1 name=$2
	shift 2
	if [ "$kind" = testpmd ]; then
		# shellcheck disable=SC2046
		dpdk-testpmd --no-huge -m 1024 --no-pci --file-prefix "$ID$name" --lcores "$DUT_LCORES" \
			$(memif server "$name") -- --forward-mode=io --auto-start \
			--total-num-mbufs=32768 --rxd=2048 --txd=2048 \
			>"$WORK/dut.$name.log" 2>&1 < <(sleep 100000) &
	else
		# shellcheck disable=SC2046
		"$SW" --no-huge -m "${DUT_MEM:-1024}" --no-pci --file-prefix "$ID$name" \
			--lcores "$DUT_LCORES" $(memif server "$name") \
			-- -p net_memif0/net_memif1 -w "$WORKERS" --idle-sleep 0 "$@" \
			>"$WORK/dut.$name.log" 2>&1 &
	fi
	DUT_PID=$!
	wait_sockets "$name"
}

# wait_sockets NAME: the DUT has started its ports and listens on both memif
# sockets (a memif client does not retry a connection refused at start-up).
wait_sockets() {
	for _ in $(seq 300); do
		n=$(grep -c "@/run/$ID.$1.[01].sock" /proc/net/unix)
		if [ "$n" -ge 2 ] &&
			grep -q -E "forwarding; Ctrl-C|Checking link statuses" "$WORK/dut.$1.log"; then
			return 0
		fi
		kill -0 "$DUT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "DUT $1 did not come up; log:" >&2
	tail -5 "$WORK/dut.$1.log" >&2
	return 1
}

stop_dut() {
	kill -TERM "$DUT_PID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$DUT_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$DUT_PID" 2>/dev/null
	wait "$DUT_PID" 2>/dev/null
	DUT_PID=""
}

# gen NAME ARGS...: one generator run against the DUT NAME; log in gen.NAME.log
gen() {
	name=$1
	shift
	# shellcheck disable=SC2046
	timeout $((SECS * 4 + 120)) "$GEN" --no-huge -m 512 --no-pci --file-prefix "${ID}g$name" \
		--lcores "$GEN_LCORES" $(memif client "$name") \
		-- -p net_memif0/net_memif1 -q --tag "$name" "$@" >"$WORK/gen.$name.log" 2>&1
}

field() { # FILE KEY
	sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | tail -1
}
counter() { # FILE NAME: smtpwall's final counter
	awk -v n="$2" '$1 == n { print $2; exit }' "$1"
}

declare -A MPPS
row() { # MIX DUT-LABEL NAME
	mix=$1 dut=$2 name=$3
	g="$WORK/gen.$name.log" d="$WORK/dut.$name.log"
	mpps=$(field "$g" rx_mpps)
	gbps=$(field "$g" rx_gbps)
	MPPS[$mix.$dut]=${mpps:-0}
	cpp=n/a
	if [ "$dut" != testpmd ]; then
		cpp=$(awk '$1 == "busy_cycles" { c = $2 } $1 == "rx_pkts" && !r { r = $2 }
			END { if (r > 0) printf "%.0f", c / r; else print "-" }' "$d")
	fi
	ratio=$(awk -v a="${mpps:-0}" -v b="${MPPS[$mix.testpmd]:-0}" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	sps=$(field "$g" done_per_s)
	[ "$mix" = udp64 ] && sps=-
	chk=ok
	grep -q "check FAIL" "$g" && chk=FAIL
	grep -q "^RESULT" "$g" || chk=FAIL
	printf "| %-10s | %-8s | %7s | %6s | %10s | %5s | %6s / %-7s | %5s | %4s |\n" "$mix" "$dut" \
		"${mpps:--}" "${gbps:--}" "$cpp" "$ratio" "$(field "$g" lat_p50_us)" \
		"$(field "$g" lat_p99_us)" "$sps" "$chk"
}

mix_args() { # MIX -> the generator options of that mix, in args
	case $1 in
	udp64) args=(--mix none --udp 1024) ;;
	smtp) args=(--mix "short=90,verb=3,starttls=3,rcpt101=2,longhdr=2" -C 256) ;;
	data) args=(--mix data=100 --data-body fixed:1048576 -C 64 --window 16) ;;
	esac
}

echo "smtpwall wire benchmark: $(date -u +%F) on $NCPU x$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "each run: ${SECS}s (1s warm-up excluded), generator closed loop over memif, $WORKERS smtpwall worker(s)"
echo
printf "| %-10s | %-8s | %7s | %6s | %10s | %5s | %-16s | %5s | %4s |\n" mix DUT Mpps Gbps \
	cycles/pkt ratio "lat p50/p99 us" sess/s check
echo "|------------|----------|---------|--------|------------|-------|------------------|-------|------|"
for mix in udp64 smtp data; do
	mix_args "$mix"
	for dut in testpmd bridge inspect; do
		N=$((N + 1))
		name="$mix-$dut"
		case $dut in
		testpmd) start_dut testpmd "$name" ;;
		bridge) start_dut smtpwall "$name" --no-inspect ;;
		inspect) start_dut smtpwall "$name" -c "$ROOT/config/default.yaml" --audit "$WORK/audit.$name.log" ;;
		esac
		plain=()
		[ "$dut" != inspect ] && plain=(--plain)
		gen "$name" -d "$SECS" --warmup 1 --check "${plain[@]}" "${args[@]}"
		stop_dut
		row "$mix" "$dut" "$name"
	done
done

echo
echo "Inspecting smtpwall ($WORKERS worker(s)), default policy:"
# New connections per second: handshake + FIN close, each classified,
# tracked and freed (closed connections linger 5 s: a large table).
printf 'flows:\n  max-per-worker: %d\n' $((IDLE_CONNS + IDLE_CONNS / 10 + 65536)) >"$WORK/flows.yaml"
DUT_MEM=4096
start_dut smtpwall conn -c "$WORK/flows.yaml" --audit "$WORK/audit.conn.log"
gen conn -d "$SECS" --warmup 1 --check --mix conn=100 -C 256
stop_dut
echo "  connections/s (handshake + close, closed loop, 256 in flight): $(field "$WORK/gen.conn.log" done_per_s) per $WORKERS worker(s) [$(grep -q 'check FAIL' "$WORK/gen.conn.log" && echo FAIL || echo ok)]"

# Memory per connection: RSS of smtpwall holding IDLE_CONNS established,
# idle connections (table sized for them), minus RSS of the same smtpwall
# with its default table (65536) and no connection: what a connection costs,
# preallocation included (with --no-huge the tables are zeroed, so touched,
# at start-up: the RSS before the fill is already most of it).
start_dut smtpwall base --audit "$WORK/audit.base.log"
sleep 1
rss_base=$(awk '/^VmRSS/ { print $2 }' "/proc/$DUT_PID/status")
stop_dut
start_dut smtpwall idle -c "$WORK/flows.yaml" --audit "$WORK/audit.idle.log"
sleep 1
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$DUT_PID/status")
t0=$(date +%s.%N)
gen idle -n "$IDLE_CONNS" --check --mix idle=100 -C 1024
t1=$(date +%s.%N)
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$DUT_PID/status")
stop_dut
live=$(awk '$1 == "flows:" { print $2; exit }' "$WORK/dut.idle.log")
awk -v n="$IDLE_CONNS" -v z="$rss_base" -v a="$rss0" -v b="$rss1" -v live="${live:-?}" \
	-v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" 'BEGIN {
	printf "  idle connections: %d opened in %.1f s (%s live in the DUT at exit)\n", n, t, live;
	printf "  RSS: %.0f MiB default table, empty; %.0f MiB table for %d, empty; %.0f MiB filled\n", z / 1024, a / 1024, n, b / 1024;
	printf "  memory per connection: %.0f bytes ((filled - default empty) / connections); %.0f bytes of it touched by the fill\n", (b - z) * 1024 / n, (b - a) * 1024 / n;
	printf "  -> 10M connections: about %.1f GB at that rate\n", (b - z) * 1024 / n * 1e7 / 1e9 }'
[ "$(field "$WORK/gen.idle.log" completed)" = "$IDLE_CONNS" ] || echo "  (idle run: not every handshake completed; see the generator log)"

# Latency at light load (4 sessions in flight) against each DUT.
DUT_MEM=1024
for dut in testpmd bridge inspect; do
	name="lat-$dut"
	case $dut in
	testpmd) start_dut testpmd "$name" ;;
	bridge) start_dut smtpwall "$name" --no-inspect ;;
	inspect) start_dut smtpwall "$name" -c "$ROOT/config/default.yaml" --audit "$WORK/audit.$name.log" ;;
	esac
	plain=()
	[ "$dut" != inspect ] && plain=(--plain)
	gen "$name" -d "$SECS" --warmup 1 --check "${plain[@]}" -C 4 --mix short=100
	stop_dut
	echo "  light load (4 short sessions in flight), $dut: $(field "$WORK/gen.$name.log" rx_mpps) Mpps, latency p50 $(field "$WORK/gen.$name.log" lat_p50_us) us, p99 $(field "$WORK/gen.$name.log" lat_p99_us) us"
done
echo
echo "Latency: generator TSC from handing a frame to its TX queue to reading it back"
echo "through the DUT (includes both memif hops and the generator's own polling)."
[ -n "${OUT:-}" ] && echo "logs: $WORK"
exit 0
