#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end, smtpwall-ctl's ASA-like commands against a live box on the
# TAP wire (issue 17.2, docs/operations.md):
#  - show version: version, DPDK, workers, each port with its driver;
#  - show running-config: the file, generation and FNV-1a hash of its
#    bytes, the effective policy; a reload moves generation and hash;
#  - show asp drop: malformed frames sent from the client side appear by
#    reason with their count; clear asp drop, then they count from 0;
#  - clear service-policy: the mask-banner count reads 0, then grows;
#  - clear conn address A port P reset: the connection leaves show conn,
#    both ends get an RST (the client's socket is reset, the server's
#    socket is gone); ... silent: no RST, the client's next segment is
#    dropped as midstream (show asp drop);
#  - packet-tracer names the class, inspect map, limits and timeouts for
#    two ports of two classes;
#  - permissions: with --ctl-group a member runs the commands, anyone
#    else gets "permission denied on SOCKET (run as root or a member of
#    group G)"; bad arguments are one line and exit 2.
# Usage: test_ctl.sh SMTPWALL SMTPWALL_CTL VERSION
set -u
. "$(dirname "$0")/lib.sh"
e2e_require swaks setpriv

SW=$1
CTL=$2
VERSION=$3
GROUP=nogroup
getent group "$GROUP" >/dev/null || { echo "SKIP: no group $GROUP"; exit 77; }
cp "$E2E_DIR/policy-ctl.yaml" "$WORKDIR/policy.yaml"
wire_up "$SW" 2 -c "$WORKDIR/policy.yaml" --audit "$WORKDIR/audit.log" --ctl-group "$GROUP"
sink_up "$WORKDIR/mails.log"
ctl() { "$CTL" -f "$TEL_PREFIX" "$@"; }
show() { sed 's/^/  | /' "$1"; }
sock="/var/run/dpdk/$TEL_PREFIX/dpdk_telemetry.v2"
fnv() {
	"$SYSPY" -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1"
}

# 1. show version
ctl show version >"$WORKDIR/ver" || fail "show version"
show "$WORKDIR/ver"
grep -q "^smtpwall Version $VERSION$" "$WORKDIR/ver" || fail "show version: no version line"
grep -Eq '^DPDK [0-9]+\.[0-9]+' "$WORKDIR/ver" || fail "show version: no DPDK version"
grep -q '^Workers: 2, ' "$WORKDIR/ver" || fail "show version: workers"
grep -Eq '^Up [0-9]+ days [0-9]+ hours [0-9]+ mins [0-9]+ secs' "$WORKDIR/ver" || fail "show version: uptime"
grep -q '^ [0-9]*: net_tap0, driver net_tap, inside of pair 0' "$WORKDIR/ver" || fail "show version: inside port"
grep -q '^ [0-9]*: net_tap1, driver net_tap, outside of pair 0' "$WORKDIR/ver" || fail "show version: outside port"
echo "ok: show version"

# 2. show running-config, and after a reload
ctl show running-config >"$WORKDIR/run1" || fail "show running-config"
show "$WORKDIR/run1" | head -12
h1=$(fnv "$WORKDIR/policy.yaml")
grep -q "^: file $WORKDIR/policy.yaml, generation 1, $(stat -c %s "$WORKDIR/policy.yaml") bytes, fnv1a-64 $h1$" "$WORKDIR/run1" ||
	fail "show running-config: not file, generation 1 and hash $h1"
