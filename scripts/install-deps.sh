#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian 12
# machine. Idempotent: packages already present are not fetched again, so
# the README commands can call it every time.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libevent-dev libcjson-dev node-llhttp libgtest-dev zlib1g-dev libhiredis-dev
)
NPM_DIRS=()  # folders whose package.json npm installs into node_modules
# Extra groups, requested with flags.
for arg in "$@"; do
  case "$arg" in
    --browser)
      APT_PACKAGES+=(chromium)
      NPM_DIRS+=(tests/browser)
      # nodesource's nodejs ships npm; Debian's needs its npm package.
      command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm) ;;
    --python) APT_PACKAGES+=(python3-dev python3-venv) ;;
    --ruby) APT_PACKAGES+=(swig ruby-dev ruby-minitest) ;;
    --fuzz) APT_PACKAGES+=(clang libclang-rt-14-dev) ;;
    # tests/cluster and tests/backplane run them in the foreground on
    # their own ports; the packages' system services are not used.
    --cluster) APT_PACKAGES+=(nginx haproxy redis-server) ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages (--browser: sockjs-client for the demo and the test page,
# playwright-core to drive Debian's chromium; it never downloads a browser).
# Skipped while node_modules is newer than package.json and the lock file.
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
for dir in "${NPM_DIRS[@]}"; do
  stamp="$ROOT/$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/$dir/package.json" -nt "$stamp" ] ||
     [ "$ROOT/$dir/package-lock.json" -nt "$stamp" ]; then
    echo "install-deps: npm ci in $dir (versions from its package-lock.json)"
    (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
