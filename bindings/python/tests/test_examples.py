"""Run the examples as programs and talk to them over loopback."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis_process import RedisProcess
from sockjs_client import WebSocketClient, XhrClient, http_get

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@contextmanager
def run_example(name: str, *args: str) -> Iterator[int]:
    """Start examples/<name> on a free port; yield the port; stop it with
    SIGTERM and check it exits cleanly."""
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / name), "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r" listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        assert m, f"unexpected first line {line!r}"
        yield int(m.group(1))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_testserver_services() -> None:
    with run_example("testserver.py", "--sockjs-url", "http://localhost/sockjs.js") as port:
        xhr = XhrClient(port, "/echo")
        assert xhr.poll() == "o"
        xhr.send("round trip")
        assert xhr.poll_messages() == ["round trip"]
        with WebSocketClient(port, "/echo") as ws:
            assert ws.recv_sockjs() == "o"
            ws.send("ws echo")
            assert ws.recv_messages() == ["ws echo"]
        with WebSocketClient(port, "/close") as ws:
            assert ws.recv_sockjs() == "o"
            assert ws.recv_sockjs() == 'c[3000,"Go away!"]'
        with WebSocketClient(port, "/amplify") as ws:
            ws.recv_sockjs()
            ws.send("4")
            assert ws.recv_messages() == ["x" * 16]
        status, headers, body = http_get(port, "/echo/iframe.html")
        assert status == 200 and b"http://localhost/sockjs.js" in body
        status, _, body = http_get(port, "/cookie_needed_echo/info")
        assert json.loads(body)["cookie_needed"] is True
        status, _, body = http_get(port, "/disabled_websocket_echo/info")
        assert json.loads(body)["websocket"] is False


def test_testserver_broadcast_and_ticker() -> None:
    with run_example("testserver.py") as port:
        with WebSocketClient(port, "/broadcast") as a, WebSocketClient(port, "/broadcast") as b:
            a.recv_sockjs()
            b.recv_sockjs()
            a.send("to all")
            assert a.recv_messages() == ["to all"]
            assert b.recv_messages() == ["to all"]
        with WebSocketClient(port, "/ticker") as t:
            t.recv_sockjs()
            assert t.recv_messages() == ["tick!"]  # within about a second


def test_echo_example_serves_page_and_echoes() -> None:
    with run_example("echo.py") as port:
        status, headers, body = http_get(port, "/")
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert b'new SockJS("/echo")' in body
        assert http_get(port, "/nothing-here")[0] == 404
        with WebSocketClient(port, "/echo") as ws:
            ws.recv_sockjs()
            ws.send("hi")
            assert ws.recv_messages() == ["hi"]


def test_chat_example_broadcasts() -> None:
    with run_example("chat.py") as port:
        assert b'new SockJS("/chat")' in http_get(port, "/")[2]
        with WebSocketClient(port, "/chat") as a:
            a.recv_sockjs()
            assert a.next_message().endswith("joined")
            with WebSocketClient(port, "/chat") as b:
                b.recv_sockjs()
                assert a.next_message().endswith("joined")
                assert b.next_message().endswith("joined")
                b.send("hello room")
                assert a.next_message().endswith(": hello room")
                assert b.next_message().endswith(": hello room")


def test_chat_example_across_two_nodes(redis: RedisProcess) -> None:
    """Two chat processes on one Redis are one room."""
    cluster = ("--redis-port", str(redis.port))
    with run_example("chat.py", "--node-id", "1", *cluster) as port1, \
            run_example("chat.py", "--node-id", "2", *cluster) as port2:
        with WebSocketClient(port1, "/chat") as a:
            a.recv_sockjs()
            a_joined = a.next_message()
            assert a_joined.endswith("joined")
            with WebSocketClient(port2, "/chat") as b:
                b.recv_sockjs()
                joined = a.next_message()  # b's node told a's node
                assert joined.endswith("joined")
                # a's own "joined" may still have been on its way through
                # Redis when b opened; then b gets it too, before or after
                # its own (node 2 delivers it when Redis hands it over).
                first = b.next_message()
                late_a_joined = first != a_joined
                if not late_a_joined:
                    first = b.next_message()
                assert first == joined
                a.send("across nodes")
                message = b.next_message()
                if late_a_joined and message == a_joined:
                    message = b.next_message()
                assert message.endswith(": across nodes")
                assert a.next_message().endswith(": across nodes")
