#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# CI smoke run of smtpwall-gen against smtpwall over a memif wire (two
# DPDK processes, no hugepages, no root needed for memif itself):
#   1. default policy: a few thousand closed-loop sessions, counts checked
#      (all normal sessions complete, banners masked == SMTP sessions,
#      STARTTLS and unknown verbs masked, violating sessions cut == expected,
#      no frame lost or altered otherwise), and smtpwall's own counters agree;
#   2. --no-inspect: every frame comes back unchanged;
#   3. --pcap: the same sessions written to a capture, read by the offline mode;
#   4. queue-per-worker (issue 15): smtpwall with 2 workers and no dispatcher
#      (--dispatch queue), the generator on 2 lcores, each lcore's sessions
#      on its own queue (symmetric RSS hash): counts checked, both lcores and
#      both workers at work, no frame on the wrong queue;
#   5. a policy that resets instead of dropping: every cut confirmed by
#      smtpwall's RSTs (issue 16.1: the cut known from what comes back).
#
#   tests/e2e/test_gen_smoke.sh SMTPWALL SMTPWALL-GEN [SESSIONS]
# Prints "N passed, M failed"; exit 0/1, 77 when a requirement is missing.
# Every process and file is removed on every exit path.
set -u
SW=${1:-}
GEN=${2:-}
SESSIONS=${3:-3000}
ID="gs$$"
WORK=$(mktemp -d "/tmp/smtpwall-gen-smoke.XXXXXX")
DUT_PID=""
DUT_ST=0
GEN_PID=""
PASS=0
FAIL=0

