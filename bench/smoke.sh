#!/usr/bin/env bash
# Smoke test of the load client (CTest bench_loadgen_smoke): every mode,
# tiny and bounded, against a fresh server on 127.0.0.1 (sockjs-testserver,
# then sockjs-feedserver when given). It checks that the client still speaks
# each transport and validates payloads; it asserts nothing about speed.
#   smoke.sh LOADGEN SERVER [SERVER2]
set -euo pipefail
loadgen=$1 server=$2
if [ $# -ge 3 ]; then "$0" "$loadgen" "$3"; fi
out=$(mktemp -d)
"$server" --host 127.0.0.1 --port 0 >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 100); do
  grep -q listening "$out/server.log" && break
  sleep 0.05
done
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$out/server.log")
[ -n "$port" ] || { echo "server did not start"; cat "$out/server.log"; exit 1; }
common=(--port "$port" --server-pid "$pid" --duration-ms 300 --max-ops 2000 --open-timeout-ms 10000)
"$loadgen" --mode ws --sessions 4 --inflight 2 --size 64 "${common[@]}"
"$loadgen" --mode raw --sessions 4 --inflight 2 --size 64 "${common[@]}"
"$loadgen" --mode xhr --sessions 4 --size 64 "${common[@]}"
"$loadgen" --mode storm --sessions 50 --sources 2 "${common[@]}"
"$loadgen" --mode broadcast --sessions 5 --inflight 4 --size 64 "${common[@]}"
"$loadgen" --mode ws --sessions 1 --inflight 1 --size 70000 "${common[@]}"
echo "smoke: all modes passed against $(basename "$server")"
