#!/usr/bin/env python3
"""Three sockjs-testserver nodes behind a shipped balancer config, posing as
one sockjs-testserver, so that tests/browser/transports.js can drive real
Chromium through the balancer. The nodes are testservers, not clusternodes:
transports.js counts on the testserver's /echo ending streaming responses
after 4096 bytes, and it uses no broadcast (so no Redis either).

  cluster_serve.py --testserver PATH --deploy DIR (--nginx P | --haproxy P)
                   [--host 127.0.0.1] [--port 0] [--sockjs-url URL]

Prints "sockjs-testserver listening on http://127.0.0.1:<balancer port>"
once the balancer answers, serves until SIGINT or SIGTERM, then stops every
process it started. --host/--port are accepted for the testserver's command
line; everything listens on 127.0.0.1 and the balancer's port is free-picked.
"""

import argparse
import shutil
import signal
import sys
import threading

import cluster as cl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--testserver", required=True)
    ap.add_argument("--deploy", required=True)
    ap.add_argument("--nginx")
    ap.add_argument("--haproxy")
    ap.add_argument("--host", default=cl.HOST)
    ap.add_argument("--port", default="0")
    ap.add_argument("--sockjs-url")
    args = ap.parse_args()

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    c = cl.Cluster(args.testserver, args.deploy)
    try:
        c.start_nodes(3, ["--sockjs-url", args.sockjs_url] if args.sockjs_url else [])
        if args.nginx:
            c.start_nginx(args.nginx)
        else:
            c.start_haproxy(args.haproxy)
        print(f"sockjs-testserver listening on http://{cl.HOST}:{c.port}", flush=True)
        stop.wait()
    finally:
        c.close()
        shutil.rmtree(c.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
