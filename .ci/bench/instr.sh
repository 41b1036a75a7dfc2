#!/usr/bin/env bash
# instr.sh [TOP]: exact instructions per line of the parser (MODE=store: of the store) on 200k
# demo lines, by function, counted by valgrind's cachegrind on one core with GC off: the run
# parses the lines once, then twice, and prints the difference per line. Unlike wall time on a
# shared VM, the count is the same on every run, so it shows what a change to the hot path saves.
# ONLY=text keeps the demo lines that contain text (e.g. ONLY='postscreen[').
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "instr.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
MODE=${MODE:-parse}
OUT=${OUT:-/tmp/mxtop-instr}
mkdir -p "$OUT"
go build -o "$OUT/instr" ./.ci/bench/instr
run() {
	GOGC=off GOMAXPROCS=1 ONLY="${ONLY:-}" valgrind --tool=cachegrind --cache-sim=no \
		--cachegrind-out-file="$OUT/cg.$1" "$OUT/instr" "$MODE" "$1" >/dev/null 2>&1
	cg_annotate --threshold=0 --auto=no "$OUT/cg.$1" 2>/dev/null |
		awk '/file:function/{f=1;getline;next} f && /^-----/{exit} f && /^ *[0-9,]+ /{v=$1; gsub(",","",v); print v"\t"$NF}' >"$OUT/fn.$1"
}
run 1
run 2
awk -F'\t' -v n=200000 'NR==FNR{a[$2]=$1;next}
	{d=($1-a[$2])/n; t+=$1-a[$2]; if(d>0.5||d<-0.5) printf "%8.1f  %s\n", d, $2}
	END{printf "%8.1f  instructions per line in all\n", t/n}' "$OUT/fn.1" "$OUT/fn.2" |
	sort -rn | sed 's|/usr/local/go/src/||; s|'"$PWD"'/||; s|github.com/mxtop/mxtop/||' | head -"${1:-25}"
