#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Wire benchmark (docs/benchmarks.md, section 4): the same generator
# (smtpwall-gen), the same memif ports, back to back, against three devices
# under test:
#   testpmd   dpdk-testpmd --forward-mode=io (the plain-forwarding ceiling)
#   bridge    smtpwall --no-inspect (parses, tracks flows, inspects nothing)
#   inspect   smtpwall with config/default.yaml (ASA default ESMTP map)
# for each traffic mix:
#   udp64     64-byte UDP frames, non-SMTP (1,024 in flight)
#   smtp      realistic SMTP mix (short sessions, exp(4 KiB) messages, a few
#             violating ones; 256 sessions in flight)
#   clean     the same without violating sessions (nothing is cut)
#   data      DATA-heavy (1 MiB messages, 64 sessions, window 16)
#   conn      short sessions: handshake + FIN close, 1,024 in flight (conn/s);
#             every connection closed lingers 5 s, so the table fills with
#             closed ones and new ones take their places (column "refused":
#             new connections the DUT dropped, flow_full; must be 0)
# then, at LAT_FRACTION (0.5) of the lowest of the three DUTs' measured
# maximum for that mix, open-loop latency (p50/p99/p99.9) against each DUT,
# and the latency each smtpwall adds over testpmd; then memory per connection
# (IDLE_CONNS idle established connections, RSS of the process).
#
# Every run is also a correctness run (--check; "ok" in the table). Each
# measurement is repeated REPEAT times; the tables show medians, and every
# ratio is taken within one repetition (DUTs back to back) before the median.
#
#   tests/bench/bench_wire.sh [SMTPWALL] [SMTPWALL-GEN] [SECONDS]
# Environment:
#   REPEAT=3             repetitions of every throughput and latency run
#   WORKERS="1"          smtpwall worker counts to run, e.g. "1 2 4 8" (a list)
#   MIXES="udp64 smtp data conn" (MIXES= skips throughput)   DUTS="testpmd bridge inspect"
#   LAT_MIXES="udp64 smtp"  LAT_FRACTION=0.5   (LAT_MIXES="" skips latency)
#   IDLE_CONNS=1000000   idle connections for the memory test (0 skips it)
#   CONN_TABLE=          flow-table size per worker for the conn mix (empty: the
#                        default table, 131,072; e.g. 1048576)
#   OUT=DIR              where logs, results.csv and latency histograms go
#                        (default: a new directory under /tmp, kept)
#   PRIO="nice -n -5"    optional command prefix for DUT and generator
#   TIMEOUT_MS=5000      a frame not back by then is lost (a shared machine
#                        can stall a process for over a second)
#   GEN_QUEUES=1         generator lcores, one memif queue pair each; with more
#                        than 1 smtpwall runs queue-per-worker (--dispatch
#                        queue) with as many workers (WORKERS must equal it)
#                        and testpmd with as many forwarding cores
#
# Output: the tables on stdout, OUT/results.csv (one row per run),
# OUT/memory.csv and OUT/lat.*.csv (latency histograms), which
# tests/bench/plot.py turns into the PNGs of docs/benchmarks.md.
#
# Lcores: the generator polls on CPU 0; each DUT has its main lcore on CPU 0
# (asleep) and its forwarding lcore(s) from the last CPU down. On a 2-core
# machine generator and DUT each get one core.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SW=${1:-$ROOT/build/app/smtpwall/smtpwall}
GEN=${2:-$ROOT/build/app/smtpwall-gen/smtpwall-gen}
SECS=${3:-6}
REPEAT=${REPEAT:-3}
WORKERS=${WORKERS:-1}
MIXES=${MIXES-udp64 smtp data conn}
DUTS=${DUTS:-testpmd bridge inspect}
LAT_MIXES=${LAT_MIXES-udp64 smtp}
LAT_FRACTION=${LAT_FRACTION:-0.5}
IDLE_CONNS=${IDLE_CONNS:-1000000}
CONN_TABLE=${CONN_TABLE:-}
DEFAULT_TABLE=131072 # lib/config's CONFIG_FLOWS_PER_WORKER
PRIO=${PRIO:-}
TIMEOUT_MS=${TIMEOUT_MS:-5000}
GEN_QUEUES=${GEN_QUEUES:-1}
ID="bw$$"
WORK=${OUT:-$(mktemp -d "/tmp/smtpwall-bench.XXXXXX")}
mkdir -p "$WORK"
CSV="$WORK/results.csv"
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
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for x in "$SW" "$GEN"; do
	[ -x "$x" ] || { echo "not found: $x" >&2; exit 2; }
