"""Backend failure and recovery, on a private 1-node MariaDB cluster (killed with SIGKILL).

With connectionTimeoutMilliseconds: 2000:
- a query on a client session that was working gets an ERR packet (not a hang, not a silent close)
  within a few seconds of the backend dying;
- new connections / queries get an ERR within the connect timeout plus slack, every time;
- after `mariadb-cluster.sh restart-node`, queries through the same proxy process succeed again
  within a bounded retry loop, on new connections and on the sessions that saw the error.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_restart_db"
CONNECT_TIMEOUT_MS = 2000
EXISTING_BOUND = 8.0                                  # s: existing session, backend gone
NEW_BOUND = CONNECT_TIMEOUT_MS / 1000.0 + 6.0          # s: new query, connect timeout + slack
RECOVER_BOUND = 20.0                                   # s: after the backend is back


class BackendRestartTest(h.TestCase):
    def test_kill_and_restart(self):
        with h.private_mariadb(1) as cl:
            port = cl.ports[0]
            h.create_actual_db(port, DB)
            h.direct_exec(port, DB, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB",
                          "INSERT INTO t VALUES (1, 'before')")
            with h.Proxy(h.global_yaml(),
                         {"db1": h.database_yaml("db1", {"ds_0": (port, DB)}, timeout_ms=CONNECT_TIMEOUT_MS,
                                                 max_pool=10, min_pool=1)},
                         name="restart") as proxy:
                self.run_scenario(cl, port, proxy)

    def run_scenario(self, cl, port, proxy):
        py = h.connect(proxy, db="db1", read_timeout=30, write_timeout=30)
        raw = h.raw_client(proxy.port, db="db1")
        raw.sock.settimeout(30)
        try:
            self.assertEqual(h.query(py, "SELECT v FROM t"), (("before",),))
            self.assertEqual(raw.query1("SELECT v FROM t").rows, [[b"before"]])
            h.query(py, "INSERT INTO t VALUES (2, 'committed')")

            cl.kill9(port)

            # -- existing sessions: an ERR, quickly --
            t0 = time.monotonic()
            try:
                res = raw.query("SELECT v FROM t")
            except (h.Closed, ConnectionError, socket.timeout) as e:
                self.fail("existing session: expected an ERR packet, got %r after %.1fs"
                          % (e, time.monotonic() - t0))
            elapsed = time.monotonic() - t0
            h.log("existing raw session after kill: %r in %.2fs" % (res[-1], elapsed))
            self.assertEqual(res[-1].kind, "err", "existing session: query succeeded with the backend dead: %r" % res)
            self.assertLess(elapsed, EXISTING_BOUND, "existing session: ERR took %.1fs" % elapsed)

            t0 = time.monotonic()
            with self.assertRaises(pymysql.MySQLError):
                h.query(py, "SELECT v FROM t")
            self.assertLess(time.monotonic() - t0, EXISTING_BOUND)
            self.assertTrue(proxy.alive())

            # -- new connections: an ERR within the connect timeout (+ slack), repeatedly --
            for attempt in range(3):
                t0 = time.monotonic()
                outcome = None
                c = h.RawClient(proxy.port, timeout=30).open()
                try:
                    try:
                        c.login("root", "root", "db1")
                        res = c.query("SELECT v FROM t")
                        outcome = res[-1]
                    except h.MySQLError as e:       # ERR at login is acceptable too
                        outcome = e
                    except (h.Closed, ConnectionError, socket.timeout) as e:
                        self.fail("new connection %d: expected ERR, got %r after %.1fs"
                                  % (attempt, e, time.monotonic() - t0))
                finally:
                    c.close()
                elapsed = time.monotonic() - t0
                h.log("new connection %d while down: %r in %.2fs" % (attempt, outcome, elapsed))
                if isinstance(outcome, h.Result):
                    self.assertEqual(outcome.kind, "err", "query succeeded with the backend dead")
                self.assertLess(elapsed, NEW_BOUND, "new connection %d: ERR took %.1fs" % (attempt, elapsed))
            t0 = time.monotonic()
            with self.assertRaises(pymysql.MySQLError):
                c2 = h.connect(proxy, db="db1", read_timeout=30)
                try:
                    h.query(c2, "SELECT 1 FROM t")
                finally:
                    c2.close()
            self.assertLess(time.monotonic() - t0, NEW_BOUND)
            self.assertTrue(proxy.alive(), "proxy died while the backend was down")

            # -- a backend that accepts TCP but never speaks (a listener that never accepts): the
            #    connect timeout (connectionTimeoutMilliseconds) must bound every attempt --
            hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            hole.bind(("127.0.0.1", port))
            hole.listen(128)
            try:
                for who, client in (("existing raw session", raw), ("new raw session", None)):
                    t0 = time.monotonic()
                    c = client
                    try:
                        if c is None:
                            c = h.RawClient(proxy.port, timeout=30).open()
                            c.login("root", "root", "db1")
                        outcome = c.query("SELECT v FROM t")[-1]
                    except h.MySQLError as e:
                        outcome = e
                    except (h.Closed, ConnectionError, socket.timeout) as e:
                        self.fail("%s, silent backend: expected ERR, got %r after %.1fs"
                                  % (who, e, time.monotonic() - t0))
                    finally:
                        if client is None and c is not None:
                            c.close()
                    elapsed = time.monotonic() - t0
                    h.log("%s with a silent backend: %r in %.2fs" % (who, outcome, elapsed))
                    if isinstance(outcome, h.Result):
                        self.assertEqual(outcome.kind, "err", "%s: query succeeded against a silent backend" % who)
                    self.assertLess(elapsed, NEW_BOUND, "%s: ERR took %.1fs with a silent backend (connect timeout"
                                                        " %d ms)" % (who, elapsed, CONNECT_TIMEOUT_MS))
                t0 = time.monotonic()
                with self.assertRaises(pymysql.MySQLError):
                    h.query(py, "SELECT v FROM t")
                self.assertLess(time.monotonic() - t0, NEW_BOUND)
                self.assertTrue(proxy.alive())
            finally:
                hole.close()

            # -- the backend comes back on the same port --
            cl.restart_node(port)

            def new_session_works():
                c = h.connect(proxy, db="db1", read_timeout=10)
                try:
                    return h.query(c, "SELECT id, v FROM t ORDER BY id") == ((1, "before"), (2, "committed"))
                finally:
                    c.close()

            t0 = time.monotonic()
            h.wait_until(new_session_works, RECOVER_BOUND, interval=0.5, what="a new session to work again")
            h.log("new sessions work %.2fs after the restart" % (time.monotonic() - t0))

            def old_raw_works():
                res = raw.query("SELECT COUNT(*) FROM t")
                return res[-1].kind == "rs" and res[-1].rows == [[b"2"]]

            h.wait_until(old_raw_works, RECOVER_BOUND, interval=0.5, what="the raw session that saw the ERR")

            def old_py_works():
                return h.query(py, "SELECT COUNT(*) FROM t") == ((2,),)

            h.wait_until(old_py_works, RECOVER_BOUND, interval=0.5, what="the pymysql session that saw the ERR")
            h.query(py, "INSERT INTO t VALUES (3, 'after')")
            self.assertEqual(h.query(h.direct(port, DB), "SELECT v FROM t WHERE id = 3"), (("after",),))
            self.assertTrue(proxy.alive())
        finally:
            raw.close()
            py.close()


if __name__ == "__main__":
    h.main()
