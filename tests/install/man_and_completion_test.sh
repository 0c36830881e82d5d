#!/usr/bin/env bash
# Every option of every command, as `relc help <command>` lists it, is offered by the bash
# completion after `relc <command> -`, and is listed under its command in the rendered man page;
# and zsh's completion system offers it too. Value words and subcommands complete as well.
#   man_and_completion_test.sh RELC SHARE_DIR
set -euo pipefail
relc=$(realpath "$1")
share=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# shellcheck source=/dev/null
source "$share/bash-completion/completions/relc"
# What bash would offer for the words given, the last one being completed.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _relc
  ((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}"
}

man_text=$(MANWIDTH=200 LC_ALL=C.UTF-8 man -E UTF-8 --warnings -l "$share/man/man1/relc.1.gz" 2>/tmp/relc-man-warnings.$$) ||
  fail "man could not render relc.1.gz"
if [[ -s /tmp/relc-man-warnings.$$ ]]; then fail "man warns: $(cat /tmp/relc-man-warnings.$$)"; fi
rm -f /tmp/relc-man-warnings.$$
# man renders hyphens as U+2010 where it may break a line: compare in ASCII.
man_text=${man_text//‐/-}
zsh_script=$share/zsh/vendor-completions/_relc
# What zsh would offer for a command line.
zsh_complete() {
  RELC_ZSH_FPATH=$share/zsh/vendor-completions timeout 30 zsh -f "$here/zsh_complete.zsh" "$1" | sort -u
}

# The commands, from `relc help` (two-word ones from `relc help data`).
mapfile -t commands < <("$relc" help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}' | grep -vx 'help\|version')
mapfile -t data_commands < <("$relc" help data | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1, $2}')
[[ ${#commands[@]} -ge 10 ]] || fail "relc help lists only ${#commands[@]} commands"
[[ ${#data_commands[@]} -ge 2 ]] || fail "relc help data lists only ${#data_commands[@]} commands"

checked=0
for command in "${commands[@]}" "${data_commands[@]}"; do
  [[ $command == data ]] && continue
  read -ra words <<<"$command"
  # This command's section of the man page: from its heading to the next command's.
  section=$(awk -v heading="   relc $command" '(index($0, heading " ") == 1 || $0 == heading) {on = 1; print; next}
                                               on && /^   relc / {exit} on {print}' <<<"$man_text")
  [[ -n $section ]] || fail "the man page has no section for relc $command"
  offered=$(complete_words relc "${words[@]}" -)
  zsh_offered=$(zsh_complete "relc $command -")
  # The options, from the command's own help: `  --name`, `  -q, --quiet <X>` (help text and
  # its continuation lines aside).
  while read -r option; do
    checked=$((checked + 1))
    grep -qx -- "$option" <<<"$offered" || fail "bash does not offer $option after \`relc $command -\`"
    # As an item of its own (`       -q, --quiet`, `       --data SOURCE`), not merely in prose.
    grep -Eq -- "^ {7}(-[a-zA-Z], )?$option( |,|\$)" <<<"$section" ||
      fail "the man page's relc $command section does not list $option"
    grep -qx -- "$option" <<<"$zsh_offered" || fail "zsh does not offer $option after \`relc $command -\`"
  done < <("$relc" help "${words[@]}" | awk '/^Options:/ {on = 1; next} /^$/ {on = 0}
                                             on && /^  -/ {print $1 ~ /,$/ ? substr($1, 1, length($1) - 1) "\n" $2 : $1}')
done
[[ $checked -ge 80 ]] || fail "only $checked options were checked"

# Values, subcommands and operands.
expect() {
  local want=$1
  shift
  local got
  got=$(complete_words "$@" | sort | tr '\n' ' ')
  [[ $got == "$want" ]] || fail "completing \`$*\`: want '$want', got '$got'"
}
expect "github human json sarif " relc check --format ""
expect "json " relc check --format j
expect "json " relc check --format = j
expect "always auto " relc check --color a
expect "describe generate inspect " relc data ""
expect "crm lines " relc data generate --format ""
expect "github json text " relc test --format ""
expect "csv json text " relc run --format ""
expect "bash zsh " relc completion ""
expect "REL0023 " relc explain REL0023
expect "calibrate check completion " relc c
expect "" relc run --days ""
expect "" relc lsp ""
zsh_expect() {
  local got
  got=$(zsh_complete "$2" | tr '\n' ' ')
  [[ $got == "$1" ]] || fail "zsh completing \`$2\`: want '$1', got '$got'"
}
zsh_expect "github human json sarif " "relc check --format "
zsh_expect "json " "relc check --format=j"
zsh_expect "describe generate inspect " "relc data "
zsh_expect "interp jit " "relc run --engine "
zsh_expect "bash zsh " "relc completion "
cd "$(mktemp -d)"
touch winback.rel notes.txt
mkdir programs
expect "winback.rel " relc check w
expect "programs " relc run --jit-cache p

# Exit codes and environment variables are in the man page.
for heading in "EXIT STATUS" ENVIRONMENT RELC_STDLIB NO_COLOR; do
  grep -q "$heading" <<<"$man_text" || fail "the man page lacks $heading"
done

zsh -n "$zsh_script" || fail "the zsh completion does not parse"

if ((failures)); then
  echo "$failures failures" >&2
  exit 1
fi
echo "bash completion, zsh completion and man page: all $checked options of ${#commands[@]} commands and their data subcommands"
