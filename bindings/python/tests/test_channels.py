"""Channels: join/leave, publish to a channel or a whole service,
publish_to by session id, node ids; real clients over loopback.

A client that must NOT have received a message is checked without
sleeping: a later message is sent to it, and messages from one publishing
thread arrive in order, so the next one it reads must be that later one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

import sockjs
from conftest import next_event
from sockjs.aio import AsyncServer
from sockjs_client import WebSocketClient, XhrClient

WAIT = 10.0


def metric(server: sockjs.Server | AsyncServer, name: str, prefix: str) -> int:
    return sum(m.value for m in server.metrics() if m.name == name and m.service == prefix)


def wait_published(server: sockjs.Server | AsyncServer, prefix: str, count: int) -> None:
    """Until the I/O thread has taken up ``count`` publishes (publish only
    queues a command for it)."""
    deadline = time.monotonic() + WAIT
    while metric(server, "sockjs_publishes_total", prefix) < count:
        assert time.monotonic() < deadline, "publishes not processed in time"
        time.sleep(0.002)


def publish_until_dropped(
    server: sockjs.Server | AsyncServer, prefix: str, channel: str, drops: int
) -> list[str]:
    """Publish to a member that does not read until it has missed ``drops``
    messages; returns what was published. One at a time, each taken up by
    the I/O thread before the next: the library sees a member's buffer as of
    its last flush, so a burst in one batch could all be queued."""
    sent: list[str] = []
    while metric(server, "sockjs_publish_dropped_total", prefix) < drops:
        assert len(sent) < 1000, "the member's buffer never filled"
        sent.append(f"news {len(sent):04d}")
        server.publish(sent[-1], channel)
        wait_published(server, prefix, len(sent))
    return sent


@pytest.fixture
def chat() -> Iterator[sockjs.Server]:
    with sockjs.Server(prefix="/chat", heartbeat_delay=0, node_id=5) as server:
        server.listen("127.0.0.1", 0)
        yield server


def open_client(server: sockjs.Server) -> tuple[WebSocketClient, sockjs.Session]:
    """A WebSocket client and its server-side session (opened one by one,
    so the Open event read is this client's)."""
    assert server.port
    ws = WebSocketClient(server.port, "/chat")
    assert ws.recv_sockjs() == "o"
    return ws, next_event(server, sockjs.Open).session


def test_publish_reaches_channel_members_only(chat: sockjs.Server) -> None:
    (wa, a), (wb, b), (wc, c) = (open_client(chat) for _ in range(3))
    with wa, wb, wc:
        a.join("room")
        b.join("room")
        b.join("room")  # joining twice is one membership
        chat.publish("to the room", "room")
        chat.publish("to everyone")  # whole service: all three
        assert [wa.next_message(), wa.next_message()] == ["to the room", "to everyone"]
        assert [wb.next_message(), wb.next_message()] == ["to the room", "to everyone"]
        assert wc.next_message() == "to everyone"  # c is no member

        b.leave("room")
        b.leave("room")  # not a member: nothing happens
        c.leave("elsewhere")
        chat.services[0].publish("room again", channel="room")
        chat.publish_to(b.id, "only b")
        chat.publish_to(c.id, "only c")
        assert wa.next_message() == "room again"
        assert wb.next_message() == "only b"  # b left: "room again" skipped it
        assert wc.next_message() == "only c"
        assert metric(chat, "sockjs_publishes_total", "/chat") == 3


def test_channel_names_and_errors(chat: sockjs.Server) -> None:
    ws, s = open_client(chat)
    with ws:
        longest = "é" * (sockjs.MAX_CHANNEL_NAME // 2)  # 254 bytes of UTF-8
        s.join(longest)
        s.join("x" * sockjs.MAX_CHANNEL_NAME)
        chat.publish("long names work", longest)
        assert ws.next_message() == "long names work"
        bad = ["", "x" * (sockjs.MAX_CHANNEL_NAME + 1), "é" * 128, "nul\0inside"]
        for name in bad:
            with pytest.raises(sockjs.InvalidArgumentError, match="channel name"):
                s.join(name)
            with pytest.raises(sockjs.InvalidArgumentError, match="channel name"):
                s.leave(name)
            with pytest.raises(ValueError):  # InvalidArgumentError is one
                chat.publish("x", name)
        with pytest.raises(TypeError):
            s.join(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            chat.publish("x", b"bytes")  # type: ignore[arg-type]
        with pytest.raises(UnicodeEncodeError):
            s.join("\ud800")
        with pytest.raises(UnicodeEncodeError):
            chat.publish("\ud800", "room")
        # Ids that name no session: unknown here, or of another node while
        # no backplane is configured.
        with pytest.raises(sockjs.UnknownConnectionError):
            chat.publish_to(s.id + 1000, "nobody")
        other_node = (6 << 48) | (s.id & 0xFFFF_FFFF_FFFF)
        with pytest.raises(sockjs.UnknownConnectionError):
            chat.publish_to(other_node, "no backplane")
        s.close()
        with pytest.raises(sockjs.ConnectionClosedError):
            s.join("room")  # closing
        with pytest.raises(sockjs.ConnectionClosedError):
            chat.publish_to(s.id, "closing")
        assert next_event(chat, sockjs.Close).session is s
        with pytest.raises(sockjs.UnknownConnectionError):
            s.join("room")  # gone
        s.leave("room")  # gone: it left every channel when it closed


def test_node_id_in_session_ids() -> None:
    with sockjs.Server(prefix="/n", node_id=0xBEEF, heartbeat_delay=0) as server:
        assert server.node_id == 0xBEEF
        port = server.listen()
        with WebSocketClient(port, "/n") as ws:
            ws.recv_sockjs()
            session = next_event(server, sockjs.Open).session
            assert session.node_id == sockjs.node_of(session.id) == 0xBEEF
            assert server.session_ids() == [session.id]
            server.publish_to(session.id, "by id")  # its own node: local
            assert ws.next_message() == "by id"
    for bad in (65536, -1):
        with pytest.raises(sockjs.InvalidArgumentError, match="node_id"):
            sockjs.Server(node_id=bad)


def test_publish_per_service_and_closed_server() -> None:
    server = sockjs.Server()
    try:
        a = server.add_service("/a", heartbeat_delay=0)
        b = server.add_service("/b", heartbeat_delay=0)
        port = server.listen()
        with WebSocketClient(port, "/a") as wa, WebSocketClient(port, "/b") as wb:
            wa.recv_sockjs()
            wb.recv_sockjs()
            sessions = {}
            for _ in range(2):
                s = next_event(server, sockjs.Open).session
                sessions[s.service.prefix] = s
            sessions["/a"].join("same-name")
            sessions["/b"].join("same-name")
            a.publish("a: whole service")
            a.publish("a: channel", "same-name")  # channels are per service
            server.publish("b: channel", "same-name", service=b)
            assert [wa.next_message(), wa.next_message()] == ["a: whole service", "a: channel"]
            assert wb.next_message() == "b: channel"
            with pytest.raises(TypeError, match="service="):
                server.publish("which service?")
            assert metric(server, "sockjs_publishes_total", "/a") == 2
            assert metric(server, "sockjs_publishes_total", "/b") == 1
    finally:
        server.close()
    with pytest.raises(sockjs.ConnectionClosedError):
        a.publish("after close")
    with pytest.raises(sockjs.ConnectionClosedError):
        server.publish_to(1, "after close")


def test_slow_member_misses_publishes_counted() -> None:
    """Publishing never fails or blocks for a full member: that member
    misses the messages, and the metric counts each miss."""
    with sockjs.Server(prefix="/slow", send_buffer_limit=64, heartbeat_delay=0) as server:
        port = server.listen()
        client = XhrClient(port, "/slow")  # not polling: its buffer fills
        assert client.poll() == "o"
        session = next_event(server, sockjs.Open).session
        session.join("news")
        sent = publish_until_dropped(server, "/slow", "news", drops=3)
        dropped = metric(server, "sockjs_publish_dropped_total", "/slow")
        assert dropped == 3 and len(sent) > 3
        received: list[str] = []
        while len(received) < len(sent) - dropped:
            received += client.poll_messages()
        # Delivered until the buffer was full, then nothing got in (nothing
        # drained it: the client did not poll).
        assert received == sent[:-dropped]
        server.publish("after drain", "news")
        assert client.poll_messages() == ["after drain"]


@pytest.mark.asyncio
async def test_async_channels() -> None:
    async with AsyncServer(prefix="/chat", heartbeat_delay=0, node_id=3) as server:
        port = await server.listen()
        assert server.node_id == 3
        clients = []
        sessions = []
        for _ in range(3):
            ws = await asyncio.to_thread(WebSocketClient, port, "/chat")
            clients.append(ws)
            assert await asyncio.to_thread(ws.recv_sockjs) == "o"
            ev = await server.next_event(timeout=WAIT)
            assert isinstance(ev, sockjs.Open)
            sessions.append(ev.session)
        try:
            a, b, c = sessions
            assert a.node_id == 3
            a.join("room")
            b.join("room")
            server.publish("room", "room")
            server.services[0].publish("all")
            server.publish_to(c.id, "c only")
            await b.send("b direct")  # awaits room in the buffer; there is
            b.leave("room")
            server.publish("room 2", "room")

            async def read(ws: WebSocketClient, n: int) -> list[str]:
                return [await asyncio.to_thread(ws.next_message) for _ in range(n)]

            wa, wb, wc = clients
            assert await asyncio.wait_for(read(wa, 3), WAIT) == ["room", "all", "room 2"]
            assert await asyncio.wait_for(read(wb, 3), WAIT) == ["room", "all", "b direct"]
            assert await asyncio.wait_for(read(wc, 2), WAIT) == ["all", "c only"]
            server.publish_to(b.id, "b after")  # b missed "room 2": left
            assert await asyncio.wait_for(read(wb, 1), WAIT) == ["b after"]
            with pytest.raises(sockjs.InvalidArgumentError):
                a.join("")
        finally:
            for ws in clients:
                ws.close()


@pytest.mark.asyncio
async def test_async_publish_never_waits_for_a_full_member() -> None:
    """AsyncSession.send waits for room; publish does not: the full member
    misses the message (counted) and publish returns at once."""
    async with AsyncServer(prefix="/s", send_buffer_limit=64, heartbeat_delay=0) as server:
        port = await server.listen()
        client = XhrClient(port, "/s")
        assert await asyncio.to_thread(client.poll) == "o"
        ev = await server.next_event(timeout=WAIT)
        assert isinstance(ev, sockjs.Open)
        session = ev.session
        session.join("news")
        # publish is not a coroutine; (this helper's waits block the loop
        # for a moment, which the I/O thread does not need).
        publish_until_dropped(server, "/s", "news", drops=1)
        with pytest.raises(sockjs.BufferFullError):
            server.publish_to(session.id, "direct")  # like send(), never waits
        send = asyncio.create_task(session.send("waits for room"))
        await asyncio.sleep(0)
        assert not send.done()
        got: list[str] = []
        while "waits for room" not in got:
            got += await asyncio.wait_for(asyncio.to_thread(client.poll_messages), WAIT)
        await asyncio.wait_for(send, WAIT)
        assert got[-1] == "waits for room" and got[0] == "news 0000"
