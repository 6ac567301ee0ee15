#!/usr/bin/env python3
"""A SockJS chat room on asyncio: every message goes to everyone.

    python3 chat.py [--host 127.0.0.1] [--port 8080]

then open http://127.0.0.1:8080/ in two browser tabs.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import sockjs
from sockjs.aio import AsyncServer, AsyncSession

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


async def broadcast(sessions: list[AsyncSession], text: str) -> None:
    async def one(session: AsyncSession) -> None:
        try:
            await session.send(text)  # waits if that client reads slowly
        except sockjs.ConnectionClosedError:
            pass

    await asyncio.gather(*(one(s) for s in sessions))


async def main(host: str, port: int) -> None:
    async with AsyncServer(prefix="/chat", forward_unmatched=True) as server:
        port = await server.listen(host, port)
        print(f"chat listening on http://{host}:{port}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.shutdown)
        async for event in server:
            if isinstance(event, sockjs.Open):
                name = f"{event.session.remote_address[0]}#{event.session.id}"
                await broadcast(server.sessions, f"{name} joined")
            elif isinstance(event, sockjs.Message):
                name = f"{event.session.remote_address[0]}#{event.session.id}"
                await broadcast(server.sessions, f"{name}: {event.data}")
            elif isinstance(event, sockjs.Close):
                await broadcast(server.sessions, f"#{event.session.id} left")
            elif isinstance(event, sockjs.RequestReceived):
                if event.request.url in ("/", "/index.html"):
                    event.request.respond(200, PAGE, "text/html; charset=UTF-8")
                else:
                    event.request.respond(404, "Not found")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="SockJS chat server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
