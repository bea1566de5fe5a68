# Shared by the FHIR benchmarks (sourced, not run): a `vigie demo` server with a patient and a clinician's token,
# and the server's CPU time.

# fhir_demo DLL DATA PORT [VAR=value …]: starts the demo in the background with that environment and waits until it
# is ready; sets DEMO_PID, PATIENT (the one dr.alaoui cares for) and TOKEN (dr.alaoui's). Exits 3 without patients.
fhir_demo() {
  local dll="$1" data="$2" port="$3"
  shift 3
  env "$@" dotnet "$dll" demo --data "$data" --urls "http://127.0.0.1:$port" >"$data/demo.log" 2>&1 &
  DEMO_PID=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then
      echo "the demo stopped before it was ready:" >&2
      tail -3 "$data/demo.log" >&2
      exit 3
    fi
    sleep 0.5
  done
  PATIENT=$(grep -o 'cares for Patient/[^ ]*' "$data/demo.log" | head -1 | cut -d/ -f2)
  if [ -z "$PATIENT" ]; then
    echo "the demo has no patient records (../shared/data/synthea missing?)" >&2
    kill "$DEMO_PID" 2>/dev/null || true
    exit 3
  fi
  TOKEN=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d '{"username":"dr.alaoui","password":"vigie-demo-2026"}' | sed 's/.*access_token":"\([^"]*\).*/\1/')
}

# fhir_path read|search: the request measured, for $PATIENT.
fhir_path() {
  if [ "$1" = read ]; then echo "/fhir/Patient/$PATIENT"; else echo "/fhir/Observation?patient=$PATIENT&_count=10"; fi
}

# fhir_ticks PID: the process's CPU time so far, in clock ticks.
fhir_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# fhir_settle PID [SECONDS]: waits (30 s at most by default) until the process is idle again (under a tenth of a
# core for a second); prints the CPU seconds it used meanwhile.
fhir_settle() {
  local hz start before now
  hz=$(getconf CLK_TCK)
  start=$(fhir_ticks "$1")
  for _ in $(seq "${2:-30}"); do
    before=$(fhir_ticks "$1"); sleep 1; now=$(fhir_ticks "$1")
    [ $((now - before)) -lt $((hz / 10)) ] && break
  done
  awk -v t=$(( $(fhir_ticks "$1") - start )) -v hz="$hz" 'BEGIN {printf "%.1f", t/hz}'
}

# fhir_run NAME PID PORT PATH: one measured wrk run ($seconds, $connections, after $warmup seconds of the same requests
# and a wait until idle) with $token; prints a table row without its end (callers add the CPU spent after the run).
fhir_run() {
  local out load before after hz
  hz=$(getconf CLK_TCK)
  if [ "$warmup" -gt 0 ]; then
    wrk -t2 -c"$connections" -d"${warmup}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$3$4" >/dev/null
    fhir_settle "$2" >/dev/null
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(fhir_ticks "$2")
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$3$4")
  after=$(fhir_ticks "$2")
  local rps p50 p99 errors requests cpu
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  # The server's own CPU per request during the run (both cores are shared with wrk and other work).
  cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.0f", (n > 0 ? t / hz / n * 1e6 : 0)}')
  printf '| %s | %s | %s | %s | %s | %s µs | %s |' "$1" "$rps" "$p50" "$p99" "${errors:-0}" "$cpu" "$load"
}

# fhir_measure NAME PID PORT PATH: fhir_run, then the CPU the server spends until idle, with every other process of
# $pids paused (SIGSTOP) meanwhile: Vigie's demo traffic and pipeline take nothing from the server measured.
fhir_measure() {
  local p
  for p in "${pids[@]}"; do [ "$p" = "$2" ] || kill -STOP "$p"; done
  fhir_run "$1" "$2" "$3" "$4"; echo " $(fhir_settle "$2") |"
  kill -0 "$2" 2>/dev/null || { echo "the server measured ($1) stopped during its run" >&2; return 1; }
  for p in "${pids[@]}"; do kill -CONT "$p"; done
}

# fhir_sides VIGIE_PORT BARE_PORT: Vigie's demo (in $data) and the bare app answering its bytes, both ready. Sets
# token, read_path and search_path, writes $data/patient.json and $data/search.json, and adds both processes to
# $pids (Vigie first, then the bare app).
fhir_sides() {
  fhir_demo .vigie/bin/vigie.dll "$data" "$1"
  pids+=("$DEMO_PID")
  token="$TOKEN"
  read_path=$(fhir_path read)
  search_path=$(fhir_path search)
  curl -sf "http://127.0.0.1:$1$read_path" -H "Authorization: Bearer $token" >"$data/patient.json"
  curl -sf "http://127.0.0.1:$1$search_path" -H "Authorization: Bearer $token" >"$data/search.json"
  dotnet bench/fhir/BareFhir/bin/Release/net10.0/BareFhir.dll "$data/patient.json" "$data/search.json" "http://127.0.0.1:$2" >/dev/null 2>&1 &
  pids+=($!)
  until curl -sf --max-time 2 "http://127.0.0.1:$2$read_path" >/dev/null 2>&1; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "the bare app stopped before it was ready" >&2; exit 1; }
    sleep 0.2
  done
}
