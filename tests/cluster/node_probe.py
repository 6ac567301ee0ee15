"""What a sockjs-clusternode tells a session about itself, and the test's
assertion helper.

On /echo and /broadcast the node answers "whoami" with "whoami:<NODE_ID>"
and "id" with "id:<conn id>", to that session only (examples/clusternode.c).
The answer comes back on the session's own receiving request, so it names
the node that holds the session: the one every request of the session must
reach.
"""

import time


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def whoami(session, timeout=5.0):
    """The index (0-based) of the node holding session."""
    # Counted, to check that each answer went to the asker only.
    session.whoami_asked = getattr(session, "whoami_asked", 0) + 1
    session.send(["whoami"])
    answer = session.wait_prefix("whoami:", timeout)
    return int(answer.split(":", 1)[1]) - 1


def conn_id(session, timeout=5.0):
    """The session's conn id on its node (sockjs_conn_id, decimal)."""
    session.send(["id"])
    return int(session.wait_prefix("id:", timeout).split(":", 1)[1])


def node_of_conn(conn):
    """The node index (0-based) in a conn id: its top 16 bits are the
    NODE_ID (SOCKJS_CONN_NODE)."""
    return (conn >> 48) - 1


def wait_until(ready, timeout, what, step=0.02):
    """Poll ready() until it is true; fail after timeout seconds. what: the
    failure's text, or a function making it (called only on failure)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            text = what() if callable(what) else what
            raise AssertionError(f"{text} (waited {timeout:.0f} s)")
        time.sleep(step)
