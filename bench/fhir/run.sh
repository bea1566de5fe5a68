#!/usr/bin/env bash
# Audited, access-checked FHIR reads per second, side by side with a bare ASP.NET Core app returning the same
# bytes with no checks (bench/fhir/BareFhir). Vigie runs `demo` (Synthea patients at CHU-RABAT, dr.alaoui in
# a care relationship with one of them); wrk (Debian) drives both over loopback with dr.alaoui's token.
# The server not measured is paused (SIGSTOP) during each run: the demo's own traffic takes nothing from the bare app.
# After each run the script waits (at most 30 s) for the server to fall idle and reports the CPU it spent meanwhile:
# for Vigie, the ledger's entries travelling on through the outbox, detection and privacy monitoring.
# Each measured run follows a warm-up of the same requests (not counted): without it the first seconds of each
# server are spent compiling its hot code again at higher tiers (the JIT thread took 15-28 % of Vigie's CPU during
# a 10 s run started cold, measured with perf), which is start-up, not the cost of a request.
# Usage: bench/fhir/run.sh [seconds] [connections] [warm-up seconds]
#   VIGIE_LEDGER_ACKNOWLEDGE=queued bench/fhir/run.sh …: reads answered once their ledger entry is queued (docs/LEDGER.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-15}"
connections="${2:-32}"
warmup="${3:-5}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 3; }
./vigie version >/dev/null
dotnet build bench/fhir/BareFhir -c Release -nologo -v q "-clp:ErrorsOnly;NoSummary" >&2
data=$(mktemp -d)
vigie_port=18180
bare_port=18181
pids=()
cleanup() { for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT
source bench/fhir/demo.sh
fhir_sides "$vigie_port" "$bare_port"
before=$(dotnet .vigie/bin/vigie.dll audit verify --data "$data" 2>/dev/null | grep -o '[0-9]* entries' | head -1 || true)

echo "| endpoint | requests/s | p50 | p99 | non-2xx | server CPU/request | load (1 min) before | CPU s after the run |"
echo "|---|---|---|---|---|---|---|---|"
fhir_measure "bare app: GET Patient/{id}" "${pids[1]}" $bare_port "$read_path"
fhir_measure "Vigie: GET Patient/{id} (decided, audited, decrypted)" "${pids[0]}" $vigie_port "$read_path"
fhir_measure "bare app: GET Observation?patient=…&_count=10" "${pids[1]}" $bare_port "$search_path"
fhir_measure "Vigie: GET Observation?patient=…&_count=10" "${pids[0]}" $vigie_port "$search_path"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
echo "ledger before: $before; after: $(dotnet .vigie/bin/vigie.dll audit verify --data "$data" | sed 's/Ledger intact: //')"
