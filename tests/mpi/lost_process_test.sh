#!/usr/bin/env bash
# A run that loses a process fails whole: one process of `mpirun -n 3 relc run` killed
# (SIGKILL) while the run goes on makes mpirun exit non-zero, naming the process lost, and no
# report, log or temporary file is left behind.
#
#   lost_process_test.sh RELC MPIRUN
set -euo pipefail
relc=$1
mpirun=$2
work=$(mktemp -d /tmp/relc-mpi-kill.XXXXXX)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
cd "$work"
"$relc" data generate --customers 30000 --seed 3 --out crm 2>/dev/null
mkdir out
# Long enough to be killed in the middle (about 10 s here): 800 runs of a year.
"$mpirun" --oversubscribe -n 3 "$relc" run "$source_dir/examples/winback/winback.rel" --data crm --as-of 2026-01-01 \
  --runs 800 --days 365 --no-cache --format json --log out/log.csv --html out/report.html >report.json 2>stderr.txt &
launcher=$!
# The process of rank 2, once the three are up: a relc of this run (in this folder) whose
# environment, as Open MPI writes it, says rank 2.
ours() {
  for pid in $(pgrep -x relc || true); do
    [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$work" ]] && echo "$pid"
  done
}
victim=
for _ in $(seq 1 200); do
  for pid in $(ours); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=2'; then victim=$pid; fi
  done
  [[ -n $victim ]] && break
  sleep 0.05
done
[[ -n $victim ]] || { echo "FAILED: rank 2 never started"; cat stderr.txt; exit 1; }
sleep 2
kill -0 "$launcher" 2>/dev/null || { echo "FAILED: the run ended before the kill: make it longer"; exit 1; }
kill -KILL "$victim"
code=0
wait "$launcher" || code=$?
echo "mpirun exited with $code after rank 2 (pid $victim) was killed"
failed=0
if ((code == 0)); then echo "FAILED: mpirun exited 0"; failed=1; fi
if ! grep -q "exited on signal 9" stderr.txt; then echo "FAILED: no error names the process lost:"; cat stderr.txt; failed=1; fi
if [[ -s report.json ]]; then echo "FAILED: a report was printed"; failed=1; fi
leftovers=$(ls -A out)
if [[ -n $leftovers ]]; then echo "FAILED: files were left: $leftovers"; failed=1; fi
# No process of the run is left behind.
sleep 0.5
if [[ -n $(ours) ]]; then echo "FAILED: processes of the run survive"; failed=1; fi
((failed == 0)) && echo "the run failed whole: $(grep -m1 'exited on signal' stderr.txt | sed 's/^ *//')"
exit $failed
