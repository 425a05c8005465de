#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The command line fails loudly, never silently becomes something else
# (docs/operations.md): a named port that cannot exist is one error line
# (live and --check), never the default TAP wire; the worker count sizes
# the lcores (no EAL arguments needed); wire.workers past the schema is one
# file:line:column line naming the key; --help is smtpwall's, --version
# exists; -o equal to -r is refused with the input untouched. Live runs use
# net_null ports and a prefix of their own (no root namespace needed).
#   test_cli.sh SMTPWALL VERSION
set -u
SW=$1
VERSION=$2
ID="swcli$$"
WORK=$(mktemp -d /tmp/smtpwall-cli.XXXXXX)
SW_PID=""
NULLS=(--no-pci --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1)
cleanup() {
	[ -n "$SW_PID" ] && kill -KILL "$SW_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0 passes=0

ok() {
	echo "ok:   $*"
	passes=$((passes + 1))
}
ko() {
	echo "FAIL: $*"
	sed 's/^/      | /' "$WORK/out" | tail -8
	fails=$((fails + 1))
}

# run ARGS...: smtpwall's stdout and stderr into $WORK/out, exit status in $rc.
run() {
	"$SW" "$@" >"$WORK/out" 2>&1 </dev/null
	rc=$?
}
# count PATTERN: lines of the last run matching PATTERN (grep -E).
count() {
	grep -cE -- "$1" "$WORK/out"
}
# fails_with_line PATTERN: exit status not 0, exactly one line matching.
fails_with_line() {
	[ "$rc" -ne 0 ] && [ "$(count "$1")" -eq 1 ]
}

# live NAME ARGS...: starts smtpwall, waits for "forwarding", stops it with
# SIGTERM; ok when it forwarded and exited 0. The log stays in $WORK/out.
live() {
	name=$1
	shift
	"$SW" "$@" >"$WORK/out" 2>&1 </dev/null &
	SW_PID=$!
	for _ in $(seq 150); do
		grep -q "forwarding" "$WORK/out" && break
		kill -0 "$SW_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$SW_PID" 2>/dev/null
	wait "$SW_PID"
	rc=$?
	SW_PID=""
	if [ "$rc" -eq 0 ] && grep -q "forwarding" "$WORK/out" && grep -q "final counters" "$WORK/out"; then
		return 0
	fi
	ko "$name: did not start, forward and stop with 0 (exit $rc)"
	return 1
}

# --help: smtpwall's own options, short, naming the program; before or after --.
for args in "--help" "-h" "-- --help"; do
	# shellcheck disable=SC2086
	run $args
	n=$(wc -l <"$WORK/out")
	if [ "$rc" -eq 0 ] && head -1 "$WORK/out" | grep -q '^Usage: smtpwall \[EAL options\] -- \[options\]' &&
		[ "$n" -le 40 ] && [ "$(count -- '--eal-help')" -ge 1 ] && [ "$(count 'EAL common options')" -eq 0 ]; then
		ok "smtpwall $args: smtpwall's usage ($n lines)"
	else
		ko "smtpwall $args: exit $rc, $n lines, not smtpwall's usage"
	fi
done
run --eal-help
if [ "$rc" -eq 0 ] && [ "$(count 'EAL common options')" -eq 1 ] && [ "$(count 'smtpwall --help')" -ge 1 ]; then
	ok "smtpwall --eal-help: EAL's options, and where smtpwall's are"
else
	ko "smtpwall --eal-help: exit $rc"
fi

# --version: smtpwall's (meson's project version) and DPDK's.
for args in "--version" "-- --version"; do
	# shellcheck disable=SC2086
	run $args
	if [ "$rc" -eq 0 ] && [ "$(wc -l <"$WORK/out")" -eq 1 ] &&
		grep -qE "^smtpwall $VERSION \(DPDK [0-9]+\.[0-9]+" "$WORK/out"; then
		ok "smtpwall $args: $(cat "$WORK/out")"
	else
		ko "smtpwall $args: exit $rc"
	fi
done

# A named PCI port that is not on this machine (the issue's command when
# 0000:3b:00.0 is absent here): one line naming it, live and with --check;
# never the default TAP wire.
A=0000:3b:00.0 B=0000:3b:00.1
if [ -e /sys/bus/pci/devices/$A ] || [ -e /sys/bus/pci/devices/$B ]; then
	A=ffff:ff:1f.6 B=ffff:ff:1f.7
fi
run -a $A -a $B --file-prefix "$ID" -- -p $A/$B
line=$(grep -E "port '$A' does not exist" "$WORK/out")
if fails_with_line "$A" && [ -n "$line" ] && [ "$(count 'default wire')" -eq 0 ]; then
	ok "-p $A/$B, absent: $line"
else
	ko "-p $A/$B, absent: exit $rc, not one line naming $A (or the default wire)"
fi
run -a $A -a $B -- -p $A/$B --check
if fails_with_line "$A" && [ "$(grep "$A" "$WORK/out")" = "$line" ]; then
	ok "--check -p $A/$B: the same line"
else
	ko "--check -p $A/$B: exit $rc, not the live run's line '$line'"
fi

# wire.pairs naming TAP ports no --vdev creates: file:line:column.
printf 'wire:\n  pairs:\n    - inside: net_tap0\n      outside: net_tap1\n' >"$WORK/pairs.yaml"
want="$WORK/pairs.yaml:3:15: wire.pairs: port 'net_tap0' does not exist"
for check in "" --check; do
	run --file-prefix "$ID" -- -c "$WORK/pairs.yaml" $check
	if fails_with_line "net_tap0" && [ "$(count "^$want")" -eq 1 ] && [ "$(count 'default wire')" -eq 0 ]; then
		ok "wire.pairs net_tap0 without --vdev ${check:-live}: $want"
	else
		ko "wire.pairs net_tap0 without --vdev ${check:-live}: exit $rc, no '$want'"
	fi
done

# A port id EAL does not have: named after EAL ran, with the ports it has.
run "${NULLS[@]}" --file-prefix "$ID" -- -p 0/5
if fails_with_line "port '5'" && [ "$(count "^smtpwall: -p: port '5' does not exist: EAL has 2 port")" -eq 1 ] &&
	[ "$(count 'default wire')" -eq 0 ]; then
	ok "-p 0/5 with two ports: $(grep "port '5'" "$WORK/out")"
else
	ko "-p 0/5 with two ports: exit $rc"
fi

# Devices named by the EAL arguments, none came up, no pair named: an
# error, not the TAP wire in their place.
run -a $A --file-prefix "$ID"
if [ "$rc" -ne 0 ] && [ "$(count 'default wire')" -eq 0 ] && [ "$(count 'name \(-a, --vdev\)')" -eq 1 ]; then
	ok "-a $A, absent, no -p: refused, no default wire"
else
	ko "-a $A, absent, no -p: exit $rc"
fi

# wire.workers past the schema (the worker arrays hold 64): one line,
# file:line:column, naming the key; --check says the same.
printf 'wire:\n  workers: 66\n' >"$WORK/w66.yaml"
for check in "" --check; do
	run "${NULLS[@]}" --file-prefix "$ID" -- -c "$WORK/w66.yaml" $check
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$WORK/out")" -eq 1 ] &&
		[ "$(count "^$WORK/w66.yaml:2:12: wire.workers: 66 ")" -eq 1 ]; then
		ok "workers: 66 ${check:-live}: $(cat "$WORK/out")"
	else
		ko "workers: 66 ${check:-live}: exit $rc, not one line naming wire.workers at 2:12"
	fi
