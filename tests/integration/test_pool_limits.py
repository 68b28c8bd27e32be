"""maxPoolSize is a hard cap per data source for the whole proxy (all workers together), as
HikariCP's maximumPoolSize is for ShardingSphere-Proxy; connectionTimeoutMilliseconds bounds
the wait for a connection.

Checked on the backend itself: information_schema.PROCESSLIST rows of the data source's account
on its actual database (the health check's own connection has no default database, so it is
not among them), sampled while more clients than maxPoolSize run SELECT SLEEP(...) through a
proxy with two workers. A connection the proxy closes so that another worker may open one can
still be listed for an instant while the new one logs in (the server ends the old thread on its
own time), so the cap is checked on counts seen in two samples in a row, 10 ms or more apart; a
cap that does not hold shows the excess for a whole statement.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_pool_limits"


class Sampler:
    """Counts the proxy's connections (and its running SLEEPs) on the backend every few ms."""

    def __init__(self, port, user):
        self.conn = h.direct(port)
        self.user = user
        self.most = 0            # in any one sample
        self.most_sustained = 0  # in two samples in a row
        self.most_sleeping = 0
        self._last = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            rows = h.query(self.conn,
                           "SELECT COMMAND, INFO FROM information_schema.PROCESSLIST "
                           "WHERE USER = %s AND DB = %s", (self.user, DB))
            self.samples += 1
            self.most = max(self.most, len(rows))
            self.most_sustained = max(self.most_sustained, min(self._last, len(rows)))
            self._last = len(rows)
            sleeping = sum(1 for _, info in rows if info and "SLEEP" in info.upper())
            self.most_sleeping = max(self.most_sleeping, sleeping)
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)
        self.conn.close()


def run_clients(proxy, n, sql):
    """n clients at once, each connected first; returns (errors, seconds for all)."""
    conns = [h.connect(proxy, db="db1") for _ in range(n)]
    errors = []
    start = threading.Barrier(n + 1)

    def work(c):
        start.wait()
        try:
            h.query(c, sql)
        except pymysql.MySQLError as e:
            errors.append(e.args)

    threads = [threading.Thread(target=work, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join(60)
    elapsed = time.monotonic() - t0
    for c in conns:
        c.close()
    return errors, elapsed


class PoolLimitsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = h.cluster_ports()[0]
        h.create_actual_db(cls.port, DB)
        cls.user = h.backend_account(DB)[0]

    @classmethod
    def tearDownClass(cls):
        h.drop_actual_db(cls.port, DB)

    def proxy(self, max_pool, timeout_ms=20000, min_pool=1):
        return h.Proxy(h.global_yaml(props={"proxy-frontend-executor-size": 2}),
                       {"db1": h.database_yaml("db1", {"ds_0": (self.port, DB)}, timeout_ms=timeout_ms,
                                               max_pool=max_pool, min_pool=min_pool)},
                       workers=2, name="pool%d" % max_pool)

    def test_cap_of_two_is_shared_by_both_workers(self):
        with self.proxy(2) as proxy, Sampler(self.port, self.user) as s:
            errors, elapsed = run_clients(proxy, 8, "SELECT SLEEP(0.5)")
        print("maxPoolSize 2, 2 workers, 8 clients x SLEEP(0.5): %.2f s, most connections %d "
              "(%d in two samples in a row), most running SLEEPs %d, %d samples"
              % (elapsed, s.most, s.most_sustained, s.most_sleeping, s.samples))
        self.assertEqual(errors, [])
        self.assertLessEqual(s.most_sustained, 2)
        # Both slots are used at once even when the two statements come from one worker.
        self.assertEqual(s.most_sleeping, 2)

    def test_two_sessions_on_one_worker_run_in_parallel(self):
        # Sessions are given to workers in turn: the 1st and 3rd connection share a worker.
        with self.proxy(2) as proxy, Sampler(self.port, self.user) as s:
            conns = [h.connect(proxy, db="db1") for _ in range(3)]
            try:
                same_worker = [conns[0], conns[2]]
                threads = [threading.Thread(target=h.query, args=(c, "SELECT SLEEP(1)"))
                           for c in same_worker]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
            finally:
                for c in conns:
                    c.close()
        print("maxPoolSize 2, two sessions of one worker x SLEEP(1): most running SLEEPs %d"
              % s.most_sleeping)
        self.assertEqual(s.most_sleeping, 2)

    def test_cap_of_one_never_shows_two_connections(self):
        with self.proxy(1) as proxy, Sampler(self.port, self.user) as s:
            errors, elapsed = run_clients(proxy, 6, "SELECT SLEEP(0.3)")
        print("maxPoolSize 1, 2 workers, 6 clients x SLEEP(0.3): %.2f s, most connections %d "
              "(%d in two samples in a row), %d samples"
              % (elapsed, s.most, s.most_sustained, s.samples))
        self.assertEqual(errors, [])
        self.assertEqual(s.most_sustained, 1)
        # One at a time: six 0.3 s statements cannot take less than 1.8 s.
        self.assertGreaterEqual(elapsed, 1.7)

    def test_min_pool_size_is_a_total_over_workers(self):
        with self.proxy(10, min_pool=3) as proxy:
            # A session on each worker makes both workers' pools; then they are kept warm.
            conns = [h.connect(proxy, db="db1") for _ in range(2)]
            for c in conns:
                self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
            probe = h.direct(self.port)

            def count():
                return h.query(probe, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                      "WHERE USER = %s AND DB = %s", (self.user, DB))[0][0]
            try:
                h.wait_until(lambda: count() >= 3, 15, what="minPoolSize 3 connections")
                time.sleep(2.5)  # more maintenance rounds on both workers
                n = count()
            finally:
                probe.close()
                for c in conns:
                    c.close()
        print("minPoolSize 3, 2 workers: %d connections kept open" % n)
        self.assertEqual(n, 3)

    def test_waiter_past_connection_timeout_gets_an_error(self):
        with self.proxy(1, timeout_ms=500) as proxy:
            holder = h.connect(proxy, db="db1")
            waiter = h.connect(proxy, db="db1")  # on the other worker
            try:
                t = threading.Thread(target=h.query, args=(holder, "SELECT SLEEP(3)"))
                t.start()
                time.sleep(0.5)  # the holder's statement has the only connection
                t0 = time.monotonic()
                with self.assertRaises(pymysql.MySQLError) as cm:
                    h.query(waiter, "SELECT 1")
                waited = time.monotonic() - t0
                t.join(30)
                print("waiter's error after %.2f s: %r" % (waited, cm.exception.args))
                errno, message = cm.exception.args
                # The server code for "cannot reach the data source" (1429, as MySQL's FEDERATED
                # engine): the client library's own 2003 in an ERR packet is read as 2027.
                self.assertEqual(errno, 1429)
                self.assertIn("data source ds_0: no connection available within 500 ms", message)
                # Not served by the holder's connection once free (that takes 3 s).
                self.assertLess(waited, 2.5)
                # The pool serves again once the holder is done.
                self.assertEqual(h.query(waiter, "SELECT 1"), ((1,),))
            finally:
                holder.close()
                waiter.close()


if __name__ == "__main__":
    h.main()
