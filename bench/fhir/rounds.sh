#!/usr/bin/env bash
# One Vigie server (`demo`), three rounds of 8 s of the same audited request under wrk (2 threads, 32 connections):
# per round the rate, p99, the server's CPU per request during the round and after it (the pipeline behind the
# ledger: outbox, detection, privacy monitoring) and how many methods the JIT compiled meanwhile. Round 3 is the
# steady state; comparing two builds of vigie (or two settings) round by round shows what start-up hides.
# Usage: bench/fhir/rounds.sh [read|search] [directory holding vigie.dll, default .vigie/bin]
set -euo pipefail
cd "$(dirname "$0")/../.."
kind="${1:-read}"
bin="${2:-.vigie/bin}"
[ "$bin" != .vigie/bin ] || ./vigie version >/dev/null
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 3; }
data=$(mktemp -d)
port=18280
jit="$data/jit.txt"
touch "$jit"
source bench/fhir/demo.sh
trap 'kill "${DEMO_PID:-}" 2>/dev/null || true; wait "${DEMO_PID:-}" 2>/dev/null || true; rm -rf "$data"' EXIT
fhir_demo "$bin/vigie.dll" "$data" "$port" DOTNET_JitDisasmSummary=1 DOTNET_JitStdOutFile="$jit"
pid=$DEMO_PID
token=$TOKEN
path=$(fhir_path "$kind")
hz=$(getconf CLK_TCK)
ticks() { fhir_ticks "$pid"; }
for round in 1 2 3; do
  compiled=$(wc -l <"$jit"); before=$(ticks); load=$(cut -d' ' -f1 /proc/loadavg)
  out=$(wrk -t2 -c32 -d8s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path")
  n=$(echo "$out" | awk '/requests in/ {print $1}'); during=$(ticks)
  sleep 1
  fhir_settle "$pid" 20 >/dev/null
  after=$(ticks)
  echo "round $round: $(echo "$out" | awk '/Requests\/sec/ {print $2}') requests/s, p99 $(echo "$out" | awk '$1=="99%" {print $2}')," \
    "CPU/request $(( (during - before) * 1000000 / hz / n )) µs during, $(( (after - during) * 1000000 / hz / n )) µs after," \
    "$(( $(wc -l <"$jit") - compiled )) methods compiled, load $load"
done
