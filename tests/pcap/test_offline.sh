#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Pcap integration, offline mode, as a plain bridge (--no-inspect): every
# public capture and the generated
# ones go through smtpwall's worker code (capture in, capture out); the
# output must equal the input frame for frame. Malformed frames must be
# dropped and counted under the right reason.
# Usage: test_offline.sh SMTPWALL SHARED_PCAP_DIR
set -u
SW=$1
PUB=$2
SYSPY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-pcap.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fails=0 passes=0

run_offline() { # in out log [app args]
	in=$1 out=$2 log=$3
	shift 3
	"$SW" --no-pci --file-prefix "swoff$$" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$in" -o "$out" --no-inspect "$@" >"$log" 2>&1
}

check_passthrough() { # name capture [compare args]
	name=$1 cap=$2
	shift 2
	if ! run_offline "$cap" "$WORK/out.pcap" "$WORK/log"; then
		echo "FAIL $name: smtpwall failed"; tail -5 "$WORK/log"; fails=$((fails + 1)); return
	fi
	if ! msg=$("$SYSPY" "$HERE/pcap_compare.py" "$@" "$cap" "$WORK/out.pcap"); then
		echo "FAIL $name: $msg"; grep drop "$WORK/log" | head -5; fails=$((fails + 1)); return
	fi
	passes=$((passes + 1))
}

"$SYSPY" "$HERE/gen_frames.py" "$WORK/gen" || { echo "FAIL: gen_frames.py"; exit 1; }
check_passthrough generated-passthrough "$WORK/gen/passthrough.pcap"

# Malformed frames: none leaves, each counted under its reason.
run_offline "$WORK/gen/malformed.pcap" "$WORK/out.pcap" "$WORK/log" || { echo "FAIL malformed run"; exit 1; }
left=$("$SYSPY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcap_compare as p; print(len(p.read_pcap(sys.argv[2])[1]))' "$HERE" "$WORK/out.pcap")
if [ "$left" -ne 0 ]; then
	echo "FAIL malformed: $left frames left the box"; fails=$((fails + 1))
else
	for reason in $(sort "$WORK/gen/malformed.txt" | uniq); do
		want=$(grep -cx "$reason" "$WORK/gen/malformed.txt")
		got=$(awk -v r="$reason" '$1 == "drop" && $2 == r {print $3}' "$WORK/log")
		if [ "${got:-0}" -ne "$want" ]; then
			echo "FAIL malformed: drop $reason counted ${got:-0}, expected $want"
			fails=$((fails + 1))
		fi
	done
	passes=$((passes + 1))
fi

# Every public capture. Loopback/raw captures get an Ethernet header from
# smtpwall: compare from the IP header on. pcapng and gzip are converted.
# one CAPTURE DIR: its last line says "pass", "skip" or why it failed.
one() {
	cap=$1 d=$2
	name=${cap#"$PUB"/}
	mkdir -p "$d"
	case "$cap" in
	*.pcap.gz) zcat "$cap" >"$d/in.pcap"; cap="$d/in.pcap" ;;
	*.pcapng) editcap -F pcap "$cap" "$d/in.pcap" 2>/dev/null || { echo skip; return; }
		cap="$d/in.pcap" ;;
	esac
	lt=$("$SYSPY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcap_compare as p; print(p.read_pcap(sys.argv[2])[0])' "$HERE" "$cap")
	# Many were captured with checksum offload: the appliance drops
	# frames whose IPv4 header checksum is wrong, and the comparison
	# expects exactly those (computed independently) to be missing.
	set -- --drop-bad-ip4-csum
	[ "$lt" = 1 ] || set -- --dlt-null-to-eth --drop-bad-ip4-csum
	if ! "$SW" --no-pci --file-prefix "swoff$$_${d##*/}" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$cap" -o "$d/out.pcap" --no-inspect >"$d/log" 2>&1; then
		tail -5 "$d/log"; echo "FAIL $name: smtpwall failed"; return
	fi
	if ! msg=$("$SYSPY" "$HERE/pcap_compare.py" "$@" "$cap" "$d/out.pcap"); then
		grep drop "$d/log" | head -5; echo "FAIL $name: $msg"; return
	fi
	rm -f "$d"/*.pcap
	echo pass
}

if [ -d "$PUB" ]; then
	# The captures are independent: JOBS at a time (default: the CPUs).
	JOBS=${JOBS:-$(nproc)}
	n=0
	while IFS= read -r -d '' cap; do
		n=$((n + 1))
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
		one "$cap" "$WORK/p$n" >"$WORK/p$n.out" 2>&1 &
	done < <(find "$PUB" -type f \( -name '*.pcap' -o -name '*.pcap.gz' -o -name '*.pcapng' \) -print0 | sort -z)
	wait
	for i in $(seq "$n"); do
		case "$(tail -1 "$WORK/p$i.out")" in
		pass) passes=$((passes + 1)) ;;
		skip) ;;
		*) cat "$WORK/p$i.out"; fails=$((fails + 1)) ;;
		esac
	done
else
	echo "note: $PUB not found, public captures skipped"
fi
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
