#!/usr/bin/env bash
# Smoke test of the load client (CTest bench_loadgen_smoke): every mode,
# tiny and bounded, against a fresh server on 127.0.0.1 (sockjs-testserver,
# then sockjs-feedserver when given), then, when sockjs-clusternode and
# redis-server are given, broadcast over two cluster nodes joined through a
# throwaway Redis (--ports, --redis-pid). It checks that the client still
# speaks each transport and validates payloads; it asserts nothing about
# speed.
#   smoke.sh LOADGEN SERVER [SERVER2 [CLUSTERNODE REDIS_SERVER]]
set -euo pipefail
loadgen=$1 server=$2 server2=${3:-} clusternode=${4:-} redis=${5:-}
out=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$out"
}
trap cleanup EXIT

# Waits for "listening on http://127.0.0.1:PORT" in a log; prints PORT.
port_of() {
  for _ in $(seq 100); do
    grep -q listening "$1" && break
    sleep 0.05
  done
  sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$1"
}

smoke_server() {
  local server=$1 log="$out/server.log"
  "$server" --host 127.0.0.1 --port 0 >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local port
  port=$(port_of "$log")
  [ -n "$port" ] || { echo "server did not start"; cat "$log"; exit 1; }
  local common=(--port "$port" --server-pid "$pid" --duration-ms 300 --max-ops 2000
                --open-timeout-ms 10000)
  "$loadgen" --mode ws --sessions 4 --inflight 2 --size 64 "${common[@]}"
  "$loadgen" --mode raw --sessions 4 --inflight 2 --size 64 "${common[@]}"
  "$loadgen" --mode xhr --sessions 4 --size 64 "${common[@]}"
  "$loadgen" --mode storm --sessions 50 --sources 2 "${common[@]}"
  "$loadgen" --mode broadcast --sessions 5 --inflight 4 --size 64 "${common[@]}"
  "$loadgen" --mode ws --sessions 1 --inflight 1 --size 70000 "${common[@]}"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "smoke: all modes passed against $(basename "$server")"
}

smoke_server "$server"
[ -z "$server2" ] || smoke_server "$server2"
[ -n "$clusternode" ] || exit 0
if [ -z "$redis" ] || ! command -v "$redis" >/dev/null; then
  echo "smoke: no redis-server: multi-port broadcast not exercised"
  exit 0
fi

# redis-server needs its port on the command line: take a free one, and try
# again should another process grab it first.
redis_port=
for _ in 1 2 3; do
  p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$redis" --port "$p" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
  rpid=$!
  pids+=("$rpid")
  for _ in $(seq 100); do
    grep -q "Ready to accept" "$out/redis.log" && break
    kill -0 "$rpid" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q "Ready to accept" "$out/redis.log"; then redis_port=$p; break; fi
done
[ -n "$redis_port" ] || { echo "redis-server did not start"; cat "$out/redis.log"; exit 1; }
ports=() node_pids=()
for id in 1 2; do
  NODE_ID=$id "$clusternode" --host 127.0.0.1 --port 0 --redis-port "$redis_port" \
    >"$out/node$id.log" 2>&1 &
  node_pids+=($!)
  pids+=($!)
  port=$(port_of "$out/node$id.log")
  [ -n "$port" ] || { echo "node $id did not start"; cat "$out/node$id.log"; exit 1; }
  ports+=("$port")
done
"$loadgen" --mode broadcast --ports "${ports[0]},${ports[1]}" \
  --server-pid "${node_pids[0]},${node_pids[1]}" --redis-pid "$rpid" \
  --sessions 6 --inflight 4 --size 64 --duration-ms 500 --max-ops 2000 \
  --open-timeout-ms 10000
echo "smoke: broadcast over two cluster nodes through Redis passed"
