"""A small SockJS client for the cluster tests: raw sockets, stdlib only.

It speaks every SockJS transport the way a browser client does (one
receiving request at a time, kept going by a background thread; sends as
separate requests), so that each request crosses the load balancer on its
own and has to be routed to the node that holds the session.

Every session reports what happens to it as events on a queue:
  ("open",)              the open frame (or a raw WebSocket's 101)
  ("msg", text)          one message
  ("close", code, why)   a close frame
  ("broken", why)        the transport failed: a non-200 receiving request,
                         a connection cut mid-response, or a second open
                         frame (a node that never knew the session made a
                         new one: the old session is lost)
"""

import base64
import hashlib
import json
import os
import queue
import random
import re
import socket
import string
import struct
import threading
import time
import urllib.parse
import zlib

HOST = "127.0.0.1"

TRANSPORTS = ("websocket", "websocket-raw", "xhr-polling", "xhr-streaming",
              "eventsource", "htmlfile", "jsonp-polling")
STREAMING = ("xhr-streaming", "eventsource", "htmlfile")


class SendError(Exception):
    def __init__(self, status, body):
        super().__init__(f"send answered {status}: {body[:80]!r}")
        self.status = status


class Reader:
    """Buffered reads from a socket: lines, exact sizes, whatever is there."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def some(self):
        if not self.buf:
            self._fill()
        out, self.buf = self.buf, b""
        return out


class Response:
    """An HTTP/1.1 response whose body can be read piece by piece."""

    def __init__(self, sock, reader, method):
        self.sock, self.reader = sock, reader
        status_line = reader.line().decode("latin-1")
        self.status = int(status_line.split(" ", 2)[1])
        self.headers = {}
        while True:
            line = reader.line().decode("latin-1")
            if not line:
                break
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "")
        self.left = None  # bytes left with Content-Length
        if method == "HEAD" or self.status in (204, 304):
            self.left = 0
        elif not self.chunked and "content-length" in self.headers:
            self.left = int(self.headers["content-length"])
        self.ended = False
        # Requests say "Accept-Encoding: gzip", as browsers do: a balancer
        # set to compress the streaming responses must then show what its
        # compression does to them (a compressor that waits for a full
        # block holds frames back).
        self.gunzip = None
        if self.headers.get("content-encoding", "").lower() == "gzip":
            self.gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.headers.get("content-encoding", "identity").lower() != "identity":
            raise ValueError(f"unexpected Content-Encoding {self.headers['content-encoding']}")

    def read_some(self):
        """The next piece of the body (decoded), or b"" at its end."""
        while self.gunzip is not None:
            raw = self._read_raw()
            if not raw:
                tail, self.gunzip = self.gunzip.flush(), None
                return tail
            out = self.gunzip.decompress(raw)
            if out:
                return out
        return self._read_raw()

    def _read_raw(self):
        """The next piece of the body as sent (one chunk), or b"" at its end."""
        if self.ended:
            return b""
        if self.chunked:
            size = int(self.reader.line().split(b";")[0], 16)
            if size == 0:
                while self.reader.line():  # trailers
                    pass
                self.ended = True
                return b""
            data = self.reader.exact(size)
            self.reader.exact(2)
            return data
        if self.left is not None:
            if self.left == 0:
                self.ended = True
                return b""
            data = self.reader.some()
            data, self.reader.buf = data[:self.left], data[self.left:]
            self.left -= len(data)
            return data
        try:  # delimited by the connection's end
            return self.reader.some()
        except EOFError:
            self.ended = True
            return b""

    def read_all(self):
        parts = []
        while True:
            data = self.read_some()
            if not data:
                return b"".join(parts)
            parts.append(data)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def send_request(port, method, path, body=b"", headers=None, timeout=10.0):
    """Send one request on a new connection; return the socket."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    try:
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}",
                "Connection: close", "Accept-Encoding: gzip"]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}")
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        return sock
    except BaseException:
        sock.close()
        raise


