#!/usr/bin/env bash
# Two builds of Vigie (or one build under two environments) on audited FHIR reads or searches, in alternating
# runs, so that the machine's drift hits both alike. Each run: a fresh `demo`, 5 s of warm-up, a wait until the
# server is idle, SECONDS of wrk with 32 connections, then the CPU the server spends catching up (forwarding,
# detection, privacy monitoring) until idle again.
# Usage: bench/fhir/compare.sh A_DLL B_DLL [read|search] [rounds] [seconds]
#   A_ENV / B_ENV: extra environment for each side, e.g. B_ENV="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"
# A build of another commit: git worktree add /tmp/base <commit> && dotnet publish /tmp/base/src/Vigie.Server \
#   -c Release -o /tmp/base/out   (then /tmp/base/out/vigie.dll)
set -euo pipefail
cd "$(dirname "$0")/../.."
a="${1:?A_DLL}"; b="${2:?B_DLL}"; kind="${3:-read}"; rounds="${4:-2}"; seconds="${5:-10}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 3; }
port=18194
source bench/fhir/demo.sh
one() { # label dll env
  local data pid path out t0 t1 t2 n
  data=$(mktemp -d)
  # shellcheck disable=SC2086 # the environment is a list of VAR=value words
  fhir_demo "$2" "$data" "$port" $3
  pid=$DEMO_PID
  token=$TOKEN
  path=$(fhir_path "$kind")
  wrk -t2 -c32 -d5s -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" >/dev/null
  fhir_settle "$pid" 40 >/dev/null
  t0=$(fhir_ticks "$pid")
  out=$(wrk -t2 -c32 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path")
  t1=$(fhir_ticks "$pid")
  fhir_settle "$pid" 40 >/dev/null
  t2=$(fhir_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  printf '| %s | %s | %s | %s | %s | %s µs | %s µs |\n' "$1" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | awk '/Non-2xx/ {print $5}')" \
    "$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz / n * 1e6}')" \
    "$(awk -v t=$((t2 - t1)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz / n * 1e6}')"
}
echo "| side | $kind/s | p50 | p99 | non-2xx | server CPU per request | CPU per request after |"
echo "|---|---|---|---|---|---|---|"
for _ in $(seq "$rounds"); do
  one A "$a" "${A_ENV:-}"
  one B "$b" "${B_ENV:-}"
done
