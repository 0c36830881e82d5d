#!/usr/bin/env bash
# Loads customer data from a real PostgreSQL server, started on loopback for this test only, and
# checks that `relc data inspect` reports exactly what it reports for the same data in CSV; then
# that `relc calibrate` learns from a campaign's results in a PostgreSQL table exactly what it
# learns from them in CSV.
# Exit 77 (CTest: skipped) with the reason only if no server can be started here.
set -euo pipefail
relc=$1
source_dir=$2
fixture=$source_dir/tests/golden/data/inputs/unknown_customer

bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "SKIPPED: no PostgreSQL server here (Debian package postgresql); scripts/setup installs it"
  exit 77
fi
work=$(mktemp -d /tmp/relc-pg.XXXXXX)
chmod 755 "$work"
as_server=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$work"
  as_server=(runuser -u postgres --)
fi
port=$((20000 + RANDOM % 20000))
stop() {
  "${as_server[@]}" "$bin/pg_ctl" -D "$work/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
if ! "${as_server[@]}" "$bin/initdb" -D "$work/db" -A trust -U relc >"$work/initdb.log" 2>&1; then
  echo "SKIPPED: initdb failed:"; cat "$work/initdb.log"; exit 77
fi
if ! "${as_server[@]}" "$bin/pg_ctl" -D "$work/db" -l "$work/server.log" -w \
     -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null; then
  echo "SKIPPED: the server did not start:"; cat "$work/server.log"; exit 77
fi

psql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U relc -d postgres "$@"; }
psql <<SQL
-- Opt-in flags as text, as CRM exports often keep them ("oui"/"non"); dates, times and
-- amounts typed, so that relc reads what PostgreSQL prints for them.
CREATE TABLE customers (id text PRIMARY KEY, email text, phone text, first_name text, birth_date date,
  signup_date date, city text, country text, timezone text, email_optin text, sms_optin text,
  phone_optin text, postal_optin text, push_optin text, loyalty_member boolean);
SET datestyle = 'ISO, DMY';
\copy customers FROM '$fixture/customers.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE events (customer_id text, event text, time timestamp, amount numeric(12,2), cart_id text,
  items integer, value numeric(12,2), page text, referred_id text, reason text, from_channel text);
\copy events FROM '$fixture/events.csv' WITH (FORMAT csv, HEADER true)
SQL

uri="postgresql://relc@127.0.0.1:$port/postgres"
"$relc" data inspect --data "$uri" --as-of 2025-06-01 --allow-orphans | sed 1d > "$work/from_postgres.txt"
"$relc" data inspect --data "$fixture" --as-of 2025-06-01 --allow-orphans | sed 1d > "$work/from_csv.txt"
if ! diff -u "$work/from_csv.txt" "$work/from_postgres.txt"; then
  echo "FAIL: PostgreSQL and CSV loads differ"
  exit 1
fi
# An export described by a `source` reads the same from a PostgreSQL view as from its file: the
# view `lines` over the table the shop's lines were copied into, as they are (text, a BOM-less
# copy of tests/golden/source/inputs/lines/lines.csv).
lines=$source_dir/tests/golden/source/inputs/lines/lines.csv
tail -c +4 "$lines" | tr -d '\r' > "$work/lines.csv"
psql <<SQL
CREATE TABLE shop_lines ("InvoiceNo" text, "StockCode" text, "Description" text, "Quantity" text, "InvoiceDate" text,
  "UnitPrice" text, "CustomerID" text, "Country" text);
