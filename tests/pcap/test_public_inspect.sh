#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Every public capture through the offline mode with the default policy
# (TCP/25 inspected with ASA's _default_esmtp_map): smtpwall must not fail
# (and, in the ASan build, not report), every checksum of the output must
# verify, and no EHLO reply leaving from port 25 may still offer STARTTLS.
# Captures taken with checksum offload or on loopback are fixed first
# (pcap_tool.py fix: Ethernet header, recomputed checksums), as a NIC would
# have delivered them.
# Usage: test_public_inspect.sh SMTPWALL SHARED_PCAP_DIR
set -u
SW=$1
PUB=$2
SYSPY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/smtpwall-pubinsp.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fails=0 passes=0 masked=0

[ -d "$PUB" ] || { echo "SKIP: $PUB not found"; exit 77; }

# one CAPTURE DIR: checks one capture in DIR; its last line says
# "pass", "pass masked" or why it failed.
one() {
	cap=$1 d=$2
	name=${cap#"$PUB"/}
	mkdir -p "$d"
	case "$cap" in
	*.pcap.gz) zcat "$cap" >"$d/raw.pcap" ;;
	*.pcapng) editcap -F pcap "$cap" "$d/raw.pcap" 2>/dev/null || { echo skip; return; } ;;
	*) cp "$cap" "$d/raw.pcap" ;;
	esac
	"$SYSPY" "$HERE/pcap_tool.py" fix "$d/raw.pcap" "$d/in.pcap" || {
		echo "FAIL $name: cannot read"; return; }
	if ! "$SW" --no-pci --file-prefix "swpi$$_${d##*/}" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$d/in.pcap" -o "$d/out.pcap" --audit "$d/audit.log" >"$d/log" 2>&1; then
		tail -5 "$d/log"; echo "FAIL $name: smtpwall exited non-zero"; return
	fi
	if grep -q "ERROR: AddressSanitizer\|runtime error:" "$d/log"; then
		grep -m3 "Sanitizer\|runtime error" "$d/log"; echo "FAIL $name: sanitizer report"; return
	fi
	if ! "$SYSPY" "$HERE/pcap_tool.py" badsum "$d/out.pcap" >"$d/bad" 2>&1; then
		echo "FAIL $name: $(wc -l <"$d/bad") output frames with a bad checksum, e.g. $(head -1 "$d/bad")"
		return
	fi
	before=$("$SYSPY" "$HERE/pcap_tool.py" offers "$d/in.pcap")
	after=$("$SYSPY" "$HERE/pcap_tool.py" offers "$d/out.pcap")
	if [ "$after" -ne 0 ]; then
		echo "FAIL $name: $after EHLO lines from port 25 still offer STARTTLS"; return
	fi
	rm -f "$d"/*.pcap
	if [ "$before" -gt 0 ]; then echo "pass masked"; else echo pass; fi
}

# The captures are independent: JOBS at a time (default: the CPUs).
JOBS=${JOBS:-$(nproc)}
n=0
while IFS= read -r -d '' cap; do
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	one "$cap" "$WORK/$n" >"$WORK/$n.out" 2>&1 &
done < <(find "$PUB" -type f \( -name '*.pcap' -o -name '*.pcap.gz' -o -name '*.pcapng' \) -print0 | sort -z)
wait
for i in $(seq "$n"); do
	last=$(tail -1 "$WORK/$i.out")
	case "$last" in
	pass) passes=$((passes + 1)) ;;
	"pass masked") passes=$((passes + 1)); masked=$((masked + 1)) ;;
	skip) ;;
	*) cat "$WORK/$i.out"; fails=$((fails + 1)) ;;
	esac
done
echo "captures whose STARTTLS offer was masked: $masked"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