def request(port, method, path, body=b"", headers=None, timeout=10.0):
    """Send one request on a new connection; return its Response."""
    sock = send_request(port, method, path, body, headers, timeout)
    try:
        return Response(sock, Reader(sock), method)
    except BaseException:
        sock.close()
        raise


def fetch(port, method, path, body=b"", headers=None, timeout=10.0):
    """One whole request: (status, headers, body)."""
    resp = request(port, method, path, body, headers, timeout)
    try:
        return resp.status, resp.headers, resp.read_all()
    finally:
        resp.close()


class WebSocket:
    """RFC 6455 client: masked text frames out, answers pings."""

    def __init__(self, port, path, timeout=10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.send_lock = threading.Lock()
        key = base64.b64encode(os.urandom(16)).decode()
        head = (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(head.encode())
        self.reader = Reader(self.sock)
        resp = Response(self.sock, self.reader, "GET")
        if resp.status != 101:
            self.sock.close()
            raise SendError(resp.status, b"WebSocket handshake refused")
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        if resp.headers.get("sec-websocket-accept") != accept.decode():
            raise ValueError("bad Sec-WebSocket-Accept")
        # From here on the receiving thread blocks until a message comes (the
        # node's heartbeat bounds the wait); close() or abort() ends it.
        self.sock.settimeout(None)

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) \
            if n < 4096 else _mask_fast(payload, mask)
        with self.send_lock:
            self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode())

    def recv(self):
        """Next message: ("text", str) or ("close", code, reason)."""
        parts = []
        while True:
            b0, b1 = self.reader.exact(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self.reader.exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.reader.exact(8))[0]
            payload = self.reader.exact(n)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                return ("close", code, payload[2:].decode("utf-8", "replace"))
            elif opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if b0 & 0x80:
                    return ("text", b"".join(parts).decode())

    def close(self, code=1000):
        try:
            self._send_frame(0x8, struct.pack("!H", code))
        except OSError:
            pass
        self.abort()

    def abort(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def _mask_fast(payload, mask):
    whole = int.from_bytes(mask * ((len(payload) + 3) // 4), "big")
    data = int.from_bytes(payload, "big") << (8 * ((4 - len(payload) % 4) % 4))
    out = (data ^ whole).to_bytes(4 * ((len(payload) + 3) // 4), "big")
    return out[:len(payload)]


def _random_id(n=12):
    return "".join(random.choice(string.ascii_lowercase + string.digits)
                   for _ in range(n))


_HTMLFILE_FRAME = re.compile(rb'<script>\np\((".*?")\);\n</script>\r\n', re.S)
_JSONP_FRAME = re.compile(rb'^/\*\*/cb\((".*")\);\r\n$', re.S)


class Session:
    """One SockJS session over one transport, received by a background thread.

    on_message(session, text), when given, is called from that thread for
    every message.
    """

    def __init__(self, port, prefix, transport, on_message=None, timeout=10.0):
        assert transport in TRANSPORTS, transport
        self.port, self.prefix, self.transport = port, prefix, transport
        self.timeout = timeout
        self.server_id = f"{random.randrange(1000):03d}"
        self.session_id = _random_id()
        self.base = f"{prefix}/{self.server_id}/{self.session_id}"
        self.events = queue.Queue()
        self.on_message = on_message
        self.messages = []       # every message received, in order
        self.broken = None       # why the transport failed, if it did
        self.closed = None       # (code, reason) of a close frame
        self.opened = False
        self.responses = 0       # receiving requests made so far
        self.response_live = False  # a streaming response is open now
        self.stopping = False
        self._ws = None
        self._sock = None        # the receiving request's socket
        self._thread = threading.Thread(target=self._run, daemon=True)

    # -------------------------------------------------------------- public
    def start(self):
        self._thread.start()
        return self

    def wait_open(self, timeout=5.0):
        ev = self._next(timeout)
        if ev[0] != "open":
            raise AssertionError(f"{self.describe()}: expected open, got {ev}")

    def wait_message(self, text, timeout=5.0):
        """Wait for one message equal to text; others are skipped."""
        self._wait_match(lambda m: m == text, f"message {text[:40]!r}", timeout)

    def wait_prefix(self, prefix, timeout=5.0):
        """Wait for one message starting with prefix and return it; others
        are skipped (they stay in self.messages)."""
        return self._wait_match(lambda m: m.startswith(prefix),
                                f"message {prefix!r}...", timeout)

    def _wait_match(self, match, what, timeout):
        deadline = time.monotonic() + timeout
        while True:
            ev = self._next(max(0.0, deadline - time.monotonic()), what)
            if ev[0] == "msg" and match(ev[1]):
                return ev[1]
            if ev[0] in ("close", "broken", "open"):
                raise AssertionError(f"{self.describe()}: waiting for "
                                     f"{what}, got {ev}")

    def wait_messages(self, texts, timeout=5.0):
        for text in texts:
            self.wait_message(text, timeout)

    def wait_end(self, timeout=5.0):
        """Wait for a close or a break; return that event."""
        deadline = time.monotonic() + timeout
        while True:
            ev = self._next(max(0.0, deadline - time.monotonic()))
            if ev[0] in ("close", "broken", "open"):
                return ev

    def send(self, messages):
        """Send through this transport's sending path; raises SendError."""
        t = self.transport
        if t == "websocket":
            self._ws_ready()
            self._ws.send_text(json.dumps(messages))
        elif t == "websocket-raw":
            self._ws_ready()
            for m in messages:
                self._ws.send_text(m)
        elif t in ("htmlfile", "jsonp-polling"):
            body = ("d=" + urllib.parse.quote(json.dumps(messages))).encode()
            status, _, answer = fetch(
                self.port, "POST", self.base + "/jsonp_send", body,
                {"Content-Type": "application/x-www-form-urlencoded"},
                self.timeout)
            if status != 200 or answer != b"ok":
                raise SendError(status, answer)
        else:  # xhr-polling, xhr-streaming, eventsource: xhr_send
            status, _, answer = fetch(
                self.port, "POST", self.base + "/xhr_send",
                json.dumps(messages).encode(),
                {"Content-Type": "text/plain;charset=UTF-8"}, self.timeout)
            if status != 204:
                raise SendError(status, answer)

    def close(self):
        """Stop receiving, the way a client that goes away does."""
        self.stopping = True
        if self._ws is not None:
            self._ws.close()
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(2.0)

    def describe(self):
        return f"{self.transport} session {self.base}"

    # ------------------------------------------------------------ internal
    def _next(self, timeout, what="event"):
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"{self.describe()}: no {what} within "
                                 f"{timeout:.1f} s") from None

    def _ws_ready(self):
        deadline = time.monotonic() + self.timeout
        while self._ws is None and time.monotonic() < deadline and not self.broken:
            time.sleep(0.005)
        if self._ws is None:
            raise AssertionError(f"{self.describe()}: no WebSocket")

    def _emit(self, *ev):
        if ev[0] == "msg":
            self.messages.append(ev[1])
            if self.on_message:
                self.on_message(self, ev[1])
        elif ev[0] == "broken":
            self.broken = ev[1]
        elif ev[0] == "close":
            self.closed = ev[1:]
        self.events.put(ev)

    def _frame(self, frame):
        """Handle one SockJS frame; returns False once the session ended."""
        if frame == "o":
            if self.opened:
                self._emit("broken", "second open frame: the session was lost")
                return False
            self.opened = True
            self._emit("open")
        elif frame == "h":
            pass
        elif frame.startswith("a"):
            for m in json.loads(frame[1:]):
                self._emit("msg", m)
        elif frame.startswith("c"):
            code, reason = json.loads(frame[1:])
            self._emit("close", code, reason)
            return False
        else:
            self._emit("broken", f"bad frame {frame[:40]!r}")
            return False
        return True

    def _run(self):
        try:
            getattr(self, "_recv_" + self.transport.replace("-", "_"))()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            if not self.stopping:
                self._emit("broken", f"{type(e).__name__}: {e}")

    def _receiving(self, method, suffix):
        # Longer than the node's 25 s heartbeat: an idle poll is answered "h".
        sock = send_request(self.port, method, self.base + suffix, timeout=60.0)
        self._sock = sock
        if self.stopping:  # close() may have missed this socket
            sock.close()
            raise EOFError("closed")
        try:
            resp = Response(sock, Reader(sock), method)
        except BaseException:
            sock.close()
            raise
        self.responses += 1
        if resp.status != 200:
            body = resp.read_all()
            resp.close()
            raise SendError(resp.status, body)
        return resp

    def _recv_xhr_polling(self):
        while not self.stopping:
            resp = self._receiving("POST", "/xhr")
            body = resp.read_all().decode()
            resp.close()
            if not body.endswith("\n"):
                raise EOFError(f"poll cut short: {body[:40]!r}")
            if not self._frame(body[:-1]):
                return

    def _recv_jsonp_polling(self):
        while not self.stopping:
            resp = self._receiving("GET", "/jsonp?c=cb")
            body = resp.read_all()
            resp.close()
            m = _JSONP_FRAME.match(body)
            if not m:
                raise EOFError(f"jsonp poll cut short: {body[:40]!r}")
            if not self._frame(json.loads(m.group(1))):
                return

    def _stream(self, method, suffix, make_split):
        """Streaming receivers: reconnect when a response reaches its limit.
        make_split() gives each response its own frame splitter."""
        while not self.stopping:
            resp = self._receiving(method, suffix)
            split = make_split()
            self.response_live = True
            buf = b""
            while True:
                data = resp.read_some()
                if not data:
                    break
                buf += data
                frames, buf = split(buf)
                for frame in frames:
                    if not self._frame(frame):
                        resp.close()
                        return
            self.response_live = False
            resp.close()
            if buf:
                raise EOFError(f"stream ended inside a frame: {buf[:40]!r}")

    def _recv_xhr_streaming(self):
        def split(buf):  # prelude: 2048 "h" and "\n"; then frame + "\n"
            *lines, rest = buf.split(b"\n")
            return [l.decode() for l in lines if l != b"h" * 2048], rest
        self._stream("POST", "/xhr_streaming", lambda: split)

    def _recv_eventsource(self):
        def split(buf):  # prelude "\r\n"; then "data: " + frame + "\r\n\r\n"
            *events, rest = buf.split(b"\r\n\r\n")
            frames = []
            for ev in events:
                for line in ev.split(b"\r\n"):
                    if line.startswith(b"data: "):
                        frames.append(urllib.parse.unquote(line[6:].decode()))
            return frames, b"" if rest == b"\r\n" else rest
        self._stream("GET", "/eventsource", lambda: split)

    def _recv_htmlfile(self):
        def make_split():  # an HTML page first, then one <script> per frame
            state = {"prelude": True}

            def split(buf):
                if state["prelude"]:
                    end = buf.find(b"</script>")
                    if end < 0:
                        return [], buf
                    state["prelude"] = False
                    buf = buf[end + len(b"</script>"):].lstrip(b" \r\n")
                frames, pos = [], 0
                for m in _HTMLFILE_FRAME.finditer(buf):
                    frames.append(json.loads(m.group(1)))
                    pos = m.end()
                return frames, buf[pos:]
            return split
        self._stream("GET", "/htmlfile?c=cb", make_split)

    def _recv_websocket(self):
        self._ws = WebSocket(self.port, self.base + "/websocket")
        self.responses = 1
        while not self.stopping:
            kind, *rest = self._ws.recv()
            if kind == "close":
                if not self.closed:
                    self._emit("broken", f"WebSocket closed {rest} without a close frame")
                return
            if not self._frame(rest[0]):
                return

    def _recv_websocket_raw(self):
        self._ws = WebSocket(self.port, self.prefix + "/websocket")
        self.responses = 1
        self.opened = True
        self._emit("open")
        while not self.stopping:
            kind, *rest = self._ws.recv()
            if kind == "close":
                self._emit("close", *rest)
                return
            self._emit("msg", rest[0])
