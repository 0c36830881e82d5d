# shellcheck shell=bash
# Sourced by scripts: install_debian_packages PACKAGE... installs those of the packages that
# are missing, from Debian (as root; otherwise says what to run and exits 2).
install_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  echo "relc: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "relc: these packages are missing; install them as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
