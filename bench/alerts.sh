#!/usr/bin/env bash
# Alert building, whole process: N detections in time order (20 rules, U users, 5 establishments, over 24 hours) replayed
# with `vigie alerts import`, which groups them into alerts in batches of 1,000 on a migrated SQLite store (and
# PostgreSQL when VIGIE_BENCH_POSTGRES, postgres://…/db, is set; the database is dropped and recreated).
# Usage: bench/alerts.sh [detections] [runs] [users]: 500 users make nearly one alert per detection, 20 users
# group most detections into few alerts.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-20000}"
runs="${2:-3}"
users="${3:-500}"
./vigie version >/dev/null
vigie() { dotnet .vigie/bin/vigie.dll "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$count" "$users" > "$work/detections.jsonl" <<'PY'
import json, random, sys, datetime
random.seed(1)
start = datetime.datetime(2026, 5, 4, 0, 0, 0)
establishments = ["MA-NAT", "CHU-RABAT", "HR-KENITRA", "CLIN-ANFA", "LAB-CASA"]
times = sorted(random.randrange(86400) for _ in range(int(sys.argv[1])))
for i, s in enumerate(times):
    rule = random.randrange(20)
    t = start + datetime.timedelta(seconds=s)
    print(json.dumps({"id": f"b{i}", "rule_id": f"bench-rule-{rule}", "title": f"Bench rule {rule}", "level": random.choice(["low", "medium", "high"]),
        "tags": ["attack.t1110"], "timestamp": t.isoformat() + "Z", "establishment": random.choice(establishments),
        "event": {"user": {"name": f"user{random.randrange(int(sys.argv[2]))}"}, "source": {"ip": f"10.0.{random.randrange(256)}.{random.randrange(256)}"}}}))
PY
measure() {
  local label=$1; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    "$@" prepare
    local start end
    start=$(date +%s%N)
    "$@" run >"$work/stdout" 2>&1 || { cat "$work/stdout"; exit 1; }
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$count" '{a[NR]=$1} END {
    printf "%-26s runs=%d min=%d ms median=%d ms max=%d ms  (%d detections/s at the median)\n", label, NR, a[1], a[int((NR+1)/2)], a[NR], n / (a[int((NR+1)/2)] / 1000) }'
  tail -1 "$work/stdout"
}
sqlite() {
  if [ "$1" = prepare ]; then
    rm -rf "$work/data"
    for e in MA-NAT:national: CHU-RABAT:chu:MA-NAT HR-KENITRA:hospital:MA-NAT CLIN-ANFA:clinic:MA-NAT LAB-CASA:laboratory:MA-NAT; do
      IFS=: read -r code type parent <<<"$e"
      vigie establishments add --code "$code" --name "$code" --type "$type" ${parent:+--parent "$parent"} --data "$work/data" >/dev/null
    done
    return
  fi
  vigie alerts import "$work/detections.jsonl" --data "$work/data"
}
postgres() {
  if [ "$1" = prepare ]; then
    local db=${VIGIE_BENCH_POSTGRES##*/} admin=${VIGIE_BENCH_POSTGRES%/*}/postgres
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    for e in MA-NAT:national: CHU-RABAT:chu:MA-NAT HR-KENITRA:hospital:MA-NAT CLIN-ANFA:clinic:MA-NAT LAB-CASA:laboratory:MA-NAT; do
      IFS=: read -r code type parent <<<"$e"
      vigie establishments add --code "$code" --name "$code" --type "$type" ${parent:+--parent "$parent"} --store "$VIGIE_BENCH_POSTGRES" --data "$work/pg" >/dev/null
    done
    return
  fi
  vigie alerts import "$work/detections.jsonl" --store "$VIGIE_BENCH_POSTGRES" --data "$work/pg"
}
echo "$count detections, $users users"
measure "alerts import (SQLite)" sqlite
if [ -n "${VIGIE_BENCH_POSTGRES:-}" ]; then measure "alerts import (PostgreSQL)" postgres; fi
