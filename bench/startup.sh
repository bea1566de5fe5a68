#!/usr/bin/env bash
# How long `vigie serve` takes, on an empty data folder, from launch to /readyz answering 200
# (store created, migrations applied, keys generated). Usage: bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
./vigie version >/dev/null
port=18999
times=()
for i in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s%N)
  dotnet .vigie/bin/vigie.dll serve --data "$data" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.01; done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  times+=($(( (end - start) / 1000000 )))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "runs=%d min=%d ms median=%d ms max=%d ms\n", NR, a[1], a[int((NR+1)/2)], a[NR]}'
