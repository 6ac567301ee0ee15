"""The synchronous API: Server, Service, Session, Request.

A :class:`Server` hosts one or more services (SockJS endpoints under URL
prefixes), listens on a TCP port with a library-owned I/O thread, and
reports what happens as events, read with :meth:`Server.poll` or the
blocking iterator :meth:`Server.events`. Sessions are objects with
``send()`` and ``close()``; ``send`` and ``close`` may be called from any
thread, the events belong to one consumer thread at a time.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from types import TracebackType
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from . import _core
from .errors import check, error_for
from .events import (
    Close,
    Drain,
    Event,
    EventType,
    Message,
    Open,
    RequestReceived,
    ServerClosed,
)

__all__ = [
    "BaseSession",
    "Session",
    "Service",
    "Request",
    "Server",
    "BaseServer",
    "Metric",
    "MAX_CHANNEL_NAME",
    "node_of",
]

# LOG events of the library go here (never to the application's event loop):
# a server made with ``log_level=`` reports its lines to this logger at the
# same numeric levels (10 DEBUG .. 40 ERROR). Silent unless configured.
logger = logging.getLogger("sockjs")
logger.addHandler(logging.NullHandler())

_LOG_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "NONE": 0}


def _log_level(level: int | str) -> int:
    if isinstance(level, str):
        try:
            return _LOG_LEVELS[level.upper()]
        except KeyError:
            raise ValueError(f"unknown log level {level!r}") from None
    return level


@dataclass(frozen=True, slots=True)
class Metric:
    """One value of :meth:`Server.metrics` (``sockjs_metric``)."""

    name: str
    type: str  # "counter" or "gauge"
    service: str | None  # the service's prefix, None when not per service
    transport: str  # "" when not per transport
    label: str  # limit name of sockjs_limit_hits_total, else ""
    code: int  # HTTP status of sockjs_http_requests_total, else 0
    value: int

# Longest single wait inside the library, so that signal handlers (Ctrl-C)
# run promptly even while events() blocks with no timeout.
_WAIT_SLICE = 0.25


def _ms(seconds: float) -> int:
    if seconds < 0:
        raise ValueError("durations must be >= 0")
    return int(round(seconds * 1000))


#: Longest channel name, in bytes of UTF-8 (``SOCKJS_MAX_CHANNEL_NAME``).
MAX_CHANNEL_NAME: int = _core.MAX_CHANNEL_NAME


def node_of(session_id: int) -> int:
    """The node number (server option ``node_id``) a session id came from:
    its top 16 bits (``SOCKJS_CONN_NODE``)."""
    return session_id >> 48


def _check_channel(status: int, channel: object) -> None:
    """check() with a message naming the channel when the name was bad (the
    only INVALID_ARGUMENT a live server gives for these calls)."""
    if status == _core.E_INVALID_ARGUMENT:
        shown = channel
        if isinstance(channel, str) and len(channel) > 40:
            shown = channel[:40] + "..."
        check(
            status,
            f"invalid channel name {shown!r}: 1..{MAX_CHANNEL_NAME} bytes of UTF-8, no NUL",
        )
    check(status)


SessionT = TypeVar("SessionT", bound="BaseSession")


class Service(Generic[SessionT]):
    """One SockJS endpoint of a server (made by :meth:`Server.add_service`)."""

    __slots__ = ("id", "prefix", "_sessions", "_core", "__weakref__")

    def __init__(self, id: int, prefix: str, core: _core.Server | None = None) -> None:
        self.id = id
        self.prefix = prefix
        self._sessions: dict[int, SessionT] = {}
        self._core = core

    @property
    def sessions(self) -> list[SessionT]:
        """The open sessions of this service (those whose Close is not seen)."""
        return list(self._sessions.values())

    def session_ids(self) -> list[int]:
        """The library's snapshot of this service's open session ids
        (``sockjs_server_list_sessions``), ascending; it may list sessions
        whose Open event is not read yet."""
        if self._core is None or not self._core.alive:
            return []
        rc, ids = self._core.list_sessions(self.id)
        check(rc)
        return ids

    def close_sessions(self, code: int = 1000, reason: str | None = None) -> int:
        """Close every open session of this service (undecided ones are
        rejected with ``code``); their Close events follow. Returns how many
        were closed. ``code`` is 1000 or 3000..4999."""
        if self._core is None or not self._core.alive:
            return 0
        rc, closed = self._core.close_sessions(self.id, code, reason)
        check(rc)
        return closed

    def publish(self, text: str, channel: str | None = None) -> None:
        """Send ``text`` to every member of ``channel`` (see
        :meth:`BaseSession.join`), or, with ``channel`` None, to every
        session of this service. Never blocks; any thread may call it. The
        message is JSON-encoded once for all members, and a member whose
        send buffer is full misses it (counted in the metric
        ``sockjs_publish_dropped_total``) rather than failing the publish.
        With a backplane (server option ``backplane_redis``) it also reaches
        the members on the other nodes, each session exactly once. Messages
        published by one thread arrive in the order they were published.

        Raises InvalidArgumentError for a bad channel name (1..255 bytes of
        UTF-8 without NUL), ConnectionClosedError once the server is closing.
        """
        core = self._core
        if core is None or not core.alive:
            raise error_for(_core.E_CLOSED, "the server is closed")
        _check_channel(core.publish(self.id, channel, text), channel)

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.prefix!r} sessions={len(self._sessions)}>"


class BaseSession:
    """What every session has, whichever API (sync or asyncio) made it."""

    __slots__ = (
        "_core",
        "id",
        "service",
        "transport",
        "remote_address",
        "headers",
        "url",
        "query",
        "client_address",
        "_open",
    )

    def __init__(
        self,
        core: _core.Server,
        id: int,
        service: Service[Any],
        transport: str,
        remote_address: tuple[str, int],
        headers: dict[str, str],
        url: str,
        query: str = "",
        client_address: str = "",
    ) -> None:
        self._core = core
        self.id = id
        self.service = service
        self.transport = transport
        self.remote_address = remote_address
        self.headers = headers
        self.url = url
        #: The URL's query string without "?" ("" when none).
        self.query = query
        #: The client's address: remote_address[0], or taken from
        #: X-Forwarded-For / X-Real-IP when the peer is a trusted proxy.
        self.client_address = client_address or remote_address[0]
        self._open = True

    @property
    def is_open(self) -> bool:
        """False once this session's Close event has been read."""
        return self._open

    @property
    def node_id(self) -> int:
        """The number of the node (server option ``node_id``) that owns this
        session: the top 16 bits of :attr:`id`."""
        return node_of(self.id)

    def join(self, channel: str) -> None:
        """Add this session to ``channel`` of its service, so that
        :meth:`Service.publish` to that channel reaches it. Joining twice is
        one membership; a closed session has left all its channels. A
        publish made after join() returns reaches the session, one made
        before does not. Works while an ``authorize=True`` session waits.

        Raises InvalidArgumentError for a bad name (1..255 bytes of UTF-8
        without NUL), ConnectionClosedError or UnknownConnectionError when
        the session is closing or gone.
        """
        core = self._core
        if not core.alive:
            raise error_for(_core.E_CLOSED, "the server is closed")
        _check_channel(core.conn_join(self.id, channel), channel)

    def leave(self, channel: str) -> None:
        """Remove this session from ``channel``. Not a member, or the
        session already gone (it left every channel when it closed): nothing
        happens. Raises InvalidArgumentError for a bad name."""
        core = self._core
        if not core.alive:
            return
        rc = core.conn_leave(self.id, channel)
        if rc != _core.E_UNKNOWN_CONN:
            _check_channel(rc, channel)

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the session with ``c[code, reason]``; its Close event follows.

        ``code`` is 1000 or 3000..4999. Closing a session that is already
        closing or gone does nothing.
        """
        rc = self._core.conn_close(self.id, code, reason)
        if rc in (_core.E_CLOSED, _core.E_UNKNOWN_CONN) or not self._core.alive:
            return
        check(rc)

    def accept(self) -> None:
        """Let a session of an ``authorize=True`` service open: its "o"
        frame goes out, then what was sent meanwhile; the client's messages
        that arrived meanwhile follow as Message events. Raises StateError
        when the session is not waiting for a decision (already decided, or
        the authorize timeout rejected it: its Close event follows)."""
        check(self._core.conn_accept(self.id))

    def reject(self, code: int = 4403, reason: str | None = None) -> None:
        """Refuse a session of an ``authorize=True`` service: the client
        gets ``c[code, reason]`` instead of "o", nothing it sent is ever
        reported, and one Close event with this code and reason follows.
        ``code`` is 1000 or 3000..4999 (4401/4403 read well); ``reason``
        None means "Rejected"."""
        check(self._core.conn_reject(self.id, code, reason))

    def _send_now(self, text: str) -> None:
        rc = self._core.conn_send(self.id, text)
        if rc != _core.OK:
            if not self._core.alive:  # the server was freed under us
                rc = _core.E_CLOSED
            check(rc)

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return f"<{type(self).__name__} {self.id} {self.transport} {self.service.prefix!r} {state}>"


class Session(BaseSession):
    """A SockJS session of the synchronous API."""

    __slots__ = ()

    def send(self, text: str) -> None:
        """Queue one message. Never blocks.

        Raises BufferFullError when the send buffer is full (a Drain event
        follows once it empties), ConnectionClosedError or
        UnknownConnectionError when the session is closing or gone.
        """
        self._send_now(text)


class Request:
    """An HTTP request no service matched (``forward_unmatched=True``)."""

    __slots__ = ("_core", "id", "method", "url", "headers", "remote_address")

    def __init__(
        self,
        core: _core.Server,
        id: int,
        method: str,
        url: str,
        headers: dict[str, str],
        remote_address: tuple[str, int],
    ) -> None:
        self._core = core
        self.id = id
        self.method = method
        self.url = url
        self.headers = headers
        self.remote_address = remote_address

    def respond(
        self,
        status: int = 200,
        body: bytes | str = b"",
        content_type: str | None = "text/plain; charset=UTF-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the request once."""
        if isinstance(body, str):
            body = body.encode()
        extra = None
        if headers:
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        check(self._core.request_respond(self.id, status, content_type, extra, body))

    def __repr__(self) -> str:
        return f"<Request {self.id} {self.method} {self.url!r}>"


