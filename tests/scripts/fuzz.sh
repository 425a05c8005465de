#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs every libFuzzer target for a given time each (default 60 s), with
# the libraries instrumented (clang, -Dfuzz=true, build dir build-fuzz).
# New inputs go to build-fuzz/corpus-new/<target>/, never to the committed
# corpus; crashes to build-fuzz/crash-<target>-*. Prints each target's last
# libFuzzer status line.
#   tests/scripts/fuzz.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/../.."
SECS=${1:-60}
shift || true
TARGETS=${*:-"pkt flow esmtp tcp config"}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Ddpdk=disabled -Dbuildtype=debugoptimized
fi
ninja -C build-fuzz
for t in $TARGETS; do
	new="build-fuzz/corpus-new/$t"
	mkdir -p "$new"
	echo "=== fuzz_$t for ${SECS}s"
	"build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -print_final_stats=1 \
		-artifact_prefix="build-fuzz/crash-$t-" "$new" "tests/fuzz/corpus/$t" 2>&1 |
		grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' |
		tail -4
done
