#!/usr/bin/env python3
"""Scale-out test: Redis, three libsockjs nodes, a shipped balancer config.

  cluster_test.py --clusternode PATH --redis-server PATH --deploy DIR
                  (--nginx PATH | --haproxy PATH)

Starts redis-server and three sockjs-clusternode nodes (NODE_ID 1..3,
joined through Redis) and the balancer (deploy/nginx/sockjs.conf or
deploy/haproxy/haproxy.cfg, placeholders filled in) on loopback, then
checks through the balancer:
  1. the non-session URLs (/info, the iframe page) answer;
  2. streaming transports deliver each frame while their response is still
     open (no buffering in the balancer): ping-pong on one response;
  3. every transport echoes, a large message included, and the body limit
     is the nodes' max_message_size;
  4. many sessions of every transport spread over all three nodes, and every
     request of a session reaches the node that holds it (no 404, no second
     open frame);
  5. the backplane (backplane_checks.py): publish_to across nodes, a
     broadcast from many senders at once reaching every session exactly
     once in per-sender order, Redis killed and restarted mid-run;
  6. SIGKILL of one node loses only that node's sessions; the others go on,
     and new sessions work again within seconds;
  7. the other nodes exit with status 0 on SIGTERM.

Which node holds a session is asked, not assumed: the node answers a
message "whoami" with its NODE_ID, on the session's own receiving request.
"""

import argparse
import collections
import shutil
import statistics
import subprocess
import sys
import time
import traceback

import backplane_checks
import cluster as cl
import sockjs_client as sc
from node_probe import check, whoami

# How many sessions of each transport the spread check opens.
PER_TRANSPORT = 9
NODES = 3
# Ping-pong round trips per streaming transport, and the bound on all of
# them: generous (they take milliseconds), since it is not a speed limit
# but the point past which a frame is deemed held back.
PING_PONGS = 20
PING_PONG_BOUND = 10.0


