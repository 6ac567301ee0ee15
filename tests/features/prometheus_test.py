"""The testserver's /metrics (--metrics) parsed by prometheus_client's own
text parser, after some traffic: families, types, labels and values.

usage: prometheus_test.py path/to/sockjs-testserver
"""
import json
import subprocess
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    server = subprocess.Popen([sys.argv[1], "--host", "127.0.0.1", "--port",
                               "0", "--metrics"], stdout=subprocess.PIPE,
                              text=True)
    try:
        line = server.stdout.readline()
        base = line.strip().rsplit(" ", 1)[-1]
        assert base.startswith("http://127.0.0.1:"), line

        def fetch(path, data=None):
            req = urllib.request.Request(base + path, data=data)
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.headers, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.headers, e.read().decode()

        assert fetch("/echo/info")[0] == 200
        assert fetch("/echo/000/py/xhr", b"")[2] == "o\n"
        assert fetch("/echo/000/py/xhr_send",
                     json.dumps(["héllo"]).encode())[0] == 204
        # The echo came back: the testserver has sent it by now.
        assert "llo" in fetch("/echo/000/py/xhr", b"")[2]
        assert fetch("/no/such/page")[0] == 404
        status, headers, text = fetch("/metrics")
        assert status == 200, status
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")

        families = {f.name: f for f in text_string_to_metric_families(text)}
        expect_types = {
            "sockjs_connections_open": "gauge",
            "sockjs_connections": "counter",
            "sockjs_http_requests": "counter",
            "sockjs_limit_hits": "counter",
            "sockjs_sessions_open": "gauge",
            "sockjs_sessions_opened": "counter",
            "sockjs_sessions_closed": "counter",
            "sockjs_sessions_rejected": "counter",
            "sockjs_messages_received": "counter",
            "sockjs_messages_sent": "counter",
            "sockjs_message_bytes_received": "counter",
            "sockjs_message_bytes_sent": "counter",
            "sockjs_send_refused": "counter",
        }
        for name, typ in expect_types.items():
            assert name in families, (name, sorted(families))
            assert families[name].type == typ, (name, families[name].type)
            assert families[name].documentation, name

        def value(family, **labels):
            for s in families[family].samples:
                if all(s.labels.get(k) == v for k, v in labels.items()):
                    return s.value
            raise AssertionError((family, labels))

        assert value("sockjs_sessions_open", service="/echo",
                     transport="xhr-polling") == 1
        assert value("sockjs_sessions_opened", service="/echo",
                     transport="xhr-polling") == 1
        assert value("sockjs_sessions_open", service="/broadcast",
                     transport="websocket") == 0
        assert value("sockjs_messages_received", service="/echo") == 1
        assert value("sockjs_messages_sent", service="/echo") == 1
        assert value("sockjs_message_bytes_received", service="/echo") == 6
        assert value("sockjs_http_requests", code="204") == 1
        assert value("sockjs_http_requests", code="404") == 1
        assert value("sockjs_http_requests", code="200") >= 3
        assert value("sockjs_limit_hits", limit="request_head") == 0
        n_services = len({s.labels["service"]
                          for s in families["sockjs_sessions_open"].samples})
        assert n_services == 7, n_services
        print("ok: %d families, %d samples" % (
            len(families), sum(len(f.samples) for f in families.values())))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
