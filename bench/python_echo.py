#!/usr/bin/env python3
"""Python echo server against the C echo server, same load, one run.

Starts sockjs-testserver (C) and bindings/python/examples/testserver.py
(the same services through the Python binding) one after the other on
127.0.0.1, drives each /echo with the same sockjs-loadgen run, and compares
the server CPU per echoed message (loadgen reads it from /proc/PID/stat and
the process's CPU clock). The issue's target: Python <= 3x C.

    bench/python_echo.py --loadgen build/bin/sockjs-loadgen \
        --c-server build/bin/sockjs-testserver [--python venv/bin/python]
        [--mode ws|xhr] [--sessions 20] [--inflight 4] [--size 64]
        [--duration-ms 5000]

--python must be an interpreter where `import sockjs` works (pip install
./bindings/python). Prints a Markdown table and one JSON line per server.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY_SERVER = ROOT / "bindings" / "python" / "examples" / "testserver.py"


def run_one(cmd: list[str], args: argparse.Namespace) -> dict[str, object]:
    server = subprocess.Popen(cmd + ["--host", "127.0.0.1", "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            raise SystemExit(f"{cmd[0]}: unexpected output {line!r}")
        out = subprocess.run(
            [args.loadgen, "--mode", args.mode, "--port", m.group(1),
             "--server-pid", str(server.pid), "--sessions", str(args.sessions),
             "--inflight", str(args.inflight), "--size", str(args.size),
             "--duration-ms", str(args.duration_ms), "--open-timeout-ms", "10000"],
            capture_output=True, text=True, timeout=args.duration_ms / 1000 + 60)
        if out.returncode != 0:
            raise SystemExit(f"loadgen failed against {cmd}: {out.stdout}{out.stderr}")
        result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def main() -> int:
    p = argparse.ArgumentParser(description="Python vs C echo server CPU per message")
    p.add_argument("--loadgen", required=True)
    p.add_argument("--c-server", required=True)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--mode", default="ws", choices=["ws", "xhr"])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--inflight", type=int, default=4)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--duration-ms", type=int, default=5000)
    args = p.parse_args()

    c = run_one([args.c_server], args)
    py = run_one([args.python, str(PY_SERVER)], args)
    c_cpu, py_cpu = float(c["cpu_us_per_op"]), float(py["cpu_us_per_op"])  # type: ignore[arg-type]
    print(f"| server ({args.mode}, {args.sessions} sessions x {args.inflight} in flight,"
          f" {args.size} B) | msgs/s | server CPU us/msg |")
    print("|---|---:|---:|")
    for name, r in (("C sockjs-testserver", c), ("Python testserver.py", py)):
        print(f"| {name} | {float(r['ops_per_s']):.0f} | {float(r['cpu_us_per_op']):.2f} |")  # type: ignore[arg-type]
    ratio = py_cpu / c_cpu if c_cpu > 0 else float("inf")
    print(f"\nPython / C server CPU per message: {ratio:.2f}x (target <= 3x)")
    print(json.dumps({"server": "c", **c}))
    print(json.dumps({"server": "python", **py}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
