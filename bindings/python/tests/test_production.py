"""Production features: authorize at open, client address behind a trusted
proxy, session listing and close-all, metrics, logging."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

import sockjs
from conftest import next_event
from sockjs_client import WebSocketClient, XhrClient


@pytest.fixture
def auth_server() -> Iterator[sockjs.Server]:
    server = sockjs.Server(
        prefix="/auth",
        heartbeat_delay=0,
        # a closed xhr session reports Close after lingering this long
        disconnect_delay=0.3,
        authorize=True,
        authorize_timeout=5.0,
    )
    server.listen("127.0.0.1", 0)
    yield server
    server.close()


def test_authorize_accept_websocket(auth_server: sockjs.Server) -> None:
    assert auth_server.port
    with WebSocketClient(
        auth_server.port, "/auth", path="/auth/000/tokentest/websocket?token=good"
    ) as ws:
        session = next_event(auth_server, sockjs.Open).session
        assert session.query == "token=good"
        session.send("early")  # queued until the decision
        session.accept()
        with pytest.raises(sockjs.StateError):
            session.accept()
        assert ws.recv_sockjs() == "o"
        assert ws.next_message() == "early"
        ws.send("hi")
        assert next_event(auth_server, sockjs.Message).data == "hi"


def test_authorize_reject_websocket(auth_server: sockjs.Server) -> None:
    assert auth_server.port
    with WebSocketClient(auth_server.port, "/auth") as ws:
        session = next_event(auth_server, sockjs.Open).session
        session.reject(4403, "Forbidden")
        assert ws.recv_sockjs() == 'c[4403,"Forbidden"]'
    close = next_event(auth_server, sockjs.Close)
    assert close.session is session and (close.code, close.reason) == (4403, "Forbidden")
    assert not any(isinstance(e, sockjs.Close) for e in auth_server.events(timeout=0.2))


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_authorize_xhr_polling(auth_server: sockjs.Server, decision: str) -> None:
    import threading

    assert auth_server.port
    client = XhrClient(auth_server.port, "/auth")
    frames: list[str] = []
    poller = threading.Thread(target=lambda: frames.append(client.poll()))
    poller.start()  # the first poll waits, unanswered, for the decision
    session = next_event(auth_server, sockjs.Open).session
    assert session.transport == "xhr-polling"
    if decision == "accept":
        session.accept()
        poller.join(10)
        assert frames == ["o"]
        client.send("x")
        assert next_event(auth_server, sockjs.Message).data == "x"
    else:
        session.reject(4401, "Unauthorized")
        poller.join(10)
        assert frames == ['c[4401,"Unauthorized"]']
        close = next_event(auth_server, sockjs.Close)
        assert (close.code, close.reason) == (4401, "Unauthorized")


def test_client_address_through_trusted_proxy() -> None:
    with sockjs.Server(prefix="/echo", heartbeat_delay=0, trusted_proxies=["127.0.0.1"]) as server:
        assert server.listen() and server.port
        hdr = {"X-Forwarded-For": "203.0.113.7, 127.0.0.1"}
        with WebSocketClient(server.port, "/echo", headers=hdr) as ws:
            assert ws.recv_sockjs() == "o"
            session = next_event(server, sockjs.Open).session
            assert session.client_address == "203.0.113.7"
            assert session.remote_address[0] == "127.0.0.1"
    with sockjs.Server(prefix="/echo", heartbeat_delay=0) as server:  # not trusted
        assert server.listen() and server.port
        with WebSocketClient(server.port, "/echo", headers=hdr) as ws:
            assert ws.recv_sockjs() == "o"
            session = next_event(server, sockjs.Open).session
            assert session.client_address == "127.0.0.1"


def test_listing_close_all_and_metrics(echo_server: sockjs.Server) -> None:
    assert echo_server.port
    service = echo_server.services[0]
    clients = [WebSocketClient(echo_server.port, "/echo") for _ in range(3)]
    try:
        opened = [next_event(echo_server, sockjs.Open).session for _ in clients]
        assert service.session_ids() == sorted(s.id for s in opened)
        assert echo_server.session_ids() == service.session_ids()
        clients[0].send("abc")
        next_event(echo_server, sockjs.Message)

        def value(name: str, **match: object) -> int:
            return sum(
                m.value for m in echo_server.metrics()
                if m.name == name and all(getattr(m, k) == v for k, v in match.items())
            )

        assert value("sockjs_sessions_open", service="/echo", transport="websocket") == 3
        assert value("sockjs_messages_received_total", service="/echo") == 1
        assert value("sockjs_message_bytes_received_total", service="/echo") == 3
        assert service.close_sessions(4000, "maintenance") == 3
        for ws in clients:
            assert ws.recv_sockjs() == "o"
            assert ws.recv_sockjs() == 'c[4000,"maintenance"]'
        closes = [next_event(echo_server, sockjs.Close) for _ in clients]
        assert {c.code for c in closes} == {4000}
        assert service.session_ids() == [] and service.sessions == []
        assert value("sockjs_sessions_closed_total", service="/echo") == 3
        text = echo_server.metrics_prometheus()
        for family in ("sockjs_sessions_open", "sockjs_sessions_opened_total",
                       "sockjs_messages_received_total", "sockjs_http_requests_total"):
            assert f"# TYPE {family} " in text
        assert 'sockjs_sessions_opened_total{service="/echo",transport="websocket"} 3' in text
        # A real parser reads it (prometheus_client, installed by ctest_setup.sh).
        from prometheus_client.parser import text_string_to_metric_families

        families = {f.name: f for f in text_string_to_metric_families(text)}
        assert families["sockjs_sessions_opened"].type == "counter"
        opened = [
            s for s in families["sockjs_sessions_opened"].samples
            if s.labels.get("service") == "/echo" and s.labels.get("transport") == "websocket"
        ]
        assert [s.value for s in opened] == [3.0]
    finally:
        for ws in clients:
            ws.sock.close()


def test_log_records_reach_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sockjs")
    with sockjs.Server(prefix="/echo", heartbeat_delay=0, log_level="DEBUG") as server:
        assert server.listen() and server.port
        with WebSocketClient(server.port, "/echo") as ws:
            assert ws.recv_sockjs() == "o"
            next_event(server, sockjs.Open)
        next_event(server, sockjs.Close)
        # LOG events go to the logger, never to the application's events
        assert all(isinstance(e, sockjs.Message) for e in server.events(timeout=0.2))
    records = [r for r in caplog.records if r.name == "sockjs"]
    assert any(r.levelno == logging.DEBUG and "/echo/" in r.getMessage() for r in records)
    assert any(r.levelno == logging.INFO for r in records)
    caplog.clear()
    with sockjs.Server(prefix="/echo", heartbeat_delay=0, log_level="WARNING") as server:
        assert server.listen() and server.port
        with WebSocketClient(server.port, "/echo") as ws:
            assert ws.recv_sockjs() == "o"
            next_event(server, sockjs.Open)
    assert not [r for r in caplog.records if r.name == "sockjs" and r.levelno < logging.WARNING]
