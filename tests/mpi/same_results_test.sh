#!/usr/bin/env bash
# A run spread over processes gives byte for byte what one process gives: `mpirun -n 1..4`
# against relc alone, comparing the JSON report, the action log, the CRM events and what is
# printed on stderr (the data's counts, the rows rejected).
#
#   same_results_test.sh RELC MPIRUN SOURCE_DIR GROUP
# GROUP: examples (every example over generated customers, as its golden test runs it), or
# plans (CDNOW's real fits and panels, measures ranking every customer, programs run together
# under a shared policy with the HTML report, the text report, --runs, relc test, a SQLite
# source, daily relc apply and relc plan, bad rows skipped and a bad row failing the run).
set -euo pipefail
relc=$1
mpirun=$2
source_dir=$3
group=$4
work=$(mktemp -d /tmp/relc-mpi.XXXXXX)
trap 'rm -rf "$work"' EXIT
# As root (CI's containers), Open MPI refuses to start unless told it may.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
examples=$source_dir/examples
failures=0
checked=0

# same NAME ARGS...: relc ARGS alone, then under mpirun -n 1..4; every output file named by
# --log, --events, --rejects or --html in ARGS is compared too.
same() {
  local name=$1
  shift
  local outputs=()
  local previous=
  for arg in "$@"; do
    case $previous in --log | --events | --rejects | --html) outputs+=("$arg") ;; esac
    previous=$arg
  done
  run_as() {
    local tag=$1
    shift
    rm -f "${outputs[@]/#/$work/}"
    (cd "$work" && "$@" >"$work/$name.$tag.out" 2>"$work/$name.$tag.err") && echo 0 >"$work/$name.$tag.code" ||
      echo $? >"$work/$name.$tag.code"
    for file in "${outputs[@]}"; do
      if [[ -e $work/$file ]]; then mv "$work/$file" "$work/$name.$tag.$file"; else echo absent >"$work/$name.$tag.$file"; fi
    done
  }
  run_as alone "$relc" "$@"
  for n in 1 2 3 4; do
    run_as "n$n" "$mpirun" --oversubscribe -n "$n" "$relc" "$@"
    # What mpirun adds of its own when a process exits non-zero, between lines of dashes.
    sed -i '/^-\{20,\}$/,/^-\{20,\}$/d' "$work/$name.n$n.err"
    for part in out err code "${outputs[@]}"; do
      if ! cmp -s "$work/$name.alone.$part" "$work/$name.n$n.$part"; then
        echo "FAILED: $name: $part differs between relc alone and mpirun -n $n"
        diff "$work/$name.alone.$part" "$work/$name.n$n.$part" | head -n 12 || true
        failures=$((failures + 1))
      fi
    done
  done
  checked=$((checked + 1))
  echo "same for -n 1..4: $name (exit $(cat "$work/$name.alone.code"), $(wc -c <"$work/$name.alone.out") bytes of report)"
}

crm() {  # crm N: N generated customers, seed 7, as the golden tests' %crm(N,7)
  [[ -d $work/crm$1 ]] || "$relc" data generate --customers "$1" --seed 7 --out "$work/crm$1" >/dev/null
  echo "$work/crm$1"
}

