#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The app is a stack, not a ring (docs/architecture.md): fails on
#  1. an include cycle between the files of app/smtpwall. A file's module
#     is its name without .c/.h (worker.c and worker.h are one module);
#     module A uses B when A.c or A.h includes B.h. The graph must be
#     acyclic: A includes B's header and B includes A's is a cycle, and so
#     is A -> B -> C -> A;
#  2. a data-path file that reads the control plane's global (app.h): the
#     data path gets the read-only wiring (wiring.h) instead;
#  3. with the built core library: a call cycle between the object files
#     (A calls a function B defines and B calls one of A's), from nm.
#
#   tests/scripts/check-layers.sh [APP_DIR [libsmtpwall_core.a]]
set -u
DIR=${1:-$(dirname "$0")/../../app/smtpwall}
LIB=${2:-}
fail=0

# Modules that run on the worker lcores (and the headers they share).
DATA_PATH="addrwatch admission capture conns counters ctl_reset dbg egress flowstate inspect nbrcache records segment splice
	tsclock txq verdict worker worker_state"

[ -d "$DIR" ] || { echo "check-layers: no directory $DIR"; exit 1; }

# "A B" per line: module A uses module B. Every module also names itself,
# so that one without edges is still in the graph.
include_edges() {
	local f stem inc
	for f in "$DIR"/*.c "$DIR"/*.h; do
		stem=$(basename "$f")
		stem=${stem%.*}
		echo "$stem $stem"
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
			while read -r inc; do
				[ -f "$DIR/$inc.h" ] && [ "$inc" != "$stem" ] && echo "$stem $inc"
			done
	done | sort -u
}

# tsort names the modules of each cycle it finds on stderr and exits
# non-zero; the edges between those modules show the way round.
check_acyclic() {
	local what=$1 edges=$2 err loop
	if ! err=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null); then
		loop=$(printf '%s\n' "$err" | sed -n 's/^tsort: //p' | grep -v 'input contains a loop' |
			sort -u | tr '\n' ' ')
		echo "check-layers: $what cycle between modules of $DIR: $loop"
		printf '%s\n' "$edges" | awk -v l=" $loop" '
			$1 != $2 && index(l, " " $1 " ") && index(l, " " $2 " ") { print "  " $1 " -> " $2 }'
		fail=1
	fi
}

edges=$(include_edges)
check_acyclic include "$edges"

for m in $DATA_PATH; do
	for f in "$DIR/$m.c" "$DIR/$m.h"; do
		[ -f "$f" ] || continue
		if grep -q '^[[:space:]]*#[[:space:]]*include[[:space:]]*"app\.h"' "$f"; then
			echo "check-layers: $(basename "$f") is on the data path and includes app.h" \
				"(use the worker's wiring, wiring.h)"
			fail=1
		fi
	done
done

if [ -n "$LIB" ]; then
	if ! command -v nm >/dev/null; then
		echo "check-layers: nm not found, call graph not checked"
	else
		# "object: TYPE symbol" for every symbol of every object of the archive.
		syms=$(nm -A "$LIB" 2>/dev/null | sed -n 's/^[^:]*:\([^:]*\/\)\{0,1\}\([^:/]*\)\.c\.o:[ 0-9a-f]* \([A-Za-z]\) \(.*\)$/\2 \3 \4/p')
		calls=$(printf '%s\n' "$syms" | awk '
			$2 == "T" { def[$3] = $1 }
			$2 == "U" { use[NR] = $1 " " $3 }
			{ self[$1] = 1 }
			END {
				for (m in self) print m " " m
				for (i in use) {
					split(use[i], u, " ")
					if ((u[2] in def) && def[u[2]] != u[1]) print u[1] " " def[u[2]]
				}
			}' | sort -u)
		if [ "$(printf '%s\n' "$calls" | wc -l)" -lt 2 ]; then
			echo "check-layers: no objects read from $LIB"
			fail=1
		else
			check_acyclic call "$calls"
		fi
	fi
fi

[ $fail -eq 0 ] && echo "check-layers: $(printf '%s\n' "$edges" | awk '{print $1}' | sort -u |
	wc -l) modules of $(basename "$DIR"), no include${LIB:+ or call} cycle"
exit $fail
