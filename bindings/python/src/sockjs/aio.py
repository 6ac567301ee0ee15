"""The asyncio API: ``AsyncServer`` and ``AsyncSession``.

The server's event fd is watched with ``loop.add_reader``; when it turns
readable, every queued event is polled at once (never blocking the loop),
DRAIN and CLOSE wake the senders waiting on them, and the events are handed
to ``async for event in server``. A selector event loop is required (the
default on Linux; not Windows' proactor loop).

A session's messages can instead be read with ``await session.recv()``:
from the first call on, that session's ``Message`` events go to its own
queue (those already queued for the server, unread, move with them) and no
longer appear in ``async for``; ``Open`` and ``Close`` still do. So a task
per session works as with other asyncio servers:

    async def handle(session):
        try:
            while True:
                await session.send(await session.recv())
        except ConnectionClosedError:
            pass

    async with AsyncServer(prefix="/echo") as server:
        await server.listen("127.0.0.1", 8080)
        async for event in server:
            if isinstance(event, Message):
                await event.session.send(event.data)
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from . import _core
from .errors import BufferFullError, ConnectionClosedError
from .events import Close, Event, Message, Open, ServerClosed
from .server import BaseServer, BaseSession, Metric, Service

__all__ = ["AsyncServer", "AsyncSession"]

T = TypeVar("T")


class _Mailbox(Generic[T]):
    """A FIFO for one event loop whose unread items can be taken out again
    (asyncio.Queue cannot), so that a session claiming its messages takes
    those still waiting in the server's queue, in order."""

    def __init__(self) -> None:
        self._items: collections.deque[T] = collections.deque()
        self._waiters: list[asyncio.Future[None]] = []

    def put(self, item: T) -> None:
        self._items.append(item)
        # Wake every getter: each rechecks, so a cancelled one loses nothing.
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def get(self) -> T:
        while not self._items:
            fut = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            try:
                await fut
            finally:
                if fut in self._waiters:
                    self._waiters.remove(fut)
        return self._items.popleft()

    def put_back(self, item: T) -> None:
        """Return an item got last to the front, for the next get()."""
        self._items.appendleft(item)

    def empty(self) -> bool:
        return not self._items

    def take(self, wanted: Callable[[T], bool]) -> list[T]:
        """Remove and return the items ``wanted`` picks, keeping the order."""
        taken = [x for x in self._items if wanted(x)]
        if taken:
            self._items = collections.deque(x for x in self._items if not wanted(x))
        return taken


class _Ended:
    """The end of a session's messages: what recv() raises from then on."""

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class AsyncSession(BaseSession):
    """A SockJS session of the asyncio API."""

    __slots__ = ("_drain_waiters", "_inbox", "_server_queue", "_ended")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._drain_waiters: list[asyncio.Future[None]] = []
        # None until the first recv(): messages go to the server's queue.
        self._inbox: _Mailbox[str | _Ended] | None = None
        self._server_queue: _Mailbox[Event[AsyncSession]] | None = None
        self._ended: _Ended | None = None  # set when its Close is polled

    async def recv(self) -> str:
        """The next message from the client.

        The first call claims this session's messages: they stop appearing
        in ``async for event in server`` (unread ones already queued there
        come here, in order). Raises ConnectionClosedError once the session
        has closed and its remaining messages were read (the exception's
        message holds the close code and reason). Needs the server to be
        listening on this loop; one reader per session at a time.
        """
        inbox = self._inbox
        if inbox is None:
            inbox = self._claim()
        item = await inbox.get()
        if isinstance(item, _Ended):
            inbox.put_back(item)  # every later recv() raises too
            raise ConnectionClosedError(
                _core.E_CLOSED, f"session closed: {item.code} {item.reason!r}"
            )
        return item

    def _claim(self) -> _Mailbox[str | _Ended]:
        inbox: _Mailbox[str | _Ended] = _Mailbox()
        self._inbox = inbox
        queue = self._server_queue
        if queue is not None:
            for ev in queue.take(lambda e: isinstance(e, Message) and e.session is self):
                assert isinstance(ev, Message)
                inbox.put(ev.data)
        if self._ended is not None:
            inbox.put(self._ended)  # its Close was polled already
        elif not self._open:  # the server was freed without Close events
            inbox.put(_Ended(1001, "Going away"))
        return inbox

    def _deliver(self, ev: Message[AsyncSession] | Close[AsyncSession]) -> bool:
        """Route a Message or Close to the inbox once claimed; True when
        the server's queue should not get the event too."""
        inbox = self._inbox
        if isinstance(ev, Close):
            self._ended = ended = _Ended(ev.code, ev.reason)
            if inbox is not None:
                inbox.put(ended)
            return False  # async for sees every Close
        if inbox is not None:
            inbox.put(ev.data)
            return True
        return False

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
        self._queue: _Mailbox[Event[AsyncSession]] = _Mailbox()
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

    def session_ids(self) -> list[int]:
        """The library's snapshot of open session ids (see Server)."""
        return self._server.session_ids()

    def close_sessions(self, code: int = 1000, reason: str | None = None) -> int:
        """Close every open session of every service; returns how many."""
        return self._server.close_sessions(code, reason)

    @property
    def node_id(self) -> int:
        """This node's number in a cluster (server option ``node_id``)."""
        return self._server.node_id

    def publish(
        self,
        text: str,
        channel: str | None = None,
        *,
        service: Service[AsyncSession] | None = None,
    ) -> None:
        """Send ``text`` to the members of ``channel``, or to every session
        of the service (by default the only one); see Service.publish. Not a
        coroutine: it never waits, members whose send buffer is full miss
        the message (counted in ``sockjs_publish_dropped_total``)."""
        self._server.publish(text, channel, service=service)

    def publish_to(self, session_id: int, text: str) -> None:
        """Send one message to a session by id, on this node or (through the
        backplane) another; see Server.publish_to. Never waits: raises
        BufferFullError when a local session's buffer is full (use
        ``await session.send()`` to wait for room instead)."""
        self._server.publish_to(session_id, text)

    def metrics(self) -> list[Metric]:
        """A snapshot of the server's counters and gauges."""
        return self._server.metrics()

    def metrics_prometheus(self) -> str:
        """The metrics in the Prometheus text format 0.0.4."""
        return self._server.metrics_prometheus()

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
            if isinstance(ev, (Message, Close)):
                if ev.session._deliver(ev):
                    continue
            elif isinstance(ev, Open):
                ev.session._server_queue = self._queue
            self._queue.put(ev)
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
        orphans = self._server.sessions  # only if SERVER_CLOSED never came
        self._server.close()  # frees (after SERVER_CLOSED, nothing to wait for)
        for session in orphans:
            if session._inbox is not None and session._ended is None:
                session._ended = _Ended(1001, "Going away")
                session._inbox.put(session._ended)
        if not self._closed.is_set():
            self._closed.set()
            self._queue.put(ServerClosed())

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
