#!/usr/bin/env bash
# make bench: parser micro-benchmarks, then whole-process runs of `mxtop report` on a generated
# docker-mailserver log, next to the seed's grep pipelines on the same file. Figures go to
# stdout (and bench/out/ under the repo's ignored .bench-out/).
set -euo pipefail
cd "$(dirname "$0")/../.."
LINES=${LINES:-5000000}
OUT=${OUT:-/tmp/mxtop-bench}
mkdir -p "$OUT"
LOG="$OUT/mail-$LINES.log"

echo "== parser (go test -bench, one line per daemon shape)"
go test ./engine/parse -run '^$' -bench 'BenchmarkParse' -benchmem -count 1 | grep -E '^Benchmark'
go test ./engine -run '^$' -bench 'BenchmarkCore' -benchmem -count 1 | grep -E '^Benchmark' || true

go build -o "$OUT/mxtop" ./cmd/mxtop
if [ ! -s "$LOG" ]; then
	"$OUT/mxtop" demo --emit "$LINES" --seed 1 > "$LOG"
fi
size=$(du -m "$LOG" | cut -f1)
echo "== whole process on $LINES generated lines (${size} MB)"
cat "$LOG" > /dev/null # warm the page cache for every contender alike

t() { # t NAME CMD... : wall seconds and peak RSS of a command
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$OUT/time" "$@" > /dev/null
	read -r secs kb < "$OUT/time"
	printf '%-46s %7.2f s  %8.0f lines/s  %6d MB peak\n' "$name" "$secs" "$(echo "$LINES / $secs" | bc -l)" $((kb / 1024))
}

t "mxtop report (all categories, verdicts)" "$OUT/mxtop" report "$LOG"
t "mxtop report --format json" "$OUT/mxtop" report --format json "$LOG"

# The seed's per-category pipelines (mail-server-attack-analysis.md), reading the file instead
# of `docker logs mailserver`, run one after another as the operator would.
IP4='\[([0-9]{1,3}\.){3}[0-9]{1,3}\]'
cat > "$OUT/seed.sh" <<SEED
set -e
export LC_ALL=C
f="$LOG"
cat "\$f" | grep "lost connection after AUTH" | grep -oE '$IP4' | tr -d '[]' | sort | uniq -c | sort -rn
cat "\$f" | grep "PREGREET" | grep -oE '$IP4' | tr -d '[]' | sort | uniq -c | sort -rn
cat "\$f" | grep "SSL_accept" | grep -oE '$IP4' | tr -d '[]' | sort | uniq -c | sort -rn
cat "\$f" | grep "SASL LOGIN authentication failed" | grep -oE '$IP4' | tr -d '[]' | sort | uniq -c | sort -rn
cat "\$f" | grep "status=sent" | grep -oE '([0-9]{1,3}\.){3}[0-9]{1,3}' | grep -v '^172\.' | sort | uniq -c | sort -rn
cat "\$f" | grep -E "connect from|CONNECT from|PREGREET|AUTH|reject|Relay" | grep -oE '([0-9]{1,3}\.){3}[0-9]{1,3}' | grep -v -E '^172\.|^127\.' | sort | uniq -c | sort -rn
SEED
t "seed: six grep pipelines, one after another" bash "$OUT/seed.sh"

if [ -x .ci/bench/docker-backfill.sh ] && docker info >/dev/null 2>&1; then
	echo "== docker back-fill"
	.ci/bench/docker-backfill.sh
fi
