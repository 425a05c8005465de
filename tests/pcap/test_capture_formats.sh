#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The offline mode reads what capture tools write (issue 17): the same SMTP
# sessions as classic pcap, as pcapng (editcap), from standard input
# ("-r -"), and as Linux cooked captures (SLL, SLL2: tcpdump -i any) give
# the same output, frame for frame (cooked ones from the IP header on: the
# box gives them an Ethernet header of its own).
# Usage: test_capture_formats.sh SMTPWALL SMTPWALL-GEN
set -u
SW=$1
GEN=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SYSPY=/usr/bin/python3
WORK=$(mktemp -d /tmp/smtpwall-fmt.XXXXXX)
ID="swf$$"
trap 'rm -rf "$WORK" /var/run/dpdk/"$ID"*' EXIT
trap 'exit 130' INT TERM
fails=0
ok() { echo "ok: $*"; }
ko() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { # OUT ARGS...: the offline mode, default policy
	local out=$1
	shift
	"$SW" --no-pci --file-prefix "$ID" -- -c "$HERE/../../config/default.yaml" "$@" -o "$out" \
		>"$WORK/log" 2>&1
}

"$GEN" -- --pcap "$WORK/s.pcap" -n 40 -C 8 --mix short=80,verb=10,starttls=10 >/dev/null 2>&1 ||
	{ echo "FAIL: smtpwall-gen --pcap"; exit 1; }
run "$WORK/base.pcap" -r "$WORK/s.pcap" || { cat "$WORK/log"; echo "FAIL: classic pcap"; exit 1; }
n=$("$SYSPY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcap_compare as p; print(len(p.read_pcap(sys.argv[2])[1]))' "$HERE" "$WORK/base.pcap")
ok "classic pcap: $n frames out"

if command -v editcap >/dev/null; then
	editcap -F pcapng "$WORK/s.pcap" "$WORK/s.pcapng"
	if run "$WORK/ng.pcap" -r "$WORK/s.pcapng" && cmp -s "$WORK/base.pcap" "$WORK/ng.pcap"; then
		ok "pcapng: the same output"
	else
		ko "pcapng: $(tail -1 "$WORK/log")"
	fi
else
	echo "note: no editcap (tshark's); pcapng not tried"
fi

if run "$WORK/stdin.pcap" -r - <"$WORK/s.pcap" && cmp -s "$WORK/base.pcap" "$WORK/stdin.pcap"; then
	ok "standard input (-r -): the same output"
else
	ko "standard input: $(tail -1 "$WORK/log")"
fi

# Cooked captures: the Ethernet header replaced by SLL's 16 or SLL2's 20 bytes.
"$SYSPY" - "$WORK/s.pcap" "$WORK" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
hdr, recs, off = data[:24], [], 24
while off < len(data):
    ts1, ts2, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    recs.append((ts1, ts2, data[off + 16:off + 16 + incl]))
    off += 16 + incl
for lt, name in ((113, "sll"), (276, "sll2")):
    with open("%s/%s.pcap" % (out, name), "wb") as f:
        f.write(hdr[:20] + struct.pack("<I", lt))
        for ts1, ts2, fr in recs:
            et, ip = fr[12:14], fr[14:]
            if lt == 113:
                cooked = struct.pack(">HHH", 0, 1, 6) + fr[6:12] + b"\0\0" + et
            else:
                cooked = et + b"\0\0" + struct.pack(">I", 2) + struct.pack(">HBB", 1, 0, 6) + fr[6:12] + b"\0\0"
            rec = cooked + ip
            f.write(struct.pack("<IIII", ts1, ts2, len(rec), len(rec)) + rec)
PY
for c in sll sll2; do
	if run "$WORK/$c.out.pcap" -r "$WORK/$c.pcap" &&
		"$SYSPY" "$HERE/pcap_compare.py" --dlt-null-to-eth "$WORK/base.pcap" "$WORK/$c.out.pcap" >/dev/null; then
		ok "Linux cooked ($c): the same frames from the IP header on"
	else
		ko "Linux cooked ($c): $(tail -1 "$WORK/log")"
	fi
done
echo "$fails failed"
[ "$fails" -eq 0 ]
