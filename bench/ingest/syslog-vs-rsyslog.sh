#!/usr/bin/env bash
# Messages per second over syslog TCP, end to end, Vigie beside rsyslog on the same stream, in the same run.
#   rsyslog (Debian's rsyslogd, its own config in a temp folder): imtcp -> omfile (raw message per line).
#   Vigie (vigie serve --syslog-tcp): receive, frame, parse (RFC 3164/5424, CEF), normalise to ECS, store durably
#   (SQLite by default, or the PostgreSQL URL given as $3), and detect with the SigmaHQ Linux and network rules.
# The clock runs from the first byte sent until the last message is written (rsyslog: its file has every line;
# Vigie: every event is stored and has been through detection).
# Usage: bench/ingest/syslog-vs-rsyslog.sh [MESSAGES=1000000] [RULES=../shared/data/sigma/rules] [STORE_URL]
# STORE_URL names an empty PostgreSQL database (created beforehand); without it, SQLite in a temp folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
n=${1:-1000000}
rules=${2:-$root/../shared/data/sigma/rules}
store_url=${3:-}
[ -x /usr/sbin/rsyslogd ] || { echo "rsyslogd is not installed (apt-get install rsyslog)" >&2; exit 3; }
[ -d "$rules/linux" ] || { echo "no Sigma rules at $rules (../shared/data/sigma/rules, or give the folder as the second argument)" >&2; exit 3; }
command -v bc >/dev/null || { echo "bc is not installed (apt-get install bc)" >&2; exit 3; }
tmp=$(mktemp -d /tmp/vigie-bench-XXXXXX)
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  [ -f "$tmp/rsyslog.pid" ] && kill "$(cat "$tmp/rsyslog.pid")" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }

echo "[bench] generating $n messages" >&2
/usr/bin/python3 bench/ingest/generate-syslog.py "$n" "$tmp/messages.log"
bytes=$(stat -c %s "$tmp/messages.log")

# ---------------------------------------------------------------- rsyslog
port=$(free_port)
cat >"$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port")
template(name="raw" type="string" string="%rawmsg%\n")
action(type="omfile" file="$tmp/rsyslog.out" template="raw")
CONF
/usr/sbin/rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" &
for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
start=$(now)
cat "$tmp/messages.log" > /dev/tcp/127.0.0.1/$port
while [ "$(wc -l < "$tmp/rsyslog.out" 2>/dev/null || echo 0)" -lt "$n" ]; do sleep 0.05; done
end=$(now)
rsyslog_s=$(echo "$end - $start" | bc -l)
rsyslog_cpu=$(cpu_of "$(cat "$tmp/rsyslog.pid")")
kill "$(cat "$tmp/rsyslog.pid")"; rm -f "$tmp/rsyslog.pid"; wait 2>/dev/null || true
echo "[bench] rsyslog: $n messages in ${rsyslog_s}s" >&2

# ---------------------------------------------------------------- Vigie
echo "[bench] building Vigie" >&2
dotnet build src/Vigie.Server -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
vigie() { dotnet "$root/src/Vigie.Server/bin/Release/net10.0/vigie.dll" "$@"; }
store=(--data "$tmp/vigie")
[ -n "$store_url" ] && store+=(--store "$store_url")
export VIGIE_PASSWORD_HASH_ITERATIONS=1000
vigie establishments add --code NAT --name National --type national "${store[@]}" >/dev/null
vigie establishments add --code CHU-B --name "CHU bench" --type chu --parent NAT "${store[@]}" >/dev/null
vigie collectors add --name bench-relay --establishment CHU-B "${store[@]}" >/dev/null 2>&1
echo "throughput-secret-2026" | vigie users add --username bench --role admin --establishment NAT --password-stdin "${store[@]}" >/dev/null
vigie rules import "$rules/linux" "$rules/network" "${store[@]}" >&2
sport=$(free_port); hport=$(free_port)
dotnet "$root/src/Vigie.Server/bin/Release/net10.0/vigie.dll" serve --urls "http://127.0.0.1:$hport" --syslog-tcp "127.0.0.1:$sport" \
  --syslog-collector bench-relay "${store[@]}" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$hport/readyz" >/dev/null && break; sleep 0.1; done
token=$(curl -s -X POST "http://127.0.0.1:$hport/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"throughput-secret-2026"}' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
stats() { curl -s "http://127.0.0.1:$hport/api/v1/ingest/stats" -H "Authorization: Bearer $token"; }
base=$(stats | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["stored"], d["detection_processed"])')
base_stored=${base% *}; base_detected=${base#* }
# Wait until the security events of the set-up are through detection.
sleep 2
base=$(stats | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["stored"], d["detection_processed"])')
base_stored=${base% *}; base_detected=${base#* }
cpu_before=$(cpu_of "$serve_pid")
start=$(now)
cat "$tmp/messages.log" > /dev/tcp/127.0.0.1/$sport
stored_at=""
while true; do
  read -r stored detected detections < <(stats | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["stored"], d["detection_processed"], d["detections"])')
  if [ -z "$stored_at" ] && [ $((stored - base_stored)) -ge "$n" ]; then stored_at=$(now); fi
  [ $((detected - base_detected)) -ge "$n" ] && break
  sleep 0.05
done
end=$(now)
vigie_cpu=$(echo "$(cpu_of "$serve_pid") - $cpu_before" | bc -l)
vigie_s=$(echo "$end - $start" | bc -l)
stored_s=$(echo "$stored_at - $start" | bc -l)
rules_n=$(grep -o '"Rules":[0-9]*' "$tmp/serve.log" | tail -1 | cut -d: -f2)
echo "[bench] vigie: $n messages stored in ${stored_s}s, through detection ($rules_n rules, $detections detections) in ${vigie_s}s" >&2

printf '%-9s %12s %10s %14s %12s %16s\n' "receiver" "messages" "seconds" "messages/s" "CPU seconds" "CPU µs/message"
printf '%-9s %12d %10.2f %14.0f %12.2f %16.2f\n' rsyslog "$n" "$rsyslog_s" "$(echo "$n / $rsyslog_s" | bc -l)" "$rsyslog_cpu" "$(echo "$rsyslog_cpu * 1000000 / $n" | bc -l)"
printf '%-9s %12d %10.2f %14.0f %12.2f %16.2f   (stored: %.0f/s)\n' vigie "$n" "$vigie_s" "$(echo "$n / $vigie_s" | bc -l)" "$vigie_cpu" "$(echo "$vigie_cpu * 1000000 / $n" | bc -l)" "$(echo "$n / $stored_s" | bc -l)"
echo "message bytes: $bytes; store: $([ -n "$store_url" ] && echo postgresql || echo sqlite); rules: $rules_n (linux, network); detections: $detections"
