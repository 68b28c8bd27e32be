"""Deadlocks across servers and participants lost in the middle of a transaction.

DeadlockTest (the shared 2-server cluster): rows live on three data sources, ds_0 and ds_2 on the
first server (each its own database and account, so their connections are separate InnoDB
transactions) and ds_1 on the second; every session is on another worker than the previous one
(connections alternate workers).
- two sessions each update a row on ds_0 and one on ds_1 in opposite orders: each server's
  InnoDB sees half of the cycle; the proxy rolls back the younger transaction (1213, SQLSTATE
  40001) far sooner than innodb_lock_wait_timeout, the other commits, and the victim's session
  runs a new transaction. In LOCAL and in XA.
- three sessions in a cycle over ds_0 -> ds_1 -> ds_2 -> ds_0 (spanning both servers): one victim.
- a long wait that is not a cycle (B waits for A's lock while A sleeps 3 s, then commits) is
  left alone: B gets its lock when A commits.
- with proxy-deadlock-detection-milliseconds: 0 the cycle lasts until the lock wait timeout.
LostParticipantTest: a backend connection of an open transaction killed (KILL on the server),
before a statement on it and before COMMIT, LOCAL and XA; and a server restarted
(scripts/mariadb-cluster.sh restart-node, a private server). The client gets one error, 1927
(SQLSTATE 70100), for that statement, the transaction is rolled back on the other participant,
and the same session goes on with a new transaction.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "dl_db"
BOUND = 10.0          # s: a cross-server deadlock is broken well within this (50 s without)
LOCK_WAIT = 20        # s: innodb_lock_wait_timeout of the test sessions, so that a failure is quick

RULES = """
- !SHARDING
  tables:
    t_row:
      actualDataNodes: ds_${0..2}.t_row
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
  shardingAlgorithms:
    by_id:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 3}
"""


def grant_process(port, actual):
    user, _ = h.backend_account(actual)
    c = h.direct(port)
    try:
        with c.cursor() as cur:
            cur.execute("GRANT PROCESS ON *.* TO '%s'@'%s'" % (user, h.BACKEND_HOST))
    finally:
        c.close()


def value(port, actual, row_id):
    c = h.direct(port, actual)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT v FROM t_row WHERE id = %s", (row_id,))
            return cur.fetchone()[0]
    finally:
        c.close()


def backend_threads(port, actual):
    """Thread ids of the proxy's connections to `actual` on the server at `port`."""
    user, _ = h.backend_account(actual)
    c = h.direct(port)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", (user,))
            return [r[0] for r in cur.fetchall()]
    finally:
        c.close()


