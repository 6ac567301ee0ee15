"""The hardening options over loopback: the Origin allow-list and the
server-wide limits (max_sessions and friends)."""

from __future__ import annotations

import http.client
import uuid

import pytest

import sockjs
from conftest import next_event
from sockjs_client import TIMEOUT, WebSocketClient, XhrClient


def xhr_open(port: int, prefix: str, origin: str | None) -> tuple[int, str, dict[str, str]]:
    """POST a new xhr-polling session, optionally with an Origin header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        headers = {"Origin": origin} if origin is not None else {}
        conn.request("POST", f"{prefix}/000/{uuid.uuid4().hex[:12]}/xhr", headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode()
        return resp.status, body, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def test_origin_allow_list() -> None:
    with sockjs.Server(
        prefix="/echo",
        heartbeat_delay=0,
        allowed_origins=["https://app.example", "*.trusted.example"],
    ) as server:
        port = server.listen()

        # A foreign page: refused before the upgrade, and on xhr.
        with pytest.raises(ConnectionError, match=" 403 "):
            WebSocketClient(port, "/echo", headers={"Origin": "https://evil.example"})
        status, body, _ = xhr_open(port, "/echo", "https://evil.example")
        assert status == 403, body

        # Listed origins (exact, and a subdomain pattern) work.
        with WebSocketClient(port, "/echo", headers={"Origin": "https://app.example"}) as ws:
            assert ws.recv_sockjs() == "o"
            session = next_event(server, sockjs.Open).session
            assert session.headers["origin"] == "https://app.example"
            ws.send("hi")
            assert next_event(server, sockjs.Message).data == "hi"
        next_event(server, sockjs.Close)
        status, body, headers = xhr_open(port, "/echo", "http://a.b.trusted.example")
        assert (status, body) == (200, "o\n")
        assert headers["access-control-allow-origin"] == "http://a.b.trusted.example"

        # No Origin at all (a non-browser client) is always allowed.
        with WebSocketClient(port, "/echo") as ws:
            assert ws.recv_sockjs() == "o"
        client = XhrClient(port, "/echo")
        assert client.poll() == "o"
        # Only the refused attempts opened nothing.
        opens = [e for e in server.events(timeout=0.2) if isinstance(e, sockjs.Open)]
        assert len(opens) == 3


def test_origin_pattern_errors() -> None:
    for bad in ["https://x.example/path", "ex ample.com", "foo*.example"]:
        with pytest.raises(sockjs.InvalidArgumentError, match="origin pattern"):
            sockjs.Server(prefix="/x", allowed_origins=[bad])
    with sockjs.Server(prefix="/x", allowed_origins="*") as server:  # one str is one pattern
        assert server.services[0].prefix == "/x"


def test_max_sessions() -> None:
    with sockjs.Server(
        prefix="/echo", heartbeat_delay=0, max_sessions=1, max_request_headers=50,
        max_connections=100, tcp_keepalive=30,
    ) as server:
        port = server.listen()
        first = XhrClient(port, "/echo")
        assert first.poll() == "o"
        session = next_event(server, sockjs.Open).session

        status, body, _ = xhr_open(port, "/echo", None)
        assert status == 503, body
        with pytest.raises(ConnectionError, match=" 503 "):
            WebSocketClient(port, "/echo")

        first.send("still served")  # the open session is unaffected
        assert next_event(server, sockjs.Message).data == "still served"

        session.close()
        assert first.poll() == 'c[1000,"Normal closure"]'
        next_event(server, sockjs.Close)
        with WebSocketClient(port, "/echo") as ws:  # a slot is free again
            assert ws.recv_sockjs() == "o"


def test_max_request_headers() -> None:
    with sockjs.Server(prefix="/echo", max_request_headers=5) as server:
        port = server.listen()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            conn.putrequest("GET", "/echo/info")
            for i in range(10):
                conn.putheader(f"X-Filler-{i}", "x")
            conn.endheaders()
            assert conn.getresponse().status == 431
        finally:
            conn.close()


def test_server_option_errors() -> None:
    with pytest.raises(sockjs.InvalidArgumentError):
        sockjs.Server(max_request_headers=0)
    with pytest.raises(sockjs.InvalidArgumentError):
        sockjs.Server(tcp_keepalive=40000)
    with pytest.raises(TypeError):
        sockjs.Server(max_sessions=-1)
