#!/usr/bin/env python3
"""A SockJS echo server with its own test page (synchronous API).

    python3 echo.py [--host 127.0.0.1] [--port 8080]

then open http://127.0.0.1:8080/ in a browser: the page connects to /echo
with sockjs-client and shows what comes back.
"""

from __future__ import annotations

import argparse
import signal

import sockjs

PAGE = """<!doctype html><meta charset="utf-8"><title>SockJS echo</title>
<script src="https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js"></script>
<input id="text" value="hello"> <button id="send">send</button><pre id="log"></pre>
<script>
const log = (t) => document.getElementById("log").textContent += t + "\\n";
const sock = new SockJS("/echo");
sock.onopen = () => log("open: " + sock.transport);
sock.onmessage = (e) => log("echo: " + e.data);
sock.onclose = (e) => log("close: " + e.code + " " + e.reason);
document.getElementById("send").onclick = () => sock.send(document.getElementById("text").value);
</script>"""


def main() -> None:
    parser = argparse.ArgumentParser(description="SockJS echo server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()

    with sockjs.Server(prefix="/echo", forward_unmatched=True) as server:
        port = server.listen(args.host, args.port)
        print(f"echo listening on http://{args.host}:{port}", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: server.shutdown())
        try:
            for event in server.events():
                if isinstance(event, sockjs.Message):
                    event.session.send(event.data)
                elif isinstance(event, sockjs.RequestReceived):
                    if event.request.url in ("/", "/index.html"):
                        event.request.respond(200, PAGE, "text/html; charset=UTF-8")
                    else:
                        event.request.respond(404, "Not found")
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
