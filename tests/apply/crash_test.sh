#!/usr/bin/env bash
# Exactly once under faults: `relc apply` killed (SIGKILL) at a random moment, then rerun,
# leaves the outbox an uninterrupted apply leaves, byte for byte, each idempotency key once.
# Over a SQLite file, or with `postgres` a real PostgreSQL server started on loopback for this
# test only (exit 77, CTest's skip, with the reason, when none can be started here).
#
#   crash_test.sh RELC SOURCE_DIR sqlite|postgres RUNS
set -euo pipefail
relc=$1
source_dir=$2
backend=$3
runs=$4
work=$(mktemp -d /tmp/relc-crash.XXXXXX)
chmod 755 "$work"
cleanup() { [[ -n ${stop_server:-} ]] && $stop_server; rm -rf "$work"; }
trap cleanup EXIT

if [[ $backend == postgres ]]; then
  bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "SKIPPED: no PostgreSQL server here (Debian package postgresql); scripts/setup installs it"
    exit 77
  fi
  as_server=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$work"
    as_server=(runuser -u postgres --)
  fi
  port=$((20000 + RANDOM % 20000))
  stop_postgres() { "${as_server[@]}" "$bin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1 || true; }
  "${as_server[@]}" "$bin/initdb" -D "$work/db" -A trust -U relc >"$work/initdb.log" 2>&1 ||
    { echo "SKIPPED: initdb failed:"; cat "$work/initdb.log"; exit 77; }
  "${as_server[@]}" "$bin/pg_ctl" -D "$work/db" -l "$work/server.log" -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
    { echo "SKIPPED: the server did not start:"; cat "$work/server.log"; exit 77; }
  stop_server=stop_postgres
  psql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U relc "$@"; }
  psql -d postgres -c "CREATE DATABASE reference"
  outbox_of() { echo "postgresql://relc@127.0.0.1:$port/$1"; }
  psql -d postgres -c "CREATE DATABASE run"
  reset() { psql -d run -c "DROP TABLE IF EXISTS relc_outbox, relc_versions, relc_applies"; }
  dump() { psql -d "$1" -A -t -F '|' -c "SELECT * FROM relc_outbox ORDER BY sequence" \
                -c "SELECT * FROM relc_applies ORDER BY as_of" -c "SELECT * FROM relc_versions ORDER BY version"; }
  rows() { psql -d run -A -t -c "SELECT COUNT(*) FROM relc_outbox" 2>/dev/null || echo 0; }
else
  outbox_of() { echo "$work/$1.db"; }
  reset() { rm -f "$work/run.db"*; }
  dump() { sqlite3 -separator '|' "$work/$1.db" "SELECT * FROM relc_outbox ORDER BY sequence" \
             "SELECT * FROM relc_applies ORDER BY as_of" "SELECT * FROM relc_versions ORDER BY version"; }
  rows() { sqlite3 "$work/run.db" "SELECT COUNT(*) FROM relc_outbox" 2>/dev/null || echo 0; }
fi

# A CRM with two weeks of customers' doings: two programs simulated, their customers' events kept.
"$relc" data generate --customers 1000 --seed 5 --out "$work/data" >/dev/null
cat > "$work/letters.rel" <<'REL'
program "Lettre hebdomadaire" {
  consent { email if email_optin }
  panel readers = customers where consent(email)
  pressure { at most 2 messages per 7 days across programs }
  scenario letters {
    trigger enter readers
    exit on purchase
    send email "letter-1"
    wait 7 days
    send email "letter-2"
  }
}
REL
programs=("$source_dir/examples/winback/winback.rel" "$work/letters.rel")
"$relc" run "${programs[@]}" --data "$work/data" --as-of 2026-01-01 --days 15 --events "$work/events.csv" --no-cache >/dev/null
mkdir "$work/crm"
cp "$work/data/customers.csv" "$work/crm/"
python3 - "$work/data/events.csv" "$work/events.csv" "$work/crm/events.csv" <<'PY'
import csv, sys
past, simulated, out = sys.argv[1:]
with open(simulated) as f:
    reader = csv.DictReader(f); header = reader.fieldnames; rows = list(reader)