grep -q '^class-map submission$' "$WORKDIR/run1" || fail "running-config: class-map submission"
grep -q '^ match port tcp eq 587$' "$WORKDIR/run1" || fail "running-config: match port"
grep -q '^  set connection conn-max 500$' "$WORKDIR/run1" || fail "running-config: conn-max"
grep -q '^  set connection timeout idle 0:30:00$' "$WORKDIR/run1" || fail "running-config: class timeout"
grep -q '^policy-map type inspect esmtp _default_esmtp_map$' "$WORKDIR/run1" || fail "running-config: built-in map"
grep -q '^service-policy global_policy global$' "$WORKDIR/run1" || fail "running-config: service-policy"
grep -q '^timeout conn 1:00:00 half-closed 0:10:00 embryonic 0:00:30' "$WORKDIR/run1" || fail "running-config: timeouts"
# The reloaded file makes a running-config of several replies (150
# access-list lines) with a line longer than one telemetry string.
{
	echo "access-lists:"
	echo "  many:"
	for i in $(seq 150); do echo "    - permit tcp any host 192.0.2.$((i % 250 + 1)) eq $((1000 + i))"; done
	echo "inspect-maps:"
	echo "  relay_map:"
	printf '    parameters: {mail-relay: {domain: [%s], action: log}}\n' \
		"$(seq -s, -f 'mail%02g.relay-domain.example' 1 8)"
} >>"$WORKDIR/policy.yaml"
[ "$(ctl reload)" = "reloaded: generation 2" ] || fail "reload"
h2=$(fnv "$WORKDIR/policy.yaml")
[ "$h1" != "$h2" ] || fail "the hash did not change"
ctl show running-config >"$WORKDIR/run2" || fail "show running-config after reload"
grep -q "^: file .*, generation 2, .* fnv1a-64 $h2$" "$WORKDIR/run2" ||
	fail "show running-config after reload: not generation 2 with hash $h2"
[ "$(grep -c '^access-list many extended permit tcp any host 192.0.2.' "$WORKDIR/run2")" -eq 150 ] ||
	fail "running-config: not the 150 access-list lines (paging)"
grep -q '^access-list many extended permit tcp any host 192.0.2.151 eq 1150$' "$WORKDIR/run2" ||
	fail "running-config: the 150th access-list line"
long="  mail-relay $(seq -s, -f 'mail%02g.relay-domain.example' 1 8) action log"
grep -qxF -- "$long" "$WORKDIR/run2" || fail "running-config: the long mail-relay line (${#long} bytes) is cut"
[ "$(tail -1 "$WORKDIR/run2")" = ": end" ] || fail "running-config: no ': end' (paging)"
echo "ok: show running-config: file, generation, hash $h1 -> $h2, effective policy"

# 3. show asp drop: malformed frames from the client side, by reason.
frames() {
	ip netns exec "$NS_C" "$SYSPY" -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
eth = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
ip = bytes([0x44]) + bytes(19)  # IPv4 with IHL 4: malformed (ip4-ihl)
for _ in range(int(sys.argv[2])):
    s.send(eth + ip + bytes(26))' "$TAP_IN" "$1" || fail "raw frames"
}
asp_count() { # asp_count KEYWORD: its count in show asp drop, 0 when absent
	ctl show asp drop >"$WORKDIR/asp" || fail "show asp drop"
	awk -v k="($1)" '$0 ~ /^  / && $(NF-1) == k {print $NF; f=1} END {if (!f) print 0}' "$WORKDIR/asp"
}
frames 3
for _ in $(seq 50); do [ "$(asp_count ip4-ihl)" = 3 ] && break; sleep 0.1; done
show "$WORKDIR/asp"
[ "$(asp_count ip4-ihl)" = 3 ] || fail "show asp drop: ip4-ihl is not 3"
grep -q '^Frame drop:$' "$WORKDIR/asp" && grep -q '^Flow drop:$' "$WORKDIR/asp" &&
	grep -q '^Last clearing: Never$' "$WORKDIR/asp" || fail "show asp drop: layout"
grep -Eq '^  IPv4 ihl below 5 or beyond the frame \(ip4-ihl\) +3$' "$WORKDIR/asp" || fail "show asp drop: the line"
ctl clear asp drop || fail "clear asp drop"
[ "$(asp_count ip4-ihl)" = 0 ] || fail "clear asp drop: ip4-ihl not 0"
grep -Eq '^Last clearing: [0-9:]+ UTC' "$WORKDIR/asp" || fail "clear asp drop: no time"
frames 2
for _ in $(seq 50); do [ "$(asp_count ip4-ihl)" = 2 ] && break; sleep 0.1; done
[ "$(asp_count ip4-ihl)" = 2 ] || fail "after clear asp drop and 2 frames: $(asp_count ip4-ihl)"
echo "ok: show asp drop counts 3 malformed frames (ip4-ihl); cleared: 0, then 2"

