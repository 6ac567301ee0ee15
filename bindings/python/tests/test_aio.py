"""The asyncio API: a blocking client runs in a worker thread while the
server runs on the test's event loop."""

from __future__ import annotations

import asyncio
import gc

import pytest

import sockjs
from sockjs.aio import AsyncServer, AsyncSession
from sockjs_client import WebSocketClient, XhrClient

WAIT = 10.0


async def next_of(server: AsyncServer, kind: type | tuple[type, ...]) -> object:
    while True:
        ev = await server.next_event(timeout=WAIT)
        if isinstance(ev, kind):
            return ev


@pytest.mark.asyncio
async def test_async_websocket_echo() -> None:
    async with AsyncServer(prefix="/echo", heartbeat_delay=0) as server:
        port = await server.listen()

        def client() -> list[str]:
            with WebSocketClient(port, "/echo") as ws:
                assert ws.recv_sockjs() == "o"
                ws.send("one", "two")
                got: list[str] = []
                while len(got) < 2:
                    got += ws.recv_messages()
                return got

        task = asyncio.create_task(asyncio.to_thread(client))
        seen = []
        async for event in server:
            seen.append(type(event).__name__)
            if isinstance(event, sockjs.Open):
                assert isinstance(event.session, AsyncSession)
                assert event.session.transport == "websocket"
            elif isinstance(event, sockjs.Message):
                await event.session.send(event.data)
            elif isinstance(event, sockjs.Close):
                break
        assert await asyncio.wait_for(task, WAIT) == ["one", "two"]
        assert seen == ["Open", "Message", "Message", "Close"]
    assert server.closed


@pytest.mark.asyncio
async def test_async_send_awaits_drain() -> None:
    count = 40
    async with AsyncServer(prefix="/s", send_buffer_limit=100, heartbeat_delay=0) as server:
        port = await server.listen()
        client = XhrClient(port, "/s")
        assert await asyncio.to_thread(client.poll) == "o"
        session = (await next_of(server, sockjs.Open)).session

        async def sender() -> None:
            for i in range(count):
                await session.send(f"message {i:04d}")

        async def receiver() -> list[str]:
            got: list[str] = []
            while len(got) < count:
                got += await asyncio.to_thread(client.poll_messages)
            return got

        send_task = asyncio.create_task(sender())
        await asyncio.sleep(0.05)
        assert not send_task.done()  # blocked on a full buffer, not failing
        got = await asyncio.wait_for(receiver(), WAIT)
        await asyncio.wait_for(send_task, WAIT)
        assert got == [f"message {i:04d}" for i in range(count)]


@pytest.mark.asyncio
async def test_async_send_to_closed_session_raises() -> None:
    async with AsyncServer(prefix="/echo") as server:
        port = await server.listen()
        ws = await asyncio.to_thread(WebSocketClient, port, "/echo")
        try:
            session = (await next_of(server, sockjs.Open)).session
            session.close(3333, "done")
            with pytest.raises(sockjs.ConnectionClosedError):
                await session.send("late")
            close = await next_of(server, sockjs.Close)
            assert (close.code, close.reason) == (3333, "done")
        finally:
            ws.close()


@pytest.mark.asyncio
async def test_aclose_ends_iteration_and_closes_sessions() -> None:
    server = AsyncServer(prefix="/echo")
    port = await server.listen()
    ws = await asyncio.to_thread(WebSocketClient, port, "/echo")
    try:
        await next_of(server, sockjs.Open)

        async def consume() -> list[object]:
            return [ev async for ev in server]

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0)
        await server.aclose()
        await server.aclose()  # idempotent
        events = await asyncio.wait_for(consumer, WAIT)
        assert isinstance(events[-1], sockjs.ServerClosed)
        closes = [e for e in events if isinstance(e, sockjs.Close)]
        assert [(c.code, c.reason) for c in closes] == [(1001, "Going away")]
        assert await asyncio.to_thread(ws.recv_sockjs) == "o"
        frame = await asyncio.to_thread(ws.recv_sockjs)
        assert frame == 'c[1001,"Going away"]'
    finally:
        ws.close()
    assert server.closed


@pytest.mark.asyncio
async def test_async_unlistened_server_closes() -> None:
    async with AsyncServer() as server:
        server.add_service("/a")
        server.add_service("/b")
        assert [s.prefix for s in server.services] == ["/a", "/b"]
    assert server.closed


@pytest.mark.asyncio
async def test_async_leak_warns() -> None:
    server = AsyncServer(prefix="/leak")
    await server.listen()
    server._stop_reader()
    with pytest.warns(ResourceWarning):
        del server
        gc.collect()


