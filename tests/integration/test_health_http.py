"""The health HTTP listener (--metrics-port, props proxy-metrics-port / proxy-metrics-host) and
JSON logs (--log-format json).

One proxy over database hdb: ds_0 on the shared cluster, ds_1 on a loopback port where nothing
listens (no shared server is ever stopped). It checks:
- /livez and /readyz answer 200 with one line of JSON listing both data sources; HEAD answers
  without a body; an unknown path is 404, another method 405 with Allow;
- ds_1 is reported down (with why) while /readyz stays 200 and ds_0 serves statements;
- the listener's bounds: a request larger than 8 KiB gets 431, a connection that sends nothing
  is closed after the read timeout, connections beyond the cap are closed unanswered;
- after SIGTERM, while a session is in a transaction running a statement, /readyz answers 503
  and /livez 200; the statement gets its answer; /readyz stays 503 while the session's open
  transaction keeps the process draining after the MySQL listener closed, and the process ends
  once it commits;
- every line the proxy wrote to stderr is a JSON object with time, level, thread and message.
A second proxy takes its port from the props, bound to 127.0.0.1, with text logs, and lists the
data sources of a configuration reloaded by SIGHUP; a taken port
stops the start; --metrics-port 0 turns the listener off. A configuration error is one JSON log
line with --log-format json.
"""

import errno
import http.client
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_healthhttp_0"
HTTP_TIMEOUT = 10  # s for one request; a hang is a failure, not a stuck test
READ_TIMEOUT_BOUND = 20.0  # s; the listener's read timeout is 5 s
MAX_CONNECTIONS = 16  # the listener's cap (admin/health_http.h)


def closed_port():
    """A loopback port where nothing listens (bound once, then released)."""
    return h.free_port()


def get(port, path, method="GET", headers=None, host="127.0.0.1"):
    """(status, headers dict with lower-case names, body bytes)."""
    c = http.client.HTTPConnection(host, port, timeout=HTTP_TIMEOUT)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        c.close()


def get_json(port, path):
    status, headers, body = get(port, path)
    text = body.decode("utf-8")
    assert "\n" not in text.strip(), "body is more than one line: %r" % text
    return status, headers, json.loads(text)


def by_name(doc):
    return {d["name"]: d for d in doc["dataSources"]}