class Cycle:
    """Sessions that each lock their first row, then (all at once) ask for the next one's."""

    def __init__(self, test, proxy, xa=False):
        self.test = test
        self.proxy = proxy
        self.xa = xa
        self.conns = []

    def session(self):
        c = h.connect(self.proxy, db=LOGICAL, read_timeout=60)
        h.query(c, "SET SESSION innodb_lock_wait_timeout = %d" % LOCK_WAIT)
        if self.xa:
            h.query(c, "SET VARIABLE transaction_type = 'XA'")
        self.conns.append(c)
        return c

    def run(self, rows):
        """Session i holds rows[i] and then wants rows[(i + 1) % n], and commits once it has it
        (which lets the session waiting for it go on); returns per session (error or None,
        seconds its second UPDATE took)."""
        n = len(rows)
        sessions = [self.session() for _ in rows]
        for c, r in zip(sessions, rows):
            h.query(c, "BEGIN")
            h.query(c, "UPDATE t_row SET v = v + 1 WHERE id = %d" % r)
            time.sleep(0.05)  # distinct start times: the last session is the youngest
        out = [None] * n
        go = threading.Barrier(n)

        def second(i):
            go.wait()
            t0 = time.monotonic()
            try:
                h.query(sessions[i], "UPDATE t_row SET v = v + 1 WHERE id = %d" % rows[(i + 1) % n])
                out[i] = (None, time.monotonic() - t0)
                h.query(sessions[i], "COMMIT")
            except pymysql.MySQLError as e:
                out[i] = (e, time.monotonic() - t0)

        threads = [threading.Thread(target=second, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(LOCK_WAIT + 30)
        return sessions, out

    def close(self):
        for c in self.conns:
            c.close()


class DeadlockTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()
        cls.actual = {"ds_0": (ports[0], "dl_a0"), "ds_1": (ports[1], "dl_b1"),
                      "ds_2": (ports[0], "dl_a2")}
        cls.dbs = h.actual_databases(cls.actual.values())
        cls.dbs.__enter__()
        for port, actual in cls.actual.values():
            grant_process(port, actual)
            h.direct_exec(port, actual, "CREATE TABLE t_row (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)"
                          " ENGINE=InnoDB")
        cls.proxy = cls.make_proxy(500)

    @classmethod
    def make_proxy(cls, threshold_ms, name="deadlock"):
        return h.Proxy(h.global_yaml(props={"proxy-deadlock-detection-milliseconds": threshold_ms}),
                       {LOGICAL: h.database_yaml(LOGICAL, cls.actual, rules=RULES)}, workers=2,
                       name=name).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()
        cls.dbs.__exit__(None, None, None)

    def setUp(self):
        for port, actual in self.actual.values():
            h.direct_exec(port, actual, "DELETE FROM t_row")
        c = h.connect(self.proxy, db=LOGICAL)
        for i in range(6):
            h.query(c, "INSERT INTO t_row VALUES (%d, 0)" % i)
        c.close()

    def values(self, ids):
        return [value(self.actual["ds_%d" % (i % 3)][0], self.actual["ds_%d" % (i % 3)][1], i)
                for i in ids]

    def check_cycle(self, rows, xa):
        cycle = Cycle(self, self.proxy, xa)
        try:
            sessions, out = cycle.run(rows)
            for i, (err, secs) in enumerate(out):
                print("  session %d: %s after %.2f s" % (i, err.args[0] if err else "ok", secs))
            failed = [i for i, (err, _) in enumerate(out) if err]
            self.assertEqual(len(failed), 1, "exactly one victim: %r" % (out,))
            victim = failed[0]
            err, secs = out[victim]
            self.assertMySQLError(err, 1213, "40001",
                                  "Deadlock found when trying to get lock; try restarting transaction")
            self.assertLess(secs, BOUND, "the deadlock lasted %.1f s" % secs)
            # The youngest transaction (the last to begin) is the one rolled back.
            self.assertEqual(victim, len(rows) - 1)
            # The victim's whole transaction is gone (its first row too), the others committed.
            expected = {r: 0 for r in rows}
            for i in range(len(rows)):
                if i != victim:
                    expected[rows[i]] += 1
                    expected[rows[(i + 1) % len(rows)]] += 1
            self.assertEqual(self.values(rows), [expected[r] for r in rows])
            # The victim's session goes on: it is in no transaction, and a new one commits.
            c = sessions[victim]
            h.query(c, "BEGIN")
            h.query(c, "UPDATE t_row SET v = v + 10 WHERE id = %d" % rows[0])
            h.query(c, "UPDATE t_row SET v = v + 10 WHERE id = %d" % rows[1])
            h.query(c, "COMMIT")
            self.assertEqual(self.values(rows[:2]), [expected[rows[0]] + 10, expected[rows[1]] + 10])
        finally:
            cycle.close()

    def test_two_servers_local(self):
        self.check_cycle([0, 1], xa=False)

    def test_two_servers_xa(self):
        self.check_cycle([0, 1], xa=True)

    def test_three_way_local(self):
        self.check_cycle([0, 1, 2], xa=False)

    def test_three_way_xa(self):
        self.check_cycle([0, 1, 2], xa=True)

    def test_long_wait_is_not_broken(self):
        a = h.connect(self.proxy, db=LOGICAL, read_timeout=60)
        b = h.connect(self.proxy, db=LOGICAL, read_timeout=60)
        try:
            for c in (a, b):
                h.query(c, "SET SESSION innodb_lock_wait_timeout = %d" % LOCK_WAIT)
            h.query(a, "BEGIN")
            h.query(a, "UPDATE t_row SET v = v + 1 WHERE id = 0")
            h.query(a, "UPDATE t_row SET v = v + 1 WHERE id = 1")
            h.query(b, "BEGIN")
            h.query(b, "UPDATE t_row SET v = v + 1 WHERE id = 4")  # ds_1, not A's row

            def release():
                time.sleep(3)
                h.query(a, "COMMIT")

            t = threading.Thread(target=release)
            t.start()
            t0 = time.monotonic()
            h.query(b, "UPDATE t_row SET v = v + 1 WHERE id = 0")  # waits for A, no cycle
            waited = time.monotonic() - t0
            t.join()
            h.query(b, "COMMIT")
            print("  non-cycle wait: %.2f s, then granted" % waited)
            self.assertGreater(waited, 2.0)
            self.assertEqual(self.values([0, 1, 4]), [2, 1, 1])
        finally:
            a.close()
            b.close()

    def test_detection_off(self):
        # The same cycle with detection off lasts until innodb_lock_wait_timeout (here 3 s), which
        # then rolls back only the statement (InnoDB's timeout, 1205).
        proxy = self.make_proxy(0, name="deadlock-off")
        global LOCK_WAIT
        saved, LOCK_WAIT = LOCK_WAIT, 3
        cycle = Cycle(self, proxy)
        try:
            _, out = cycle.run([0, 1])
            codes = sorted(e.args[0] for e, _ in out if e)
            print("  detection off: %r" % [(e.args[0] if e else "ok", round(s, 2)) for e, s in out])
            self.assertIn(1205, codes)
            self.assertNotIn(1213, codes)
            self.assertGreater(max(s for _, s in out), 2.5)
        finally:
            LOCK_WAIT = saved
            cycle.close()
            proxy.close()

    def test_without_process_privilege(self):
        # Accounts without PROCESS cannot read the lock waits: detection is off for their
        # servers (said once in the log) and the cycle lasts until the lock wait timeout.
        def privilege(verb):
            for port, actual in self.actual.values():
                user, _ = h.backend_account(actual)
                h.direct_exec(port, None, "%s PROCESS ON *.* %s '%s'@'%s'"
                              % (verb, "FROM" if verb == "REVOKE" else "TO", user, h.BACKEND_HOST))

        privilege("REVOKE")
        proxy = self.make_proxy(200, name="deadlock-noprocess")
        global LOCK_WAIT
        saved, LOCK_WAIT = LOCK_WAIT, 3
        cycle = Cycle(self, proxy)
        try:
            _, out = cycle.run([0, 1])
            codes = sorted(e.args[0] for e, _ in out if e)
            print("  without PROCESS: %r" % [(e.args[0] if e else "ok", round(s, 2)) for e, s in out])
            self.assertIn(1205, codes)
            self.assertNotIn(1213, codes)
            warnings = proxy.log().count("lacks the PROCESS privilege")
            print("  log warnings: %d" % warnings)
            self.assertGreaterEqual(warnings, 1)
            self.assertLessEqual(warnings, 3)  # once per account, not once per scan
        finally:
            LOCK_WAIT = saved
            cycle.close()
            proxy.close()
            privilege("GRANT")


class LostParticipantTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()
        cls.actual = {"ds_0": (ports[0], "lp_a0"), "ds_1": (ports[1], "lp_b1"),
                      "ds_2": (ports[0], "lp_a2")}
        cls.dbs = h.actual_databases(cls.actual.values())
        cls.dbs.__enter__()
        for port, actual in cls.actual.values():
            h.direct_exec(port, actual, "CREATE TABLE t_row (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)"
                          " ENGINE=InnoDB")
        cls.proxy = h.Proxy(h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, cls.actual, rules=RULES)},
                            name="lost").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()
        cls.dbs.__exit__(None, None, None)

    def setUp(self):
        for port, actual in self.actual.values():
            h.direct_exec(port, actual, "DELETE FROM t_row", "INSERT INTO t_row VALUES (0, 0), (1, 0), (2, 0),"
                          " (3, 0), (4, 0), (5, 0)")

    def kill_ds1(self):
        port, actual = self.actual["ds_1"]
        threads = backend_threads(port, actual)
        self.assertTrue(threads)
        c = h.direct(port)
        try:
            with c.cursor() as cur:
                for t in threads:
                    cur.execute("KILL %d" % t)
        finally:
            c.close()

    def scenario(self, xa, at_commit):
        c = h.connect(self.proxy, db=LOGICAL)
        try:
            if xa:
                h.query(c, "SET VARIABLE transaction_type = 'XA'")
            h.query(c, "BEGIN")
            h.query(c, "UPDATE t_row SET v = 1 WHERE id = 0")  # ds_0
            h.query(c, "UPDATE t_row SET v = 1 WHERE id = 1")  # ds_1
            self.kill_ds1()
            time.sleep(0.2)
            with self.assertRaises(pymysql.MySQLError) as cm:
                if at_commit:
                    h.query(c, "COMMIT")
                else:
                    h.query(c, "UPDATE t_row SET v = 2 WHERE id = 1")
            got = self.assertMySQLError(cm.exception, 1927, "70100")
            print("  %s, lost at %s: %r" % ("XA" if xa else "LOCAL", "COMMIT" if at_commit else "UPDATE",
                                            got))
            self.assertIn("rolled back", got[2])
            # Rolled back on the participant that is left; the session is in no transaction.
            self.assertEqual(value(*self.actual["ds_0"], 0), 0)
            self.assertEqual(value(*self.actual["ds_1"], 1), 0)
            # The same session goes on, on a new backend connection.
            self.assertEqual(h.query(c, "SELECT v FROM t_row WHERE id = 1"), ((0,),))
            h.query(c, "BEGIN")
            h.query(c, "UPDATE t_row SET v = 5 WHERE id = 0")
            h.query(c, "UPDATE t_row SET v = 5 WHERE id = 1")
            h.query(c, "COMMIT")
            self.assertEqual((value(*self.actual["ds_0"], 0), value(*self.actual["ds_1"], 1)), (5, 5))
        finally:
            c.close()
        self.assertTrue(self.proxy.alive())

    def test_local_statement(self):
        self.scenario(xa=False, at_commit=False)

    def test_local_commit(self):
        self.scenario(xa=False, at_commit=True)

    def test_xa_statement(self):
        self.scenario(xa=True, at_commit=False)

    def test_xa_commit(self):
        self.scenario(xa=True, at_commit=True)

    def test_server_restarted(self):
        shared = h.cluster_ports()[0]
        with h.private_mariadb(1) as cl:
            port = cl.ports[0]
            actual = {"ds_0": (shared, "lr_a0"), "ds_1": (port, "lr_b1"), "ds_2": (shared, "lr_a2")}
            with h.actual_databases(actual.values()):
                for p, a in actual.values():
                    h.direct_exec(p, a, "CREATE TABLE t_row (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)",
                                  "INSERT INTO t_row VALUES (0, 0), (1, 0), (2, 0)")
                # The lost connection is what is tested: without health checks, which could see
                # the server down first and refuse the statement with 2003 before it runs.
                no_checks = {"proxy-backend-health-check-interval-milliseconds": 0}
                with h.Proxy(h.global_yaml(props=no_checks),
                             {LOGICAL: h.database_yaml(LOGICAL, actual, rules=RULES)},
                             name="lost-restart") as proxy:
                    c = h.connect(proxy, db=LOGICAL)
                    h.query(c, "BEGIN")
                    h.query(c, "UPDATE t_row SET v = 1 WHERE id = 0")
                    h.query(c, "UPDATE t_row SET v = 1 WHERE id = 1")
                    cl.kill9(port)
                    cl.restart_node(port)
                    with self.assertRaises(pymysql.MySQLError) as cm:
                        h.query(c, "UPDATE t_row SET v = 2 WHERE id = 1")
                    got = self.assertMySQLError(cm.exception, 1927, "70100")
                    print("  server restarted: %r" % (got,))
                    self.assertEqual(value(*actual["ds_0"], 0), 0)
                    h.query(c, "BEGIN")
                    h.query(c, "UPDATE t_row SET v = 7 WHERE id = 0")
                    h.query(c, "UPDATE t_row SET v = 7 WHERE id = 1")
                    h.query(c, "COMMIT")
                    self.assertEqual((value(*actual["ds_0"], 0), value(*actual["ds_1"], 1)), (7, 7))
                    c.close()


if __name__ == "__main__":
    h.main()
