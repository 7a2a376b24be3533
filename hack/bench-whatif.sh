#!/usr/bin/env bash
# bench-whatif.sh [SHARDS]: the what-if and replay figures of BENCHMARKS.md, each printed beside the
# load average it was measured at.
#
#   1. the Go benchmarks: one tutorial replay (sim BenchmarkReplay, 5 counts), 1,000 healthy what-if
#      runs (BenchmarkRuns/1000, one worker, and BenchmarkTutorial/healthy-1000, a worker per core),
#      and the replay of a 1-hour recording at 1,000 rps (sim/replay BenchmarkReplayHourAt1000rps);
#   2. README's 12-setting sweep as one `fledge whatif` process, wall and CPU time;
#   3. the same sweep as SHARDS (default 2) `fledge whatif --shard I/SHARDS` processes at once, merged
#      with `fledge whatif merge`, whose JSON must be byte-identical to the one process's.
#
# WHATIF_ARGS replaces README's sweep in 2 and 3 (e.g. WHATIF_ARGS="--runs 5" for a quick check).
# Benchmarks are never run in a loop; the machine should be quiet (2 cores for the floors of issue 14).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

shards="${1:-2}"
read -r -a sweep <<<"${WHATIF_ARGS:---sweep stepWeight=5,10,20 interval=30s,1m threshold=2,5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(date -u +%FT%TZ)"; }

echo "== Go benchmarks"
load
go test ./sim/ -run '^$' -bench 'BenchmarkReplay$' -benchmem -count 5
load
go test ./sim/whatif/ -run '^$' -bench 'BenchmarkRuns/1000$|BenchmarkTutorial/healthy-1000$' -benchtime 1x -benchmem
load
go test ./sim/replay/ -run '^$' -bench 'BenchmarkReplayHourAt1000rps$' -benchtime 5x -benchmem

go build -o "$work/fledge" ./cmd/fledge
timed() { /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" "$@"; }

echo "== fledge whatif ${sweep[*]}, one process"
load
timed "$work/fledge" whatif -q "${sweep[@]}" --json >"$work/one.json"

echo "== the same, $shards shard processes at once, then merge"
load
start=$(date +%s.%N)
pids=()
for ((i = 0; i < shards; i++)); do
	timed "$work/fledge" whatif -q "${sweep[@]}" --shard "$i/$shards" --json >"$work/part-$i.json" 2>"$work/part-$i.time" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
end=$(date +%s.%N)
for ((i = 0; i < shards; i++)); do echo "shard $i/$shards: $(tail -1 "$work/part-$i.time")"; done
timed "$work/fledge" whatif merge "$work"/part-*.json --json >"$work/merged.json"
awk -v s="$start" -v e="$end" 'BEGIN { printf "shards wall: %.2f s\n", e - s }'
load
if cmp -s "$work/one.json" "$work/merged.json"; then
	echo "merged shards: byte-identical to one process"
else
	echo "merged shards DIFFER from one process" >&2
	exit 1
fi
