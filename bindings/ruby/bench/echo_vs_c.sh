#!/usr/bin/env bash
# Ruby echo vs C echo, side by side: the same load (bench/loadgen) against
# sockjs-testserver (C) and examples/testserver.rb (Ruby), /echo service,
# and the server CPU each one spends per message (issue 7 target: Ruby at
# most 4x the C figure).
#   echo_vs_c.sh BUILD_DIR LOADGEN [mode=ws] [duration_ms=4000]
set -euo pipefail
build=$(realpath "$1") loadgen=$2 mode=${3:-ws} duration=${4:-4000}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() {  # name, server command...
  local name=$1; shift
  "$@" --host 127.0.0.1 --port 0 >"$out/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q listening "$out/$name.log" && break; sleep 0.05; done
  local port
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$out/$name.log")
  "$loadgen" --mode "$mode" --port "$port" --server-pid "$pid" --sessions 20 --inflight 4 \
    --size 64 --duration-ms "$duration" >"$out/$name.json"
  kill -TERM "$pid"
  wait "$pid" || true
  sed -n 's/.*"cpu_us_per_op":\([0-9.]*\).*/\1/p' "$out/$name.json"
}

c=$(run c "$build/bin/sockjs-testserver")
rb=$(run ruby ruby -I"$here/lib" -I"$build/ruby" "$here/examples/testserver.rb")
echo "mode=$mode server CPU per message: C ${c} us, Ruby ${rb} us, ratio $(awk -v a="$rb" -v b="$c" 'BEGIN { printf "%.2f", a / b }')"
