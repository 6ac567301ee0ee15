"""Cross-node checks of the Redis backplane, through the balancer.

A pool of /broadcast sessions of mixed transports, the same number on
every node, is opened once and used by every check here:
  * publish_to: "to:<id>:<text>" sent by a session on node B reaches the
    session <id> of node A (every pair of nodes, A == B included) and no
    other session; "whoami" is answered to the asker only, and no command
    is broadcast;
  * broadcast: every session of the pool sends numbered messages at the
    same time; every session must receive every message of every sender
    exactly once, each sender's in order;
  * Redis SIGKILLed and restarted on its port: the sessions stay open and
    served while it is down, every node's sockjs_backplane_state goes 2 -> 1
    -> 2, and a broadcast round after the restart again reaches every
    session exactly once.

Completeness is awaited; a duplicate could in principle arrive later, so
each round ends with a fence: one more message from one session of every
node, awaited at every session. The envelopes of a round all passed
through Redis before the fences were sent (every session had received
them), and Redis delivers to each node in the order it received the
publishes, so a node's copy of any of them, even a wrong second one,
reaches its sessions before the last fence does.
"""

import collections
import threading
import time

import sockjs_client as sc
from node_probe import check, conn_id, node_of_conn, wait_until, whoami

# Sessions per node in the pool, by transport (the whole pool: 3 x 10).
POOL_PER_NODE = {"websocket": 2, "xhr-streaming": 2, "xhr-polling": 2,
                 "eventsource": 1, "htmlfile": 1, "jsonp-polling": 1,
                 "websocket-raw": 1}
PER_SENDER = 20        # numbered messages per sender, first round
PER_SENDER_AFTER = 5   # after the Redis restart
ROUND_TIMEOUT = 20.0   # bound on a round's delivery (takes about 1 s)
REDIS_TIMEOUT = 15.0   # bound on a node noticing Redis down / up again