with open(past) as f:
    rows = list(csv.DictReader(f)) + rows
with open(out, "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n"); writer.writeheader()
    for row in rows: writer.writerow({k: row.get(k) or "" for k in header})
PY

apply() {  # OUTBOX AS_OF [timeout prefix...]
  local outbox=$1 as_of=$2; shift 2
  "$@" "$relc" apply "${programs[@]}" --data "$work/crm" --outbox "$outbox" --as-of "$as_of" --start 2026-01-01 --batch 20 --no-cache >/dev/null 2>"$work/apply.err" || { status=$?; [[ $status == 137 ]] || cat "$work/apply.err"; return $status; }
}
start=$EPOCHREALTIME
apply "$(outbox_of reference)" 2026-01-16
took=$(python3 -c "print(f'{$EPOCHREALTIME - $start:.3f}')")
dump reference > "$work/reference.txt"
# Outbox rows: a sequence number, then a key of 32 hex digits.
messages=$(grep -c '^[0-9]*|[0-9a-f]\{32\}|' "$work/reference.txt" || true)
echo "uninterrupted: the first apply, as of day 15, wrote $messages messages in ${took}s"

mid_write=0
for ((run = 1; run <= runs; run++)); do
  reset
  delay=$(python3 -c "import random; random.seed($run); print(f'{random.uniform(0, 1.2 * $took):.3f}')")
  # In the foreground, timeout kills relc alone and returns once it is gone (else it kills its own
  # process group, itself first, and relc may still hold the outbox while it dies).
  (apply "$(outbox_of run)" 2026-01-16 timeout --foreground -s KILL "$delay") 2>/dev/null || true
  partial=$(rows)
  apply "$(outbox_of run)" 2026-01-16
  if ! diff -q "$work/reference.txt" <(dump run) >/dev/null; then
    echo "FAIL: run $run, killed after ${delay}s with $partial rows written: the outbox differs from the uninterrupted one"
    diff "$work/reference.txt" <(dump run) | head -20
    exit 1
  fi
  ((partial > 0 && partial < messages)) && mid_write=$((mid_write + 1))
done
echo "$runs applies killed at random moments, $mid_write of them while writing: every rerun left the uninterrupted outbox"

# Another apply holding the outbox: this one refuses at once, exit 2, and writes nothing.
if [[ $backend == postgres ]]; then
  psql -d run -c "SELECT pg_advisory_lock(726230617)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
  holder=$!
  until [[ $(psql -d run -A -t -c "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") == 1 ]]; do sleep 0.1; done
  status=0
  "$relc" apply "${programs[@]}" --data "$work/crm" --outbox "$(outbox_of run)" --as-of 2026-01-17 --no-cache >/dev/null 2>"$work/held.err" || status=$?
  kill "$holder"
else
  status=0
  flock -x "$work/run.db" "$relc" apply "${programs[@]}" --data "$work/crm" --outbox "$(outbox_of run)" --as-of 2026-01-17 --no-cache \
    >/dev/null 2>"$work/held.err" || status=$?
fi
if [[ $status != 2 ]] || ! grep -q "another \`relc apply\` holds" "$work/held.err"; then
  echo "FAIL: an apply beside one holding the outbox exited $status:"; cat "$work/held.err"; exit 1
fi
if ! diff -q "$work/reference.txt" <(dump run) >/dev/null; then
  echo "FAIL: the refused apply wrote to the outbox"; exit 1
fi
echo "an apply beside another holding the outbox refused at once, writing nothing"
# Kills must land while messages are written, not only before or after (a few runs may miss).
((runs < 50 || mid_write * 10 >= runs)) || { echo "FAIL: only $mid_write kills landed while the apply wrote"; exit 1; }