done
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd not installed" >&2; exit 2; }

GEN_LCORES="0@0"
if [ "$GEN_QUEUES" -gt 1 ]; then
	# Each generator lcore on its own CPU from 0 up (floating when they do
	# not fit beside the DUT's workers).
	if [ $((2 * GEN_QUEUES + 1)) -le "$NCPU" ]; then
		GEN_LCORES=$(seq 0 $((GEN_QUEUES - 1)) | awk '{ printf "%s%d@%d", NR > 1 ? "," : "", $1, $1 }')
	else
		GEN_LCORES="(0-$((GEN_QUEUES - 1)))@(0-$LAST)"
	fi
fi
dut_lcores() { # WORKERS -> the DUT's --lcores
	if [ "$GEN_QUEUES" -gt 1 ]; then
		# Queue-per-worker: main beside the generator, each worker on its
		# own CPU from the last down (floating when they do not fit).
		if [ $((2 * $1 + 1)) -le "$NCPU" ]; then
			echo "0@$GEN_QUEUES,$(seq 1 "$1" | awk -v l="$LAST" '{ printf "%s%d@%d", NR > 1 ? "," : "", $1, l - $1 + 1 }')"
		else
			echo "0@0,(1-$1)@(0-$LAST)"
		fi
	elif [ "$1" -gt 1 ]; then
		# One lcore per worker (plus the dispatcher: memif has no RSS) from
		# CPU 1 up, main on 0. Needs WORKERS + 2 CPUs to mean anything.
		echo "0@0,(1-$(($1 + 1)))@(1-$LAST)"
	else
		echo "0@0,1@$LAST"
	fi
}

memif() { # ROLE NAME -> the two --vdev arguments
	echo "--vdev net_memif0,role=$1,socket=/run/$ID.$2.0.sock,rsize=11"
	echo "--vdev net_memif1,role=$1,socket=/run/$ID.$2.1.sock,rsize=11"
}

# start_dut KIND NAME WORKERS [smtpwall args]: KIND testpmd | smtpwall
start_dut() {
	local kind=$1 name=$2 nw=$3 nc
	shift 3
	rm -f "$WORK/dut.$name.log"
	if [ "$kind" = testpmd ]; then
		# testpmd io: one forwarding core per port stream (memif: one queue).
		nc=1 nq=1
		[ "$nw" -gt 1 ] && nc=2
		# Queue-per-worker: as many forwarding cores and queues as workers.
		[ "$GEN_QUEUES" -gt 1 ] && nc=$nw nq=$nw
		# shellcheck disable=SC2046,SC2086
		$PRIO dpdk-testpmd --no-huge -m 1024 --no-pci --file-prefix "$ID$name" \
			--lcores "$(dut_lcores "$nc")" $(memif server "$name") -- --forward-mode=io \
			--auto-start --nb-cores="$nc" --rxq="$nq" --txq="$nq" \
			--total-num-mbufs=$((32768 * nq)) --rxd=2048 --txd=2048 \
			>"$WORK/dut.$name.log" 2>&1 < <(sleep 100000) &
	else
		# shellcheck disable=SC2046,SC2086
		local disp=()
		[ "$GEN_QUEUES" -gt 1 ] && disp=(--dispatch queue)
		$PRIO "$SW" --no-huge -m "${DUT_MEM:-1024}" --no-pci --file-prefix "$ID$name" \
			--lcores "$(dut_lcores "$nw")" $(memif server "$name") \
			-- -p net_memif0/net_memif1 -w "$nw" --idle-sleep 0 "${disp[@]}" "$@" \
			>"$WORK/dut.$name.log" 2>&1 &
	fi
	DUT_PID=$!
	wait_sockets "$name"
}

# wait_sockets NAME: the DUT has started its ports and listens on both memif
# sockets (a memif client does not retry a connection refused at start-up).
wait_sockets() {
	for _ in $(seq 1200); do
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
	for _ in $(seq 300); do kill -0 "$DUT_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$DUT_PID" 2>/dev/null
	wait "$DUT_PID" 2>/dev/null
	DUT_PID=""
}

