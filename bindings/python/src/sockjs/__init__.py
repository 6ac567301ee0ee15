"""libsockjs for Python: an embeddable SockJS server.

The synchronous API lives here (:class:`Server`); the asyncio one in
:mod:`sockjs.aio`. The compiled core (``sockjs._core``) is libsockjs itself,
linked statically into the extension.
"""

from __future__ import annotations

from . import _core
from .errors import (
    BufferFullError,
    ConnectionClosedError,
    FatalError,
    InternalError,
    InvalidArgumentError,
    LimitError,
    ProtocolError,
    SockJSError,
    SockJSOSError,
    StateError,
    Status,
    UnknownConnectionError,
)
from .events import (
    Close,
    CloseCode,
    Drain,
    Event,
    EventType,
    Message,
    Open,
    RequestReceived,
    ServerClosed,
)
from .server import (
    MAX_CHANNEL_NAME,
    BaseServer,
    BaseSession,
    Metric,
    Request,
    Server,
    Service,
    Session,
    node_of,
)

# The extension was compiled against one header and linked with one library;
# a mismatch of major versions means an ABI we were not built for.
if _core.version_num() >> 16 != _core.VERSION_MAJOR:
    raise ImportError(
        f"libsockjs {_core.version_string()} does not match the binding's "
        f"major version {_core.VERSION_MAJOR}"
    )

__version__: str = _core.__version__
library_version: str = _core.version_string()

__all__ = [
    "BaseServer",
    "BaseSession",
    "BufferFullError",
    "Close",
    "CloseCode",
    "ConnectionClosedError",
    "Drain",
    "Event",
    "EventType",
    "FatalError",
    "InternalError",
    "InvalidArgumentError",
    "LimitError",
    "MAX_CHANNEL_NAME",
    "Message",
    "Metric",
    "Open",
    "ProtocolError",
    "Request",
    "RequestReceived",
    "Server",
    "ServerClosed",
    "Service",
    "Session",
    "SockJSError",
    "SockJSOSError",
    "StateError",
    "Status",
    "UnknownConnectionError",
    "library_version",
    "node_of",
]
