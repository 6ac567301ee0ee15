"""Exceptions and status codes of libsockjs.

Every failing call raises a subclass of :class:`SockJSError` chosen from the
library's own status name (``sockjs_status_name``), never from its message.
Allocation failures raise :class:`MemoryError`; operating-system failures
(resolve, bind, listen) raise :class:`SockJSOSError`, an :class:`OSError`.
"""

from __future__ import annotations

import enum

from . import _core


class Status(enum.IntEnum):
    """The library's status codes (``sockjs_status``)."""

    OK = _core.OK
    E_INVALID_ARGUMENT = _core.E_INVALID_ARGUMENT
    E_NOMEM = _core.E_NOMEM
    E_AGAIN = _core.E_AGAIN
    E_UNKNOWN_CONN = _core.E_UNKNOWN_CONN
    E_CLOSED = _core.E_CLOSED
    E_STATE = _core.E_STATE
    E_PROTOCOL = _core.E_PROTOCOL
    E_IO = _core.E_IO
    E_LIMIT = _core.E_LIMIT
    E_FATAL = _core.E_FATAL
    E_INTERNAL = _core.E_INTERNAL


class SockJSError(Exception):
    """A libsockjs call failed. ``code`` is the (negative) status."""

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.name = _core.status_name(code)
        super().__init__(message or _core.strerror(code))


class InvalidArgumentError(SockJSError, ValueError):
    """A value was out of range, or the server is already freed."""


class BufferFullError(SockJSError):
    """The session's send buffer is full; wait for a ``Drain`` event."""


class ConnectionClosedError(SockJSError):
    """The session or the server is closing or closed."""


class UnknownConnectionError(ConnectionClosedError):
    """No such session or request (never existed, or already gone).

    A subclass of ConnectionClosedError: for a session object that once
    opened, "gone" is the last stage of "closed".
    """


class StateError(SockJSError):
    """Not allowed in the server's current state (e.g. listening twice)."""


class ProtocolError(SockJSError):
    """The peer broke the protocol."""


class LimitError(SockJSError):
    """A configured limit was hit."""


class FatalError(SockJSError):
    """The server is unusable; only closing it remains."""


class InternalError(FatalError):
    """A bug inside libsockjs; the server is unusable."""


class SockJSOSError(SockJSError, OSError):
    """An operating-system call failed (the message says which and why)."""


_BY_NAME: dict[str, type[SockJSError]] = {
    "SOCKJS_E_INVALID_ARGUMENT": InvalidArgumentError,
    "SOCKJS_E_AGAIN": BufferFullError,
    "SOCKJS_E_UNKNOWN_CONN": UnknownConnectionError,
    "SOCKJS_E_CLOSED": ConnectionClosedError,
    "SOCKJS_E_STATE": StateError,
    "SOCKJS_E_PROTOCOL": ProtocolError,
    "SOCKJS_E_IO": SockJSOSError,
    "SOCKJS_E_LIMIT": LimitError,
    "SOCKJS_E_FATAL": FatalError,
    "SOCKJS_E_INTERNAL": InternalError,
}


def error_for(status: int, message: str | None = None) -> Exception:
    """The exception for a failing status (``message`` overrides the text)."""
    name = _core.status_name(status)
    if name == "SOCKJS_E_NOMEM":
        return MemoryError(message or _core.strerror(status))
    cls = _BY_NAME.get(name)
    if cls is None:
        cls = FatalError if status <= _core.E_FATAL else SockJSError
    return cls(status, message or None)


def check(status: int, message: str | None = None) -> None:
    """Raise the matching exception unless ``status`` is OK (or positive)."""
    if status < 0:
        raise error_for(status, message)
