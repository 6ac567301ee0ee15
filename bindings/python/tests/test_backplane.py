"""The Redis backplane: two servers (nodes 1 and 2) in this process share a
real redis-server on loopback; a client on each.

Exactly-once is checked through ordering rather than waiting: Redis hands
one subscriber the messages in the order it accepted the PUBLISHes, so a
message published after the other node has received a first one comes
after any (wrong) second copy of that first one.
"""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

import sockjs
from conftest import next_event
from redis_process import RedisProcess
from sockjs.aio import AsyncServer
from sockjs_client import WebSocketClient

WAIT = 10.0


def node_options(redis: RedisProcess, node_id: int, channel: str) -> dict[str, object]:
    return {
        "prefix": "/chat",
        "heartbeat_delay": 0,
        "node_id": node_id,
        "backplane_redis": ("127.0.0.1", redis.port),
        "backplane_channel": channel,  # one cluster per test
        "backplane_connect_timeout": WAIT,
    }


def backplane_state(server: sockjs.Server | AsyncServer) -> int:
    (state,) = [m.value for m in server.metrics() if m.name == "sockjs_backplane_state"]
    return state


def test_publish_reaches_both_nodes_exactly_once(redis: RedisProcess) -> None:
    cluster = f"pytest-{uuid.uuid4().hex}"
    with (
        sockjs.Server(**node_options(redis, 1, cluster)) as one,  # type: ignore[arg-type]
        sockjs.Server(**node_options(redis, 2, cluster)) as two,  # type: ignore[arg-type]
    ):
        port1, port2 = one.listen(), two.listen()  # each subscribed on return
        with WebSocketClient(port1, "/chat") as ws1, WebSocketClient(port2, "/chat") as ws2:
            assert ws1.recv_sockjs() == "o" and ws2.recv_sockjs() == "o"
            s1 = next_event(one, sockjs.Open).session
            s2 = next_event(two, sockjs.Open).session
            assert (s1.node_id, s2.node_id) == (1, 2)
            s1.join("room")
            s2.join("room")

            one.publish("hello", "room")
            assert ws1.next_message() == "hello"  # locally
            assert ws2.next_message() == "hello"  # through Redis
            # Published after node 2 got "hello": any second copy of it
            # would reach either client before this one.
            two.publish("marker", "room")
            assert ws1.next_message() == "marker"
            assert ws2.next_message() == "marker"

            one.publish_to(s2.id, "direct to node 2")
            assert ws2.next_message() == "direct to node 2"
            one.publish("end")  # whole service, all nodes
            assert ws2.next_message() == "end"
            assert ws1.next_message() == "end"  # "direct" never went to s1
            assert backplane_state(one) == backplane_state(two) == 2  # up


def test_unreachable_redis_fails_listen_with_oserror() -> None:
    with socket.socket() as closed:  # bound, not listening: connections refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with sockjs.Server(
            prefix="/chat",
            backplane_redis=("127.0.0.1", port),
            backplane_connect_timeout=0.3,
        ) as server:
            with pytest.raises(OSError) as info:
                server.listen()
            assert isinstance(info.value, sockjs.SockJSOSError)
            assert info.value.code == sockjs.Status.E_IO
            assert str(port) in str(info.value)


def test_backplane_option_errors() -> None:
    with pytest.raises(TypeError, match="backplane_redis"):
        sockjs.Server(backplane_channel="x")  # needs backplane_redis
    with pytest.raises(TypeError, match="tuple"):
        sockjs.Server(backplane_redis="127.0.0.1:6379")  # type: ignore[arg-type]
    bad: list[dict[str, object]] = [
        {"backplane_redis": ("127.0.0.1", 0)},
        {"backplane_redis": ("127.0.0.1", 65536)},
        {"backplane_redis": ("127.0.0.1", 6379), "backplane_channel": ""},
        {"backplane_redis": ("127.0.0.1", 6379), "backplane_channel": "x" * 256},
        {"backplane_redis": ("127.0.0.1", 6379), "backplane_buffer_limit": 0},
    ]
    for options in bad:
        with pytest.raises(sockjs.InvalidArgumentError):
            sockjs.Server(**options)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sockjs.Server(backplane_redis=("127.0.0.1", 6379), backplane_connect_timeout=-1)
    # Without a backplane the state gauge says "not configured".
    with sockjs.Server(prefix="/x") as server:
        assert backplane_state(server) == 0


@pytest.mark.asyncio
async def test_async_nodes_publish_to_each_other(redis: RedisProcess) -> None:
    cluster = f"pytest-{uuid.uuid4().hex}"
    async with (
        AsyncServer(**node_options(redis, 1, cluster)) as one,
        AsyncServer(**node_options(redis, 2, cluster)) as two,
    ):
        port1, port2 = await one.listen(), await two.listen()
        ws1 = await asyncio.to_thread(WebSocketClient, port1, "/chat")
        ws2 = await asyncio.to_thread(WebSocketClient, port2, "/chat")
        try:
            opened = []
            for server in (one, two):
                ev = await server.next_event(timeout=WAIT)
                assert isinstance(ev, sockjs.Open)
                opened.append(ev.session)
            s1, s2 = opened
            for ws in (ws1, ws2):
                assert await asyncio.to_thread(ws.recv_sockjs) == "o"
            two.publish_to(s1.id, "from node 2")
            one.publish_to(s2.id, "from node 1")
            assert await asyncio.to_thread(ws1.next_message) == "from node 2"
            assert await asyncio.to_thread(ws2.next_message) == "from node 1"
        finally:
            ws1.close()
            ws2.close()