# 4. clear service-policy: 0, then it grows.
swaks_ehlo() {
	ip netns exec "$NS_C" swaks --server "$SERVER_IP" --quit-after EHLO >/dev/null 2>&1 || fail "swaks"
}
masked() { ctl show service-policy inspect esmtp | awk '/mask-banner, count/ {print $NF; exit}'; }
swaks_ehlo
swaks_ehlo
sleep 0.3
[ "$(masked)" = 2 ] || fail "mask-banner count $(masked), not 2"
ctl clear service-policy || fail "clear service-policy"
[ "$(masked)" = 0 ] || fail "after clear service-policy: $(masked)"
swaks_ehlo
sleep 0.3
[ "$(masked)" = 1 ] || fail "after clear and one session: $(masked)"
ctl show service-policy inspect esmtp | grep -q 'Inspect: esmtp _default_esmtp_map, packet [1-9]' ||
	fail "packet count after clear"
echo "ok: clear service-policy: mask-banner 2 -> 0 -> 1"

# 5. clear conn: reset, then silent.
held() { # held OUT: a connection that waits for the box to end it
	ip netns exec "$NS_C" "$SYSPY" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 25), timeout=30)
s.recv(512)
s.sendall(b"EHLO held.example\r\n")
time.sleep(0.3)
s.recv(4096)
print(s.getsockname()[1], flush=True)
line = sys.stdin.readline()  # the test says when to talk again
try:
    if line.strip() == "talk":
        s.sendall(b"NOOP\r\n")
    r = s.recv(512)
    print("closed" if r == b"" else "data", flush=True)
except ConnectionResetError:
    print("reset", flush=True)
except socket.timeout:
    print("timeout", flush=True)' "$SERVER_IP" <"$2" >"$1" 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	wait_grep '^[0-9]+$' "$1" 50 || { cat "$1"; fail "held connection did not open"; }
}
mkfifo "$WORKDIR/in1" "$WORKDIR/in2"
exec 7<>"$WORKDIR/in1" 8<>"$WORKDIR/in2"
held "$WORKDIR/h1" "$WORKDIR/in1"
p1=$(head -1 "$WORKDIR/h1")
ctl show conn address "$CLIENT_IP" | grep -q ":$p1 outside" || fail "show conn does not list $p1"
# Two segments of this inspected connection with a wrong TCP checksum:
# lib/tcp's drop reason, live in show asp drop.
ip netns exec "$NS_C" "$SYSPY" -c '
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst = socket.inet_aton(sys.argv[2]), socket.inet_aton(sys.argv[3])
tcp = struct.pack("!HHIIBBHHH", int(sys.argv[4]), 25, 1, 1, 5 << 4, 0x10, 512, 0xbad, 0)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for _ in range(2):
    s.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + tcp)' \
	"$TAP_IN" "$CLIENT_IP" "$SERVER_IP" "$p1" || fail "bad-checksum segments"
for _ in $(seq 50); do [ "$(asp_count tcp-bad-csum)" = 2 ] && break; sleep 0.1; done
grep -Eq '^  Bad TCP checksum \(tcp-bad-csum\) +2$' "$WORKDIR/asp" ||
	{ show "$WORKDIR/asp"; fail "show asp drop: not 2 tcp-bad-csum"; }
echo "ok: show asp drop: 2 segments with a bad TCP checksum (lib/tcp: tcp-bad-csum)"
ctl clear conn address "$CLIENT_IP" port "$p1" reset >"$WORKDIR/clr1" || fail "clear conn reset"
show "$WORKDIR/clr1"
grep -q "^TCP inside $CLIENT_IP:$p1 outside $SERVER_IP:25, established, esmtp$" "$WORKDIR/clr1" ||
	fail "clear conn does not name the connection"
