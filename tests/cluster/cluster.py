"""Processes of a test cluster on loopback: Redis, libsockjs nodes and a
balancer.

Everything runs in the foreground as a child of the test, with its config,
pid file, logs and temp files in one temporary directory; every process is
stopped by its own pid when the test ends, whatever happened.
"""

import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import sockjs_client as sc

HOST = sc.HOST


def free_port():
    """A port that was free a moment ago (the balancers and redis-server need
    one on their command line or in their config file, so port 0 is not an
    option for them). Taken below the kernel's ephemeral range: there, an
    outgoing connection could take it before the server binds it."""
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
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def render(template_path, values):
    """Fill a deploy/ template's {{NAME}} placeholders."""
    with open(template_path) as f:
        text = f.read()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", str(value))
    left = re.findall(r"\{\{[A-Z0-9_]+\}\}", text)
    if left:
        raise ValueError(f"{template_path}: unfilled {sorted(set(left))}")
    return text


def redis_answers(port):
    """True once a Redis server on port answers PING."""
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def parse_metrics(text):
    """{name: value} of a Prometheus text page's unlabelled samples."""
    out = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and not line.startswith("#") and "{" not in fields[0]:
            out[fields[0]] = float(fields[1])
    return out


class Cluster:
    """Three (or n) libsockjs nodes, optionally a Redis server joining them,
    and one balancer in front.

    The nodes are sockjs-clusternode (NODE_ID 1..n, joined through Redis,
    /metrics served) when a Redis server was started first, or
    sockjs-testserver (each node on its own) otherwise: both print
    "listening on http://host:port" and serve /echo and /close alike.
    """

    def __init__(self, node_program, deploy_dir):
        self.node_program, self.deploy_dir = node_program, deploy_dir
        self.tmp = tempfile.mkdtemp(prefix="sockjs-cluster-")
        self.procs = []          # every child, for cleanup
        self.nodes = []          # (Popen, port) per node, in order
        self.balancer = None     # Popen
        self.port = None         # the balancer's port
        self.kind = None
        self.redis_server = None  # path, once start_redis ran
        self.redis = None         # Popen of the running redis-server
        self.redis_port = None

    # ---------------------------------------------------------------- Redis
    def start_redis(self, redis_server, timeout=10.0):
        """A throwaway redis-server on a free loopback port: no persistence
        (the test restarts it empty, as after a crash)."""
        exe = shutil.which(redis_server)  # a name on PATH, or a path
        if exe is None:
            raise RuntimeError(
                f"redis-server not found ({redis_server!r}): the cluster tests "
                "need it; install it with scripts/install-deps.sh --cluster")
        self.redis_server = exe
        for attempt in range(3):  # the free port may be taken meanwhile
            self.redis_port = free_port()
            if self._spawn_redis(timeout):
                return self.redis_port
        raise RuntimeError("redis-server did not start:\n" + self.log_tail("redis.log"))

    def _spawn_redis(self, timeout):
        log = open(os.path.join(self.tmp, "redis.log"), "a")
        p = subprocess.Popen([self.redis_server, "--port", str(self.redis_port),
                              "--bind", HOST, "--save", "", "--appendonly", "no"],
                             stdout=log, stderr=log, cwd=self.tmp)
        log.close()
        self.procs.append(p)
        deadline = time.monotonic() + timeout
        while p.poll() is None and time.monotonic() < deadline:
            # Ours answers once it is up; had the port been taken, ours
            # would have exited (checked again after the PING).
            if redis_answers(self.redis_port) and p.poll() is None:
                self.redis = p
                return True
            time.sleep(0.02)
        self._stop(p)
        return False

    def kill_redis(self):
        """SIGKILL: Redis vanishes as in a crash; the nodes see their
        connections cut."""
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(5)
        self.redis = None

    def restart_redis(self, timeout=10.0):
        """A new, empty redis-server on the same port (the nodes only know
        that address)."""
        deadline = time.monotonic() + timeout
        while not self._spawn_redis(max(0.5, deadline - time.monotonic())):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not restart on port "
                                   f"{self.redis_port}:\n" + self.log_tail("redis.log"))

    # ---------------------------------------------------------------- nodes
    def start_nodes(self, n=3, extra_args=()):
        for i in range(n):
            log = open(os.path.join(self.tmp, f"node{i + 1}.log"), "w")
            args = [self.node_program, "--host", HOST, "--port", "0", *extra_args]
            env = None
            if self.redis_port is not None:
                args += ["--redis-port", str(self.redis_port), "--metrics"]
                env = dict(os.environ, NODE_ID=str(i + 1))
            p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True,
                                 env=env)
            log.close()
            self.procs.append(p)
            line = self._read_line(p.stdout, 10.0)
            m = re.search(r"listening on http://[^:]+:(\d+)", line)
            if not m:
                raise RuntimeError(f"node {i + 1} printed {line!r}:\n"
                                   + self.log_tail(f"node{i + 1}.log"))
            self.nodes.append((p, int(m.group(1))))
        return [port for _, port in self.nodes]

    def node_metrics(self, index, timeout=5.0):
        """A node's /metrics, asked of the node itself (through the
        balancer the request would reach any node)."""
        status, _, body = sc.fetch(self.nodes[index][1], "GET", "/metrics",
                                   timeout=timeout)
        if status != 200:
            raise AssertionError(f"node {index + 1} /metrics answered {status}")
        return parse_metrics(body.decode())

    @staticmethod
    def _read_line(stream, timeout):
        ready, _, _ = select.select([stream], [], [], timeout)
        if not ready:
            raise RuntimeError("node printed nothing")
        return stream.readline()

    def kill_node(self, index):
        """SIGKILL: the node gets no chance to close anything."""
        p, _ = self.nodes[index]
        p.send_signal(signal.SIGKILL)
        p.wait(5)

    # ------------------------------------------------------------ balancers
    def _node_values(self):
        return {f"NODE{i + 1}": f"{HOST}:{port}" for i, (_, port) in enumerate(self.nodes)}

    def start_nginx(self, nginx):
        self.kind = "nginx"
        for attempt in range(3):  # the free port may be taken meanwhile
            self.port = free_port()
            values = dict(self._node_values(), LISTEN=f"{HOST}:{self.port}")
            snippet = os.path.join(self.tmp, "sockjs.conf")
            with open(snippet, "w") as f:
                f.write(render(os.path.join(self.deploy_dir, "nginx/sockjs.conf"), values))
            main = os.path.join(self.tmp, "nginx.conf")
            t = self.tmp
            with open(main, "w") as f:
                # The minimal main config around the shipped http{} snippet:
                # everything in our temp dir, in the foreground.
                f.write(f"""daemon off;
worker_processes 1;
pid {t}/nginx.pid;
error_log {t}/nginx-error.log warn;
{"user root root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {t}/client_body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    include {snippet};
}}
""")
            p = subprocess.Popen([nginx, "-p", t, "-e", f"{t}/nginx-error.log", "-c", main],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.procs.append(p)
            if self._wait_ready(p):
                self.balancer = p
                return
            self._stop(p)
        raise RuntimeError("nginx did not start:\n" + self.log_tail("nginx-error.log"))

    def start_haproxy(self, haproxy):
        self.kind = "haproxy"
        for attempt in range(3):
            self.port = free_port()
            values = dict(self._node_values(), LISTEN=f"{HOST}:{self.port}",
                          RUN_DIR=self.tmp)
            cfg = os.path.join(self.tmp, "haproxy.cfg")
            with open(cfg, "w") as f:
                f.write(render(os.path.join(self.deploy_dir, "haproxy/haproxy.cfg"), values))
            log = open(os.path.join(self.tmp, "haproxy.log"), "w")
            p = subprocess.Popen([haproxy, "-db", "-f", cfg, "-p",
                                  os.path.join(self.tmp, "haproxy.pid")],
                                 stdout=log, stderr=log)
            self.procs.append(p)
            if self._wait_ready(p):
                self.balancer = p
                return
            self._stop(p)
        raise RuntimeError("haproxy did not start:\n" + self.log_tail("haproxy.log"))

    def _wait_ready(self, p, timeout=10.0):
        """Up once /echo/info answers 200 through the balancer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if p.poll() is not None:
                return False
            try:
                status, _, _ = sc.fetch(self.port, "GET", "/echo/info", timeout=2.0)
                if status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def haproxy_states(self):
        """{server name: operational state} from the runtime API
        (0 stopped, 1 starting, 2 running, 3 soft-stopping)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(os.path.join(self.tmp, "haproxy.sock"))
            s.sendall(b"show servers state sockjs_nodes\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        states = {}
        for line in data.decode().splitlines():
            fields = line.split()
            if len(fields) > 5 and not line.startswith("#") and fields[1] == "sockjs_nodes":
                states[fields[3]] = int(fields[5])
        return states

    def log_tail(self, name, n=20):
        try:
            with open(os.path.join(self.tmp, name)) as f:
                return "".join(f.readlines()[-n:])
        except OSError as e:
            return str(e)

    # -------------------------------------------------------------- cleanup
    @staticmethod
    def _stop(p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)

    def close(self):
        for p in reversed(self.procs):
            self._stop(p)
        for p in self.procs:
            if p.stdout:
                p.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