done

# No smtpwall argument at all: the lcores follow the default worker count
# (one worker on a 2-CPU machine), and it runs.
ncpu=$(nproc)
want_w=$((ncpu > 2 ? ncpu - 2 : 1))
[ "$want_w" -gt 64 ] && want_w=64
if live "no app argument" "${NULLS[@]}" --file-prefix "$ID"; then
	if [ "$(count "$want_w worker\(s\)")" -eq 1 ]; then
		ok "no app argument on $ncpu CPUs: $want_w worker(s), forwarded, exit 0"
	else
		ko "no app argument on $ncpu CPUs: not $want_w worker(s)"
	fi
fi

# wire.workers sizes the lcores when no -l is given (3 workers + the
# dispatcher net_null needs + main).
printf 'wire:\n  workers: 3\n  idle-sleep-us: 1000\n' >"$WORK/w3.yaml"
if live "workers: 3" "${NULLS[@]}" --file-prefix "$ID" -- -c "$WORK/w3.yaml"; then
	if [ "$(count '3 worker\(s\), software dispatch')" -eq 1 ]; then
		ok "workers: 3 from the file, no -l: 3 workers and a dispatcher ran"
	else
		ko "workers: 3 from the file: not 3 workers with software dispatch"
	fi
fi

# -l given and too small: respected, one line naming the setting and what it needs.
run "${NULLS[@]}" --file-prefix "$ID" -l 0-1 -- -w 3
if fails_with_line '^smtpwall: -w: 3 worker\(s\) and a dispatcher need 5 lcores .*-l 0-4'; then
	ok "-l 0-1 -w 3: $(grep -- '-w:' "$WORK/out")"
else
	ko "-l 0-1 -w 3: exit $rc, not one line naming -w and -l 0-4"
fi
run "${NULLS[@]}" --file-prefix "$ID" -l 0-1 -- -c "$WORK/w3.yaml"
if fails_with_line "^$WORK/w3.yaml:2:12: wire.workers: 3 worker\(s\) and a dispatcher need 5 lcores"; then
	ok "-l 0-1, workers: 3 in the file: the line names wire.workers at 2:12"
else
	ko "-l 0-1, workers: 3 in the file: exit $rc"
fi

# -o equal to -r (by name, hard link, symlink): refused, the input intact.
/usr/bin/python3 "$(dirname "$0")/pcap_tool.py" frames "$WORK/in.pcap" 5
ln "$WORK/in.pcap" "$WORK/hard.pcap"
ln -s in.pcap "$WORK/sym.pcap"
sum=$(sha256sum <"$WORK/in.pcap")
for out in "$WORK/in.pcap" "$WORK/hard.pcap" "$WORK/sym.pcap"; do
	run --no-pci --file-prefix "$ID" --lcores 0 -- -r "$WORK/in.pcap" -o "$out"
	if fails_with_line "is the capture -r reads" && [ "$(sha256sum <"$WORK/in.pcap")" = "$sum" ]; then
		ok "-o $(basename "$out") equal to -r: refused, input unchanged"
	else
		ko "-o $(basename "$out") equal to -r: exit $rc, input $([ "$(sha256sum <"$WORK/in.pcap")" = "$sum" ] && echo unchanged || echo CHANGED)"
	fi
done
run --no-pci --file-prefix "$ID" --lcores 0 -- -r "$WORK/in.pcap" -o "$WORK/out.pcap"
if [ "$rc" -eq 0 ] && [ "$(count '5 frames read .* 5 written')" -eq 1 ]; then
	ok "-o another file: 5 frames through"
else
	ko "-o another file: exit $rc"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
