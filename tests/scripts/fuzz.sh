#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs every libFuzzer target for a given time each (default 60 s), with
# the libraries instrumented (clang, -Dfuzz=true, build dir build-fuzz).
# New inputs go to build-fuzz/corpus-new/<target>/, never to the committed
# corpus; crashes to build-fuzz/crash-<target>-*. Prints each target's last
# libFuzzer status line.
# The worker target (the app's whole data path) needs DPDK: it is built in
# build-fuzz-dpdk (DPDK enabled, only that target) and writes there the same
# way; it runs by default when libdpdk is installed. The regex target
# (lib/policy's engine against PCRE2) runs by default when libpcre2-dev is.
#   tests/scripts/fuzz.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/../.."
SECS=${1:-60}
shift || true
DEFAULT_TARGETS="pkt flow esmtp tcp config intercept"
pkg-config --exists libpcre2-8 2>/dev/null && DEFAULT_TARGETS="$DEFAULT_TARGETS regex"
pkg-config --exists libdpdk 2>/dev/null && DEFAULT_TARGETS="$DEFAULT_TARGETS worker"
TARGETS=${*:-$DEFAULT_TARGETS}
# build dir of a target
bdir() {
	if [ "$1" = worker ]; then echo build-fuzz-dpdk; else echo build-fuzz; fi
}
need_plain=no need_dpdk=no
for t in $TARGETS; do
	if [ "$t" = worker ]; then need_dpdk=yes; else need_plain=yes; fi
done
if [ "$need_plain" = yes ]; then
	if [ ! -f build-fuzz/build.ninja ]; then
		CC=clang meson setup build-fuzz -Dfuzz=true -Ddpdk=disabled -Dbuildtype=debugoptimized
	fi
	ninja -C build-fuzz
fi
if [ "$need_dpdk" = yes ]; then
	if [ ! -f build-fuzz-dpdk/build.ninja ]; then
		# Debian's DPDK headers test GCC_VERSION, undefined under clang.
		CC=clang meson setup build-fuzz-dpdk -Dfuzz=true -Dbuildtype=debugoptimized \
			-Dc_args=-Wno-undef
	fi
	ninja -C build-fuzz-dpdk tests/fuzz/fuzz_worker
fi
for t in $TARGETS; do
	b=$(bdir "$t")
	new="$b/corpus-new/$t"
	mkdir -p "$new"
	echo "=== fuzz_$t for ${SECS}s"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	# shellcheck disable=SC2086
	"$b/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -print_final_stats=1 $dict \
		-artifact_prefix="$b/crash-$t-" "$new" "tests/fuzz/corpus/$t" 2>&1 |
		grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' |
		tail -4
done
