"""A throwaway redis-server on a free loopback port, for the backplane tests.

No persistence, bound to 127.0.0.1, stopped by its PID. A missing
redis-server is a failure, not a skip: the backplane test is part of what
the binding must prove (scripts/install-deps.sh --cluster installs it).
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time

import pytest

START_TIMEOUT = 10.0


def free_port() -> int:
    """A port below the kernel's ephemeral range, free a moment ago (in the
    ephemeral range, another test's outgoing connection could take it
    before redis-server binds it)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    first = low - 12000 if low > 13024 else 1024
    for _ in range(200):
        port = random.randrange(first, low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisProcess:
    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail(
                "redis-server not found on PATH: the backplane tests need it "
                "(Debian package redis-server; scripts/install-deps.sh --cluster)"
            )
        for _ in range(3):  # another process may take the port first
            self.port = free_port()
            self.proc = subprocess.Popen(
                [exe, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + START_TIMEOUT
            while self.proc.poll() is None and time.monotonic() < deadline:
                if _accepts(self.port) and self.proc.poll() is None:
                    return  # ours answers (a clash would have made it exit)
                time.sleep(0.02)
            self.stop()
        pytest.fail("redis-server did not start on a free loopback port (3 tries)")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
