# shellcheck shell=bash
# Sourced by bench/run. against_duckdb RUNS DIR...: the win-back panel's count over each folder of
# `relc data generate` output, asked of `relc panels` and of DuckDB (bench/duckdb/count.mjs, the
# same question in SQL straight over the same CSV files), whole process against whole process,
# interleaved; prints a Markdown table. Returns 1 when the counts differ, 2 when relc misses issue
# 29's targets: at least 1.5x faster than DuckDB (at most 0.667x its wall time), under 2x its peak. DuckDB comes from npm
# (bench/duckdb/package-lock.json); without it, or without network to fetch it, the table is
# left out with a note.
against_duckdb() {
  local runs=$1
  shift
  if [[ ! -d bench/duckdb/node_modules/@duckdb/node-api ]] &&
    ! (cd bench/duckdb && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
    echo "(DuckDB is not installed and npm could not fetch it: no comparison.)"
    return 0
  fi
  local measure=bench/whole_process.py differ=0 missed=0
  echo "| customers | relc panels, from the CSV files: wall / CPU / peak | relc, from its snapshot | DuckDB: wall / CPU / peak | relc wall / DuckDB | relc peak / DuckDB | count (both) |"
  echo "|---|---|---|---|---|---|---|"
  for dir in "$@"; do
    local relc_runs=() snapshot_runs=() duck_runs=() relc_count="" duck_count="" customers
    local panels=(build/bin/relc panels examples/winback/winback.rel --data "$dir" --as-of 2026-01-01)
    customers=$(($(wc -l <"$dir/customers.csv") - 1))
    "${panels[@]}" >/dev/null 2>&1  # writes the snapshot the rerun reads
    for ((r = 0; r < runs; r++)); do
      relc_runs+=("$("$measure" "${panels[@]}" --no-cache)")
      snapshot_runs+=("$("$measure" "${panels[@]}")")
      duck_runs+=("$("$measure" node bench/duckdb/count.mjs "$dir" 2026-01-01)")
    done
    relc_count=$(printf '%s\n' "${relc_runs[0]}" | /usr/bin/python3 -c 'import json, re, sys; print(re.search(r"^ +dormant +(\d+)", json.load(sys.stdin)["stdout"], re.M).group(1))')
    duck_count=$(printf '%s\n' "${duck_runs[0]}" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["stdout"].strip())')
    local verdict=0
    /usr/bin/python3 - "$customers" "$relc_count" "$duck_count" "${relc_runs[@]}" -- "${snapshot_runs[@]}" -- "${duck_runs[@]}" <<'PY' || verdict=$?
import json, statistics, sys
customers, relc_count, duck_count = sys.argv[1:4]
rest = sys.argv[4:]
first = rest.index("--")
second = rest.index("--", first + 1)
relc = [json.loads(r) for r in rest[:first]]
snapshot = [json.loads(r) for r in rest[first + 1:second]]
duck = [json.loads(r) for r in rest[second + 1:]]
if any(json.loads(r)["stdout"] != relc[0]["stdout"] for r in rest[first + 1:second]):
    relc_count = "**the snapshot's count differs**"
def med(runs, key): return statistics.median(r[key] for r in runs)
def cell(runs): return f"{med(runs, 'wall_ms') / 1000:.2f} s / {med(runs, 'cpu_ms') / 1000:.2f} s / {med(runs, 'peak_mb'):.0f} MB"
count = relc_count if relc_count == duck_count else f"**differ: {relc_count} vs {duck_count}**"
print(f"| {int(customers):,} | {cell(relc)} | {cell(snapshot)} | {cell(duck)} | {med(relc, 'wall_ms') / med(duck, 'wall_ms'):.2f}x"
      f" | {med(relc, 'peak_mb') / med(duck, 'peak_mb'):.2f}x | {count} |")
if relc_count != duck_count: sys.exit(1)
sys.exit(0 if med(relc, 'wall_ms') <= med(duck, 'wall_ms') / 1.5 and med(relc, 'peak_mb') < 2 * med(duck, 'peak_mb') else 2)
PY
    ((verdict == 1)) && differ=1
    ((verdict == 2)) && missed=1
  done
  echo
  echo "Medians of $runs interleaved fresh processes each; wall and CPU from the kernel's accounting of the"
  echo "process (wait4), peak resident memory likewise. The ratios compare relc from the CSV files (\`--no-cache\`)"
  echo "with DuckDB, which reads them every time; a rerun reads relc's snapshot (its panels' output must be the same"
  echo "bytes). Under 1x, relc is the faster or the leaner. Targets (issue 29): relc wall / DuckDB at most 0.67x"
  echo "(1.5x faster), relc peak / DuckDB under 2x$( ((missed)) && echo ": **missed**")."
  ((differ)) && return 1
  ((missed)) && return 2
  return 0
}