@pytest.mark.asyncio
async def test_session_recv_per_session_task() -> None:
    """A task per session reads with recv(); async for then sees Open and
    Close but not that session's messages; recv() raises once closed."""
    async with AsyncServer(prefix="/echo", heartbeat_delay=0) as server:
        port = await server.listen()
        ws = await asyncio.to_thread(WebSocketClient, port, "/echo")
        try:
            assert await asyncio.to_thread(ws.recv_sockjs) == "o"
            # Two messages arrive before anyone calls recv(): they wait in
            # the server's queue and must move to the session, in order.
            await asyncio.to_thread(ws.send, "one", "two")
            session = (await next_of(server, sockjs.Open)).session
            assert isinstance(session, AsyncSession)
            await asyncio.sleep(0.1)

            async def handle(s: AsyncSession) -> list[str]:
                got: list[str] = []
                try:
                    while True:
                        text = await s.recv()
                        got.append(text)
                        await s.send(text.upper())
                except sockjs.ConnectionClosedError as e:
                    assert "3100" in str(e) and "enough" in str(e)
                return got

            handler = asyncio.create_task(handle(session))
            await asyncio.to_thread(ws.send, "three")
            echoed = [await asyncio.to_thread(ws.next_message) for _ in range(3)]
            assert echoed == ["ONE", "TWO", "THREE"]
            session.close(3100, "enough")
            ev = await next_of(server, (sockjs.Message, sockjs.Close))
            assert isinstance(ev, sockjs.Close)  # messages went to recv() only
            assert await asyncio.wait_for(handler, WAIT) == ["one", "two", "three"]
            with pytest.raises(sockjs.ConnectionClosedError):
                await session.recv()  # stays closed
        finally:
            ws.close()


@pytest.mark.asyncio
async def test_session_recv_after_close_and_on_aclose() -> None:
    server = AsyncServer(prefix="/echo", heartbeat_delay=0)
    port = await server.listen()
    ws1 = await asyncio.to_thread(WebSocketClient, port, "/echo")
    ws2 = await asyncio.to_thread(WebSocketClient, port, "/echo")
    try:
        first = (await next_of(server, sockjs.Open)).session
        second = (await next_of(server, sockjs.Open)).session
        assert isinstance(first, AsyncSession) and isinstance(second, AsyncSession)
        # Claimed after its Close was polled: the unread message still comes.
        await asyncio.to_thread(ws1.send, "last words")
        await asyncio.to_thread(ws1.close)
        for _ in range(int(WAIT / 0.01)):  # until its Close is polled, unread
            if not first.is_open:
                break
            await asyncio.sleep(0.01)
        assert await first.recv() == "last words"
        with pytest.raises(sockjs.ConnectionClosedError, match="1000"):
            await first.recv()
        # A recv() waiting while the server shuts down ends too.
        waiting = asyncio.create_task(second.recv())
        await asyncio.sleep(0)
        await server.aclose()
        with pytest.raises(sockjs.ConnectionClosedError, match="Going away"):
            await asyncio.wait_for(waiting, WAIT)
    finally:
        ws1.close()
        ws2.close()


@pytest.mark.asyncio
async def test_async_authorize_metrics_and_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="sockjs")
    async with AsyncServer(
        prefix="/auth", heartbeat_delay=0, authorize=True, log_level="INFO"
    ) as server:
        port = await server.listen()

        def client(token: str) -> str:
            path = f"/auth/000/{token}/websocket?token={token}"
            with WebSocketClient(port, "/auth", path=path) as ws:
                return ws.recv_sockjs()

        good = asyncio.create_task(asyncio.to_thread(client, "good"))
        bad = asyncio.create_task(asyncio.to_thread(client, "bad"))
        # A rejected session's Close can come before the other's Open: keep
        # the Closes seen while waiting for the Opens.
        closes: list[object] = []
        opens = 0
        while opens < 2:
            ev = await server.next_event(timeout=WAIT)
            if isinstance(ev, sockjs.Close):
                closes.append(ev)
            elif isinstance(ev, sockjs.Open):
                opens += 1
                if ev.session.query == "token=good":
                    ev.session.accept()
                else:
                    ev.session.reject(4401, "Unauthorized")
        assert await asyncio.wait_for(good, WAIT) == "o"
        assert await asyncio.wait_for(bad, WAIT) == 'c[4401,"Unauthorized"]'
        while len(closes) < 2:
            closes.append(await next_of(server, sockjs.Close))
        codes = [c.code for c in closes if isinstance(c, sockjs.Close)]
        assert len(codes) == 2 and codes.count(4401) == 1  # the other: the client left
        rejected = [m for m in server.metrics() if m.name == "sockjs_sessions_rejected_total"]
        assert sum(m.value for m in rejected) == 1
        assert "sockjs_sessions_rejected_total" in server.metrics_prometheus()
    assert any(r.name == "sockjs" and r.levelno == 20 for r in caplog.records)
