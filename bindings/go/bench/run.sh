#!/usr/bin/env bash
# Server CPU per echoed message: the C sockjs-testserver against
# sockjs-testserver-go in both modes, same raw-WebSocket load.
#   bindings/go/bench/run.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
export CGO_CFLAGS="-I$here/../../include"
export CGO_LDFLAGS="-L$build/lib -Wl,-rpath,$build/lib"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && go build -o "$tmp/" ./cmd/sockjs-testserver-go ./bench/echoclient)
CONNS=${CONNS:-10} MSGS=${MSGS:-5000}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

bench() {  # name, server command...
  local name=$1; shift
  "$@" --host 127.0.0.1 --port 0 >"$tmp/out" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do grep -q listening "$tmp/out" && break; sleep 0.1; done
  local url; url=$(grep -o 'http://[0-9.:]*' "$tmp/out" | sed 's/^http/ws/')
  local t0; t0=$(cpu_ticks $pid)
  local rate; rate=$("$tmp/echoclient" --url "$url/echo/websocket" --conns "$CONNS" --msgs "$MSGS")
  local t1; t1=$(cpu_ticks $pid)
  kill $pid; wait $pid 2>/dev/null || true
  local hz; hz=$(getconf CLK_TCK)
  awk -v n="$name" -v r="$rate" -v d=$((t1 - t0)) -v hz="$hz" -v m=$((CONNS * MSGS)) \
    'BEGIN { printf "%-22s %s; server CPU %.2f s = %.2f us/msg\n", n, r, d/hz, d/hz*1e6/m }'
}

bench "C sockjs-testserver" "$build/bin/sockjs-testserver"
bench "Go --mode=listen" "$tmp/sockjs-testserver-go" --mode listen
bench "Go --mode=handler" "$tmp/sockjs-testserver-go" --mode handler
