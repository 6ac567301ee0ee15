"""The synchronous API against a real client over loopback."""

from __future__ import annotations

import gc
import socket
import threading

import pytest

import sockjs
from conftest import next_event
from sockjs_client import WebSocketClient, XhrClient, http_get, http_post


def test_versions() -> None:
    assert sockjs.library_version == sockjs.__version__
    assert sockjs._core.version_num() >> 16 == sockjs._core.VERSION_MAJOR


def test_websocket_echo(echo_server: sockjs.Server) -> None:
    port = echo_server.port
    assert port
    with WebSocketClient(port, "/echo", headers={"User-Agent": "pytest"}) as ws:
        assert ws.recv_sockjs() == "o"
        ev = next_event(echo_server, sockjs.Open)
        session = ev.session
        assert session.transport == "websocket"
        assert session.remote_address[0] == "127.0.0.1"
        assert session.headers["user-agent"] == "pytest"
        assert session.url.startswith("/echo/000/")
        assert session.service.prefix == "/echo"
        assert session.is_open and session in echo_server.sessions
        ws.send("hello", "wörld \u2603", "")
        got = [next_event(echo_server, sockjs.Message) for _ in range(3)]
        assert [m.data for m in got] == ["hello", "wörld \u2603", ""]
        assert all(m.session is session for m in got)
        for m in got:
            m.session.send(m.data)
        received: list[str] = []
        while len(received) < 3:
            received += ws.recv_messages()
        assert received == ["hello", "wörld \u2603", ""]
        session.close(3001, "bye")
        assert ws.recv_sockjs() == 'c[3001,"bye"]'
    close = next_event(echo_server, sockjs.Close)
    assert close.session is session
    assert (close.code, close.reason) == (3001, "bye")
    assert not session.is_open and echo_server.sessions == []
    with pytest.raises(sockjs.ConnectionClosedError):
        session.send("too late")
    session.close()  # closing a gone session is harmless


def test_xhr_polling_echo(echo_server: sockjs.Server) -> None:
    port = echo_server.port
    assert port
    client = XhrClient(port, "/echo")
    assert client.poll() == "o"
    session = next_event(echo_server, sockjs.Open).session
    assert session.transport == "xhr-polling"
    client.send("a", "b")
    for text in ("a", "b"):
        m = next_event(echo_server, sockjs.Message)
        assert m.data == text
        m.session.send(text.upper())
    received: list[str] = []
    while len(received) < 2:
        received += client.poll_messages()
    assert received == ["A", "B"]


def test_client_drop_reports_close(echo_server: sockjs.Server) -> None:
    assert echo_server.port
    ws = WebSocketClient(echo_server.port, "/echo")
    assert ws.recv_sockjs() == "o"
    session = next_event(echo_server, sockjs.Open).session
    ws.sock.close()
    close = next_event(echo_server, sockjs.Close)
    assert close.session is session
    assert close.code == sockjs.CloseCode.INTERRUPTED


def test_several_services() -> None:
    with sockjs.Server() as server:
        a = server.add_service("/a")
        b = server.add_service("/b/", disabled_transports=["xhr-polling"])
        assert (a.id, b.id, b.prefix) == (0, 1, "/b")
        port = server.listen()
        with WebSocketClient(port, "/b") as wb, WebSocketClient(port, "/a") as wa:
            wb.recv_sockjs()
            wa.recv_sockjs()
            opened = [next_event(server, sockjs.Open) for _ in range(2)]
            assert {o.session.service for o in opened} == {a, b}
            assert len(a.sessions) == 1 and len(b.sessions) == 1
        assert http_post(port, "/b/000/x/xhr")[0] == 404
        status, _, body = http_get(port, "/a/info")
        assert status == 200 and b'"websocket":true' in body


def test_backpressure_and_drain(echo_server: sockjs.Server) -> None:
    with sockjs.Server(prefix="/s", send_buffer_limit=64, heartbeat_delay=0) as server:
        port = server.listen()
        client = XhrClient(port, "/s")
        assert client.poll() == "o"
        session = next_event(server, sockjs.Open).session
        sent = 0
        with pytest.raises(sockjs.BufferFullError) as info:
            for _ in range(100):
                session.send("0123456789")
                sent += 1
        assert info.value.code == sockjs.Status.E_AGAIN
        assert 0 < sent < 100
        received: list[str] = []
        while len(received) < sent:
            received += client.poll_messages()
        assert received == ["0123456789"] * sent
        assert next_event(server, sockjs.Drain).session is session
        session.send("after drain")
        assert client.poll_messages() == ["after drain"]


def test_shutdown_closes_sessions() -> None:
    server = sockjs.Server(prefix="/echo")
    try:
        port = server.listen()
        with WebSocketClient(port, "/echo") as ws:
            ws.recv_sockjs()
            session = next_event(server, sockjs.Open).session
            server.shutdown()
            server.shutdown()  # harmless
            assert ws.recv_sockjs() == 'c[1001,"Going away"]'
            rest = list(server.events(timeout=10))
            assert isinstance(rest[-1], sockjs.ServerClosed)
            closes = [e for e in rest if isinstance(e, sockjs.Close)]
            assert [(c.session, c.code, c.reason) for c in closes] == [
                (session, 1001, "Going away")]
    finally:
        server.close()
    assert server.closed


