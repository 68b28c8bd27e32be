"""A backend that stops answering (its mariadbd frozen with SIGSTOP) on a private 2-node cluster.

Proxy "health" checks its data sources every 500 ms with a 2000 ms timeout:
- a statement already running on the frozen backend gets an error within the detection time,
  and new work to it fails fast with an error naming the data source (not a hang);
- meanwhile a client of the other backend keeps being answered, and a long statement there
  (SELECT SLEEP) is not cut by the health logic;
- after SIGCONT the data source is back without restarting the proxy.
Proxy "timeouts" has no health checks and the URL's connectTimeout=1500&socketTimeout=2500:
- a connect to the frozen backend fails within connectTimeout (not connectionTimeout's 30 s);
- a statement on a healthy backend that runs past socketTimeout gets an error after it.
The frozen server is always resumed (finally), whatever happens.
"""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB_A = "it_health_a"
DB_B = "it_health_b"
DETECT_BOUND = 10.0   # s; before health checks a frozen backend held its clients indefinitely
RECOVER_BOUND = 20.0  # s after SIGCONT


def timed(fn, *a):
    """(result or exception, seconds)."""
    t0 = time.monotonic()
    try:
        out = fn(*a)
    except pymysql.MySQLError as e:
        out = e
    return out, time.monotonic() - t0


class BackendHealthTest(h.TestCase):
    def test_frozen_backend(self):
        with h.private_mariadb(2) as cl:
            port_a, port_b = cl.ports
            h.create_actual_db(port_a, DB_A)
            h.create_actual_db(port_b, DB_B)
            dbs = {
                "db1": h.database_yaml("db1", {"ds_a": (port_a, DB_A)}, timeout_ms=30000),
                "db2": h.database_yaml("db2", {"ds_b": (port_b, DB_B)}, timeout_ms=30000),
            }
            quick = "serverTimezone=UTC&useSSL=false&connectTimeout=1500&socketTimeout=2500"
            slow_dbs = {
                "db1": h.database_yaml("db1", {"ds_a": (port_a, DB_A)}, timeout_ms=30000,
                                       min_pool=0, url_params=quick),
                "db2": h.database_yaml("db2", {"ds_b": (port_b, DB_B)}, timeout_ms=30000,
                                       min_pool=0, url_params=quick),
            }
            health_props = {"proxy-backend-health-check-interval-milliseconds": 500,
                            "proxy-backend-health-check-timeout-milliseconds": 2000}
            with h.Proxy(h.global_yaml(props=health_props), dbs, name="health") as proxy, \
                    h.Proxy(h.global_yaml(props={"proxy-backend-health-check-interval-milliseconds": 0}),
                            slow_dbs, name="timeouts") as plain:
                self.scenario(cl, port_b, proxy, plain)

    def scenario(self, cl, port_b, proxy, plain):
        a = h.connect(proxy, db="db1")
        b = h.connect(proxy, db="db2")
        a_long = h.connect(proxy, db="db1")
        self.assertEqual(h.query(a, "SELECT 1"), ((1,),))
        self.assertEqual(h.query(b, "SELECT 2"), ((2,),))

        # A statement past socketTimeout on a healthy backend gets an error after it.
        p = h.connect(plain, db="db1")
        out, took = timed(h.query, p, "SELECT SLEEP(6)")
        print("socketTimeout 2500 ms, SELECT SLEEP(6): %r after %.2f s" % (out, took))
        self.assertIsInstance(out, pymysql.MySQLError)
        self.assertIn("no answer within socketTimeout 2500 ms", out.args[1])
        self.assertLess(took, 5.5)
        p.close()

        in_flight = {}

        def run_in_flight():
            in_flight["out"], in_flight["took"] = timed(h.query, b, "SELECT SLEEP(30)")

        long_a = {}

        def run_long_a():
            long_a["out"], long_a["took"] = timed(h.query, a_long, "SELECT SLEEP(5)")

        pid = cl.pid(port_b)
        t_in_flight = threading.Thread(target=run_in_flight)
        t_long = threading.Thread(target=run_long_a)
        t_in_flight.start()
        t_long.start()
        time.sleep(0.3)  # both statements are on their backends
        os.kill(pid, signal.SIGSTOP)
        frozen_at = time.monotonic()
        try:
            # The other backend's client keeps being answered throughout.
            slowest_a = 0.0
            t_in_flight.join(DETECT_BOUND + 5)
            _, took = timed(h.query, a, "SELECT 1")
            slowest_a = max(slowest_a, took)

            detected = time.monotonic() - frozen_at
            out = in_flight.get("out")
            print("in-flight statement on the frozen backend: %r, %.2f s after the freeze" % (out, detected))
            self.assertFalse(t_in_flight.is_alive(), "in-flight statement still hangs")
            self.assertIsInstance(out, pymysql.MySQLError)
            self.assertIn("data source ds_b", out.args[1])
            self.assertIn("not answering", out.args[1])
            self.assertLess(detected, DETECT_BOUND)

            # New work to it fails fast, on the same session and on a new one.
            for what, conn_fn in (("same session", lambda: b),
                                  ("new session", lambda: h.connect(proxy, db="db2"))):
                c = conn_fn()
                out, took = timed(h.query, c, "SELECT 3")
                print("%s on the frozen backend: %r in %.3f s" % (what, out, took))
                self.assertIsInstance(out, pymysql.MySQLError)
                self.assertIn("not answering", out.args[1])
                self.assertLess(took, 3.0)
                _, took = timed(h.query, a, "SELECT 1")
                slowest_a = max(slowest_a, took)

            # A connect to the frozen backend gives up after connectTimeout.
            p = h.connect(plain, db="db2")
            out, took = timed(h.query, p, "SELECT 4")
            print("connectTimeout 1500 ms to the frozen backend: %r after %.2f s" % (out, took))
            self.assertIsInstance(out, pymysql.MySQLError)
            self.assertIn("within 1500 ms", out.args[1])
            self.assertLess(took, 6.0)  # connectionTimeoutMilliseconds is 30000
            p.close()

            for _ in range(5):
                out, took = timed(h.query, a, "SELECT 1")
                self.assertEqual(out, ((1,),))
                slowest_a = max(slowest_a, took)
                time.sleep(0.1)
            print("other backend's client: slowest answer %.3f s while ds_b was frozen" % slowest_a)
            self.assertLess(slowest_a, 3.0)

            # The long statement on the healthy backend ran to its end.
            t_long.join(30)
            print("SELECT SLEEP(5) on the healthy backend: %r in %.2f s" % (long_a.get("out"), long_a.get("took", -1)))
            self.assertEqual(long_a.get("out"), ((0,),))
        finally:
            os.kill(pid, signal.SIGCONT)
        resumed_at = time.monotonic()

        def answers():
            c = h.connect(proxy, db="db2")
            try:
                return h.query(c, "SELECT 5") == ((5,),)
            finally:
                c.close()

        h.wait_until(answers, RECOVER_BOUND, interval=0.2, what="ds_b back in service")
        print("ds_b answering through the proxy again %.2f s after SIGCONT" % (time.monotonic() - resumed_at))
        # The session that saw the errors works again too.
        self.assertEqual(h.query(b, "SELECT 6"), ((6,),))
        self.assertTrue(proxy.alive())
        for c in (a, b, a_long):
            c.close()


if __name__ == "__main__":
    h.main()