grep -q '^1 connection(s) cleared$' "$WORKDIR/clr1" || fail "clear conn: not 1 cleared"
grep -q '^2 RST(s) sent$' "$WORKDIR/clr1" || fail "clear conn: not 2 RSTs"
echo wait >&7
wait_grep '^(reset|closed|data|timeout)$' "$WORKDIR/h1" 100
[ "$(tail -1 "$WORKDIR/h1")" = reset ] || fail "the client was not reset: $(tail -1 "$WORKDIR/h1")"
ctl show conn address "$CLIENT_IP" | grep -q ":$p1 outside" && fail "the cleared connection is still listed"
for _ in $(seq 50); do
	ip netns exec "$NS_S" ss -Htn state established "( dport = :$p1 )" | grep -q . || break
	sleep 0.1
done
ip netns exec "$NS_S" ss -Htn state established "( dport = :$p1 )" | grep -q . &&
	fail "the server still holds the connection: no RST reached it"
echo "ok: clear conn ... reset: gone from show conn, the client reset, the server's socket gone"

held "$WORKDIR/h2" "$WORKDIR/in2"
p2=$(head -1 "$WORKDIR/h2")
ctl clear conn address "$CLIENT_IP" port "$p2" >"$WORKDIR/clr2" || fail "clear conn silent"
grep -q '^1 connection(s) cleared$' "$WORKDIR/clr2" && grep -q '^no RST sent (silent)$' "$WORKDIR/clr2" ||
	{ show "$WORKDIR/clr2"; fail "clear conn silent"; }
ctl show conn address "$CLIENT_IP" | grep -q ":$p2 outside" && fail "the silently cleared connection is listed"
ip netns exec "$NS_C" ss -Htn state established "( sport = :$p2 )" | grep -q . ||
	fail "the client lost its connection: something was sent"
ctl clear asp drop
echo talk >&8
for _ in $(seq 50); do [ "$(asp_count midstream-drop)" -ge 1 ] && break; sleep 0.1; done
[ "$(asp_count midstream-drop)" -ge 1 ] || { show "$WORKDIR/asp"; fail "the client's next segment was not a midstream drop"; }
ctl show conn address "$CLIENT_IP" | grep -q ":$p2 outside" && fail "the dropped segment made a connection"
ctl clear conn address 198.18.77.77 | grep -q '^0 connection(s) cleared$' || fail "clear conn of nobody"
# An uninspected connection: the box does not follow its sequence
# numbers, so `reset` ends it silently and says so.
ip netns exec "$NS_S" "$SYSPY" -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.2", 2525))
s.listen()
print("listening", flush=True)
c, _ = s.accept()
time.sleep(30)' >"$WORKDIR/l2525" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_grep '^listening$' "$WORKDIR/l2525" || fail "listener on 2525"
ip netns exec "$NS_C" "$SYSPY" -c '
import socket, time
s = socket.create_connection(("198.18.0.2", 2525), timeout=30)
print(s.getsockname()[1], flush=True)
time.sleep(30)' >"$WORKDIR/h3" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_grep '^[0-9]+$' "$WORKDIR/h3" 50 || fail "connection to 2525"
p3=$(head -1 "$WORKDIR/h3")
ctl clear conn address "$CLIENT_IP" port "$p3" reset >"$WORKDIR/clr3" || fail "clear conn 2525"
grep -q ":$p3 outside $SERVER_IP:2525, established, not inspected$" "$WORKDIR/clr3" &&
	grep -q '^0 RST(s) sent; 1 connection(s) ended silently: not inspected' "$WORKDIR/clr3" ||
	{ show "$WORKDIR/clr3"; fail "clear conn reset of an uninspected connection"; }
echo "ok: clear conn (silent): no RST, the next segment is dropped (midstream-drop $(asp_count midstream-drop))"

echo "ok: clear conn ... reset of an uninspected connection: ended silently, said so"