def test_forwarded_request() -> None:
    with sockjs.Server(prefix="/echo", forward_unmatched=True) as server:
        port = server.listen()
        result: list[tuple[int, dict[str, str], bytes]] = []
        t = threading.Thread(target=lambda: result.append(http_get(port, "/index.html?x=1")))
        t.start()
        ev = next_event(server, sockjs.RequestReceived)
        req = ev.request
        assert (req.method, req.url) == ("GET", "/index.html?x=1")
        assert "host" in req.headers
        req.respond(200, "<h1>hi</h1>", "text/html", {"X-Test": "yes"})
        t.join(10)
        status, headers, body = result[0]
        assert (status, body) == (200, b"<h1>hi</h1>")
        assert headers["content-type"] == "text/html" and headers["x-test"] == "yes"
        with pytest.raises(sockjs.UnknownConnectionError):
            req.respond(200, "twice")


def test_events_timeout_and_wakeup(echo_server: sockjs.Server) -> None:
    assert list(echo_server.events(timeout=0.05)) == []
    timer = threading.Timer(0.1, echo_server.wakeup)
    timer.start()
    assert list(echo_server.events()) == []  # returns on wakeup
    timer.join()


def test_close_from_another_thread_stops_iteration() -> None:
    server = sockjs.Server(prefix="/echo")
    server.listen()
    timer = threading.Timer(0.1, server.close)
    timer.start()
    events = list(server.events())
    timer.join()
    assert server.closed
    assert all(isinstance(e, sockjs.ServerClosed) for e in events)


def test_close_is_idempotent_and_final() -> None:
    server = sockjs.Server()
    server.close()
    server.close()
    assert server.closed and server.poll() is None and list(server.events()) == []
    with pytest.raises(sockjs.ConnectionClosedError):
        server.listen()
    with pytest.raises(sockjs.ConnectionClosedError):
        server.add_service("/x")


def test_unclosed_server_warns() -> None:
    server = sockjs.Server(prefix="/leak")
    server.listen()
    with pytest.warns(ResourceWarning, match="unclosed"):
        del server
        gc.collect()


def test_option_errors() -> None:
    with pytest.raises(sockjs.InvalidArgumentError):
        sockjs.Server(prefix="no-slash")
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError
        sockjs.Server(prefix="/x", response_limit=0)
    with pytest.raises(sockjs.InvalidArgumentError, match="unknown transport"):
        sockjs.Server(prefix="/x", disabled_transports=["carrier-pigeon"])
    with pytest.raises(sockjs.InvalidArgumentError):
        sockjs.Server(prefix="/x", sockjs_url='"><script>')
    with pytest.raises(TypeError):
        sockjs.Server(heartbeat_delay=1.0)  # service options need a prefix
    with pytest.raises(sockjs.InvalidArgumentError):
        sockjs.Server(max_request_head_size=10)
    with sockjs.Server(prefix="/x") as server:
        with pytest.raises(sockjs.InvalidArgumentError, match="/x"):
            server.add_service("/x")  # duplicate prefix
        server.listen()
        with pytest.raises(sockjs.StateError):
            server.listen()
        with pytest.raises(sockjs.StateError):
            server.add_service("/y")


def test_bind_failure_is_oserror() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with sockjs.Server(prefix="/x") as server:
            with pytest.raises(OSError) as info:
                server.listen("127.0.0.1", port)
            assert isinstance(info.value, sockjs.SockJSError)
            assert info.value.code == sockjs.Status.E_IO
            assert str(info.value)


def test_session_errors(echo_server: sockjs.Server) -> None:
    assert echo_server.port
    with WebSocketClient(echo_server.port, "/echo") as ws:
        ws.recv_sockjs()
        session = next_event(echo_server, sockjs.Open).session
        with pytest.raises(TypeError):
            session.send(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(sockjs.InvalidArgumentError):
            session.close(2000, "not an application code")
        with pytest.raises(UnicodeEncodeError):
            session.send("\ud800")  # lone surrogate: not UTF-8
        session.close()
        with pytest.raises(sockjs.ConnectionClosedError):
            session.send("closing")
        assert ws.recv_sockjs() == 'c[1000,"Normal closure"]'


def test_broken_framing_closes_with_3000(echo_server: sockjs.Server) -> None:
    assert echo_server.port
    with WebSocketClient(echo_server.port, "/echo") as ws:
        ws.recv_sockjs()
        ws.send_raw("[not json")
        close = next_event(echo_server, sockjs.Close)
        assert close.code == 3000


def test_status_names_pick_classes() -> None:
    from sockjs.errors import error_for

    expected = {
        sockjs.Status.E_INVALID_ARGUMENT: sockjs.InvalidArgumentError,
        sockjs.Status.E_AGAIN: sockjs.BufferFullError,
        sockjs.Status.E_UNKNOWN_CONN: sockjs.UnknownConnectionError,
        sockjs.Status.E_CLOSED: sockjs.ConnectionClosedError,
        sockjs.Status.E_STATE: sockjs.StateError,
        sockjs.Status.E_PROTOCOL: sockjs.ProtocolError,
        sockjs.Status.E_IO: sockjs.SockJSOSError,
        sockjs.Status.E_LIMIT: sockjs.LimitError,
        sockjs.Status.E_FATAL: sockjs.FatalError,
        sockjs.Status.E_INTERNAL: sockjs.InternalError,
    }
    for status, cls in expected.items():
        err = error_for(status)
        assert type(err) is cls and err.code == status and str(err)
    assert isinstance(error_for(sockjs.Status.E_NOMEM), MemoryError)
    assert type(error_for(-42)) is sockjs.SockJSError
