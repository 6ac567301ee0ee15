"""permessage-deflate is negotiated in the 101 only when the service offers it."""

from __future__ import annotations

import base64
import os
import socket

import sockjs
from sockjs_client import TIMEOUT


def handshake_extensions(port: int, path: str) -> list[str]:
    """Upgrade with a permessage-deflate offer; the 101's extension headers."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
             "\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(4096)
            assert chunk, f"closed before the handshake ended: {buf!r}"
            buf += chunk
    lines = buf.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    assert " 101 " in lines[0], lines[0]
    return [line.split(":", 1)[1].strip() for line in lines[1:]
            if line.lower().startswith("sec-websocket-extensions:")]


def test_permessage_deflate_on_and_off() -> None:
    with sockjs.Server() as server:
        server.add_service("/plain", heartbeat_delay=0)
        server.add_service("/deflate", heartbeat_delay=0, permessage_deflate=True,
                           deflate_threshold=0)
        port = server.listen()
        for path in ("/deflate/websocket", "/deflate/000/abcd/websocket"):
            exts = handshake_extensions(port, path)
            assert len(exts) == 1 and exts[0].startswith("permessage-deflate"), exts
        for path in ("/plain/websocket", "/plain/000/abcd/websocket"):
            assert handshake_extensions(port, path) == []