common=(--as-of 2026-01-01 --seed 1 --format json --no-cache --log log.csv)
case $group in
  examples)
    # Each process reads its share of the CSV files and sends the others theirs, as processes on
    # several machines do (on one machine each reads the files whole by default).
    export RELC_SPLIT_CSV=1
    small=$(crm 3000)
    large=$(crm 10000)
    for example in birthday cart_abandonment vip_pareto winback; do
      same "$example" run "$examples/$example/$example.rel" --data "$small" "${common[@]}" --events events.csv
    done
    for example in loyalty_referral multichannel newsletter_signup prospect_activation service_recovery upsell_cross_sell; do
      same "$example" run "$examples/$example/$example.rel" --data "$large" "${common[@]}"
    done
    # A shop's line-level export read through its `source` (rows left out by its rules counted once).
    "$relc" data generate --format lines --customers 5000 --seed 7 --out "$work/shop" >/dev/null
    same online_retail run "$examples/online_retail/online_retail.rel" --data "$work/shop" "${common[@]}"
    ;;
  plans)
    cdnow=(--data "$examples/cdnow/data" --as-of 1998-07-01 --no-cache)
    same cdnow run "$examples/cdnow/cdnow_winback.rel" "${cdnow[@]}" --seed 1 --format json --log log.csv
    same cdnow_panels panels "$examples/cdnow/cdnow_winback.rel" "${cdnow[@]}" --format json
    small=$(crm 3000)
    same ranks panels "$source_dir/tests/mpi/ranks.rel" --data "$small" --as-of 2026-01-01 --no-cache --format json
    printf 'pressure {\n  at most 2 messages per 7 days across programs\n}\n' >"$work/policy.rel"
    same together run "$examples"/{winback,cart_abandonment,birthday}/*.rel --data "$small" --pressure policy.rel "${common[@]}" \
      --html report.html
    same text run "$examples/vip_pareto/vip_pareto.rel" --data "$small" --as-of 2026-01-01 --no-cache
    # Fewer customers than processes: some hold none.
    tiny=$(crm 3)
    same tiny run "$examples/winback/winback.rel" --data "$tiny" "${common[@]}"
    same tiny_ranks panels "$source_dir/tests/mpi/ranks.rel" --data "$tiny" --as-of 2026-01-01 --no-cache --format json
    same runs run "$examples/vip_pareto/vip_pareto.rel" --data "$small" "${common[@]}" --runs 4
    same test test "$examples/cart_abandonment/cart_abandonment.rel" --data "$small" --as-of 2026-01-01 --no-cache --runs 3
    # The same customers from a SQLite database.
    sqlite3 "$work/crm.db" ".import --csv $small/customers.csv customers" ".import --csv $small/events.csv events"
    same sqlite run "$examples/winback/winback.rel" --data "sqlite:crm.db" "${common[@]}"
    # relc apply: daily applies write the same outbox, row for row; relc plan of a changed
    # version against it says the same.
    deploy=("$examples/winback/winback.rel" --data "$small" --start 2026-01-01 --no-cache)
    for tag in alone n3; do
      mkdir -p "$work/$tag"
      launch=()
      [[ $tag == n3 ]] && launch=("$mpirun" --oversubscribe -n 3)
      for day in 2026-01-03 2026-01-10 2026-01-24 2026-02-15; do
        (cd "$work/$tag" && "${launch[@]}" "$relc" apply "${deploy[@]}" --outbox outbox.db --as-of "$day" >>"$work/$tag.applies" 2>&1) ||
          { echo "FAILED: relc apply ($tag) as of $day"; cat "$work/$tag.applies"; failures=$((failures + 1)); }
      done
      sqlite3 "$work/$tag/outbox.db" "SELECT * FROM relc_outbox ORDER BY sequence" >"$work/$tag.outbox"
    done
    if cmp -s "$work/alone.outbox" "$work/n3.outbox" && cmp -s "$work/alone.applies" "$work/n3.applies" && [[ -s $work/alone.outbox ]]; then
      echo "same for -n 3: 4 daily applies, $(wc -l <"$work/alone.outbox") messages in the outbox"
    else
      echo "FAILED: relc apply's outbox differs under mpirun -n 3"
      diff "$work/alone.outbox" "$work/n3.outbox" | head -n 12 || true
      failures=$((failures + 1))
    fi
    sed 's/wait 5 days/wait 3 days/' "$examples/winback/winback.rel" >"$work/winback_v2.rel"
    same plan plan winback_v2.rel --data "$small" --no-cache --outbox alone/outbox.db --as-of 2026-02-16 --horizon 30d --format json
    # Bad rows: skipped and listed in the source's order, or stopping the run at the first.
    mkdir -p "$work/bad"
    cp "$small/customers.csv" "$work/bad/"
    awk -F, 'NR % 997 == 5 { $3 = "yesterday" } 1' OFS=, "$small/events.csv" >"$work/bad/events.csv"
    same skipped run "$examples/winback/winback.rel" --data bad --on-bad-row skip --rejects rejects.csv "${common[@]}"
    same failed run "$examples/winback/winback.rel" --data bad "${common[@]}"
    # The same bad rows, the files split between the processes.
    export RELC_SPLIT_CSV=1
    same skipped_split run "$examples/winback/winback.rel" --data bad --on-bad-row skip --rejects rejects.csv "${common[@]}"
    same failed_split run "$examples/winback/winback.rel" --data bad "${common[@]}"
    # Quoted fields over several lines (where a cut falls inside one, every process reads the
    # files whole instead).
    mkdir -p "$work/quoted"
    awk -F, -v OFS=, 'NR > 1 && NR % 5 == 0 { $7 = "\"Saint-\n\nMalo\"" } 1' "$small/customers.csv" >"$work/quoted/customers.csv"
    cp "$small/events.csv" "$work/quoted/"
    same quoted run "$examples/winback/winback.rel" --data quoted "${common[@]}"
    unset RELC_SPLIT_CSV
    ;;
  *) echo "unknown group $group" >&2; exit 2 ;;
esac
if ((failures > 0)); then
  echo "$failures difference(s)"
  exit 1
fi
echo "$checked runs the same under mpirun -n 1, 2, 3 and 4"