# 6. packet-tracer: two ports, two classes.
ctl packet-tracer input inside tcp "$CLIENT_IP" 40000 "$SERVER_IP" 25 >"$WORKDIR/pt25" || fail "packet-tracer 25"
show "$WORKDIR/pt25" | tail -8
grep -q '^class: inspection_default$' "$WORKDIR/pt25" || fail "packet-tracer 25: class"
grep -q '^inspect map: _default_esmtp_map$' "$WORKDIR/pt25" || fail "packet-tracer 25: inspect map"
grep -q '^ conn-max unlimited$' "$WORKDIR/pt25" || fail "packet-tracer 25: limits"
grep -q '^ timeout idle 1:00:00 (global timeouts)$' "$WORKDIR/pt25" || fail "packet-tracer 25: timeout"
grep -q '^Action: allow (inspected)$' "$WORKDIR/pt25" || fail "packet-tracer 25: action"
ctl packet-tracer inside tcp "$CLIENT_IP" 40000 "$SERVER_IP" 587 >"$WORKDIR/pt587" || fail "packet-tracer 587"
grep -q '^class: submission$' "$WORKDIR/pt587" || fail "packet-tracer 587: class"
grep -q '^ conn-max 500 (over it: %ASA-201011)$' "$WORKDIR/pt587" || fail "packet-tracer 587: conn-max"
grep -q '^ per-client-max 10 ' "$WORKDIR/pt587" || fail "packet-tracer 587: per-client-max"
grep -q "^ timeout idle 0:30:00 (the class's)$" "$WORKDIR/pt587" || fail "packet-tracer 587: class timeout"
grep -q '^ - policy-map global_policy, class inspection_default: no match' "$WORKDIR/pt587" ||
	fail "packet-tracer 587: why not inspection_default"
ctl packet-tracer inside tcp "$CLIENT_IP" 40000 "$SERVER_IP" 80 | grep -q '^Action: allow (forwarded untouched)$' ||
	fail "packet-tracer 80"
echo "ok: packet-tracer: 25 -> inspection_default, 587 -> submission (conn-max 500, idle 0:30:00), 80 -> not inspected"

# 6b. debug esmtp ADDRESS: the inspector's decisions of new connections of
# that address as debug lines; off again: none.
dbg_lines() { grep -c 'SMTPWALL-7-DEBUG_ESMTP' "$WORKDIR/audit.log"; }
ctl show debug | grep -q '^debug esmtp: off$' || fail "show debug before: $(ctl show debug)"
ctl debug esmtp "$CLIENT_IP" | grep -q "^debug esmtp: new connections of $CLIENT_IP " || fail "debug esmtp"
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --from a@example.org --to b@example.com \
	--body "debug me" >/dev/null 2>&1 || fail "swaks (debugged)"
sleep 0.5
show "$WORKDIR/audit.log" | grep DEBUG_ESMTP | head -6
grep -q "DEBUG_ESMTP: $CLIENT_IP:[0-9]* -> $SERVER_IP:25 client: cmd allow: MAIL FROM:<a@example.org>" \
	"$WORKDIR/audit.log" || fail "no debug line for MAIL FROM"
grep -q "DEBUG_ESMTP: $CLIENT_IP:[0-9]* -> $SERVER_IP:25 server: reply 354" "$WORKDIR/audit.log" ||
	fail "no debug line for the 354 reply"
grep -q "DEBUG_ESMTP: .* client: data end" "$WORKDIR/audit.log" || fail "no debug line for the end of data"
n1=$(dbg_lines)
ctl no debug esmtp | grep -q '^debug esmtp: off$' || fail "no debug esmtp"
swaks_ehlo
sleep 0.5
[ "$(dbg_lines)" = "$n1" ] || fail "debug lines after no debug esmtp: $n1 -> $(dbg_lines)"
ctl debug esmtp 2001:db8::77 >/dev/null || fail "debug esmtp of an IPv6 address"
swaks_ehlo
sleep 0.5
[ "$(dbg_lines)" = "$n1" ] || fail "debug lines for another address: $n1 -> $(dbg_lines)"
ctl undebug all >/dev/null || fail "undebug all"
echo "ok: debug esmtp $CLIENT_IP: $n1 lines for one mail (MAIL FROM, 354, data end); none after no debug esmtp or for another address"

# 6c. capture ADDRESS FILE: the frames of that address, as received, to a
# pcap; a second capture is refused while one runs; count N stops it.
ctl capture "$CLIENT_IP" "$WORKDIR/cap.pcap" | grep -q "^capture of $CLIENT_IP to $WORKDIR/cap.pcap: 0 of 10000" ||
	fail "capture start"
