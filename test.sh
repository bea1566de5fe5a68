#!/usr/bin/env bash
# Runs every test of Vigie. Installs (as root, via apt) and starts what the tests need:
# PostgreSQL, an OpenLDAP directory, and the independent tools tests compare against.
# The last line reads "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

. scripts/test-services.sh
start_test_services

results="$root/TestResults"
rm -rf "$results"; mkdir -p "$results"

echo "[test] building" >&2
if ! dotnet build Vigie.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "[test] $name" >&2
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1800000 || status=1
done

# One summary over every project, from the TRX files.
summary=$(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
)
if [ -z "$summary" ]; then summary="0 passed, 1 failed, 0 skipped"; status=1; fi
case "$summary" in *" 0 failed"*) ;; *) status=1 ;; esac
echo "$summary"
exit $status