\copy shop_lines FROM '$work/lines.csv' WITH (FORMAT csv, HEADER true)
CREATE VIEW lines AS SELECT * FROM shop_lines;
SQL
program=$source_dir/tests/golden/source/inputs/shop.rel
"$relc" data inspect --program "$program" --data "$uri" --as-of 2025-12-03 2>&1 | grep -v "^source:" > "$work/lines_postgres.txt"
"$relc" data inspect --program "$program" --data "$(dirname "$lines")" --as-of 2025-12-03 2>&1 | grep -v "^source:" > "$work/lines_csv.txt"
grep -q "net of returns: purchases 105.77, returns 34.28" "$work/lines_csv.txt" || { cat "$work/lines_csv.txt"; exit 1; }
if ! diff -u "$work/lines_csv.txt" "$work/lines_postgres.txt"; then
  echo "FAIL: a source reads PostgreSQL and CSV differently"
  exit 1
fi
# A table that does not match the contract fails with the reason, exit 1.
psql -c "ALTER TABLE customers DROP COLUMN email_optin"
if "$relc" data inspect --data "$uri" 2>"$work/error.txt"; then
  echo "FAIL: a missing column was accepted"; exit 1
fi
grep -q "missing required column \`email_optin\`" "$work/error.txt" || { cat "$work/error.txt"; exit 1; }
# An unreachable server is an I/O error, exit 2.
set +e
"$relc" data inspect --data "postgresql://relc@127.0.0.1:1/postgres" 2>/dev/null
code=$?
set -e
[[ $code -eq 2 ]] || { echo "FAIL: exit $code for an unreachable server"; exit 1; }
# A past campaign's results as a typed table: the loyalty flag a boolean (COPY writes it `t`/`f`),
# amounts as numeric.
"$relc" data generate --campaign --customers 5000 --seed 3 --out "$work/past" >/dev/null 2>&1
psql <<SQL
CREATE TABLE history (customer_id text PRIMARY KEY, arm text, channel text, message text, opened integer,
  clicked integer, converted integer, amount numeric(12,2), unsubscribed integer, loyalty_member boolean, country text);
\copy history FROM '$work/past/history.csv' WITH (FORMAT csv, HEADER true)
SQL
calibrate=(calibrate --by "loyalty_member,country" --validate 50% --seed 2)
"$relc" "${calibrate[@]}" --history "$work/past/history.csv" --out "$work/from_csv.rel" \
  > "$work/validate_csv.txt" 2>"$work/calibrate.log" || { cat "$work/calibrate.log"; exit 1; }
"$relc" "${calibrate[@]}" --history "postgresql://relc:unused-secret@127.0.0.1:$port/postgres" \
  --out "$work/from_postgres.rel" > "$work/validate_postgres.txt" 2>"$work/calibrate.log" || { cat "$work/calibrate.log"; exit 1; }
diff -u "$work/validate_csv.txt" "$work/validate_postgres.txt" || { echo "FAIL: --validate differs"; exit 1; }
grep -q "calibrated on postgresql://relc@127.0.0.1:$port/postgres, table history\." "$work/from_postgres.rel" ||
  { echo "FAIL: the model does not name its source without the password"; exit 1; }
if grep -q "unused-secret" "$work/from_postgres.rel"; then echo "FAIL: the password reached the model"; exit 1; fi
sed "s|$work/past/history.csv|SOURCE|g" "$work/from_csv.rel" > "$work/from_csv.txt"
sed "s|postgresql://relc@127.0.0.1:$port/postgres, table history|SOURCE|g" "$work/from_postgres.rel" > "$work/from_postgres.txt"
diff -u "$work/from_csv.txt" "$work/from_postgres.txt" || { echo "FAIL: the models differ"; exit 1; }
# A table that is not there is the server's message, exit 1.
set +e
"$relc" calibrate --history "$uri" --history-table nosuch --out "$work/x.rel" 2>"$work/error.txt"
code=$?
set -e
[[ $code -eq 1 ]] || { echo "FAIL: exit $code for a missing table"; cat "$work/error.txt"; exit 1; }
grep -q 'relation "nosuch" does not exist' "$work/error.txt" || { cat "$work/error.txt"; exit 1; }

echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'): customer data and campaign history read as from CSV; errors reported"