# gen NAME ARGS...: one generator run against the DUT NAME; log in gen.NAME.log
gen() {
	local name=$1
	shift
	# shellcheck disable=SC2046,SC2086
	timeout $((SECS * 4 + ${GEN_EXTRA_S:-120})) $PRIO "$GEN" --no-huge -m 512 --no-pci \
		--file-prefix "${ID}g$name" --lcores "$GEN_LCORES" $(memif client "$name") \
		-- -p net_memif0/net_memif1 -q --tag "$name" --timeout "$TIMEOUT_MS" "$@" \
		>"$WORK/gen.$name.log" 2>&1
}

field() { # FILE KEY: from the generator's RESULT line
	sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | tail -1
}
counter() { # FILE NAME: smtpwall's final counter
	awk -v n="$2" '$1 == n { print $2; exit }' "$1"
}
check_of() { # GEN-LOG -> ok | FAIL
	if grep -q "^RESULT" "$1" && ! grep -q "check FAIL" "$1"; then echo ok; else echo FAIL; fi
}

mix_args() { # MIX -> the generator options of that mix, in args
	case $1 in
	udp64) args=(--mix none --udp 1024) ;;
	smtp) args=(--mix "short=90,verb=3,starttls=3,rcpt101=2,longhdr=2" -C 256) ;;
	clean) args=(--mix "short=94,verb=3,starttls=3" -C 256) ;;
	data) args=(--mix data=100 --data-body fixed:1048576 -C 64 --window 16) ;;
	conn) args=(--mix conn=100 -C 1024) ;;
	*) echo "unknown mix $1" >&2; exit 2 ;;
	esac
}

# dut_args DUT NAME MIX -> the smtpwall options in dargs (none for testpmd)
dut_args() {
	case $1 in
	testpmd) dargs=() ;;
	bridge) dargs=(--no-inspect) ;;
	inspect) dargs=(-c "$ROOT/config/default.yaml" --audit "$WORK/audit.$2.log") ;;
	esac
	if [ "$3" = conn ] && [ "$1" != testpmd ] && [ -n "$CONN_TABLE" ]; then
		# Another table size (default policy).
		printf 'flows:\n  max-per-worker: %d\n' "$CONN_TABLE" >"$WORK/flows.conn.yaml"
		if [ "$1" = bridge ]; then
			dargs=(--no-inspect -c "$WORK/flows.conn.yaml")
		else
			dargs=(-c "$WORK/flows.conn.yaml" --audit "$WORK/audit.$2.log")
		fi
	fi
}

# CSV: one row per run.
CSV_HEAD="workers,rep,kind,mix,dut,mpps,gbps,cycles_per_pkt,sess_per_s,cycles_per_sess,lat_p50_us,lat_p99_us,lat_p999_us,lat_n,offered,check,preempted_bursts,refused,reclaimed,dut_busy_pct,gen_busy_pct,gen_lcores"
[ -s "$CSV" ] || echo "$CSV_HEAD" >"$CSV"

