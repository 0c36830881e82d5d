#!/bin/sh
# `cmake --install` into a fresh prefix, which then moves: the installed relc, run from outside
# the checkout without RELC_STDLIB, reads the standard library installed beside it; its man page
# and shell completions are installed too.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
source=$2
prefix=$(mktemp -d /tmp/relc-install.XXXXXX)
trap 'rm -rf "$prefix" "$prefix.moved"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
mv "$prefix" "$prefix.moved"
prefix=$prefix.moved
unset RELC_STDLIB
cd /tmp
relc=$prefix/bin/relc
test -x "$relc"
test -f "$prefix/share/relc/stdlib/std/crm.rel"
# The man page and the completions, where man and the shells look for them.
test -f "$prefix/share/man/man1/relc.1.gz"
test -f "$prefix/share/bash-completion/completions/relc"
test -f "$prefix/share/zsh/vendor-completions/_relc"
# The licences of the npm packages the HTML report's script bundles.
grep -q "vega-lite" "$prefix/share/doc/relc/third-party-licenses.txt"
"$relc" check --quiet "$source/examples/winback/winback.rel"
# The installed copy is the one read: a KPI added to it alone is known to the installed relc...
printf '\n/// Installed here only.\nkpi installed_marker = sent\n' >> "$prefix/share/relc/stdlib/std/kpis.rel"
"$relc" explain installed_marker | grep -q "Installed here only"
# ...and not to the build tree's relc, which reads the sources' stdlib/.
if "$build/bin/relc" explain installed_marker >/dev/null 2>&1; then
  echo "the build tree's relc read the installed standard library" >&2
  exit 1
fi
# RELC_STDLIB still wins.
if RELC_STDLIB=$source/stdlib "$relc" explain installed_marker >/dev/null 2>&1; then
  echo "RELC_STDLIB did not override the installed standard library" >&2
  exit 1
fi
echo "installed, moved, and read its own standard library: $prefix"
