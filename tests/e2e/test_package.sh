#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package (issue 17): built from this source tree with the
# standard tools (dpkg-buildpackage, debhelper, meson), unpacked into a
# fresh root, its files where an operator looks for them, its systemd unit
# verified (systemd-analyze verify), and the installed binary started the
# way the unit starts it (EnvironmentFile + ExecStart: no EAL arguments, so
# the default TAP wire; -c the installed policy) carrying a real mail
# (swaks to aiosmtpd through the wire).
#
#   tests/e2e/test_package.sh
set -u
. "$(dirname "$0")/lib.sh"
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM
e2e_require swaks
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	fail "dpkg-buildpackage and debhelper are needed (tests/scripts/install-deps.sh installs them)"

SRC=$WORKDIR/src
ROOT=$WORKDIR/root
mkdir -p "$SRC" "$ROOT"
# The tree as git knows it (committed or not, nothing ignored: no build/).
(cd "$SRC_ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -x -C "$SRC"
(cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc \
	>"$WORKDIR/build.log" 2>&1) || { tail -30 "$WORKDIR/build.log"; fail "dpkg-buildpackage"; }
deb=$(ls "$WORKDIR"/smtpwall_*_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no smtpwall_*.deb"
echo "ok: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb -f "$deb" Depends | grep -q "librte-eal" || fail "Depends does not name Debian's DPDK: $(dpkg-deb -f "$deb" Depends)"
echo "ok: depends on Debian's DPDK and libyaml: $(dpkg-deb -f "$deb" Depends)"
dpkg -x "$deb" "$ROOT" || fail "dpkg -x"
for f in usr/sbin/smtpwall usr/sbin/smtpwall-ctl usr/libexec/smtpwall/smtpwall-gen \
	etc/smtpwall/smtpwall.yaml etc/default/smtpwall etc/logrotate.d/smtpwall \
	usr/lib/systemd/system/smtpwall.service usr/share/man/man8/smtpwall.8.gz \
	usr/share/man/man8/smtpwall-ctl.8.gz usr/share/man/man5/smtpwall.yaml.5.gz \
	usr/share/bash-completion/completions/smtpwall-ctl usr/share/doc/smtpwall/examples/modern-esmtp.yaml; do
	[ -e "$ROOT/$f" ] || fail "package lacks /$f"
done
[ ! -e "$ROOT/usr/bin/smtpwall-gen" ] && [ ! -e "$ROOT/usr/sbin/smtpwall-gen" ] ||
	fail "the generator is installed beside the daemons"
echo "ok: binaries in /usr/sbin, generator apart, policy, unit, env file, logrotate, man pages, completion"
cmp -s "$ROOT/etc/smtpwall/smtpwall.yaml" "$SRC_ROOT/config/default.yaml" ||
	fail "/etc/smtpwall/smtpwall.yaml is not config/default.yaml"
"$ROOT/usr/sbin/smtpwall" --version | grep -q "smtpwall" || fail "installed smtpwall --version"
unit=$ROOT/usr/lib/systemd/system/smtpwall.service
grep -q "^ExecStart=/usr/sbin/smtpwall \$SMTPWALL_EAL_ARGS -- -c /etc/smtpwall/smtpwall.yaml \$SMTPWALL_ARGS$" "$unit" ||
	fail "ExecStart: $(grep ExecStart "$unit")"
grep -q '^ExecReload=/bin/kill -HUP $MAINPID$' "$unit" || fail "ExecReload"
if command -v systemd-analyze >/dev/null; then
	# The unit as packaged, its binary path pointing into the fresh root
	# (this host has no /usr/sbin/smtpwall); man pages are checked above.
	mkdir -p "$WORKDIR/unit"
	sed "s|=/usr/sbin/|=$ROOT/usr/sbin/|" "$unit" >"$WORKDIR/unit/smtpwall.service"
	out=$(systemd-analyze verify --man=no "$WORKDIR/unit/smtpwall.service" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || fail "systemd-analyze verify: $out"
	echo "ok: systemd-analyze verify smtpwall.service${out:+ ($out)}"
else
	echo "note: no systemd-analyze here; the unit was checked by its lines only"
fi

# Start it as the unit does: the environment file, then ExecStart with the
# installed paths under the fresh root.
set -a
# shellcheck disable=SC1091
. "$ROOT/etc/default/smtpwall"
set +a
# shellcheck disable=SC2086
[ -z "$SMTPWALL_EAL_ARGS" ] || fail "the packaged environment file sets EAL arguments: $SMTPWALL_EAL_ARGS"
# --audit syslog needs a /dev/log: the test's own where the host has none.
args=${SMTPWALL_ARGS/--audit syslog/--audit $WORKDIR/audit.log}
# shellcheck disable=SC2086
wire_up "$ROOT/usr/sbin/smtpwall" default -c "$ROOT/etc/smtpwall/smtpwall.yaml" $args
grep -q "smtpwall: policy $ROOT/etc/smtpwall/smtpwall.yaml" "$SW_LOG" || fail "not the installed policy: $(grep policy "$SW_LOG")"
sink_up "$WORKDIR/mails.log"
ip netns exec "$NS_C" swaks --server "$SERVER_IP" --from alice@example.com --to bob@example.net \
	--header "Subject: through the installed package" --body "hello" >"$WORKDIR/swaks.log" 2>&1 ||
	{ cat "$WORKDIR/swaks.log"; fail "swaks could not send through the installed smtpwall"; }
sleep 0.3
[ "$(wc -l <"$WORKDIR/mails.log")" -eq 1 ] || fail "the server got $(wc -l <"$WORKDIR/mails.log") mails, not 1"
grep -q "^<- *220 \*\*\*" "$WORKDIR/swaks.log" ||
	{ head -3 "$WORKDIR/swaks.log"; fail "banner not masked by the installed default policy"; }
echo "ok: the installed smtpwall (default wire, installed policy) carried a mail, banner masked"
"$ROOT/usr/sbin/smtpwall-ctl" -f smtpwall show service-policy inspect esmtp >"$WORKDIR/ctl.log" 2>&1 ||
	{ cat "$WORKDIR/ctl.log"; fail "installed smtpwall-ctl"; }
echo "ok: the installed smtpwall-ctl reads the running box"
wire_stop
echo "package: all checks passed"
