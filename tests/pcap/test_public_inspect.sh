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

while IFS= read -r -d '' cap; do
	name=${cap#"$PUB"/}
	case "$cap" in
	*.pcap.gz) zcat "$cap" >"$WORK/raw.pcap" ;;
	*.pcapng) editcap -F pcap "$cap" "$WORK/raw.pcap" 2>/dev/null || continue ;;
	*) cp "$cap" "$WORK/raw.pcap" ;;
	esac
	"$SYSPY" "$HERE/pcap_tool.py" fix "$WORK/raw.pcap" "$WORK/in.pcap" || {
		echo "FAIL $name: cannot read"; fails=$((fails + 1)); continue; }
	if ! "$SW" --no-pci --file-prefix "swpi$$" --lcores 0 --log-level 'lib.*:warning' -- \
		-r "$WORK/in.pcap" -o "$WORK/out.pcap" --audit "$WORK/audit.log" >"$WORK/log" 2>&1; then
		echo "FAIL $name: smtpwall exited non-zero"; tail -5 "$WORK/log"
		fails=$((fails + 1)); continue
	fi
	if grep -q "ERROR: AddressSanitizer\|runtime error:" "$WORK/log"; then
		echo "FAIL $name: sanitizer report"; grep -m3 "Sanitizer\|runtime error" "$WORK/log"
		fails=$((fails + 1)); continue
	fi
	if ! "$SYSPY" "$HERE/pcap_tool.py" badsum "$WORK/out.pcap" >"$WORK/bad" 2>&1; then
		echo "FAIL $name: $(wc -l <"$WORK/bad") output frames with a bad checksum, e.g. $(head -1 "$WORK/bad")"
		fails=$((fails + 1)); continue
	fi
	before=$("$SYSPY" "$HERE/pcap_tool.py" offers "$WORK/in.pcap")
	after=$("$SYSPY" "$HERE/pcap_tool.py" offers "$WORK/out.pcap")
	if [ "$after" -ne 0 ]; then
		echo "FAIL $name: $after EHLO lines from port 25 still offer STARTTLS"
		fails=$((fails + 1)); continue
	fi
	[ "$before" -gt 0 ] && masked=$((masked + 1))
	passes=$((passes + 1))
done < <(find "$PUB" -type f \( -name '*.pcap' -o -name '*.pcap.gz' -o -name '*.pcapng' \) -print0 | sort -z)
echo "captures whose STARTTLS offer was masked: $masked"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
