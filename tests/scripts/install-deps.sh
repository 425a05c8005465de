#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs what smtpwall needs to build and test, from Debian 12 packages.
# Idempotent and non-interactive: nothing is done when all are present, and
# Postfix (wanted only for smtp-source/smtp-sink) neither asks questions nor
# starts a daemon.
set -eu

# libpcre2-dev is test-only: the oracle of the regex fuzz target
# (tests/fuzz/fuzz_regex.c); smtpwall itself never links it. debhelper and
# fakeroot build the Debian package (tests/e2e/test_package.sh).
PKGS="gcc clang libclang-rt-14-dev meson ninja-build pkg-config
libdpdk-dev dpdk dpdk-dev libyaml-dev libcriterion-dev libpcre2-dev
tshark python3 python3-scapy python3-aiosmtpd swaks postfix iproute2 iputils-ping openssl
libfaketime debhelper fakeroot libpcap-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections

# Keep package scripts from starting services (postfix) during the install.
prc=/usr/sbin/policy-rc.d
added_prc=0
if [ ! -e "$prc" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$prc" >/dev/null
	$SUDO chmod 755 "$prc"
	added_prc=1
fi
cleanup() { [ "$added_prc" -eq 1 ] && $SUDO rm -f "$prc"; return 0; }
trap cleanup EXIT

echo "install-deps: installing$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
