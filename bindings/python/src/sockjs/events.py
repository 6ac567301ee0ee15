"""Events reported by a server: frozen dataclasses, one per event kind.

``Open``, ``Message``, ``Close`` and ``Drain`` carry the session they are
about; the session type is a parameter so that the sync API yields
``Session`` objects and the asyncio API ``AsyncSession`` objects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, Union

from . import _core

if TYPE_CHECKING:
    from .server import BaseSession, Request

S = TypeVar("S", bound="BaseSession")


class EventType(enum.IntEnum):
    """Kinds of events (``sockjs_event_type``)."""

    OPEN = _core.EVENT_OPEN
    MESSAGE = _core.EVENT_MESSAGE
    CLOSE = _core.EVENT_CLOSE
    DRAIN = _core.EVENT_DRAIN
    SERVER_CLOSED = _core.EVENT_SERVER_CLOSED
    REQUEST = _core.EVENT_REQUEST


class CloseCode(enum.IntEnum):
    """Close codes the library itself reports in ``Close`` events."""

    NORMAL = 1000
    GOING_AWAY = 1001  # server shutdown or session timeout
    INTERRUPTED = 1002  # the client dropped the connection
    NO_STATUS = 1005  # a WebSocket close frame without a code
    MESSAGE_TOO_BIG = 1009
    BROKEN_FRAMING = 3000  # also "No response from heartbeat"


@dataclass(frozen=True, slots=True)
class Open(Generic[S]):
    """A session opened; ``session.transport`` says how."""

    session: S
    type: ClassVar[EventType] = EventType.OPEN


@dataclass(frozen=True, slots=True)
class Message(Generic[S]):
    """A message from the client."""

    session: S
    data: str
    type: ClassVar[EventType] = EventType.MESSAGE


@dataclass(frozen=True, slots=True)
class Close(Generic[S]):
    """The session ended (exactly one per ``Open``)."""

    session: S
    code: int
    reason: str
    type: ClassVar[EventType] = EventType.CLOSE


@dataclass(frozen=True, slots=True)
class Drain(Generic[S]):
    """The session's send buffer fell below half after a full one."""

    session: S
    type: ClassVar[EventType] = EventType.DRAIN


@dataclass(frozen=True, slots=True)
class RequestReceived:
    """An HTTP request that matched no service (``forward_unmatched``)."""

    request: Request
    type: ClassVar[EventType] = EventType.REQUEST


@dataclass(frozen=True, slots=True)
class ServerClosed:
    """Shutdown finished; no event follows."""

    type: ClassVar[EventType] = EventType.SERVER_CLOSED


Event = Union[Open[S], Message[S], Close[S], Drain[S], RequestReceived, ServerClosed]