ctl capture 198.18.0.9 "$WORKDIR/cap2.pcap" 2>"$WORKDIR/err" && fail "a second capture started"
grep -q "a capture of $CLIENT_IP to $WORKDIR/cap.pcap runs" "$WORKDIR/err" || fail "second capture: $(cat "$WORKDIR/err")"
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --from cap@example.org --to b@example.com \
	--body "captured" >/dev/null 2>&1 || fail "swaks (captured)"
sleep 0.5
ctl show capture | grep -q "^capture of $CLIENT_IP to $WORKDIR/cap.pcap: [1-9][0-9]* of 10000 frames written, 0 lost" ||
	fail "show capture: $(ctl show capture)"
ctl capture stop | grep -q "^no capture running; the last, of $CLIENT_IP" || fail "capture stop"
nf=$(tshark -r "$WORKDIR/cap.pcap" 2>/dev/null | wc -l)
nother=$(tshark -r "$WORKDIR/cap.pcap" -Y "!(ip.addr == $CLIENT_IP)" 2>/dev/null | wc -l)
tshark -r "$WORKDIR/cap.pcap" -Y 'smtp.req.command == "MAIL"' -T fields -e smtp.req.parameter 2>/dev/null |
	grep -q "FROM:<cap@example.org>" || fail "the capture has no MAIL FROM:<cap@example.org>"
[ "$nf" -ge 10 ] && [ "$nother" = 0 ] || fail "capture: $nf frames, $nother of other addresses"
ctl capture "$CLIENT_IP" "$WORKDIR/cap3.pcap" count 3 >/dev/null || fail "capture count 3"
swaks_ehlo
sleep 0.5
ctl show capture | grep -q "^no capture running; the last, of $CLIENT_IP to $WORKDIR/cap3.pcap: 3 frames written" ||
	fail "count 3: $(ctl show capture)"
[ "$(tshark -r "$WORKDIR/cap3.pcap" 2>/dev/null | wc -l)" = 3 ] || fail "count 3: not 3 frames in the file"
echo "ok: capture $CLIENT_IP: $nf frames of one mail, MAIL FROM in them, none of others; a second refused; count 3 stops at 3"

# 7. Bad arguments: one line, exit 2; nothing sent.
ctl clear conn address not-an-address 2>"$WORKDIR/err"
[ $? -eq 2 ] && [ "$(wc -l <"$WORKDIR/err")" -eq 1 ] || fail "clear conn bad address"
ctl packet-tracer inside tcp "$CLIENT_IP" 40000 "$SERVER_IP" 70000 2>"$WORKDIR/err"
[ $? -eq 2 ] && grep -q "port '70000'" "$WORKDIR/err" || fail "packet-tracer bad port"
ctl debug esmtp mail.example.com 2>"$WORKDIR/err"
[ $? -eq 2 ] && grep -q "'mail.example.com' is not an address" "$WORKDIR/err" || fail "debug esmtp bad address"
echo "ok: bad arguments"

# 8. Permissions: a member of --ctl-group, and someone else.
gid=$(getent group "$GROUP" | cut -d: -f3)
env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid="$gid" --clear-groups \
	"$CTL" -f "$TEL_PREFIX" show version >"$WORKDIR/ver2" 2>&1 || { cat "$WORKDIR/ver2"; fail "group member refused"; }
grep -q "^smtpwall Version $VERSION$" "$WORKDIR/ver2" || fail "group member: no version"
env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65533 --clear-groups \
	"$CTL" -f "$TEL_PREFIX" show version >"$WORKDIR/ver3" 2>&1 && fail "a non-member got in"
want="smtpwall-ctl: permission denied on $sock (run as root or a member of group $GROUP)"
[ "$(cat "$WORKDIR/ver3")" = "$want" ] || { cat "$WORKDIR/ver3"; fail "not the permission line"; }
echo "ok: --ctl-group $GROUP: a member runs show version; others: $want"

exec 7>&- 8>&-
wire_stop
grep -Eq '^  conn_cleared +3 ' "$SW_LOG" || { grep conn_cleared "$SW_LOG"; fail "final counters: conn_cleared is not 3"; }
echo "PASS"
