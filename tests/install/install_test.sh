#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds and runs a consumer
# program against it through find_package(sockjs) and pkg-config.
#   install_test.sh <build-dir> <source-dir-of-consumer>
set -euo pipefail
build=$1; consumer=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
pcdir=$(dirname "$(find "$work/prefix" -name sockjs.pc | head -n 1)")
PKG_CONFIG_PATH=$pcdir cmake -S "$consumer" -B "$work/b" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/b" >/dev/null
libdir=$(dirname "$(find "$work/prefix" -name 'libsockjs.so.*' | head -n 1)")
for exe in consumer_shared consumer_static consumer_pkgconfig; do
  LD_LIBRARY_PATH=$libdir "$work/b/$exe" >/dev/null
  echo "$exe: ok"
done
