#!/usr/bin/env bash
# Whole-process figures for `vigie sigma`: corpus check time, scan throughput (JSON parsing included)
# and peak memory. Usage: bench/sigma-scan.sh [repeats]   (run from the repository root)
set -euo pipefail
repeats="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data"
[ -d "$data/sigma" ] || { echo "sigma-scan: $data/sigma is missing" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build -c Release "$root/src/Vigie.Server" -o "$work/bin" >/dev/null
vigie="$work/bin/vigie"
rules=("$data/sigma/rules" "$data/sigma/rules-emerging-threats" "$data/sigma/rules-threat-hunting" "$data/sigma/rules-placeholder" "$data/sigma/rules-compliance")

# One JSON-lines file holding the event mix (regression samples and security-datasets recordings), repeated.
mix="$work/mix.jsonl"
/usr/bin/python3 - "$data" "$repeats" "$mix" <<'PY'
import json, glob, sys
data, repeats, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
events = []
files = sorted(glob.glob(f"{data}/sigma/regression_data/**/*.json", recursive=True)) + sorted(glob.glob(f"{data}/security-datasets/*/*.json"))
for f in files:
    text = open(f, encoding="utf-8").read()
    dec, i = json.JSONDecoder(), 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = dec.raw_decode(text, i)
        events.extend(obj if isinstance(obj, list) else [obj])
with open(out, "w", encoding="utf-8") as w:
    for _ in range(repeats):
        for e in events:
            w.write(json.dumps(e) + "\n")
print(len(events) * repeats, file=sys.stderr)
PY
count=$(wc -l < "$mix")

echo "machine: $(nproc) cores, $(. /etc/os-release; echo "$PRETTY_NAME"), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "check: %e s wall, %M KiB peak RSS" "$vigie" sigma check "${rules[@]}" >/dev/null
for i in 1 2 3; do
  start=$(date +%s.%N)
  /usr/bin/time -f "scan: %e s wall, %M KiB peak RSS" "$vigie" sigma scan --rules "${rules[@]}" --input "$mix" --output jsonl > "$work/out.jsonl"
  end=$(date +%s.%N)
  echo "scan run $i: $count events, $(wc -l < "$work/out.jsonl") matches, $(/usr/bin/python3 -c "print(f'{$count/($end-$start):,.0f}')") events/s end to end"
done
