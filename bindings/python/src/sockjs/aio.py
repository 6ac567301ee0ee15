"""The asyncio API: ``AsyncServer`` and ``AsyncSession``.

The server's event fd is watched with ``loop.add_reader``; when it turns
readable, every queued event is polled at once (never blocking the loop),
DRAIN and CLOSE wake the senders waiting on them, and the events are handed
to ``async for event in server``. A selector event loop is required (the
default on Linux; not Windows' proactor loop).

    async with AsyncServer(prefix="/echo") as server:
        await server.listen("127.0.0.1", 8080)
        async for event in server:
            if isinstance(event, Message):
                await event.session.send(event.data)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self

from .errors import BufferFullError
from .events import Event, ServerClosed
from .server import BaseServer, BaseSession, Service

__all__ = ["AsyncServer", "AsyncSession"]


class AsyncSession(BaseSession):
    """A SockJS session of the asyncio API."""

    __slots__ = ("_drain_waiters",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._drain_waiters: list[asyncio.Future[None]] = []

    async def send(self, text: str) -> None:
        """Queue one message; when the send buffer is full, wait for it to
        drain first (backpressure). Raises ConnectionClosedError or
        UnknownConnectionError once the session is closing or gone."""
        while True:
            try:
                self._send_now(text)
                return
            except BufferFullError:
                fut = asyncio.get_running_loop().create_future()
                self._drain_waiters.append(fut)
                await fut

    def _wake_senders(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)


class _Server(BaseServer[AsyncSession]):
    _session_class = AsyncSession

    def _on_drain(self, session: BaseSession) -> None:
        assert isinstance(session, AsyncSession)
        session._wake_senders()

    def _on_close(self, session: BaseSession) -> None:
        assert isinstance(session, AsyncSession)
        session._wake_senders()  # their retry then raises "closed"


class AsyncServer:
    """A SockJS server on the running asyncio loop.

    Takes the same keyword options as :class:`sockjs.Server`.
    """

    def __init__(self, **options: Any) -> None:
        self._server = _Server(**options)
        self._queue: asyncio.Queue[Event[AsyncSession]] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fd = -1
        self._closed = asyncio.Event()

    def add_service(self, prefix: str = "", **options: Any) -> Service[AsyncSession]:
        """Add a SockJS endpoint (before listen); see Server.add_service."""
        return self._server.add_service(prefix, **options)

    @property
    def services(self) -> list[Service[AsyncSession]]:
        return self._server.services

    @property
    def sessions(self) -> list[AsyncSession]:
        return self._server.sessions

    @property
    def port(self) -> int | None:
        return self._server.port

    async def listen(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Bind and listen; returns the bound port. Events flow from now."""
        bound = self._server.listen(host, port)
        self._loop = asyncio.get_running_loop()
        self._fd = self._server.fileno()
        self._loop.add_reader(self._fd, self._on_readable)
        return bound

    def _on_readable(self) -> None:
        # Level-triggered: drain it all, or the reader fires again at once.
        while (ev := self._server.poll()) is not None:
            self._queue.put_nowait(ev)
            if isinstance(ev, ServerClosed):
                self._closed.set()
                self._stop_reader()
                break

    def _stop_reader(self) -> None:
        if self._loop is not None and self._fd >= 0:
            self._loop.remove_reader(self._fd)
            self._fd = -1

    def __aiter__(self) -> AsyncIterator[Event[AsyncSession]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event[AsyncSession]]:
        while True:
            if self._server.closed and self._queue.empty():
                return
            ev = await self._queue.get()
            yield ev
            if isinstance(ev, ServerClosed):
                return

    async def next_event(self, timeout: float | None = None) -> Event[AsyncSession]:
        """The next event; raises TimeoutError after ``timeout`` seconds."""
        return await asyncio.wait_for(self._queue.get(), timeout)

    def shutdown(self) -> None:
        """Start a graceful shutdown: sessions get Close events, then
        ServerClosed ends ``async for``."""
        self._server.shutdown()

    async def aclose(self) -> None:
        """Shut down gracefully and free the server. Idempotent."""
        if self._server.closed:
            return
        if self._fd >= 0:
            self._server.shutdown()
            try:
                await asyncio.wait_for(
                    self._closed.wait(), self._server._shutdown_timeout + 1.0
                )
            except TimeoutError:
                pass
        self._stop_reader()
        self._server.close()  # frees (after SERVER_CLOSED, nothing to wait for)
        if not self._closed.is_set():
            self._closed.set()
            self._queue.put_nowait(ServerClosed())

    @property
    def closed(self) -> bool:
        return self._server.closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncServer {self._server!r}>"
