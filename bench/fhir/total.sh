#!/usr/bin/env bash
# Observation searches with and without their count (`_total=none`), alternating on one `vigie demo` so that the
# machine's drift hits both alike. Each run: a wait until the server is idle, then SECONDS of wrk with 32 connections.
# Usage: bench/fhir/total.sh [rounds] [seconds]   (environment such as VIGIE_LEDGER_ACKNOWLEDGE=queued passes through)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"; seconds="${2:-10}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 3; }
./vigie version >/dev/null
source bench/fhir/demo.sh
data=$(mktemp -d)
port=18195
fhir_demo .vigie/bin/vigie.dll "$data" "$port"
trap 'kill "$DEMO_PID" 2>/dev/null || true; rm -rf "$data"' EXIT
search="http://127.0.0.1:$port$(fhir_path search)"
wrk -t2 -c32 -d5s -H "Authorization: Bearer $TOKEN" "$search" >/dev/null
echo "| search | searches/s | p50 | p99 | server CPU per search |"
echo "|---|---|---|---|---|"
for _ in $(seq "$rounds"); do
  for total in "" "&_total=none"; do
    fhir_settle "$DEMO_PID" 40 >/dev/null
    t0=$(fhir_ticks "$DEMO_PID")
    out=$(wrk -t2 -c32 -d"${seconds}s" --latency -H "Authorization: Bearer $TOKEN" "$search$total")
    t1=$(fhir_ticks "$DEMO_PID")
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    label=counted
    if [ -n "$total" ]; then label=_total=none; fi
    printf '| %s | %s | %s | %s | %s µs |\n' "$label" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
      "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
      "$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz / n * 1e6}')"
  done
done
