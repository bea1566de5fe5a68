#!/usr/bin/env bash
# What the speed goal of the records gateway leaves for Vigie's own work: the same requests as bench/fhir/run.sh,
# side by side, against the bare app (fixed bytes), against the floor app (bench/fhir/FloorFhir: the same
# resources read from encrypted SQLite rows, each request's ledger entry chained and either not written, only queued,
# or committed before the answer, in the resources' database file or in one of its own; no token, no decision, no
# privacy or detection work) and against Vigie. Every server but the one measured is paused (SIGSTOP), so that
# Vigie's demo traffic and pipeline take nothing from the others.
# Usage: bench/fhir/floor.sh [seconds] [connections] [warm-up seconds]
#   VIGIE_LEDGER_ACKNOWLEDGE=queued bench/fhir/floor.sh …: Vigie's reads answered once their entry is queued
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
connections="${2:-32}"
warmup="${3:-5}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 3; }
./vigie version >/dev/null
for app in BareFhir FloorFhir; do dotnet build "bench/fhir/$app" -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2; done
data=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
source bench/fhir/demo.sh
fhir_sides 18182 18183
ports=(18184 18185 18186 18187 18188)
modes=(none queued committed queued committed)
files=(same same same own own)
for i in "${!ports[@]}"; do
  mkdir "$data/floor$i"
  dotnet bench/fhir/FloorFhir/bin/Release/net10.0/FloorFhir.dll "$data/patient.json" "$data/search.json" "http://127.0.0.1:${ports[$i]}" \
    "$data/floor$i" "${modes[$i]}" "${files[$i]}" >"$data/floor$i.log" 2>&1 &
  pids+=($!)
done
# Each floor answers both requests with Vigie's bytes (its own port in the links instead of Vigie's).
for i in "${!ports[@]}"; do
  until curl -sf --max-time 2 "http://127.0.0.1:${ports[$i]}$read_path" >/dev/null 2>&1; do
    if ! kill -0 "${pids[$((i + 2))]}" 2>/dev/null; then echo "floor $i stopped:" >&2; tail -5 "$data/floor$i.log" >&2; exit 1; fi
    sleep 0.2
  done
  curl -sf --max-time 5 "http://127.0.0.1:${ports[$i]}$read_path" | cmp -s - "$data/patient.json" || { echo "floor $i: the Patient differs from Vigie's" >&2; exit 1; }
  curl -sf --max-time 5 "http://127.0.0.1:${ports[$i]}$search_path" | sed "s/127.0.0.1:${ports[$i]}/127.0.0.1:18182/g" | cmp -s - "$data/search.json" ||
    { echo "floor $i: the search differs from Vigie's" >&2; exit 1; }
done
echo "| server | request | requests/s | p50 | p99 | non-2xx | server CPU/request | load (1 min) before | CPU s after the run |"
echo "|---|---|---|---|---|---|---|---|---|"
for kind in read search; do
  if [ "$kind" = read ]; then path="$read_path"; label="GET Patient/{id}"; else path="$search_path"; label="GET Observation?patient=…&_count=10"; fi
  fhir_measure "bare app | $label" "${pids[1]}" 18183 "$path"
  for i in "${!ports[@]}"; do
    entry="no ledger entry"; [ "${modes[$i]}" = none ] || entry="entry ${modes[$i]}"
    [ "${files[$i]}" = own ] && entry="$entry, ledger in its own file"
    fhir_measure "floor, $entry | $label" "${pids[$((i + 2))]}" "${ports[$i]}" "$path"
  done
  fhir_measure "Vigie (${VIGIE_LEDGER_ACKNOWLEDGE:-committed}) | $label" "${pids[0]}" 18182 "$path"
done
