from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import sockjs  # noqa: E402
from redis_process import RedisProcess  # noqa: E402

WAIT = 10.0  # upper bound for any single expected event; never reached when green


def next_event(server: sockjs.Server, kind: type, timeout: float = WAIT) -> object:
    """The next event of type ``kind`` (skipping others), or fail."""
    for ev in server.events(timeout=timeout):
        if isinstance(ev, kind):
            return ev
    pytest.fail(f"no {kind.__name__} event within {timeout} s")


@pytest.fixture
def echo_server() -> Iterator[sockjs.Server]:
    with sockjs.Server(prefix="/echo", heartbeat_delay=0) as server:
        server.listen("127.0.0.1", 0)
        yield server


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisProcess]:
    """One redis-server for the session's backplane tests (each test uses
    its own backplane channel); fails when redis-server is missing."""
    proc = RedisProcess()
    try:
        yield proc
    finally:
        proc.stop()
