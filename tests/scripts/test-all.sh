#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs the dependencies, builds smtpwall twice (normal, and ASan+UBSan),
# and runs every test suite in both builds: unit (Criterion), fuzz (corpus
# replays), pcap (offline and net_pcap ports), e2e (namespaces, real SMTP
# client and server; needs root). Exits non-zero when anything fails.
#   tests/scripts/test-all.sh            everything
#   SUITES="unit fuzz" tests/scripts/test-all.sh   a subset
set -eu
cd "$(dirname "$0")/../.."
SUITES=${SUITES:-"unit fuzz pcap e2e"}

tests/scripts/install-deps.sh

suite_args=""
for s in $SUITES; do
	suite_args="$suite_args --suite $s"
done

build() { # dir [meson options]
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@"
	fi
	ninja -C "$dir"
}

echo "=== normal build ==="
build build
# shellcheck disable=SC2086
meson test -C build --print-errorlogs $suite_args

echo "=== the Debian package (built from this tree, installed into a fresh root) ==="
case " $SUITES " in *" e2e "*) meson test -C build --print-errorlogs --suite package ;; esac

echo "=== ASan + UBSan build ==="
# DPDK's shared objects are not instrumented; -Db_lundef=false lets the
# sanitizer runtime resolve their symbols. Leak checking stays on. -O2 -g:
# the sanitizers check the same, and the suites run in a third of -O0's time.
build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
# shellcheck disable=SC2086
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --print-errorlogs $suite_args

echo "=== formatting ==="
if command -v clang-format >/dev/null 2>&1; then
	bad=$(git ls-files '*.c' '*.h' | grep -v '_tab\.h$' | while read -r f; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"
	done)
	if [ -n "$bad" ]; then
		echo "clang-format disagrees with:"; echo "$bad"; exit 1
	fi
	echo "clang-format: clean"
fi
echo "test-all: all suites passed in both builds"
