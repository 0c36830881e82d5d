#!/usr/bin/env bash
# The GitHub Action's gate step (action.yml, which runs scripts/gate), run locally as GitHub runs
# a composite step: on programs that pass, warn, fail and cannot be read, it prints the same
# annotations (stdout) and exits with the same code as the commands docs/ci.md gives, read from
# the docs themselves (the worst of their exit codes).
#   gate_test.sh RELC SOURCE_DIR
set -uo pipefail
relc=$(realpath "$1")
source_dir=$(realpath "$2")
PATH=$(dirname "$relc"):$PATH
export PATH
work=$(mktemp -d /tmp/relc-gate.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The commands between docs/ci.md's `<!-- gate commands -->` markers.
awk '/<!-- gate commands: begin -->/ {on = 1; next} /<!-- gate commands: end -->/ {on = 0} on && !/^```/' \
  "$source_dir/docs/ci.md" >"$work/documented.sh"
for command in "relc fmt --check" "relc check" "relc test"; do
  grep -q "$command" "$work/documented.sh" || fail "docs/ci.md's gate commands lack $command: $(cat "$work/documented.sh")"
done
# The action's gate step, as GitHub would run it (`shell: bash` is `bash -e -o pipefail`).
/usr/bin/python3 -c '
import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
print(next(step["run"] for step in steps if "scripts/gate" in step["run"]))' "$source_dir/action.yml" >"$work/action_step.sh" ||
  fail "action.yml has no step that runs scripts/gate"
as_of=$(grep -o -- '--as-of [0-9-]*' "$work/documented.sh" | head -1 | cut -d' ' -f2)

relc data generate --customers 3000 --seed 7 --as-of "$as_of" --out "$work/data" >/dev/null 2>&1 || fail "cannot generate data"

# Runs docs/ci.md's commands, then scripts/gate, in a folder whose programs/ holds `programs`,
# and compares; `want` is the exit code both must give.
compare() {
  local name=$1 want=$2
  shift 2
  local case_dir=$work/$name
  mkdir -p "$case_dir/programs"
  cp "$@" "$case_dir/programs/"
  [[ $name == unreadable-data ]] || ln -s "$work/data" "$case_dir/programs/data"
  (
    cd "$case_dir" || exit 2
    worst=0
    # shellcheck disable=SC2317  # called by the documented commands
    relc() { command relc "$@"; local code=$?; ((code > worst)) && worst=$code; return 0; }
    # shellcheck source=/dev/null
    source "$work/documented.sh" >documented.out 2>/dev/null
    echo "$worst" >documented.code
    GITHUB_ACTION_PATH=$source_dir RELC_PROGRAMS=programs RELC_DATA=programs/data RELC_AS_OF=$as_of \
      bash --noprofile --norc -e -o pipefail "$work/action_step.sh" >gate.out 2>/dev/null
    echo $? >gate.code
  )
  local documented gate
  documented=$(cat "$case_dir/documented.code")
  gate=$(cat "$case_dir/gate.code")
  [[ $gate == "$documented" ]] || fail "$name: the gate exits $gate, docs/ci.md's commands $documented"
  [[ $gate == "$want" ]] || fail "$name: the gate exits $gate, not $want"
  cmp -s "$case_dir/documented.out" "$case_dir/gate.out" ||
    fail "$name: the gate's output differs from docs/ci.md's commands': $(diff "$case_dir/documented.out" "$case_dir/gate.out" | head -20)"
  echo "$name: exit $gate, $(grep -c '^::' "$case_dir/gate.out") annotations, as docs/ci.md's commands"
}

# Passes: the win-back example expecting what any run meets.
sed 's/expect conversion >= 3%/expect conversion >= 0%/' "$source_dir/examples/winback/winback.rel" >"$work/winback.rel"
compare passing 0 "$work/winback.rel"

# A warning fails the gate (--werror): an unused panel in a program that otherwise passes.
sed 's/^  holdout 10%/  panel unused = customers where frequency >= 5\n\n  holdout 10%/' "$work/winback.rel" >"$work/warned.rel"
compare warning 1 "$work/warned.rel"
grep -q "title=REL0304" "$work/warning/gate.out" || fail "warning: no REL0304 annotation in $(cat "$work/warning/gate.out")"

# Fails every gate: a file out of layout, a misspelt measure, an expectation no run meets.
sed 's/expect conversion >= 3%/expect conversion >= 90%/' "$source_dir/examples/winback/winback.rel" >"$work/unreachable.rel"
sed 's/frequency >= 2/frequncy >= 2/' "$source_dir/examples/winback/winback.rel" >"$work/misspelt.rel"
sed 's/  panel dormant = /  panel   dormant=/' "$source_dir/examples/winback/winback.rel" >"$work/misaligned.rel"
compare failing 1 "$work/unreachable.rel" "$work/misspelt.rel" "$work/misaligned.rel"
for kind in "title=relc test" "title=REL0100"; do
  grep -q "$kind" "$work/failing/gate.out" || fail "failing: no \`$kind\` annotation in $(cat "$work/failing/gate.out")"
done
grep -q "^+++ b/programs/misaligned.rel" "$work/failing/gate.out" || fail "failing: no layout diff for misaligned.rel"

# Cannot run: the data folder is missing.
compare unreadable-data 2 "$work/winback.rel"

if ((failures)); then
  echo "$failures failures" >&2
  exit 1
fi
