#!/usr/bin/env bash
# Back-fill benchmark of the Docker source (issue #3), whole-process wall time:
#
#   1. mxtop's json-file path: the container's own log file, decoded by engine/source
#   2. mxtop's API path:       the same history through the daemon's log API (NoJSONFile)
#   3. docker logs NAME > /dev/null
#
# on a container whose log holds LINES (default 1,000,000) mail log lines. Each is run RUNS
# (default 3) times; the best run counts. Target: json-file ≥ 20× faster than docker logs.
#
# Needs a Docker daemon and the mxtop-test:latest image (.ci/start-dockerd makes both); without
# them it prints SKIP and exits 0. Run from the repository root. KEEP=1 keeps the container for
# the next run (creating it takes about 20 s).
set -euo pipefail
cd "$(dirname "$0")/../.."

lines=${LINES:-1000000}
runs=${RUNS:-3}
name=mxtop-bench-backfill
image=mxtop-test:latest

if ! docker info >/dev/null 2>&1 || ! docker image inspect "$image" >/dev/null 2>&1; then
	echo "docker-backfill: SKIP (no Docker daemon or no $image; run .ci/start-dockerd)"
	exit 0
fi

tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	if [[ ${KEEP:-0} != 1 ]]; then docker rm -f "$name" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# The container prints its lines and exits; its json-file log is the history to back-fill.
if [[ $(docker inspect -f '{{index .Config.Labels "mxtop.lines"}}' "$name" 2>/dev/null || true) != "$lines" ]]; then
	docker rm -f "$name" >/dev/null 2>&1 || true
	echo "docker-backfill: writing $lines lines into container $name …"
	docker run -d --name "$name" --network none --label "mxtop.lines=$lines" "$image" \
		awk -v n="$lines" 'BEGIN { for (i = 1; i <= n; i++) printf "Nov 27 12:00:01 mail postfix/smtpd[%d]: warning: unknown[203.0.113.%d]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n", i, i % 250 }' >/dev/null
	docker wait "$name" >/dev/null
fi
logpath=$(docker inspect -f '{{.LogPath}}' "$name")
size=$(stat -c %s "$logpath" 2>/dev/null || echo 0)

go build -o "$tmp/backfillbench" ./engine/source/internal/backfillbench

now_ns() { date +%s%N; }

# best CMD...: run CMD $runs times, print the best wall time in milliseconds.
best() {
	local b=0 i s e ms
	for ((i = 0; i < runs; i++)); do
		s=$(now_ns)
		"$@" >"$tmp/out" 2>"$tmp/err" || { echo "docker-backfill: $* failed: $(cat "$tmp/err")" >&2; exit 1; }
		e=$(now_ns)
		ms=$(((e - s) / 1000000))
		if ((b == 0 || ms < b)); then b=$ms; fi
	done
	echo "$b"
}

# check_count: the source must have delivered exactly $lines lines.
check_count() {
	local got
	got=$(awk '{print $1}' "$tmp/out")
	if [[ $got != "$lines" ]]; then
		echo "docker-backfill: expected $lines lines, the source delivered $got" >&2
		exit 1
	fi
}

json_ms=$(best "$tmp/backfillbench" -container "$name")
check_count
api_ms=$(best "$tmp/backfillbench" -container "$name" -api)
check_count
logs_ms=$(best docker logs "$name")

rate() { awk -v n="$lines" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo
echo "Back-fill of $lines lines ($((size / 1000000)) MB json-file log), best of $runs, whole process:"
printf '  %-34s %8s ms %12s lines/s %8s× docker logs\n' "mxtop, json-file log" "$json_ms" "$(rate "$json_ms")" "$(ratio "$logs_ms" "$json_ms")"
printf '  %-34s %8s ms %12s lines/s %8s× docker logs\n' "mxtop, Engine API" "$api_ms" "$(rate "$api_ms")" "$(ratio "$logs_ms" "$api_ms")"
printf '  %-34s %8s ms %12s lines/s\n' "docker logs NAME > /dev/null" "$logs_ms" "$(rate "$logs_ms")"
if awk -v a="$logs_ms" -v b="$json_ms" 'BEGIN { exit !(a / b >= 20) }'; then
	echo "  target json-file ≥ 20× docker logs: met"
else
	echo "  target json-file ≥ 20× docker logs: NOT met"
fi
