#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the demo in the
# foreground (Ctrl-C stops it). Open the printed URL in a browser.
#   HOST=0.0.0.0 PORT=9000 scripts/demo.sh    to listen elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --browser  # --browser brings sockjs-client (npm)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target sockjs-demo  # just the demo: quick
exec build/bin/sockjs-demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