cleanup() {
	rc=$?
	for p in $GEN_PID $DUT_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $GEN_PID $DUT_PID; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$WORK" /var/run/dpdk/"$ID"* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/"$ID"* 2>/dev/null
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() {
	echo "SKIP: $*"
	exit 77
}
[ -x "$SW" ] || skip "smtpwall executable '$SW' not found"
[ -x "$GEN" ] || skip "smtpwall-gen executable '$GEN' not found"
ls /usr/lib/*/dpdk/pmds-*/librte_net_memif.so* /usr/local/lib/*/dpdk/pmds-*/librte_net_memif.so* \
	>/dev/null 2>&1 || ldconfig -p 2>/dev/null | grep -q librte_net_memif ||
	skip "DPDK memif PMD (librte_net_memif) not installed"

NCPU=$(nproc)
LAST=$((NCPU - 1))
# smtpwall: main lcore + one worker; the generator: one lcore. On a small
# machine they share cores: the DUT's idle lcores sleep (default.yaml).
DUT_LCORES="(0-1)@(0-$LAST)"
GEN_LCORES="0@(0-$LAST)"

ok() {
	echo "ok:   $*"
	PASS=$((PASS + 1))
}
ko() {
	echo "FAIL: $*"
	FAIL=$((FAIL + 1))
}

# start_dut NAME ARGS...: smtpwall on two memif servers (unique sockets).
start_dut() {
	name=$1
	shift
	"$SW" --no-huge -m 768 --no-pci --file-prefix "${ID}d$name" --lcores "$DUT_LCORES" \
		--vdev "net_memif0,role=server,socket=/run/$ID.$name.0.sock" \
		--vdev "net_memif1,role=server,socket=/run/$ID.$name.1.sock" \
		-- -p net_memif0/net_memif1 -w "${DUT_WORKERS:-1}" "$@" >"$WORK/dut.$name.log" 2>&1 &
	DUT_PID=$!
	# A memif client does not retry a refused connection: wait for the
	# sockets and for smtpwall's "forwarding" line (ports started).
	for _ in $(seq 300); do
		[ "$(grep -c "@/run/$ID.$name.[01].sock" /proc/net/unix)" -ge 2 ] &&
			grep -q "forwarding; Ctrl-C" "$WORK/dut.$name.log" && return 0
		kill -0 "$DUT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "smtpwall did not come up:"
	tail -5 "$WORK/dut.$name.log"
}

# stop_dut: SIGTERM, wait; fails when it does not exit 0. run_gen may have
# stopped it already (DUT_ST).
stop_dut() {
	if [ -n "$DUT_PID" ]; then
		kill -TERM "$DUT_PID" 2>/dev/null
		wait "$DUT_PID"
		DUT_ST=$?
		DUT_PID=""
	fi
	return "$DUT_ST"
}

# run_gen NAME ARGS...: the generator as a memif client of the DUT NAME.
# DPDK 22.11's memif server unmaps its rings when the client leaves, under
# the server's polling lcore (a fault, now and then): the generator holds
# its ports after its RESULT line (--hold) until the DUT has stopped.
run_gen() {
	name=$1
	shift
	timeout 120 "$GEN" --no-huge -m 512 --no-pci --file-prefix "${ID}g$name" \
		--lcores "$GEN_LCORES" \
		--vdev "net_memif0,role=client,socket=/run/$ID.$name.0.sock" \
		--vdev "net_memif1,role=client,socket=/run/$ID.$name.1.sock" \
		-- -p net_memif0/net_memif1 -q --hold "$@" >"$WORK/gen.$name.log" 2>&1 &
	GEN_PID=$!
	while kill -0 "$GEN_PID" 2>/dev/null && ! grep -q "^RESULT" "$WORK/gen.$name.log"; do
		sleep 0.1
	done
	stop_dut
	kill -TERM "$GEN_PID" 2>/dev/null
	wait "$GEN_PID"
	st=$?
	GEN_PID=""
	return $st
}

# counter FILE NAME: first number after NAME at the start of a line.
counter() {
	awk -v n="$2" '$1 == n { print $2; exit }' "$1"
}
event() {
	awk -v n="$2" '$1 == "event" && $2 == n { print $3; exit }' "$1"
}
result() { # FILE KEY: a field of the RESULT line
	sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1"
}

# 1. Default policy, counts checked by the generator (--check) and by the DUT.
start_dut def -c "$(dirname "$0")/../../config/default.yaml" --audit "$WORK/audit.log"
if run_gen def -n "$SESSIONS" -C 64 --check --mix short=85,verb=4,starttls=4,rcpt101=3,longhdr=2,conn=2; then
	ok "default policy: generator --check ($SESSIONS sessions)"
else
	ko "default policy: generator --check"
	grep -E "check FAIL|RESULT|smtpwall-gen:" "$WORK/gen.def.log" | head -20
fi
grep "^check " "$WORK/gen.def.log" | sed 's/^/      /'
if stop_dut; then ok "smtpwall exited 0 on SIGTERM"; else ko "smtpwall exit status"; fi
started=$(result "$WORK/gen.def.log" started)
cut=$(result "$WORK/gen.def.log" cut)
banners=$(result "$WORK/gen.def.log" banner_masked)
dut_flows=$(counter "$WORK/dut.def.log" flow_new)
dut_cut=$(counter "$WORK/dut.def.log" insp_conn_dropped)
dut_banner=$(event "$WORK/dut.def.log" mask-banner)
[ -n "$started" ] && [ "${dut_flows:-x}" = "$started" ] &&
	ok "smtpwall flow_new == sessions ($started)" ||
	ko "smtpwall flow_new ${dut_flows:-?} != sessions ${started:-?}"
[ -n "$cut" ] && [ "${dut_cut:-x}" = "$cut" ] &&
	ok "smtpwall insp_conn_dropped == sessions cut ($cut)" ||
	ko "smtpwall insp_conn_dropped ${dut_cut:-?} != cut ${cut:-?}"
[ -n "$banners" ] && [ "${dut_banner:-x}" = "$banners" ] &&
	ok "smtpwall mask-banner events == banners seen masked ($banners)" ||
	ko "smtpwall mask-banner ${dut_banner:-?} != banners masked ${banners:-?}"

# 2. Plain bridge: everything back unchanged (--plain), nothing cut.
start_dut plain --no-inspect
if run_gen plain -n 1000 -C 64 --plain --check --udp 16; then
	ok "--no-inspect: every frame back unchanged (1000 sessions + UDP)"
else
	ko "--no-inspect: generator --check"
	grep -E "check FAIL|RESULT" "$WORK/gen.plain.log" | head -20
fi
if stop_dut; then ok "smtpwall --no-inspect exited 0"; else ko "smtpwall --no-inspect exit status"; fi

# 3. The capture mode, replayed through the offline mode.
if "$GEN" -- --pcap "$WORK/s.pcap" -n 200 -C 16 --check >"$WORK/pcap.log" 2>&1; then
	ok "--pcap: 200 sessions written"
else
	ko "--pcap"
	cat "$WORK/pcap.log"
fi
"$SW" --no-pci --file-prefix "${ID}o" -- -c "$(dirname "$0")/../../config/default.yaml" \
	--audit "$WORK/audit.log" -r "$WORK/s.pcap" -o "$WORK/o.pcap" >"$WORK/off.log" 2>&1
off_banner=$(event "$WORK/off.log" mask-banner)
[ "${off_banner:-x}" = 200 ] && ok "offline mode masked 200 banners of the capture" ||
	ko "offline mode: mask-banner ${off_banner:-?} != 200"

# 4. Queue-per-worker: 2 workers, 2 generator lcores, one queue pair each.
DUT_LCORES="(0-2)@(0-$LAST)" GEN_LCORES="(0-1)@(0-$LAST)" DUT_WORKERS=2
start_dut mq -c "$(dirname "$0")/../../config/default.yaml" --audit "$WORK/audit.mq.log" \
	--dispatch queue
if run_gen mq -n 2000 -C 64 --check --mix short=85,verb=4,starttls=4,rcpt101=3,longhdr=2,conn=2; then
	ok "queue-per-worker: generator --check (2000 sessions, 2 lcores)"
else
	ko "queue-per-worker: generator --check"
	grep -E "check FAIL|RESULT|smtpwall-gen:" "$WORK/gen.mq.log" | head -20
fi
if stop_dut; then ok "smtpwall (2 workers, queue) exited 0"; else ko "smtpwall (queue) exit status"; fi
grep -q "2 worker(s), queue-per-worker dispatch" "$WORK/dut.mq.log" &&
	ok "smtpwall ran 2 workers with no dispatcher" || ko "not queue-per-worker: $(grep 'worker(s)' "$WORK/dut.mq.log")"
started=$(result "$WORK/gen.mq.log" started)
dut_flows=$(counter "$WORK/dut.mq.log" flow_new)
wrongq=$(counter "$WORK/dut.mq.log" wrong_queue)
[ -n "$started" ] && [ "${dut_flows:-x}" = "$started" ] &&
	ok "smtpwall flow_new == sessions ($started)" ||
	ko "smtpwall flow_new ${dut_flows:-?} != sessions ${started:-?}"
[ "${wrongq:-0}" = 0 ] && ok "no frame on the wrong queue (wrong_queue 0)" ||
	ko "wrong_queue $wrongq"
lc=$(grep -c "^smtpwall-gen: lcore [01] (queue [01]): [1-9][0-9]* sessions" "$WORK/gen.mq.log")
[ "$lc" = 2 ] && ok "both generator lcores ran sessions" ||
	ko "generator lcores with sessions: $lc of 2"
busy=$(grep "busy share of its lcore" "$WORK/dut.mq.log")
echo "$busy" | grep -q "worker 0 [0-9.]* %.*worker 1 [0-9.]* %" && ! echo "$busy" | grep -q "worker [01] 0.0 %" &&
	ok "both workers at work ($busy)" || ko "workers: $busy"

# 5. A policy that resets instead of dropping: smtpwall sends an RST each way
# for each violation, and the generator confirms every cut from them (one
# lcore; a long --cut-wait, since a cut session no longer holds a loop place
# and an RST delayed past the wait on a loaded machine would find its slot
# freed).
DUT_LCORES="(0-1)@(0-$LAST)" GEN_LCORES="0@(0-$LAST)" DUT_WORKERS=1
start_dut rst -c "$(dirname "$0")/../../config/default.yaml" \
	-c "$(dirname "$0")/policy-reset-cut.yaml" --audit "$WORK/audit.rst.log"
if run_gen rst -n 1000 -C 64 --check --cut-wait 5000 \
	--mix short=80,verb=4,starttls=4,rcpt101=6,longhdr=6; then
	ok "reset policy: generator --check (1000 sessions)"
else
	ko "reset policy: generator --check"
	grep -E "check FAIL|RESULT" "$WORK/gen.rst.log" | head -20
fi
if stop_dut; then ok "smtpwall (reset policy) exited 0"; else ko "smtpwall (reset policy) exit status"; fi
cut=$(result "$WORK/gen.rst.log" cut)
cut_rst=$(counter "$WORK/gen.rst.log" cut_rst)
[ "${cut:-0}" -gt 0 ] && [ "${cut_rst:-x}" = "$cut" ] &&
	ok "every cut confirmed by smtpwall's RSTs ($cut_rst of $cut)" ||
	ko "cuts confirmed by RST: ${cut_rst:-?} of ${cut:-?}"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