class BaseServer(Generic[SessionT]):
    """Server machinery shared by :class:`Server` and ``sockjs.aio``."""

    _session_class: type[SessionT]

    def __init__(
        self,
        *,
        prefix: str | None = None,
        max_request_head_size: int | None = None,
        request_timeout: float | None = None,
        shutdown_timeout: float | None = None,
        forward_unmatched: bool | None = None,
        max_request_headers: int | None = None,
        max_sessions: int | None = None,
        max_connections: int | None = None,
        tcp_keepalive: int | None = None,
        trusted_proxies: Iterable[str] = (),
        log_level: int | str | None = None,
        node_id: int | None = None,
        backplane_redis: tuple[str, int] | None = None,
        backplane_channel: str | None = None,
        backplane_buffer_limit: int | None = None,
        backplane_connect_timeout: float | None = None,
        **service_options: Any,
    ) -> None:
        self._core: _core.Server | None = None
        if service_options and prefix is None:
            raise TypeError("service options need a prefix (or use add_service)")
        so = _core.ServerOptions()
        if max_request_head_size is not None:
            check(so.set_max_request_head_size(max_request_head_size))
        if request_timeout is not None:
            check(so.set_request_timeout_ms(_ms(request_timeout)))
        if shutdown_timeout is not None:
            check(so.set_shutdown_timeout_ms(_ms(shutdown_timeout)))
        if forward_unmatched is not None:
            check(so.set_forward_unmatched(forward_unmatched))
        if max_request_headers is not None:
            check(so.set_max_request_headers(max_request_headers))
        if max_sessions is not None:
            check(so.set_max_sessions(max_sessions))
        if max_connections is not None:
            check(so.set_max_connections(max_connections))
        if tcp_keepalive is not None:
            check(so.set_tcp_keepalive_s(tcp_keepalive))
        if isinstance(trusted_proxies, str):
            trusted_proxies = (trusted_proxies,)
        for cidr in trusted_proxies:
            check(so.add_trusted_proxy(cidr), f"invalid trusted proxy {cidr!r}")
        if log_level is not None:
            check(so.set_log_level(_log_level(log_level)), f"invalid log level {log_level!r}")
        if node_id is not None:
            check(so.set_node_id(node_id), f"invalid node_id {node_id!r} (0..65535)")
        _set_backplane(
            so, backplane_redis, backplane_channel, backplane_buffer_limit,
            backplane_connect_timeout,
        )
        #: This node's number in a cluster (0 unless set): the top 16 bits
        #: of its session ids.
        self.node_id = node_id or 0
        self._shutdown_timeout = 2.0 if shutdown_timeout is None else shutdown_timeout
        rc, core, err = _core.server_new(so)
        check(rc, err)
        assert core is not None
        self._core = core
        self._services: list[Service[SessionT]] = []
        self._sessions: dict[int, SessionT] = {}
        self._pending: collections.deque[Event[Any]] = collections.deque()
        self._wait_lock = threading.Lock()
        self._port: int | None = None
        self._closing = False
        self._server_closed = False
        if prefix is not None:
            try:
                self.add_service(prefix, **service_options)
            except BaseException:
                self._free()
                raise

    # ------------------------------------------------------------ set-up
    def add_service(
        self,
        prefix: str = "",
        *,
        sockjs_url: str | None = None,
        response_limit: int | None = None,
        websocket: bool | None = None,
        disabled_transports: Iterable[str] = (),
        jsessionid: bool | None = None,
        heartbeat_delay: float | None = None,
        disconnect_delay: float | None = None,
        disable_cors: bool | None = None,
        base_url: str | None = None,
        max_message_size: int | None = None,
        send_buffer_limit: int | None = None,
        expose_cookies: bool | None = None,
        allowed_origins: Iterable[str] = (),
        authorize: bool | None = None,
        authorize_timeout: float | None = None,
        permessage_deflate: bool | None = None,
        deflate_threshold: int | None = None,
    ) -> Service[SessionT]:
        """Add a SockJS endpoint under ``prefix`` (before :meth:`listen`).

        Options left as None keep the library's defaults (sockjs-node's):
        heartbeat_delay 25 s (0 disables), disconnect_delay 5 s,
        response_limit 128 KiB, max_message_size and send_buffer_limit
        1 MiB. ``disabled_transports`` names transports to turn off, e.g.
        ``("eventsource", "jsonp-polling")``. ``allowed_origins`` is the
        Origin allow-list (empty: every origin), e.g. ``["https://app.example",
        "*.example.com", "http://localhost:*"]``: a request from another
        Origin gets 403, including WebSocket upgrades; requests without an
        Origin, and same-origin ones, always pass. ``authorize=True``
        reports each Open before the client sees "o": answer with
        ``session.accept()`` or ``session.reject(code, reason)`` within
        ``authorize_timeout`` seconds (default 5; then 3000
        "Authorization timed out"). ``permessage_deflate=True`` offers
        WebSocket compression (RFC 7692); messages shorter than
        ``deflate_threshold`` bytes (default 128) go out uncompressed.
        """
        o = _core.Options()
        check(o.set_prefix(prefix))
        if sockjs_url is not None:
            check(o.set_sockjs_url(sockjs_url))
        if response_limit is not None:
            check(o.set_response_limit(response_limit))
        if websocket is not None:
            check(o.set_websocket(websocket))
        if isinstance(disabled_transports, str):
            disabled_transports = (disabled_transports,)
        for name in disabled_transports:
            check(o.set_transport_enabled(name, False), f"unknown transport {name!r}")
        if jsessionid is not None:
            check(o.set_jsessionid(jsessionid))
        if heartbeat_delay is not None:
            check(o.set_heartbeat_delay_ms(_ms(heartbeat_delay)))
        if disconnect_delay is not None:
            check(o.set_disconnect_delay_ms(_ms(disconnect_delay)))
        if disable_cors is not None:
            check(o.set_disable_cors(disable_cors))
        if base_url is not None:
            check(o.set_base_url(base_url))
        if max_message_size is not None:
            check(o.set_max_message_size(max_message_size))
        if send_buffer_limit is not None:
            check(o.set_send_buffer_limit(send_buffer_limit))
        if expose_cookies is not None:
            check(o.set_expose_cookies(expose_cookies))
        if isinstance(allowed_origins, str):
            allowed_origins = (allowed_origins,)
        for pattern in allowed_origins:
            check(o.add_allowed_origin(pattern), f"invalid origin pattern {pattern!r}")
        if authorize is not None:
            check(o.set_authorize(authorize))
        if authorize_timeout is not None:
            check(o.set_authorize_timeout_ms(max(1, _ms(authorize_timeout))))
        if permessage_deflate is not None:
            check(o.set_permessage_deflate(permessage_deflate))
        if deflate_threshold is not None:
            check(o.set_deflate_threshold(deflate_threshold))
        core = self._live()
        rc, sid = core.add_service(o)
        check(rc, f"cannot add service {prefix!r}: {_core.strerror(rc)}" if rc else None)
        service: Service[SessionT] = Service(sid, prefix.rstrip("/"), core)
        self._services.append(service)
        return service

    @property
    def services(self) -> list[Service[SessionT]]:
        return list(self._services)

    def listen(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Bind, listen and start the I/O thread; returns the bound port."""
        rc, bound, err = self._live().listen(host, port)
        check(rc, err)
        self._port = bound
        return bound

    @property
    def port(self) -> int | None:
        """The bound port once listening, else None."""
        return self._port

    def fileno(self) -> int:
        """The event fd: readable while events are queued. Never close it."""
        fd = self._live().event_fd()
        check(fd)
        return fd

    # ------------------------------------------------------------ events
    def poll(self) -> Event[SessionT] | None:
        """The next event, or None when none is queued. Never blocks."""
        if not self._pending:
            self._fill()
            if not self._pending:
                return None
        return self._pending.popleft()

    def _fill(self) -> None:
        """Poll one batch from the library and turn it into events at once
        (the library's strings are only valid until the next poll)."""
        core = self._core
        if core is None:
            return
        rc, batch = core.poll()
        if rc == _core.E_AGAIN:
            return
        check(rc)
        for kind, service, conn, data, code in batch:
            if kind == _core.EVENT_LOG:  # to the logger, not the event loop
                logger.log(code, "%s", data)
                continue
            self._pending.append(self._convert(core, kind, service, conn, data, code))

    def _convert(
        self, core: _core.Server, kind: int, service: int, conn: int, data: str, code: int
    ) -> Event[Any]:
        if kind == EventType.MESSAGE:
            return Message(self._sessions[conn], data)
        if kind == EventType.OPEN:
            svc = self._services[service]
            rc, info = core.conn_get_info(conn)
            if rc == _core.OK and info is not None:
                _, _, transport, addr, port, _, url, headers, query, client = info
                session = self._session_class(
                    core, conn, svc, transport, (addr, port), dict(headers), url, query, client
                )
            else:  # cannot happen per the header; stay usable anyway
                session = self._session_class(core, conn, svc, data, ("", 0), {}, "")
            self._sessions[conn] = session
            svc._sessions[conn] = session
            return Open(session)
        if kind == EventType.CLOSE:
            session = self._sessions.pop(conn)
            session._open = False
            session.service._sessions.pop(conn, None)
            self._on_close(session)
            return Close(session, code, data)
        if kind == EventType.DRAIN:
            session = self._sessions[conn]
            self._on_drain(session)
            return Drain(session)
        if kind == EventType.REQUEST:
            rc, info = core.conn_get_info(conn)
            if rc == _core.OK and info is not None:
                _, _, _, addr, port, method, url, headers, _, _ = info
                req = Request(core, conn, method, url, dict(headers), (addr, port))
            else:
                req = Request(core, conn, data, "", {}, ("", 0))
            return RequestReceived(req)
        if kind == EventType.SERVER_CLOSED:
            self._server_closed = True
            return ServerClosed()
        raise AssertionError(f"unknown event type {kind}")

    # Hooks for the asyncio layer.
    def _on_drain(self, session: BaseSession) -> None:
        pass

    def _on_close(self, session: BaseSession) -> None:
        pass

    def _wait(self, timeout: float | None) -> bool:
        """Wait for an event or a wakeup; False when ``timeout`` passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is None:
                step = _WAIT_SLICE
            else:
                step = min(_WAIT_SLICE, max(0.0, deadline - time.monotonic()))
            with self._wait_lock:
                core = self._core
                if core is None:
                    return False
                rc = core.wait(math.ceil(step * 1000))
            if rc == _core.OK:
                return True
            if rc != _core.E_AGAIN:
                check(rc)
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def events(self, timeout: float | None = None) -> Iterator[Event[SessionT]]:
        """Yield events as they come, blocking in between.

        Ends after ``ServerClosed``, when no event arrives within
        ``timeout`` seconds (None: no limit), after :meth:`wakeup`, or once
        the server is closed.
        """
        while True:
            ev = self.poll()
            if ev is not None:
                yield ev
                if isinstance(ev, ServerClosed):
                    return
                continue
            if self._core is None or self._server_closed:
                return
            if not self._wait(timeout):
                return
            if not self._pending:
                self._fill()
                if not self._pending:
                    return  # a wakeup(), not an event

    def wakeup(self) -> None:
        """Make a blocking :meth:`events` in another thread return. Any thread."""
        if self._core is not None:
            check(self._core.wakeup())

    # ------------------------------------------------------------ closing
    @property
    def sessions(self) -> list[SessionT]:
        """Open sessions of all services."""
        return list(self._sessions.values())

    def session_ids(self) -> list[int]:
        """The library's snapshot of open session ids of every service."""
        rc, ids = self._live().list_sessions(-1)
        check(rc)
        return ids

    def close_sessions(self, code: int = 1000, reason: str | None = None) -> int:
        """Close every open session of every service; returns how many."""
        rc, closed = self._live().close_sessions(-1, code, reason)
        check(rc)
        return closed

    # ------------------------------------------------------------ channels
    def publish(
        self, text: str, channel: str | None = None, *, service: Service[SessionT] | None = None
    ) -> None:
        """:meth:`Service.publish` on ``service``, by default the server's
        only service (TypeError when it has several). Never blocks."""
        if service is None:
            if len(self._services) != 1:
                raise TypeError(
                    f"publish needs service= on a server with {len(self._services)} services"
                )
            service = self._services[0]
        self._live()
        service.publish(text, channel)

    def publish_to(self, session_id: int, text: str) -> None:
        """Send one message to the session ``session_id``, wherever it
        lives. A session of this node gets it as with ``session.send`` (and
        the same errors: BufferFullError when its buffer is full, never
        blocking; ConnectionClosedError or UnknownConnectionError when it is
        closing or gone). An id of another node (see :func:`node_of`) goes
        through the backplane; returning then means Redis got it (that node
        drops it if the session is gone); without a backplane it raises
        UnknownConnectionError."""
        check(self._live().publish_to(session_id, text))

    # ------------------------------------------------------------ metrics
    def metrics(self) -> list[Metric]:
        """A snapshot of the server's counters and gauges (see sockjs.h)."""
        rc, raw = self._live().metrics()
        check(rc)
        prefixes = {svc.id: svc.prefix for svc in self._services}
        return [
            Metric(
                name,
                "counter" if kind == _core.METRIC_COUNTER else "gauge",
                prefixes.get(service) if service >= 0 else None,
                transport,
                label,
                code,
                value,
            )
            for name, kind, service, transport, label, code, value in raw
        ]

    def metrics_prometheus(self) -> str:
        """The metrics in the Prometheus text format 0.0.4, for a /metrics
        page served as ``text/plain; version=0.0.4; charset=utf-8``."""
        rc, text = self._live().metrics_prometheus()
        check(rc)
        return text

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has freed the server."""
        return self._core is None

    def shutdown(self) -> None:
        """Start a graceful shutdown and return at once.

        Every session is closed with 1001 "Going away"; their Close events
        and then ``ServerClosed`` follow through :meth:`events`. Harmless
        when repeated.
        """
        if self._core is not None and not self._closing:
            self._closing = True
            check(self._core.close())
            self._core.wakeup()

    def close(self) -> None:
        """Shut down gracefully, then free the server. Idempotent.

        Waits for queued output to be written (at most shutdown_timeout);
        events still queued are dropped. Safe to call from another thread
        than the one reading events, which then stops iterating.
        """
        if self._core is None:
            return
        self.shutdown()
        deadline = time.monotonic() + self._shutdown_timeout + 1.0
        while self._core is not None and not self._server_closed:
            while self.poll() is not None:
                pass
            if self._server_closed:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._wait(remaining)
        self._free()

    def _free(self) -> None:
        core = self._core
        if core is None:
            return
        core.wakeup()
        with self._wait_lock:
            self._core = None
            core.free()
        self._pending.clear()
        for s in self._sessions.values():
            s._open = False
        self._sessions.clear()
        for svc in self._services:
            svc._sessions.clear()

    def _live(self) -> _core.Server:
        if self._core is None:
            raise error_for(_core.E_CLOSED, "the server is closed")
        return self._core

    def __del__(self) -> None:
        if getattr(self, "_core", None) is not None:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, source=self, stacklevel=1)
            self._free()

    def __repr__(self) -> str:
        state = "closed" if self._core is None else (
            f"listening on port {self._port}" if self._port else "not listening"
        )
        return f"<{type(self).__name__} {state} services={[s.prefix for s in self._services]}>"


def _set_backplane(
    so: _core.ServerOptions,
    redis: tuple[str, int] | None,
    channel: str | None,
    buffer_limit: int | None,
    connect_timeout: float | None,
) -> None:
    """The backplane options; the others need ``redis`` to mean anything."""
    if redis is None:
        if (channel, buffer_limit, connect_timeout) != (None, None, None):
            raise TypeError("backplane options need backplane_redis=(host, port)")
        return
    if isinstance(redis, str):
        raise TypeError("backplane_redis is a (host, port) tuple")
    host, port = redis
    check(so.set_backplane_redis(host, port), f"invalid backplane_redis {redis!r}")
    if channel is not None:
        check(so.set_backplane_channel(channel), f"invalid backplane_channel {channel!r}")
    if buffer_limit is not None:
        check(so.set_backplane_buffer_limit(buffer_limit))
    if connect_timeout is not None:
        check(so.set_backplane_connect_timeout_ms(max(1, _ms(connect_timeout))))


class Server(BaseServer[Session]):
    """A SockJS server driven from Python code that reads its events.

    >>> with Server(prefix="/echo") as server:
    ...     port = server.listen("127.0.0.1", 0)
    ...     for event in server.events(timeout=0.01):
    ...         if isinstance(event, Message):
    ...             event.session.send(event.data)

    Keyword options: the server-wide ones (``max_request_head_size``,
    ``max_request_headers``, ``request_timeout``, ``shutdown_timeout``,
    ``forward_unmatched``, ``max_sessions``, ``max_connections``,
    ``tcp_keepalive``, ``trusted_proxies``, ``log_level``; times in
    seconds, 0 limits mean none), the cluster ones (``node_id`` 0..65535;
    ``backplane_redis=(host, port)`` joins the nodes sharing a Redis, with
    ``backplane_channel``, ``backplane_buffer_limit`` in bytes and
    ``backplane_connect_timeout`` in seconds, after which :meth:`listen`
    raises SockJSOSError when Redis is unreachable), and, with
    ``prefix``, the options of one service added at once (see
    :meth:`add_service`).
    """

    _session_class = Session

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
