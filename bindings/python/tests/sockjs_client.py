"""A tiny SockJS client for the tests, on the standard library only.

``WebSocketClient`` speaks RFC 6455 over a plain socket (masked client
frames, no extensions); ``XhrClient`` speaks xhr-polling with http.client.
Both expose SockJS frames: "o", "h", "a[...]", "c[code,reason]".
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import struct
import uuid

TIMEOUT = 10.0


def _session_path(prefix: str) -> str:
    return f"{prefix}/000/{uuid.uuid4().hex[:12]}"


class WebSocketClient:
    def __init__(self, port: int, prefix: str, *, host: str = "127.0.0.1",
                 path: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self._buf = b""
        self._messages: list[str] = []
        key = base64.b64encode(os.urandom(16)).decode()
        target = path or f"{_session_path(prefix)}/websocket"
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(
            (f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
             f"{extra}\r\n").encode())
        try:
            head = self._read_until(b"\r\n\r\n")
            status = head.split(b"\r\n", 1)[0]
            if b" 101 " not in status:
                raise ConnectionError(f"handshake failed: {status!r}")
        except BaseException:
            self.sock.close()
            raise

    def _read_until(self, sep: bytes) -> bytes:
        while sep not in self._buf:
            self._more()
        head, self._buf = self._buf.split(sep, 1)
        return head

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self._buf += chunk

    def _read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._more()
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def recv_frame(self) -> str:
        """The next text frame's payload (answers pings on the way)."""
        while True:
            b0, b1 = self._read_exact(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._read_exact(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._read_exact(8))
            payload = self._read_exact(n)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            elif opcode == 0x8:
                raise ConnectionError(f"websocket close frame {payload!r}")
            elif opcode == 0x1:
                return payload.decode()

    def recv_sockjs(self) -> str:
        """The next SockJS frame other than a heartbeat."""
        while (frame := self.recv_frame()) == "h":
            pass
        return frame

    def recv_messages(self) -> list[str]:
        frame = self.recv_sockjs()
        assert frame.startswith("a"), frame
        return json.loads(frame[1:])

    def next_message(self) -> str:
        """One message, however the server grouped messages into frames."""
        while not self._messages:
            self._messages = self.recv_messages()
        return self._messages.pop(0)

    def send_raw(self, text: str) -> None:
        self._send_frame(0x1, text.encode())

    def send(self, *messages: str) -> None:
        self.send_raw(json.dumps(list(messages)))

    def close(self) -> None:
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()

    def __enter__(self) -> WebSocketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class XhrClient:
    def __init__(self, port: int, prefix: str, *, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.path = _session_path(prefix)

    def _post(self, url: str, body: bytes = b"") -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            conn.request("POST", url, body=body,
                         headers={"Content-Type": "text/plain"})
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def poll(self) -> str:
        """One xhr-polling request: a frame such as "o" or 'a["x"]'."""
        status, body = self._post(f"{self.path}/xhr")
        assert status == 200, (status, body)
        return body.rstrip("\n")

    def poll_messages(self) -> list[str]:
        while (frame := self.poll()) == "h":
            pass
        assert frame.startswith("a"), frame
        return json.loads(frame[1:])

    def send(self, *messages: str) -> None:
        status, body = self._post(f"{self.path}/xhr_send",
                                  json.dumps(list(messages)).encode())
        assert status == 204, (status, body)


def http_get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def http_post(port: int, path: str, body: bytes = b"", host: str = "127.0.0.1") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.request("POST", path, body=body)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()
