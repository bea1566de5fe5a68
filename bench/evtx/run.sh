#!/usr/bin/env bash
# Whole-process benchmark of the EVTX reader: `vigie evtx dump` against libevtx's `evtxexport` on the same large
# file, built from the chunks of every .evtx sample (see build_large_evtx.py). Prints a Markdown table of
# records per second (wall clock, and per CPU second, which other work on the machine disturbs less) and peak
# memory (from /usr/bin/time).
#
# usage: bench/evtx/run.sh [RECORDS]        (default 1000000)
# needs: dotnet, /usr/bin/python3, /usr/bin/time, evtxexport (Debian package libevtx-utils), ../shared/data
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
records=${1:-1000000}
data=${VIGIE_SHARED_DATA:-$root/../shared/data}
work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-evtx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -d "$data/sigma/regression_data" ] || { echo "missing $data/sigma/regression_data (the .evtx samples)" >&2; exit 2; }

echo "building vigie (Release)..." >&2
dotnet publish "$root/src/Vigie.Server" -c Release -o "$work/vigie" --nologo -v quiet >&2
vigie="$work/vigie/vigie"

/usr/bin/python3 "$root/bench/evtx/build_large_evtx.py" "$work/large.evtx" "$records" "$data/sigma/regression_data" >&2
count=$("$vigie" evtx dump "$work/large.evtx" | wc -l)
size=$(stat -c %s "$work/large.evtx")

row() { # name, command...
    local name=$1; shift
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || { echo "$name failed:" >&2; cat "$work/stderr" >&2; return 1; }
    read -r seconds user system kilobytes < "$work/time"
    awk -v n="$name" -v c="$count" -v s="$seconds" -v u="$user" -v y="$system" -v k="$kilobytes" -v l="$load" \
        'BEGIN { printf "| %s | %d | %.2f | %.0f | %.2f | %.0f | %.0f | %s |\n", n, c, s, c / s, u + y, c / (u + y), k / 1024, l }'
}

echo "file: $count records, $((size / 1048576)) MiB, $(( (size - 4096) / 65536 )) chunks; $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| reader | records | wall seconds | records/s (wall) | CPU seconds | records per CPU second | peak memory (MiB) | load average at start |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row "vigie evtx dump --output jsonl" "$vigie" evtx dump "$work/large.evtx" --output jsonl
if command -v evtxexport > /dev/null; then
    row "evtxexport (libevtx-utils)" evtxexport "$work/large.evtx"
else
    echo "| evtxexport | not installed (apt-get install libevtx-utils) | | | | | | |"
fi
corpus=()
for folder in rules rules-emerging-threats rules-threat-hunting rules-placeholder rules-compliance; do
    [ -d "$data/sigma/$folder" ] && corpus+=("$data/sigma/$folder")
done
row "vigie sigma scan (whole SigmaHQ corpus)" "$vigie" sigma scan --rules "${corpus[@]}" --input "$work/large.evtx" --output jsonl
