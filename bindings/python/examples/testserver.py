#!/usr/bin/env python3
"""sockjs-testserver written with the Python API: the services the
sockjs-protocol conformance suite expects, plus /ticker, /amplify and
/broadcast, with the same command line and output line as the C one.

    python3 testserver.py --host 127.0.0.1 --port 8081 [--sockjs-url URL]

Serves until SIGINT or SIGTERM, then shuts down gracefully.
"""

from __future__ import annotations

import argparse
import re
import signal
import time
from typing import Any

import sockjs

SERVICES: dict[str, dict[str, Any]] = {
    "/echo": {"response_limit": 4096},
    "/disabled_websocket_echo": {"websocket": False},
    "/cookie_needed_echo": {"jsessionid": True},
    "/close": {},
    "/ticker": {},
    "/amplify": {},
    "/broadcast": {},
}


def amplified(text: str) -> str:
    """2**n 'x' characters for the number n the client sent (1..19)."""
    m = re.match(r"\s*[-+]?\d+", text)
    n = min(max(int(m.group()) if m else 1, 1), 19)
    return "x" * (1 << n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--sockjs-url", default=None)
    args = parser.parse_args()

    with sockjs.Server() as server:
        svc = {
            prefix: server.add_service(prefix, sockjs_url=args.sockjs_url, **opts)
            for prefix, opts in SERVICES.items()
        }
        port = server.listen(args.host, args.port)
        print(f"sockjs-testserver listening on http://{args.host}:{port}", flush=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: server.shutdown())

        next_tick = time.monotonic() + 1.0
        while True:
            for ev in server.events(timeout=max(0.0, next_tick - time.monotonic())):
                if isinstance(ev, sockjs.ServerClosed):
                    return 0
                if isinstance(ev, sockjs.Open) and ev.session.service is svc["/close"]:
                    ev.session.close(3000, "Go away!")
                elif isinstance(ev, sockjs.Message):
                    on_message(ev, svc)
                if time.monotonic() >= next_tick:
                    break
            if time.monotonic() >= next_tick:
                for session in svc["/ticker"].sessions:
                    send_quietly(session, "tick!")
                next_tick += 1.0


def on_message(ev: sockjs.Message[sockjs.Session], svc: dict[str, sockjs.Service[sockjs.Session]]) -> None:
    service = ev.session.service
    if service is svc["/amplify"]:
        send_quietly(ev.session, amplified(ev.data))
    elif service is svc["/broadcast"]:
        for session in service.sessions:
            send_quietly(session, ev.data)
    elif service not in (svc["/ticker"], svc["/close"]):
        send_quietly(ev.session, ev.data)


def send_quietly(session: sockjs.Session, text: str) -> None:
    # A session may close, or fill its buffer, between its event and this
    # send; the C test server ignores those results too.
    try:
        session.send(text)
    except (sockjs.ConnectionClosedError, sockjs.BufferFullError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