# run_one KIND MIX DUT W REP [generator args]: one DUT start, one generator
# run, one CSV row.
run_one() {
	local kind=$1 mix=$2 dut=$3 w=$4 rep=$5 name g d cpp cps sps off pre plain ref rec dbusy gbusy
	shift 5
	name="$kind-$mix-$dut-w$w-r$rep"
	dut_args "$dut" "$name" "$mix"
	DUT_MEM=1024
	# The tables (about 0.7 KB an entry) on top of what a DUT needs anyway.
	[ "$mix" = conn ] && DUT_MEM=$((${CONN_TABLE:-$DEFAULT_TABLE} * w / 1024 + 1024))
	if [ "$dut" = testpmd ]; then
		start_dut testpmd "$name" "$w" || return 1
	else
		start_dut smtpwall "$name" "$w" "${dargs[@]}" || return 1
	fi
	plain=()
	[ "$dut" != inspect ] && plain=(--plain)
	gen "$name" -d "$SECS" --warmup 1 --check "${plain[@]}" \
		--lat-out "$WORK/lat.$name.csv" "$@"
	stop_dut
	g="$WORK/gen.$name.log" d="$WORK/dut.$name.log"
	cpp="" cps="" pre="" ref="" rec="" dbusy=""
	# Who was the bottleneck: the busiest generator lcore's share of its
	# cycles on polls that moved frames, and the busiest worker's.
	gbusy=$(awk -v b="$(field "$g" gen_busy)" 'BEGIN { if (b != "") printf "%.1f", b * 100 }')
	if [ "$dut" != testpmd ]; then
		dbusy=$(sed -n 's/.*busy share of its lcore: //p' "$d" | tail -1 |
			grep -o 'worker [0-9]* [0-9.]* %' | awk '$3 > m { m = $3 } END { if (NR) print m }')
		pre=$(counter "$d" busy_preempted)
		# New connections dropped for a full table (none of it closed), and
		# closed connections whose entry a new one took.
		ref=$(counter "$d" flow_full) rec=$(counter "$d" flow_reclaimed)
		ref=${ref:-0} rec=${rec:-0}
		cpp=$(awk '$1 == "busy_cycles" { c = $2 } $1 == "rx_pkts" && !r { r = $2 }
			END { if (r > 0) printf "%.0f", c / r }' "$d")
		# DUT cycles per completed session (whole run, warm-up included).
		cps=$(awk -v s="$(field "$g" completed)" '$1 == "busy_cycles" { c = $2 }
			END { if (s > 0) printf "%.0f", c / s }' "$d")
	fi
	sps=$(field "$g" done_per_s)
	[ "$mix" = udp64 ] && sps="" cps=""
	off=$(field "$g" offered_rate)
	[ "$mix" = udp64 ] && off=$(field "$g" offered_udp_rate)
	echo "$w,$rep,$kind,$mix,$dut,$(field "$g" rx_mpps),$(field "$g" rx_gbps),$cpp,$sps,$cps,$(field "$g" lat_p50_us),$(field "$g" lat_p99_us),$(field "$g" lat_p999_us),$(field "$g" lat_n),$off,$(check_of "$g"),$pre,$ref,$rec,$dbusy,$gbusy,$GEN_QUEUES" >>"$CSV"
}

# med KIND MIX DUT W COLUMN -> the median of that column over the repetitions
med() {
	awk -F, -v k="$1" -v m="$2" -v d="$3" -v w="$4" -v col="$5" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$3 == k && $4 == m && $5 == d && $1 == w && $(c[col]) != "" { v[n++] = $(c[col]) }
		END {
			if (n == 0) { print "-"; exit }
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
			x = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			print x
		}' "$CSV"
}
# medratio KIND MIX DUT W COLUMN [diff]: median over repetitions of DUT/testpmd
# (or DUT - testpmd with "diff"), each taken within one repetition.
medratio() {
	awk -F, -v k="$1" -v m="$2" -v d="$3" -v w="$4" -v col="$5" -v op="${6:-ratio}" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$3 == k && $4 == m && $1 == w && $(c[col]) != "" {
			if ($5 == "testpmd") b[$2] = $(c[col]); else if ($5 == d) a[$2] = $(c[col]) }
		END {
			for (r in a) if (r in b && (op == "diff" || b[r] > 0)) v[n++] = op == "diff" ? a[r] - b[r] : a[r] / b[r]
			if (n == 0) { print "-"; exit }
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			x = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			printf(op == "diff" ? "%+.1f" : "%.2f", x)
		}' "$CSV"
}
maxcol() { # KIND MIX DUT W COLUMN -> the largest value over the repetitions, or -
	awk -F, -v k="$1" -v m="$2" -v d="$3" -v w="$4" -v col="$5" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$3 == k && $4 == m && $5 == d && $1 == w && $(c[col]) != "" { if (n++ == 0 || $(c[col]) + 0 > x) x = $(c[col]) + 0 }
		END { print n ? x : "-" }' "$CSV"
}
checks() { # KIND MIX DUT W -> ok, or FAIL when any repetition failed
	awk -F, -v k="$1" -v m="$2" -v d="$3" -v w="$4" '$3 == k && $4 == m && $5 == d && $1 == w && $16 != "ok" { f = 1 }
		END { print f ? "FAIL" : "ok" }' "$CSV"
}

echo "smtpwall wire benchmark: $(date -u +%F) on $NCPU x$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "each run ${SECS}s (1s warm-up excluded), $REPEAT repetitions (medians), generator closed loop over memif"
echo "results: $CSV"

for W in $WORKERS; do
	# Throughput: every mix against every DUT, back to back, REPEAT times.
	for rep in $(seq "$REPEAT"); do
		for mix in $MIXES; do
			mix_args "$mix"
			for dut in $DUTS; do
				run_one tput "$mix" "$dut" "$W" "$rep" "${args[@]}"
			done
		done
	done
	echo
	echo "Throughput, $W smtpwall worker(s) (closed loop; medians of $REPEAT):"
	echo
	printf "| %-5s | %-8s | %7s | %6s | %10s | %11s | %8s | %12s | %7s | %9s | %8s | %8s | %5s |\n" mix DUT \
		Mpps Gbps "cycles/pkt" "vs testpmd" "sess/s" "cycles/sess" refused reclaimed \
		"DUT busy" "gen busy" check
	echo "|-------|----------|--------:|-------:|-----------:|------------:|---------:|-------------:|--------:|----------:|---------:|---------:|-------|"
	for mix in $MIXES; do
		for dut in $DUTS; do
			printf "| %-5s | %-8s | %7s | %6s | %10s | %11s | %8s | %12s | %7s | %9s | %8s | %8s | %5s |\n" \
				"$mix" "$dut" \
				"$(med tput "$mix" "$dut" "$W" mpps)" "$(med tput "$mix" "$dut" "$W" gbps)" \
				"$(med tput "$mix" "$dut" "$W" cycles_per_pkt)" \
				"$(medratio tput "$mix" "$dut" "$W" mpps)" \
				"$(med tput "$mix" "$dut" "$W" sess_per_s)" \
				"$(med tput "$mix" "$dut" "$W" cycles_per_sess)" \
				"$(maxcol tput "$mix" "$dut" "$W" refused)" \
				"$(maxcol tput "$mix" "$dut" "$W" reclaimed)" \
				"$(med tput "$mix" "$dut" "$W" dut_busy_pct)" \
				"$(med tput "$mix" "$dut" "$W" gen_busy_pct)" "$(checks tput "$mix" "$dut" "$W")"
		done
	done
	[ -z "$MIXES" ] || echo "(refused, reclaimed: the most over the repetitions; conn table: ${CONN_TABLE:-$DEFAULT_TABLE (default)} per worker; DUT busy, gen busy: % of the busiest worker's / generator lcore's cycles spent on polls that moved frames, over the whole run with start and drain: near 100 is the bottleneck)"

	# Latency at LAT_FRACTION of the slowest DUT's maximum, open loop.
	[ -n "$LAT_MIXES" ] || continue
	for mix in $LAT_MIXES; do
		maxr=""
		for dut in $DUTS; do
			if [ "$mix" = udp64 ]; then
				r=$(med tput "$mix" "$dut" "$W" mpps)
				r=$(awk -v x="$r" 'BEGIN { if (x != "-") printf "%.0f", x * 1e6 }')
			else
				r=$(med tput "$mix" "$dut" "$W" sess_per_s)
			fi
			[ -z "$r" ] || [ "$r" = - ] && continue
			if [ -z "$maxr" ] || [ "$(awk -v a="$r" -v b="$maxr" 'BEGIN { print (a < b) }')" = 1 ]; then
				maxr=$r
			fi
		done
		if [ -z "$maxr" ]; then
			echo "latency $mix: no throughput measured for it (add it to MIXES)" >&2
			continue
		fi
		rate=$(awk -v m="$maxr" -v f="$LAT_FRACTION" 'BEGIN { printf "%.0f", m * f }')
		mix_args "$mix"
		for rep in $(seq "$REPEAT"); do
			for dut in $DUTS; do
				if [ "$mix" = udp64 ]; then
					run_one lat "$mix" "$dut" "$W" "$rep" --mix none --udp 4096 --udp-rate "$rate"
				else
					run_one lat "$mix" "$dut" "$W" "$rep" "${args[@]}" -C 4096 --rate "$rate"
				fi
			done
		done
		echo
		echo "Latency, $mix at $LAT_FRACTION x the slowest DUT's maximum ($rate $([ "$mix" = udp64 ] && echo frames || echo sessions)/s offered, open loop), $W worker(s):"
		echo
		printf "| %-8s | %7s | %8s | %8s | %8s | %-26s | %5s |\n" DUT Mpps "p50 us" "p99 us" \
			"p99.9 us" "added p50 / p99 / p99.9 us" check
		echo "|----------|--------:|---------:|---------:|---------:|----------------------------|-------|"
		for dut in $DUTS; do
			added="-"
			[ "$dut" != testpmd ] && added="$(medratio lat "$mix" "$dut" "$W" lat_p50_us diff) / $(medratio lat "$mix" "$dut" "$W" lat_p99_us diff) / $(medratio lat "$mix" "$dut" "$W" lat_p999_us diff)"
			printf "| %-8s | %7s | %8s | %8s | %8s | %-26s | %5s |\n" "$dut" \
				"$(med lat "$mix" "$dut" "$W" mpps)" "$(med lat "$mix" "$dut" "$W" lat_p50_us)" \
				"$(med lat "$mix" "$dut" "$W" lat_p99_us)" "$(med lat "$mix" "$dut" "$W" lat_p999_us)" \
				"$added" "$(checks lat "$mix" "$dut" "$W")"
		done
	done
done

# Memory per connection (first worker count): RSS of smtpwall holding
# IDLE_CONNS established, idle connections in a table sized for exactly that
# many, minus RSS of the same smtpwall with a 1,024-entry table and no
# connection. Tables are preallocated and zeroed at start-up (touched), so the
# filled table costs about what the empty one does; the difference is the
# cost of provisioning a connection, entry + per-flow state + bucket share.
if [ "$IDLE_CONNS" -gt 0 ]; then
	W=${WORKERS%% *}
	echo
	echo "Memory per connection (inspecting smtpwall, default policy, 1 worker):"
	printf 'flows:\n  max-per-worker: %d\n' "$IDLE_CONNS" >"$WORK/flows.idle.yaml"
	printf 'flows:\n  max-per-worker: 1024\n' >"$WORK/flows.base.yaml"
	DUT_MEM=1024
	start_dut smtpwall mem-base 1 -c "$WORK/flows.base.yaml" --audit "$WORK/audit.mem-base.log" || exit 1
	sleep 1
	rss_base=$(awk '/^VmRSS/ { print $2 }' "/proc/$DUT_PID/status")
	stop_dut
	DUT_MEM=$((IDLE_CONNS / 1024 + 1024))
	start_dut smtpwall mem-idle 1 -c "$WORK/flows.idle.yaml" --audit "$WORK/audit.mem-idle.log" || exit 1
	sleep 1
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$DUT_PID/status")
	t0=$(date +%s.%N)
	GEN_EXTRA_S=$((IDLE_CONNS / 5000 + 120)) gen mem-idle -n "$IDLE_CONNS" --check --mix idle=100 -C 1024
	t1=$(date +%s.%N)
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$DUT_PID/status")
	stop_dut
	live=$(awk '$1 == "flows:" { print $2; exit }' "$WORK/dut.mem-idle.log")
	done_n=$(field "$WORK/gen.mem-idle.log" completed)
	awk -v n="$IDLE_CONNS" -v z="$rss_base" -v a="$rss0" -v b="$rss1" -v live="${live:-?}" \
		-v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" -v ok="$(check_of "$WORK/gen.mem-idle.log")" \
		-v csv="$WORK/memory.csv" 'BEGIN {
		per = (b - z) * 1024 / n
		printf "  %d idle connections opened in %.1f s (%.0f/s; %s live in the DUT at exit) [%s]\n", n, t, n / t, live, ok
		printf "  RSS: %.0f MiB with a 1,024-entry table; %.0f MiB table for %d, empty; %.0f MiB filled\n", z / 1024, a / 1024, n, b / 1024
		printf "  memory per connection: %.0f bytes ((filled - 1,024-entry table) / connections); %.0f bytes of it touched by the fill\n", per, (b - a) * 1024 / n
		printf "  -> 10M connections: about %.2f GB (%.2f GiB) at that rate\n", per * 1e7 / 1e9, per * 1e7 / 2^30
		print "connections,rss_small_table_kb,rss_table_empty_kb,rss_filled_kb,bytes_per_conn,conns_per_s,check" > csv
		printf "%d,%d,%d,%d,%.0f,%.0f,%s\n", n, z, a, b, per, n / t, ok >> csv }'
	[ "$done_n" = "$IDLE_CONNS" ] || echo "  (not every handshake completed: $done_n of $IDLE_CONNS; see $WORK/gen.mem-idle.log)"
fi
echo
echo "Latency: generator TSC when the frame is handed to its TX queue -> TSC when it is"
echo "read back through the DUT (both memif hops and the generator's own loop included);"
echo "UDP frames carry the TSC in their payload; an SMTP step's send TSC is kept in its"
echo "session (the payload must stay the SMTP bytes). 'added' = the DUT's percentile"
echo "minus testpmd's, same offered load, same repetition (median over repetitions)."
echo "logs, results.csv, memory.csv, lat.*.csv: $WORK"
exit 0
