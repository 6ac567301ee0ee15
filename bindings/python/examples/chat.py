#!/usr/bin/env python3
"""A SockJS chat room on asyncio: every message goes to everyone.

    python3 chat.py [--host 127.0.0.1] [--port 8080]

then open http://127.0.0.1:8080/ in two browser tabs. Several processes
sharing a Redis make one room (each with its own port and node id):

    python3 chat.py --port 8081 --node-id 1 --redis-port 6379
    python3 chat.py --port 8082 --node-id 2 --redis-port 6379
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import sockjs
from sockjs.aio import AsyncServer

PAGE = """<!doctype html><meta charset="utf-8"><title>SockJS chat</title>
<script src="https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js"></script>
<form id="f"><input id="text" autofocus> <button>say</button></form><pre id="log"></pre>
<script>
const log = (t) => document.getElementById("log").textContent += t + "\\n";
const sock = new SockJS("/chat");
sock.onmessage = (e) => log(e.data);
document.getElementById("f").onsubmit = (e) => {
  e.preventDefault(); sock.send(document.getElementById("text").value);
  document.getElementById("text").value = "";
};
</script>"""


def say(server: AsyncServer, text: str) -> None:
    try:
        server.publish(text)
    except sockjs.ConnectionClosedError:
        pass  # shutting down: every session is closing anyway


async def main(host: str, port: int, node_id: int, redis_port: int | None) -> None:
    cluster: dict[str, object] = {"node_id": node_id}
    if redis_port is not None:  # the room spans every node on this Redis
        cluster["backplane_redis"] = ("127.0.0.1", redis_port)
    async with AsyncServer(prefix="/chat", forward_unmatched=True, **cluster) as server:
        port = await server.listen(host, port)
        print(f"chat listening on http://{host}:{port}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.shutdown)
        async for event in server:
            # publish() goes to every session of the service (on every
            # node) without waiting: a client too slow to keep up misses
            # lines instead of stalling the room.
            if isinstance(event, sockjs.Open):
                name = f"{event.session.remote_address[0]}#{event.session.id}"
                say(server, f"{name} joined")
            elif isinstance(event, sockjs.Message):
                name = f"{event.session.remote_address[0]}#{event.session.id}"
                say(server, f"{name}: {event.data}")
            elif isinstance(event, sockjs.Close):
                say(server, f"#{event.session.id} left")
            elif isinstance(event, sockjs.RequestReceived):
                if event.request.url in ("/", "/index.html"):
                    event.request.respond(200, PAGE, "text/html; charset=UTF-8")
                else:
                    event.request.respond(404, "Not found")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="SockJS chat server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--node-id", type=int, default=0, help="this node's number (0..65535)")
    parser.add_argument("--redis-port", type=int, help="join the room of Redis at 127.0.0.1:PORT")
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port, args.node_id, args.redis_port))
