#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Prometheus metrics (the `metrics` section): smtpwall live on two net_pcap
# ports with metrics.listen and metrics.textfile. The endpoint is scraped
# while it runs and parsed strictly (check_metrics.py: the exposition
# format a scraper accepts); its counters must equal the telemetry's
# (/smtpwall/stats) once the capture is read, the class and rule counts
# those of show service-policy; another path is 404; the text file holds
# the final counters after exit. A port already taken is one error line.
# Usage: test_metrics.sh SMTPWALL SMTPWALL-GEN
set -u
SW=$1
GEN=$2
TAG=met
# shellcheck source=pcap_ports_lib.sh
. "$(dirname "$0")/pcap_ports_lib.sh"

"$GEN" -- --pcap "$WORK/in.pcap" -n 60 -C 8 --mix short=70,longhdr=15,rcpt101=15 >/dev/null 2>&1 ||
	fail "smtpwall-gen --pcap"
N=$("$SYSPY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcap_compare as p; print(len(p.read_pcap(sys.argv[2])[1]))' "$HERE" "$WORK/in.pcap")
"$SYSPY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import pcap_compare as p; p.write_pcap(sys.argv[2], 1, [])' "$HERE" "$WORK/empty.pcap" 2>/dev/null ||
	head -c 24 "$WORK/in.pcap" >"$WORK/empty.pcap"
PORT=$("$SYSPY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/policy.yaml" <<YAML
metrics:
  listen: 127.0.0.1:$PORT
  textfile: $WORK/smtpwall.prom
  interval: 1
YAML

"$SW" --no-pci -m 512 --file-prefix "$PREFIX" --lcores "(0-1)@(0-$(($(nproc) - 1)))" \
	--vdev "net_pcap0,rx_pcap=$WORK/in.pcap,tx_pcap=$WORK/out0.pcap" \
	--vdev "net_pcap1,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/out1.pcap" -- \
	-p net_pcap0:net_pcap1 -w 1 --idle-sleep 100 -c "$WORK/policy.yaml" >"$WORK/log" 2>&1 </dev/null &
SW_PID=$!
wait_rx "$N"
[ "$(num rx_pkts)" = "$N" ] || fail "smtpwall read $(num rx_pkts) of $N frames"
sleep 0.5 # the last burst's counters settle
json=$(stats_json)

"$SYSPY" "$HERE/check_metrics.py" "http://127.0.0.1:$PORT/metrics" >"$WORK/scrape" 2>"$WORK/scrape.err" ||
	fail "scrape: $(cat "$WORK/scrape.err")"
metric() { # the value of the sample named (labels included) $1
	awk -v k="$1" '{ v = $NF; sub(/ [^ ]*$/, ""); if ($0 == k) print v }' "$WORK/scrape"
}
for c in rx_pkts tx_pkts flow_new tcp ipv4; do
	[ "$(metric "smtpwall_${c}_total")" = "$(num "$c")" ] ||
		fail "smtpwall_${c}_total $(metric "smtpwall_${c}_total"), telemetry $(num "$c")"
done
echo "ok:   the scrape parses; rx_pkts $(num rx_pkts), tx_pkts $(num tx_pkts), flow_new $(num flow_new) as telemetry says"

conns=$(metric 'smtpwall_class_connections_total{policy_map="global_policy",class="inspection_default"}')
[ "$conns" = 60 ] || fail "class inspection_default: $conns connections, want 60"
sp=$(echo /smtpwall/service_policy | dpdk-telemetry.py -f "$PREFIX" 2>/dev/null | grep '^{')
rule='smtpwall_rule_hits_total{policy_map="global_policy",class="inspection_default",inspect_map="_default_esmtp_map",rule="cmd RCPT count gt 100",action="drop-connection log"}'
hits=$(metric "$rule")
[ -n "$hits" ] && [ "$hits" -gt 0 ] || fail "no per-rule count: $rule = '$hits'"
echo "$sp" | grep -q "match cmd RCPT count gt 100 *drop-connection log, packet $hits\"" ||
	fail "rule hits $hits; show service-policy says: $(echo "$sp" | grep -o 'match cmd RCPT count gt 100[^"]*')"
echo "ok:   class connections 60; rule 'cmd RCPT count gt 100' $hits hits, as show service-policy"

code=$("$SYSPY" -c 'import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=5)
    print(200)
except urllib.error.HTTPError as e:
    print(e.code)' "http://127.0.0.1:$PORT/other")
[ "$code" = 404 ] || fail "GET /other answered $code, want 404"
echo "ok:   GET /other: 404"

stop_sw || fail "smtpwall exit status"
"$SYSPY" "$HERE/check_metrics.py" "$WORK/smtpwall.prom" >"$WORK/final" ||
	fail "the text file does not parse"
[ "$(awk '$1 == "smtpwall_rx_pkts_total" { print $2 }' "$WORK/final")" = "$N" ] ||
	fail "the text file's rx_pkts is not the final $N"
[ ! -e "$WORK/smtpwall.prom.tmp" ] || fail "the temporary text file was left behind"
echo "ok:   the text file holds the final counters (rx_pkts $N)"

# docs/grafana/smtpwall.json asks only for metrics and labels that exist.
if ! msg=$("$SYSPY" - "$HERE/../../docs/grafana/smtpwall.json" "$WORK/final" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
have = {}
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    name, _, labels = line.partition("{")
    name = name.split()[0]
    have.setdefault(name, set()).update(re.findall(r'([a-z_]+)="', labels))
bad = []
for p in dash["panels"]:
    for t in p["targets"]:
        for m, sel in re.findall(r"(smtpwall_[a-z_]+)(\{[^}]*\})?", t["expr"]):
            if m not in have:
                bad.append("%s: no metric %s" % (p["title"], m))
            for l in re.findall(r"([a-z_]+)\s*[!=]~?", sel):
                if l != "instance" and l not in have.get(m, ()):
                    bad.append("%s: %s has no label %s" % (p["title"], m, l))
        for l in re.findall(r"\{\{(\w+)\}\}", t.get("legendFormat", "")):
            if not any(l in have.get(m, ()) for m, _ in
                       re.findall(r"(smtpwall_[a-z_]+)(\{[^}]*\})?", t["expr"])):
                bad.append("%s: legend label %s" % (p["title"], l))
print("; ".join(bad) or "%d panels" % len(dash["panels"]))
sys.exit(1 if bad else 0)
PY
); then
	fail "the Grafana dashboard: $msg"
fi
echo "ok:   docs/grafana/smtpwall.json: $msg, every metric and label exists"

# The port is taken (by a listener of ours): one line, exit 1.
"$SYSPY" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(30)' "$PORT" &
HOLD=$!
sleep 0.3
"$SW" --no-pci --file-prefix "${PREFIX}b" --lcores 0 -- -c "$WORK/policy.yaml" \
	-r "$WORK/in.pcap" -o "$WORK/o.pcap" >"$WORK/log2" 2>&1
rc=$?
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
[ "$rc" = 1 ] && grep -q "^smtpwall: metrics.listen 127.0.0.1:$PORT: Address already in use" "$WORK/log2" ||
	fail "a taken port: exit $rc, $(grep metrics "$WORK/log2")"
echo "ok:   a taken port: one error line, exit 1"
echo "metrics: ok"