class Backplane:
    def __init__(self, cluster, results, nodes):
        self.c, self.results, self.nodes = cluster, results, nodes
        self.port = cluster.port
        self.pool = []             # (session, node)
        self.private = {}          # publish_to text -> its target session
        self.counter = 0

    # --------------------------------------------------------------- pool
    def open_pool(self):
        """Open /broadcast sessions until every node holds POOL_PER_NODE of
        them; a session that lands on a node whose share of its transport
        is full is closed again."""
        want = {n: dict(POOL_PER_NODE) for n in range(self.nodes)}
        attempts = 0
        while True:
            needed = [t for t in POOL_PER_NODE if any(w[t] for w in want.values())]
            if not needed:
                break
            attempts += 1
            check(attempts <= 400, f"pool still incomplete after 400 sessions: {want}")
            t = needed[attempts % len(needed)]
            s = sc.Session(self.port, "/broadcast", t).start()
            s.wait_open()
            node = whoami(s)
            if want[node][t]:
                want[node][t] -= 1
                self.pool.append((s, node))
            else:
                s.close()
        self.results["broadcast pool"] = (
            f"{len(self.pool)} sessions, {sum(POOL_PER_NODE.values())} per node "
            f"({attempts} opened)")

    def close_pool(self):
        for s, _ in self.pool:
            s.close()
        self.pool = []

    def _alive(self, when):
        for s, _ in self.pool:
            check(s.broken is None and s.closed is None,
                  f"{when}: {s.describe()}: {s.broken or s.closed}")

    # -------------------------------------------------------- publish_to
    def publish_to(self):
        """For every (target node, sender node) pair: the sender asks its
        node to send a text to the target's conn id."""
        by_node = collections.defaultdict(list)
        for s, n in self.pool:
            by_node[n].append(s)
        pairs = 0
        for a in range(self.nodes):
            for b in range(self.nodes):
                target = by_node[a][(pairs + b) % len(by_node[a])]
                others = [s for s in by_node[b] if s is not target]
                sender = others[pairs % len(others)]
                cid = conn_id(target)
                check(node_of_conn(cid) == a,
                      f"{target.describe()}: conn id {cid} names node "
                      f"{node_of_conn(cid) + 1}, whoami said {a + 1}")
                self.counter += 1
                text = f"pt/{b + 1}->{a + 1}/{self.counter}"
                self.private[text] = target
                sender.send([f"to:{cid}:{text}"])
                target.wait_message(text)
                pairs += 1
        # That nobody else got them (nor got them twice) is checked after
        # the next broadcast round's fences.
        self.results["publish_to through the balancer"] = (
            f"{pairs} sender/target node pairs ({self.nodes * (self.nodes - 1)} "
            "across nodes): each text reached its target")

    def _check_private(self):
        """What was for one session reached that session only: publish_to
        texts and whoami answers; the commands themselves ("whoami", "id",
        "to:...") were never broadcast."""
        for s, _ in self.pool:
            got = [m for m in s.messages if m.startswith("pt/")]
            mine = [t for t, target in self.private.items() if target is s]
            check(sorted(got) == sorted(mine),
                  f"{s.describe()}: publish_to texts {got}, expected {mine}")
            answers = sum(1 for m in s.messages if m.startswith("whoami:"))
            check(answers == s.whoami_asked,
                  f"{s.describe()}: {answers} whoami answers, asked {s.whoami_asked}")
            odd = [m for m in s.messages
                   if m in ("whoami", "id") or m.startswith(("to:", "error:"))]
            check(not odd, f"{s.describe()}: received {odd[:3]}")

    # --------------------------------------------------------- broadcast
    def broadcast_round(self, tag, per_sender):
        """Every pool session sends per_sender numbered messages, one per
        request, all senders at once; returns the seconds until every
        session had every message."""
        n = len(self.pool)
        errors = []
        go = threading.Barrier(n)

        def sender(i, s):
            try:
                go.wait(10)
                for k in range(per_sender):
                    s.send([f"{tag}:{i}:{k}"])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"{s.describe()}: {type(e).__name__}: {e}")

        t0 = time.monotonic()
        threads = [threading.Thread(target=sender, args=(i, s), daemon=True)
                   for i, (s, _) in enumerate(self.pool)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(ROUND_TIMEOUT)
        check(not errors, f"{tag}: sends failed: {errors[:3]}")

        expected = n * per_sender
        counts = _PrefixCounter(self.pool, tag + ":")
        wait_until(lambda: counts.update() >= expected, ROUND_TIMEOUT,
                   lambda: f"{tag}: deliveries per session {counts.counts}, "
                   f"expected {expected} each")
        took = time.monotonic() - t0

        # The fences (see the module's comment), one from each node.
        fence = tag + "/fence:"
        senders = {}
        for s, node in self.pool:
            senders.setdefault(node, s)
        for node, s in senders.items():
            s.send([f"{fence}{node + 1}"])
        fences = _PrefixCounter(self.pool, fence)
        wait_until(lambda: fences.update() >= len(senders), ROUND_TIMEOUT,
                   lambda: f"{tag}: fences per session {fences.counts}")

        for s, _ in self.pool:
            got = collections.defaultdict(list)
            total = 0
            for m in s.messages:
                if m.startswith(tag + ":"):
                    _, i, k = m.split(":")
                    got[int(i)].append(int(k))
                    total += 1
            check(total == expected,
                  f"{tag}: {s.describe()} got {total} messages, expected {expected}")
            for i in range(n):
                check(got[i] == list(range(per_sender)),
                      f"{tag}: {s.describe()} got sender {i}'s messages as "
                      f"{got[i]}")
        self._alive(tag)
        return took

    def broadcast_once(self):
        took = self.broadcast_round("b1", PER_SENDER)
        self._check_private()
        n = len(self.pool)
        self.results["broadcast, every sender at once"] = (
            f"{n} senders x {PER_SENDER} messages reached all {n} sessions "
            f"exactly once, in per-sender order ({n * n * PER_SENDER} deliveries "
            f"in {took:.2f} s)")

    # ------------------------------------------------------ Redis restart
    def _states(self):
        return [self.c.node_metrics(i).get("sockjs_backplane_state")
                for i in range(self.nodes)]

    def _still_served(self, echo, when):
        """Every session is open and answered by the node it was on."""
        for s, node in echo:
            self.counter += 1
            msg = f"echo-{when}-{self.counter}"
            s.send([msg])
            s.wait_message(msg)
            check(whoami(s) == node, f"{when}: {s.describe()} moved")
        for s, node in self.pool:
            check(whoami(s) == node, f"{when}: {s.describe()} moved")
        self._alive(when)
        for s, _ in echo:
            check(s.broken is None and s.closed is None,
                  f"{when}: {s.describe()}: {s.broken or s.closed}")

    def redis_restart(self):
        echo = []
        for t in ("websocket", "xhr-streaming", "xhr-polling", "eventsource",
                  "htmlfile", "jsonp-polling"):
            s = sc.Session(self.port, "/echo", t).start()
            s.wait_open()
            echo.append((s, whoami(s)))
        try:
            states = self._states()
            check(states == [2] * self.nodes, f"backplane states before the kill: {states}")
            before = [self.c.node_metrics(i) for i in range(self.nodes)]

            self.c.kill_redis()
            t_kill = time.monotonic()
            wait_until(lambda: self._states() == [1] * self.nodes, REDIS_TIMEOUT,
                       lambda: f"nodes still report Redis up: {self._states()}")
            t_down = time.monotonic() - t_kill
            self._still_served(echo, "redis-down")

            self.c.restart_redis()
            t_restart = time.monotonic()
            wait_until(lambda: self._states() == [2] * self.nodes, REDIS_TIMEOUT,
                       lambda: f"backplane states after the restart: {self._states()}")
            t_up = time.monotonic() - t_restart
            after = [self.c.node_metrics(i) for i in range(self.nodes)]
            for i in range(self.nodes):
                key = "sockjs_backplane_reconnects_total"
                check(after[i].get(key, 0) > before[i].get(key, 0),
                      f"node {i + 1}: {key} {before[i].get(key)} -> {after[i].get(key)}")
            self._still_served(echo, "redis-back")

            took = self.broadcast_round("b2", PER_SENDER_AFTER)
        finally:
            for s, _ in echo:
                s.close()
        n = len(self.pool)
        self.results["Redis SIGKILLed, restarted on its port"] = (
            f"all nodes down (state 1) within {t_down:.2f} s and up (2) "
            f"{t_up:.2f} s after the restart; {n + len(echo)} sessions stayed "
            "open and served")
        self.results["broadcast after the Redis restart"] = (
            f"{n} senders x {PER_SENDER_AFTER} reached all {n} sessions exactly "
            f"once, in order ({took:.2f} s)")


class _PrefixCounter:
    """Messages starting with prefix, per session, counted incrementally."""

    def __init__(self, pool, prefix):
        self.pool, self.prefix = pool, prefix
        self.seen = [0] * len(pool)
        self.counts = [0] * len(pool)

    def update(self):
        """The smallest count over the pool."""
        for j, (s, _) in enumerate(self.pool):
            msgs = s.messages
            end = len(msgs)
            self.counts[j] += sum(1 for m in msgs[self.seen[j]:end]
                                  if m.startswith(self.prefix))
            self.seen[j] = end
        return min(self.counts)
