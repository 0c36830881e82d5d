# Prints what zsh's completion system offers for a command line, one candidate per line:
# an interactive zsh in a pseudo-terminal loads the completion from $RELC_ZSH_FPATH, is sent
# the line and a TAB, and reports each candidate its compadd is given.
#   zsh -f zsh_complete.zsh 'relc check --format '
zmodload zsh/zpty
zpty shell zsh -f -i
zpty -w shell "PROMPT=''; fpath=($RELC_ZSH_FPATH \$fpath); autoload -U compinit; compinit -u -D"
zpty -w shell 'compdef _relc relc; bindkey "^I" complete-word'
# Mark the start and end of the candidates with NUL lines, and stop the shell once done.
zpty -w shell 'comppre() { print -r -- $'"'"'\0'"'"' }; comppost() { print -r -- $'"'"'\0'"'"'; exit }'
zpty -w shell 'compprefuncs=(comppre); comppostfuncs=(comppost)'
zpty -w shell 'compadd() { local -a hits; builtin compadd -A hits "$@"; builtin compadd "$@"; (( $#hits )) && print -rl -- $hits }'
zpty -w shell "$1"$'\t'
integer marks=0
while zpty -r shell; do :; done | while IFS= read -r line; do
  line=${line%$'\r'}
  if [[ $line == *$'\0' ]]; then
    (( marks++ )) && exit 0
    continue
  fi
  (( marks )) && print -r -- $line
done
