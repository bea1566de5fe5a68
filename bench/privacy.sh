#!/usr/bin/env bash
# Privacy monitoring, whole process: a simulated hospital's record traffic (vigie privacy simulate), then
#   1. vigie privacy scan FILE          rules, correlations, baselines and risk scores, in memory
#   2. vigie privacy scan FILE --import the same, plus the privacy index and the alerts, on SQLite
#   3. the same on PostgreSQL when VIGIE_BENCH_POSTGRES (postgres://…/db, dropped and recreated) is set.
# Usage: bench/privacy.sh [days] [runs]. Prints the wall time of each run and the accesses per second.
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-14}"
runs="${2:-3}"
./vigie version >/dev/null
vigie() { dotnet .vigie/bin/vigie.dll "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vigie privacy simulate --out "$work/events.jsonl" --days "$days" --seed 1 --start 2026-04-06
events=$(wc -l < "$work/events.jsonl")
measure() {
  local label=$1; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    "$@" prepare
    local start end
    start=$(date +%s%N)
    "$@" run >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$events" '{a[NR]=$1} END {
    printf "%-28s runs=%d min=%d ms median=%d ms max=%d ms  (%d accesses/s at the median)\n", label, NR, a[1], a[int((NR+1)/2)], a[NR], n / (a[int((NR+1)/2)] / 1000) }'
}
scan() { [ "$1" = prepare ] || vigie privacy scan "$work/events.jsonl" --output jsonl; }
sqlite() {
  if [ "$1" = prepare ]; then rm -rf "$work/data"; vigie db migrate --data "$work/data" >/dev/null; return; fi
  vigie privacy scan "$work/events.jsonl" --import --data "$work/data"
}
postgres() {
  if [ "$1" = prepare ]; then
    local db=${VIGIE_BENCH_POSTGRES##*/} admin=${VIGIE_BENCH_POSTGRES%/*}/postgres
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    vigie db migrate --store "$VIGIE_BENCH_POSTGRES" --data "$work/pg" >/dev/null
    return
  fi
  vigie privacy scan "$work/events.jsonl" --import --store "$VIGIE_BENCH_POSTGRES" --data "$work/pg"
}
echo "$events record accesses over $days days"
measure "scan (in memory)" scan
measure "scan --import (SQLite)" sqlite
if [ -n "${VIGIE_BENCH_POSTGRES:-}" ]; then measure "scan --import (PostgreSQL)" postgres; fi