class HealthHttpTest(h.TestCase):
    def test_endpoints_logs_and_shutdown(self):
        port0 = h.cluster_ports()[0]
        dead = closed_port()
        metrics = h.free_port()
        with h.actual_databases([(port0, DB)]):
            h.direct_exec(port0, DB, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
            dbs = {"hdb": h.database_yaml("hdb", {"ds_0": (port0, DB), "ds_1": (dead, DB)},
                                          timeout_ms=3000, min_pool=1,
                                          rules="""
                                          - !SINGLE
                                            tables:
                                              - ds_0.*
                                          """)}
            props = {"proxy-backend-health-check-interval-milliseconds": 300,
                     "proxy-backend-health-check-timeout-milliseconds": 2000,
                     "proxy-shutdown-delay-seconds": 3}
            proxy = h.Proxy(h.global_yaml(props=props), dbs, name="healthhttp",
                            args=["--metrics-port", str(metrics), "--log-format", "json"])
            with proxy:
                self.endpoints(proxy, metrics)
                self.bounds(metrics)
                self.sigterm(proxy, metrics, port0)
            self.json_log(proxy)

    def endpoints(self, proxy, metrics):
        status, headers, doc = get_json(metrics, "/livez")
        print("/livez: %d %s" % (status, json.dumps(doc)))
        self.assertEqual(status, 200)
        self.assertEqual(doc["status"], "live")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(doc["workers"], 2)
        self.assertEqual(doc["stalledWorkers"], 0)
        self.assertEqual(sorted(by_name(doc)), ["ds_0", "ds_1"])
        self.assertEqual({d["database"] for d in doc["dataSources"]}, {"hdb"})

        # ds_1 goes down (its port refuses) and the instance stays ready.
        started = time.monotonic()

        def ds1_down():
            status, _, doc = get_json(metrics, "/readyz")
            self.assertEqual(status, 200, doc)
            return by_name(doc)["ds_1"]["state"] == "down"

        h.wait_until(ds1_down, 15, interval=0.2, what="ds_1 reported down")
        print("ds_1 reported down %.2f s after the first probe" % (time.monotonic() - started))
        status, _, doc = get_json(metrics, "/readyz")
        print("/readyz: %d %s" % (status, json.dumps(doc)))
        self.assertEqual(status, 200)
        self.assertEqual(doc["status"], "ready")
        ds = by_name(doc)
        self.assertEqual(ds["ds_0"]["state"], "up")
        self.assertNotIn("error", ds["ds_0"])
        self.assertEqual(ds["ds_1"]["state"], "down")
        self.assertTrue(ds["ds_1"]["error"], ds["ds_1"])
        self.assertEqual(ds["ds_0"]["max"], 50)
        for d in ds.values():
            for k in ("open", "idle", "max", "waiting"):
                self.assertIsInstance(d[k], int)
                self.assertGreaterEqual(d[k], 0)

        # ds_0 serves while ds_1 is down; its pool figures show the connection.
        c = h.connect(proxy, db="hdb")
        h.query(c, "INSERT INTO t VALUES (1, 'one')")
        self.assertEqual(h.query(c, "SELECT v FROM t WHERE id = 1"), (("one",),))
        c.begin()
        h.query(c, "SELECT * FROM t FOR UPDATE")
        status, _, doc = get_json(metrics, "/readyz")
        print("/readyz with a connection lent out: %s" % json.dumps(by_name(doc)["ds_0"]))
        self.assertGreaterEqual(by_name(doc)["ds_0"]["open"], 1)
        self.assertLess(by_name(doc)["ds_0"]["idle"], by_name(doc)["ds_0"]["open"])
        c.rollback()
        # sql-show logs this statement: Latin-1 bytes, a quote, a newline and a control character
        # must not break its JSON log line.
        try:
            c.cursor().execute(b"SELECT 'caf\xe9 \"q\"\n\x01' AS v")
        except (pymysql.MySQLError, UnicodeDecodeError) as e:
            # What the server and the client make of the bytes is not the point here.
            print("statement with Latin-1 bytes: %r" % e)
        c.close()

        # HEAD: the headers of GET, no body.
        status, headers, body = get(metrics, "/readyz", method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")
        self.assertGreater(int(headers["content-length"]), 20)
        # A query string is ignored.
        self.assertEqual(get(metrics, "/livez?verbose=1")[0], 200)
        # Unknown paths and other methods.
        for path in ("/", "/metrics", "/livez/", "/readyz/x", "/LIVEZ"):
            status, _, body = get(metrics, path)
            self.assertEqual(status, 404, path)
            self.assertEqual(json.loads(body), {"error": "not found"})
        for method in ("POST", "PUT", "DELETE", "OPTIONS"):
            status, headers, body = get(metrics, "/readyz", method=method)
            self.assertEqual(status, 405, method)
            self.assertEqual(headers["allow"], "GET, HEAD")
        # Keep-alive: many requests on one connection (timed, for the figures; not asserted).
        conn = http.client.HTTPConnection("127.0.0.1", metrics, timeout=HTTP_TIMEOUT)
        times = []
        try:
            for i in range(200):
                t0 = time.monotonic()
                conn.request("GET", ("/livez", "/readyz")[i % 2])
                r = conn.getresponse()
                r.read()
                times.append(time.monotonic() - t0)
                self.assertEqual(r.status, 200)
        finally:
            conn.close()
        times.sort()
        print("200 probes on one connection: median %.3f ms, max %.3f ms"
              % (times[100] * 1000, times[-1] * 1000))

    def bounds(self, metrics):
        # A request past the size limit.
        status, _, body = get(metrics, "/livez", headers={"X-Filler": "x" * 9000})
        print("9 KB request: %d %s" % (status, body.decode()))
        self.assertEqual(status, 431)
        self.assertEqual(json.loads(body), {"error": "request header too large"})
        # A body (probes send none), and a request that is not HTTP.
        c = http.client.HTTPConnection("127.0.0.1", metrics, timeout=HTTP_TIMEOUT)
        try:
            c.request("GET", "/readyz", body=b"x" * 100)
            r = c.getresponse()
            print("GET with a 100-byte body: %d %s" % (r.status, r.read().decode()))
            self.assertEqual(r.status, 413)
        finally:
            c.close()
        s = socket.create_connection(("127.0.0.1", metrics), timeout=HTTP_TIMEOUT)
        try:
            s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n")
            got = s.recv(200)
            print("TLS bytes to the HTTP port: %r" % got[:40])
            self.assertTrue(got.startswith(b"HTTP/1.1 400 "), got)
        finally:
            s.close()
        self.assertEqual(get(metrics, "/livez")[0], 200)

        # A connection that sends nothing is closed after the read timeout.
        s = socket.create_connection(("127.0.0.1", metrics), timeout=READ_TIMEOUT_BOUND + 5)
        t0 = time.monotonic()
        try:
            got = s.recv(100)
        except ConnectionResetError:
            got = b""
        took = time.monotonic() - t0
        s.close()
        print("silent connection closed after %.2f s (bound %.0f s)" % (took, READ_TIMEOUT_BOUND))
        self.assertEqual(got, b"")
        self.assertLess(took, READ_TIMEOUT_BOUND)
        self.assertGreater(took, 2.0)  # the timeout, not an immediate refusal

        # Connections up to the cap are served; one more is closed unanswered.
        held = [socket.create_connection(("127.0.0.1", metrics), timeout=HTTP_TIMEOUT)
                for _ in range(MAX_CONNECTIONS)]
        try:
            # Each held one is being served (one complete request answered on the first).
            held[0].sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(held[0].recv(100).startswith(b"HTTP/1.1 200"))
            extra = socket.create_connection(("127.0.0.1", metrics), timeout=HTTP_TIMEOUT)
            try:
                extra.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
                try:
                    got = extra.recv(100)
                except ConnectionResetError:
                    got = b""
                print("connection %d past the cap: %r" % (MAX_CONNECTIONS + 1, got))
                self.assertEqual(got, b"")
            finally:
                extra.close()
        finally:
            for s in held:
                s.close()

        # Slots free again once those are gone.
        h.wait_until(lambda: get(metrics, "/livez")[0] == 200, 10, what="listener free again")

    def sigterm(self, proxy, metrics, port0):
        c = h.connect(proxy, db="hdb")
        c.begin()
        h.query(c, "INSERT INTO t VALUES (2, 'two')")
        result = {}

        def run():
            try:
                result["rows"] = h.query(c, "SELECT SLEEP(2.5), COUNT(*) FROM t")
            except pymysql.MySQLError as e:
                result["error"] = e

        t = threading.Thread(target=run)
        t.start()
        time.sleep(0.5)  # the statement is running
        signalled = time.monotonic()
        os.kill(proxy.pid(), signal.SIGTERM)

        # /readyz turns 503 at once (the platform stops routing here) while /livez stays 200.
        def not_ready():
            status, _, body = get(metrics, "/readyz")
            if status == 503:
                self.assertEqual(json.loads(body)["status"], "stopping")
                return True
            return False

        h.wait_until(not_ready, 5, interval=0.05, what="/readyz 503 after SIGTERM")
        print("/readyz 503 %.3f s after SIGTERM" % (time.monotonic() - signalled))
        status, _, doc = get_json(metrics, "/livez")
        self.assertEqual((status, doc["status"]), (200, "live"))
        t.join(30)
        self.assertFalse(t.is_alive())
        print("statement running at SIGTERM: %r" % result)
        # It finished with its answer: the transaction's own row counts.
        self.assertEqual(result.get("rows"), ((0, 2),), result)

        # Past proxy-shutdown-delay-seconds (3) the MySQL listener is closed, and the session,
        # still in its transaction, keeps the process draining: /readyz still answers 503.
        h.wait_until(lambda: not h.port_open(proxy.port), 10, interval=0.1,
                     what="MySQL listener closed after the delay")
        status, _, doc = get_json(metrics, "/readyz")
        print("draining, %.2f s after SIGTERM: /readyz %d %s" % (time.monotonic() - signalled, status,
                                                                   doc["status"]))
        self.assertEqual((status, doc["status"]), (503, "stopping"))
        # COMMIT ends the transaction, then the session, then the process (on the one SIGTERM).
        c.commit()
        ended = time.monotonic()
        self.assertEqual(proxy.proc.wait(timeout=30), 0)
        print("process ended %.2f s after COMMIT" % (time.monotonic() - ended))
        try:
            c.close()
        except pymysql.MySQLError:
            pass
        d = h.direct(port0, DB)
        try:
            self.assertEqual(h.query(d, "SELECT COUNT(*) FROM t"), ((2,),))
        finally:
            d.close()
        # Gone with the process.
        with self.assertRaises(OSError):
            get(metrics, "/livez")

    def json_log(self, proxy):
        lines = proxy.log().splitlines()
        self.assertGreater(len(lines), 3)
        messages = []
        for line in lines:
            doc = json.loads(line)  # every line parses
            self.assertEqual(sorted(doc), ["level", "message", "thread", "time"], line)
            self.assertRegex(doc["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(doc["level"], ("trace", "debug", "info", "warning", "error", "critical"))
            self.assertIsInstance(doc["thread"], int)
            messages.append(doc["message"])
        print("%d JSON log lines, e.g. %s" % (len(lines), lines[0]))
        self.assertTrue(any(re.match(r"health HTTP listening on 0\.0\.0\.0:\d+$", m) for m in messages),
                        messages)
        self.assertTrue(any("signal 15 received" in m for m in messages), messages)
        # The bytes of the odd statement: each non-UTF-8 byte as \u00XX, i.e. read as Latin-1.
        odd = [m for m in messages if m.startswith("Logic SQL: SELECT 'caf")]
        self.assertEqual(odd, ["Logic SQL: SELECT 'caf\u00e9 \"q\"\n\x01' AS v"])

    def test_port_from_props(self):
        port0 = h.cluster_ports()[0]
        metrics = h.free_port()
        db = DB + "p"
        with h.actual_databases([(port0, db)]):
            props = {"proxy-metrics-port": metrics, "proxy-metrics-host": "127.0.0.1"}
            with h.Proxy(h.global_yaml(props=props), {"pdb": h.database_yaml("pdb", {"ds_0": (port0, db)})},
                         name="healthprops", args=["--log-format", "text"]) as proxy:
                status, _, doc = get_json(metrics, "/readyz")
                self.assertEqual(status, 200)
                self.assertEqual([d["name"] for d in doc["dataSources"]], ["ds_0"])
                # Bound to loopback only: the listener is not on another address of the host.
                others = [a for a in local_addresses() if not a.startswith("127.")]
                for addr in others[:1]:
                    with self.assertRaises(OSError):
                        socket.create_connection((addr, metrics), timeout=2).close()
                self.assertIn("health HTTP listening on 127.0.0.1:%d" % metrics, proxy.log())

                # The body lists the configuration in force: after a reload (SIGHUP) that adds
                # ds_new and changes ds_0's pool (a new gate; the old one stays for sessions
                # still on it), each is listed once, with the new figures.
                with open(os.path.join(proxy.conf_dir, "database-pdb.yaml"), "w") as f:
                    f.write(h.database_yaml("pdb", {"ds_0": (port0, db), "ds_new": (port0, db)},
                                            max_pool=7))
                os.kill(proxy.pid(), signal.SIGHUP)

                def reloaded():
                    _, _, doc = get_json(metrics, "/readyz")
                    return "ds_new" in by_name(doc)

                h.wait_until(reloaded, 15, interval=0.1, what="ds_new listed after SIGHUP")
                status, _, doc = get_json(metrics, "/readyz")
                print("after the reload: %d %s" % (status, json.dumps(doc)))
                self.assertEqual(status, 200)
                self.assertEqual([(d["name"], d["max"]) for d in doc["dataSources"]],
                                 [("ds_0", 7), ("ds_new", 7)])
            # A port already taken: the proxy does not start, and says why.
            taken = socket.socket()
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            try:
                p = h.Proxy(h.global_yaml(), {"pdb": h.database_yaml("pdb", {"ds_0": (port0, db)})},
                            name="healthtaken",
                            args=["--metrics-port", str(taken.getsockname()[1])])
                with self.assertRaises(h.ProxyStartError):
                    p.start()
                print("metrics port taken: %s" % p.log_tail(1))
                self.assertIn("cannot start: health HTTP listener", p.log())
                self.assertEqual(p.proc.returncode, 1)
            finally:
                taken.close()
            # --metrics-port 0 turns the prop's listener off.
            with h.Proxy(h.global_yaml(props=props), {"pdb": h.database_yaml("pdb", {"ds_0": (port0, db)})},
                         name="healthoff", args=["--metrics-port", "0"]) as proxy:
                with self.assertRaises(OSError) as e:
                    get(metrics, "/livez")
                self.assertIn(e.exception.errno, (errno.ECONNREFUSED, None))
                self.assertNotIn("health HTTP", proxy.log())

    def test_cli_errors(self):
        # A configuration error is a JSON line too when the log is JSON, and stays the plain line
        # as text.
        with tempfile.TemporaryDirectory() as conf:
            with open(os.path.join(conf, "global.yaml"), "w") as f:
                f.write("props:\n  proxy-metrics-port: 70000\n")
            r = h.run_proxy_cli(["--conf", conf, "--log-format", "json"])
            print("bad prop, JSON log: rc %d, stderr %r" % (r.returncode, r.stderr))
            self.assertEqual(r.returncode, 1)
            lines = r.stderr.splitlines()
            self.assertEqual(len(lines), 1, r.stderr)
            doc = json.loads(lines[0])
            self.assertEqual(doc["level"], "critical")
            self.assertTrue(doc["message"].startswith("configuration error: "), doc)
            self.assertIn("proxy-metrics-port", doc["message"])
            r = h.run_proxy_cli(["--conf", conf])
            self.assertEqual(r.returncode, 1)
            self.assertTrue(r.stderr.startswith("configuration error: "), r.stderr)
        for args, message in ((["--log-format", "xml"], "--log-format needs text or json"),
                              (["--log-format"], "--log-format needs text or json"),
                              (["--metrics-port", "65536"], "--metrics-port needs 0..65535"),
                              (["--metrics-port", "x"], "--metrics-port needs 0..65535")):
            r = h.run_proxy_cli(["--conf", "/nonexistent"] + args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)


def local_addresses():
    """IPv4 addresses of this host's interfaces (from the routing of a UDP socket)."""
    out = []
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("10.255.255.255", 1))
        out.append(s.getsockname()[0])
        s.close()
    except OSError:
        pass
    return out


if __name__ == "__main__":
    h.main()
