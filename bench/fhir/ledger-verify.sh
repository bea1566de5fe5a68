#!/usr/bin/env bash
# How fast `vigie audit verify` recomputes the ledger: fills a fresh SQLite store with N chained entries
# (bench/fhir/LedgerFill), then times the real executable. Usage: bench/fhir/ledger-verify.sh [entries]
set -euo pipefail
cd "$(dirname "$0")/../.."
entries="${1:-10000000}"
./vigie version >/dev/null
dotnet build bench/fhir/LedgerFill -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
dotnet .vigie/bin/vigie.dll db migrate --data "$data" >/dev/null
dotnet bench/fhir/LedgerFill/bin/Release/net10.0/LedgerFill.dll "$data" "$entries"
ls -la "$data/vigie.db" | awk '{printf "store: %.1f MiB\n", $5/1048576}'
# The fill's gigabytes are written back to disk first: otherwise the kernel's write-back competes with the
# verification being timed (measured: 18.0 s right after a 10 M fill, 11.6 s once written back).
sync
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s%N)
/usr/bin/time -f "CPU: %U s user, %S s system" -o "$data/time.txt" dotnet .vigie/bin/vigie.dll audit verify --data "$data"
end=$(date +%s%N)
awk -v n="$entries" -v ns=$((end - start)) 'BEGIN {printf "whole process: %.2f s, %.0f entries/s\n", ns/1e9, n/(ns/1e9)}'
cat "$data/time.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
