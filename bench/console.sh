#!/usr/bin/env bash
# Times the console's pages on the running demo: starts `vigie demo` on a fresh SQLite store, lets its traffic run
# for a minute, signs in as the national SOC analyst (who sees every establishment), then requests each page
# N times in a row and prints the median and the 90th percentile of the whole response time, as curl measures it.
#   bench/console.sh            N=20 PORT=8095 by default
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-20}
port=${PORT:-8095}
base="http://127.0.0.1:$port"
data=$(mktemp -d /tmp/vigie-console-bench.XXXXXX)
jar="$data/cookies"
"$here/vigie" version >/dev/null
( cd "$here" && exec "$here/vigie" demo --data "$data/store" --urls "$base" >"$data/demo.log" 2>&1 ) &
demo=$!
trap 'kill -INT $demo 2>/dev/null; wait $demo 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -sf "$base/readyz" >/dev/null && break; sleep 1; done
echo "demo ready; letting its traffic run for 60 s" >&2
sleep 60

token=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null -X POST "$base/login" --data-urlencode username=analyst \
  --data-urlencode password=vigie-demo-2026 --data-urlencode "__RequestVerificationToken=$token"
alert=$(curl -s -b "$jar" "$base/alerts" | grep -o 'href="/alerts/[0-9]*"' | head -1 | grep -o '[0-9]*')

printf '%-44s %10s %10s %10s\n' page median_ms p90_ms kib
for page in / /alerts "/alerts/$alert" /events "/events?q=event.outcome:failure&from=now-7d" /incidents /incidents/1 \
            "/privacy?user=inf.benali" /privacy/break-glass /rules "/rules?search=powershell" /admin/ledger; do
  times=()
  size=0
  for _ in $(seq 1 "$n"); do
    read -r t s < <(curl -s -b "$jar" -o /dev/null -w '%{time_total} %{size_download}\n' "$base$page")
    times+=("$t")
    size=$s
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  median=$(echo "$sorted" | awk -v n="$n" 'NR==int((n+1)/2){printf "%.1f", $1*1000}')
  p90=$(echo "$sorted" | awk -v n="$n" 'NR==int(n*0.9+0.5){printf "%.1f", $1*1000}')
  printf '%-44s %10s %10s %10d\n' "$page" "$median" "$p90" $((size / 1024))
done