class Test:
    def __init__(self, c):
        self.c = c
        self.port = c.port
        self.results = collections.OrderedDict()  # report lines
        self.counter = 0

    def unique(self, tag):
        self.counter += 1
        return f"{tag}-{self.counter}"

    def nodes_joined(self):
        """Every node is subscribed to Redis (sockjs-clusternode listens
        only once it is, so this is a check of the metric)."""
        states = [self.c.node_metrics(i).get("sockjs_backplane_state")
                  for i in range(NODES)]
        check(states == [2] * NODES, f"backplane states at start: {states}")
        self.results["nodes joined through Redis (sockjs_backplane_state)"] = \
            "/".join(str(int(s)) for s in states)

    # ------------------------------------------------------------ phase 1
    def non_session_urls(self):
        status, headers, body = sc.fetch(self.port, "GET", "/echo/info")
        check(status == 200 and b'"websocket":true' in body.replace(b" ", b""),
              f"/echo/info through the balancer: {status} {body[:80]!r}")
        status, _, body = sc.fetch(self.port, "GET", "/echo/iframe.html")
        check(status == 200 and b"<script" in body, f"iframe page: {status}")
        status, _, body = sc.fetch(self.port, "GET", "/echo")
        check(status == 200 and body == b"Welcome to SockJS!\n", f"greeting: {status} {body!r}")
        self.results["non-session URLs (/info, iframe, greeting)"] = "ok"

    # ------------------------------------------------------------ phase 2
    def streaming_ping_pong(self):
        """Each frame must reach the client while its response is open.

        Each message is sent only once the previous one came back on the
        same, still open, response: a balancer that holds small frames back
        until a buffer fills or the response ends never lets the next round
        start. The bound is not a speed limit (a round trip takes a
        millisecond), only where "never" starts. Caught this way (tried):
        nginx compressing the streamed types (gzip on, gzip_types with
        application/javascript, text/event-stream) with proxy_buffering on,
        where gzip waits for a full block; the client, like a browser, sends
        Accept-Encoding: gzip. Not caught, because frames still arrive:
        proxy_buffering on alone (nginx passes data on as it reads it while
        the client keeps up; what it breaks is backpressure behind slow
        clients), and HAProxy without http-no-delay (every frame 200 ms
        late: the round trips are reported, not asserted)."""
        for t in sc.STREAMING:
            s = sc.Session(self.port, "/echo", t).start()
            try:
                deadline = time.monotonic() + PING_PONG_BOUND
                left = lambda: max(0.0, deadline - time.monotonic())  # noqa: E731
                delays = []
                waiting = "the open frame"
                try:
                    s.wait_open(left())
                    for k in range(PING_PONGS):
                        msg = f"ping-{k}"
                        waiting = f"the echo of {msg!r}"
                        sent = time.monotonic()
                        s.send([msg])
                        s.wait_message(msg, left())
                        delays.append(time.monotonic() - sent)
                        check(s.responses == 1 and s.response_live,
                              f"{s.describe()}: round {k} answered on response "
                              f"{s.responses} (open: {s.response_live})")
                except AssertionError as e:
                    raise AssertionError(
                        f"{t}: {waiting} not passed on while its response was "
                        f"open: is the balancer buffering responses? {e}") from None
            finally:
                s.close()
            self.results[f"{t}: {PING_PONGS} ping-pongs on one open response"] = \
                (f"median round trip {statistics.median(delays) * 1000:.1f} ms, "
                 f"max {max(delays) * 1000:.1f} ms")

    # ------------------------------------------------------------ phase 3
    def transports_echo(self):
        big = "x" * 200_000
        for t in sc.TRANSPORTS:
            s = sc.Session(self.port, "/echo", t).start()
            try:
                s.wait_open()
                batches = [["hello"], ["a", "b"], ["ünïcödé ☃ \u2028 %41 </script>"], [big]]
                for batch in batches:
                    s.send(batch)
                    s.wait_messages(batch)
                check(s.broken is None, f"{t}: {s.broken}")
            finally:
                s.close()
            self.results[f"echo via {t}"] = "ok"

        # The body limit: just under 1 MiB of body goes through and is
        # echoed; one byte over the nodes' max_message_size is refused (413)
        # whether the balancer or the node says it.
        s = sc.Session(self.port, "/echo", "xhr-polling").start()
        try:
            s.wait_open()
            near = "y" * (1024 * 1024 - 4)  # body ["..."] is exactly 1 MiB
            s.send([near])
            s.wait_message(near)
            try:
                s.send(["y" * (1024 * 1024 - 3)])
                check(False, "a body over 1 MiB was accepted")
            except sc.SendError as e:
                check(e.status == 413, f"over-limit body answered {e.status}")
        finally:
            s.close()
        self.results["1 MiB xhr_send body echoed, 1 MiB + 1 refused (413)"] = "ok"

    # ------------------------------------------------------------ phase 4
    def open_identified(self, transport, messages=3):
        """Open an /echo session through the balancer, send `messages`
        messages, each its own request and each followed by "whoami", and
        return (session, node): every message must come back, and every
        whoami must name the same node."""
        s = sc.Session(self.port, "/echo", transport).start()
        s.wait_open()
        node = None
        for _ in range(messages):
            msg = self.unique(transport)
            before = (s.responses, s.response_live)
            s.send([msg])
            s.wait_message(msg)
            if transport in sc.STREAMING:
                # The frame arrived on the response it was sent on, which
                # is still open.
                check(before[1] and s.responses == before[0] and s.response_live,
                      f"{s.describe()}: frame not delivered while its response was open")
            n = whoami(s)
            if node is not None and n != node:
                raise AssertionError(f"{s.describe()}: answered by node "
                                     f"{node + 1} and node {n + 1}")
            node = n
        return s, node

    def spread(self):
        per_node = collections.Counter()
        per_transport = collections.defaultdict(collections.Counter)
        order = [t for _ in range(PER_TRANSPORT) for t in sc.TRANSPORTS]
        t0 = time.monotonic()
        for t in order:
            s, node = self.open_identified(t)
            check(s.broken is None, f"{s.describe()}: {s.broken}")
            s.close()
            per_node[node] += 1
            per_transport[t][node] += 1
        took = time.monotonic() - t0
        check(len(per_node) == NODES and min(per_node.values()) >= 3,
              f"sessions not spread over all nodes: {dict(per_node)}")
        dist = "/".join(str(per_node[i]) for i in range(NODES))
        self.results[f"{len(order)} sessions x 3 messages + whoami, per node"] = \
            f"{dist} in {took:.1f} s"
        for t in sc.TRANSPORTS:
            d = per_transport[t]
            self.results[f"  {t} per node"] = "/".join(str(d[i]) for i in range(NODES))

    # ------------------------------------------------------------ phase 6
    def kill_one_node(self):
        kinds = ("websocket", "xhr-polling", "xhr-streaming", "jsonp-polling")
        sessions = []  # (session, node)
        for i in range(24):
            sessions.append(self.open_identified(kinds[i % len(kinds)], messages=1))
        count = collections.Counter(node for _, node in sessions)
        victim = max(range(NODES), key=lambda n: count[n])
        survivors = [(s, n) for s, n in sessions if n != victim]
        doomed = [s for s, n in sessions if n == victim]
        check(doomed and survivors, f"sessions per node {dict(count)}")

        self.c.kill_node(victim)
        t_kill = time.monotonic()

        # The victim's sessions end: the balancer cuts their receiving
        # requests, or a later request meets a node that never knew them.
        for s in doomed:
            ev = s.wait_end(timeout=10.0) if not (s.broken or s.closed) else None
            check(s.broken or s.closed, f"{s.describe()} on the killed node went on: {ev}")
        t_doomed = time.monotonic() - t_kill

        # A send for a lost session is answered 404 by whichever node its key
        # now maps to: the balancer never hands it to a node that would take
        # it. Through HAProxy this request is also the first to meet the
        # dead node's refused port, which "observe layer4" turns into DOWN at
        # once (the health check would need two failed probes, 0.5 s apart).
        # Left out: sessions whose own next poll already reached the new
        # node, which made a new session of that id there (the client saw a
        # second open frame), as the protocol says a receiving request does.
        lost_send = "no HTTP session on the killed node"
        http_doomed = [s for s in doomed if not s.transport.startswith("websocket")
                       and not (s.broken or "").startswith("second open frame")]
        if http_doomed:
            try:
                http_doomed[0].send(["to a lost session"])
                check(False, f"{http_doomed[0].describe()}: send to a lost session accepted")
            except sc.SendError as e:
                check(e.status == 404, f"send to a lost session answered {e.status}")
                lost_send = "404"

        # Everyone else's session goes on, on the same node.
        for s, node in survivors:
            msg = self.unique("survivor")
            s.send([msg])
            s.wait_message(msg)
            check(whoami(s) == node, f"{s.describe()} moved")
            check(s.broken is None and s.closed is None, f"{s.describe()}: {s.broken}")

        # New sessions: the first ones after the kill, until 12 in a row
        # worked (with 12 random keys, some fall on the dead node's share of
        # the hash ring and must be sent elsewhere).
        streak, attempts, failures, first_ok = 0, 0, [], None
        while streak < 12:
            check(time.monotonic() - t_kill < 15.0,
                  f"new sessions still failing 15 s after the kill: {failures[-3:]}")
            attempts += 1
            try:
                s, node = self.open_identified(("xhr-polling", "websocket")[attempts % 2], 1)
                s.close()
                check(node != victim, "a new session on the killed node")
                streak += 1
                first_ok = first_ok or time.monotonic() - t_kill
            except (AssertionError, OSError, sc.SendError) as e:
                failures.append(str(e))
                streak = 0
                time.sleep(0.2)
        t_new = time.monotonic() - t_kill
        for s, _ in sessions:
            s.close()

        down = None
        if self.c.kind == "haproxy":  # observe layer4 / the health check
            deadline = time.monotonic() + 10.0
            while time.monotonic() < deadline:
                if self.c.haproxy_states().get(f"node{victim + 1}") == 0:
                    down = time.monotonic() - t_kill
                    break
                time.sleep(0.1)
            check(down is not None, f"haproxy never marked node{victim + 1} down")
            if http_doomed:
                log = self.c.log_tail("haproxy.log", 50)
                check(f"node{victim + 1} is DOWN, reason: Health analyze" in log,
                      f"node{victim + 1} not marked down by observe layer4:\n{log}")

        self.results[f"kill node {victim + 1} ({count[victim]} of {len(sessions)} sessions)"] = (
            f"its sessions ended within {t_doomed:.2f} s; {len(survivors)} others unaffected; "
            f"a send to a lost session: {lost_send}")
        self.results["new sessions after the kill"] = (
            f"first ok after {first_ok:.2f} s, 12 in a row by {t_new:.2f} s, "
            f"{len(failures)} failed attempts")
        if down is not None:
            self.results["haproxy marked the node DOWN after"] = f"{down:.2f} s"


    # ------------------------------------------------------------ phase 7
    def nodes_stop_on_sigterm(self):
        """The surviving nodes close gracefully on SIGTERM and exit 0."""
        codes = []
        for i, (p, _) in enumerate(self.c.nodes):
            if p.poll() is None:
                p.terminate()
                try:
                    codes.append(p.wait(10))
                except subprocess.TimeoutExpired:
                    raise AssertionError(f"node {i + 1} still running 10 s after SIGTERM")
        check(codes and all(c == 0 for c in codes), f"exit statuses after SIGTERM: {codes}")
        self.results["surviving nodes exit on SIGTERM"] = f"statuses {codes}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clusternode", required=True)
    ap.add_argument("--redis-server", required=True)
    ap.add_argument("--deploy", required=True)
    ap.add_argument("--nginx")
    ap.add_argument("--haproxy")
    args = ap.parse_args()
    t0 = time.monotonic()
    c = cl.Cluster(args.clusternode, args.deploy)
    c.kind = "nginx" if args.nginx else "haproxy"  # for the report lines
    bp = None
    test = None
    ok = False
    try:
        c.start_redis(args.redis_server)
        c.start_nodes(NODES)
        if args.nginx:
            c.start_nginx(args.nginx)
        else:
            c.start_haproxy(args.haproxy)
        test = Test(c)
        bp = backplane_checks.Backplane(c, test.results, NODES)
        for phase in (test.nodes_joined, test.non_session_urls,
                      test.streaming_ping_pong, test.transports_echo, test.spread, bp.open_pool,
                      bp.publish_to, bp.broadcast_once, bp.redis_restart,
                      bp.close_pool, test.kill_one_node, test.nodes_stop_on_sigterm):
            p0 = time.monotonic()
            phase()
            print(f"[{c.kind}] {phase.__name__}: ok ({time.monotonic() - p0:.1f} s)", flush=True)
        ok = True
    except Exception as e:  # noqa: BLE001 - report, then clean up
        print(f"[{c.kind}] FAILED: {type(e).__name__}: {e}", flush=True)
        traceback.print_exc(file=sys.stdout)
        for name in ("nginx-error.log", "haproxy.log", "redis.log", "node1.log",
                     "node2.log", "node3.log"):
            tail = c.log_tail(name, 10)
            if not tail.startswith("[Errno"):
                print(f"--- {name}\n{tail}")
    finally:
        if bp:
            bp.close_pool()
        c.close()
        shutil.rmtree(c.tmp, ignore_errors=True)
    if test:
        for k, v in test.results.items():
            print(f"[{c.kind}] {k}: {v}")
    print(f"[{c.kind}] total {time.monotonic() - t0:.1f} s")
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
