"""Several proxies on one configuration: two proxies share the configuration and the backends,
one with --worker-id 1, the other with SHARDPROXY_WORKER_ID=shardproxy-2 (a StatefulSet pod name).

- SNOWFLAKE keys generated through both at once (threads, a few thousand rows) never repeat, and
  each key's worker bits are those of the instance that made it (the algorithm's own worker-id
  prop is overridden, with a warning).
- A third proxy with --worker-id 1 is refused at start (exit code 1, a message naming the
  claim), and so is a proxy on a copy of an instance's data directory (same XA instance id).
- The claim's connection killed on the backend: the instance takes its locks again on a new one.
- Connection ids carry the worker id: KILL [QUERY] of the other instance's connection id answers
  1094 and stops nothing, even where that id's low bits equal one of the receiving instance's own
  sessions; KILL QUERY within an instance still works.
- XA transactions through both instances at once commit, money is conserved, no branch is left
  prepared.

XaLogUpgradeTest: an in-doubt XA transaction in a coordinator log of the previous format (a
newer proxy on an older data directory) is committed by recovery after the upgrade on open.
"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "inst_db"
DATA_SOURCES = ("ds_0", "ds_1")
WORKER_BITS_SHIFT = 12  # Snowflake: sequence in the low 12 bits, then 10 worker bits
CONNECTION_COUNTER_BITS = 22  # connection ids: worker id above 22 counter bits

RULES = """
- !SHARDING
  tables:
    t_item:
      actualDataNodes: ds_${0..1}.t_item
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
      keyGenerateStrategy:
        column: id
        keyGeneratorName: snowflake
    t_account:
      actualDataNodes: ds_${0..1}.t_account
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
  shardingAlgorithms:
    by_id:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 2}
  keyGenerators:
    snowflake:
      type: SNOWFLAKE
      props:
        worker-id: 5
"""

TABLES = ("CREATE TABLE t_item (id BIGINT PRIMARY KEY, proxy INT NOT NULL, n INT NOT NULL)",
          "CREATE TABLE t_account (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)")

THREADS_PER_PROXY = 4
SINGLE_INSERTS = 60  # per thread, one row each
MULTI_INSERTS = 25   # per thread, ten rows each
START_BALANCE = 1000


class InstancesTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.actual = {ds: "it_instances_%s" % ds for ds in DATA_SOURCES}
        cls.enterClassContext(h.actual_databases([(cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES]))
        for ds in DATA_SOURCES:
            h.direct_exec(cls.ports[ds], cls.actual[ds], *TABLES)
        cls.sources = {ds: (cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES}
        cls.conf = {LOGICAL: h.database_yaml(LOGICAL, cls.sources, rules=RULES)}
        cls.a = cls.enterClassContext(h.Proxy(h.global_yaml(), cls.conf, args=["--worker-id", "1"], name="inst-a"))
        cls.b = cls.enterClassContext(h.Proxy(h.global_yaml(), cls.conf, env={"SHARDPROXY_WORKER_ID": "shardproxy-2"},
                                              name="inst-b"))
        cls.workers = {cls.a: 1, cls.b: 2}

    def conn(self, proxy, **kw):
        c = h.connect(proxy, db=LOGICAL, **kw)
        self.addCleanup(self.close_quietly, c)
        return c

    @staticmethod
    def close_quietly(c):
        try:
            c.close()
        except pymysql.MySQLError:
            pass  # closed already (by the test or by KILL)

    def backend_rows(self, table, columns):
        rows = []
        for ds in DATA_SOURCES:
            c = h.direct(self.ports[ds], self.actual[ds])
            try:
                rows += list(h.query(c, "SELECT %s FROM %s" % (columns, table)))
            finally:
                c.close()
        return rows

    def test_snowflake_keys_from_two_instances_never_repeat(self):
        for ds in DATA_SOURCES:
            h.direct_exec(self.ports[ds], self.actual[ds], "DELETE FROM t_item")
        errors = []
        per_thread = SINGLE_INSERTS + 10 * MULTI_INSERTS

        def insert(proxy, thread):
            try:
                c = h.connect(proxy, db=LOGICAL)
                try:
                    worker = self.workers[proxy]
                    with c.cursor() as cur:
                        n = 0
                        for i in range(SINGLE_INSERTS):
                            cur.execute("INSERT INTO t_item (proxy, n) VALUES (%s, %s)", (worker, thread * 10000 + n))
                            n += 1
                        for i in range(MULTI_INSERTS):
                            values = ", ".join("(%d, %d)" % (worker, thread * 10000 + n + k) for k in range(10))
                            cur.execute("INSERT INTO t_item (proxy, n) VALUES " + values)
                            n += 10
                finally:
                    c.close()
            except Exception as e:  # noqa: BLE001
                errors.append("%s thread %d: %r" % (proxy.name, thread, e))

        threads = [threading.Thread(target=insert, args=(p, t)) for p in (self.a, self.b)
                   for t in range(THREADS_PER_PROXY)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        self.assertEqual(errors, [])
        rows = self.backend_rows("t_item", "id, proxy")
        expected = 2 * THREADS_PER_PROXY * per_thread
        ids = [r[0] for r in rows]
        print("instances: %d rows inserted through 2 proxies x %d threads in %.2f s (%.0f rows/s); "
              "%d distinct keys" % (len(rows), THREADS_PER_PROXY, elapsed, len(rows) / elapsed, len(set(ids))))
        self.assertEqual(len(rows), expected)
        self.assertEqual(len(set(ids)), expected, "a generated key repeats")
        wrong = [(k, p) for k, p in rows if (k >> WORKER_BITS_SHIFT) & 1023 != p]
        self.assertEqual(wrong[:5], [], "keys whose worker bits are not their instance's")
        by_worker = {w: sum(1 for _, p in rows if p == w) for w in (1, 2)}
        self.assertEqual(by_worker, {1: expected // 2, 2: expected // 2})
        # The algorithm's own worker-id (5) gives way to the instance's, and says so.
        for proxy in (self.a, self.b):
            self.assertIn("'worker-id' (5) is ignored: keys carry the instance's worker id %d"
                          % self.workers[proxy], proxy.log())

    def test_same_worker_id_is_refused_at_start(self):
        started = time.monotonic()
        third = h.Proxy(h.global_yaml(), self.conf, args=["--worker-id", "1"], name="inst-dup")
        with self.assertRaises(h.ProxyStartError):
            third.start()
        took = time.monotonic() - started
        print("instances: duplicate --worker-id 1 refused in %.2f s" % took)
        self.assertEqual(third.proc.returncode, 1)
        self.assertIn("worker id 1 is already claimed on data source ds_0", third.log())
        self.assertIn("--worker-id 1", third.log())
        # The instance that holds the claim serves on.
        self.assertEqual(h.query(self.conn(self.a), "SELECT 1"), ((1,),))

    def lock_holder(self, port, name):
        c = h.direct(port)
        try:
            return h.query(c, "SELECT IS_USED_LOCK(%s)", (name,))[0][0]
        finally:
            c.close()

    def test_claim_is_taken_again_after_its_connection_drops(self):
        for proxy in (self.a, self.b):
            m = re.search(r"instance claim: (.*) held on (\d+) of (\d+) backend servers \((\d+) ms\)", proxy.log())
            self.assertIsNotNone(m, "no claim line in the log of %s" % proxy.name)
            print("instances: %s claimed %s on %s of %s servers in %s ms at start"
                  % (proxy.name, m.group(1), m.group(2), m.group(3), m.group(4)))
            self.assertEqual(m.group(2), m.group(3))
        port = self.ports["ds_1"]
        name = "shardproxy.worker.2"
        first = self.lock_holder(port, name)
        self.assertIsNotNone(first, "B holds no claim on ds_1's server")
        c = h.direct(port)
        try:
            h.query(c, "KILL %d" % first)
        finally:
            c.close()
        started = time.monotonic()
        h.wait_until(lambda: self.lock_holder(port, name) not in (None, first), 30,
                     what="the claim taken again on a new connection")
        print("instances: claim re-taken %.1f s after its connection was killed" % (time.monotonic() - started))
        log = self.b.log()
        self.assertIn("the connection holding the claim on data source ds_1", log)
        self.assertIn("instance claim: claimed on data source ds_1", log)
        # The XA claim came back with it.
        self.assertIsNotNone(self.lock_holder(port, "shardproxy.xa.%s" % self.xa_instance(self.b)))

    @staticmethod
    def xa_instance(proxy):
        m = re.search(r"XA instance ([0-9a-f]{16}) held", proxy.log())
        assert m, "no claim line in the log"
        return m.group(1)

    def test_copy_of_a_data_directory_is_refused_at_start(self):
        # Same XA instance id (the copy's coordinator log), another worker id.
        copy = h.Proxy(h.global_yaml(), self.conf, args=["--worker-id", "3"], name="inst-copy")
        shutil.rmtree(copy.data_dir)
        shutil.copytree(self.b.data_dir, copy.data_dir, ignore=shutil.ignore_patterns("LOCK"))
        with self.assertRaises(h.ProxyStartError):
            copy.start()
        self.assertEqual(copy.proc.returncode, 1)
        self.assertIn("is already claimed on data source ds_0", copy.log())
        self.assertIn("copy of this --data-dir", copy.log())
        # A fresh data directory with a free worker id starts.
        fresh = h.Proxy(h.global_yaml(), self.conf, args=["--worker-id", "3"], name="inst-fresh")
        with fresh:
            self.assertEqual(h.query(self.conn(fresh), "SELECT 1"), ((1,),))

    def connection_id(self, c):
        return h.query(c, "SELECT CONNECTION_ID()")[0][0]

    def test_kill_of_the_other_instance_connection_id(self):
        a1, b1 = self.conn(self.a), self.conn(self.b)
        ida, idb = self.connection_id(a1), self.connection_id(b1)
        self.assertEqual(ida >> CONNECTION_COUNTER_BITS, 1, ida)
        self.assertEqual(idb >> CONNECTION_COUNTER_BITS, 2, idb)
        self.assertLess(max(ida, idb), 2 ** 32)
        # SHOW PROCESSLIST shows the same ids.
        self.assertIn(ida, [r[0] for r in h.query(a1, "SHOW PROCESSLIST")])
        # A session on A and one on B whose ids differ only in the worker bits: open connections
        # on whichever instance is behind until their counters meet.
        low = lambda i: i & ((1 << CONNECTION_COUNTER_BITS) - 1)  # noqa: E731
        sa, sb = self.conn(self.a), self.conn(self.b)
        id_sa, id_sb = self.connection_id(sa), self.connection_id(sb)
        for _ in range(2000):
            if low(id_sa) == low(id_sb):
                break
            if low(id_sa) < low(id_sb):
                sa.close()
                sa = self.conn(self.a)
                id_sa = self.connection_id(sa)
            else:
                sb.close()
                sb = self.conn(self.b)
                id_sb = self.connection_id(sb)
        self.assertEqual(low(id_sa), low(id_sb), "no pair of sessions with the same low bits")
        print("instances: session %d on A and %d on B share the low bits %d" % (id_sa, id_sb, low(id_sa)))
        for statement in ("KILL QUERY %d", "KILL %d", "KILL CONNECTION %d"):
            with self.assertRaises(pymysql.MySQLError) as e:
                h.query(a1, statement % id_sb)
            self.assertMySQLError(e.exception, 1094, "HY000", "Unknown thread id: %d" % id_sb)
            with self.assertRaises(pymysql.MySQLError) as e:
                h.query(b1, statement % id_sa)
            self.assertMySQLError(e.exception, 1094, "HY000", "Unknown thread id: %d" % id_sa)
        # Every session lives on.
        for c in (a1, b1, sa, sb):
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
        # Within an instance KILL still reaches the session (the check above could fail).
        h.query(a1, "KILL %d" % id_sa)
        h.wait_until(lambda: self.connection_gone(sa), 10, what="killed session closed")

    @staticmethod
    def connection_gone(c):
        try:
            h.query(c, "SELECT 1")
            return False
        except pymysql.MySQLError:
            return True

    def test_xa_transactions_on_both_instances_commit(self):
        pairs = 3  # per proxy: each thread moves money between its own two accounts, one per shard
        accounts = list(range(2, 4 * pairs + 2))
        for k, ds in enumerate(DATA_SOURCES):
            values = ", ".join("(%d, %d)" % (i, START_BALANCE) for i in accounts if i % 2 == k)
            h.direct_exec(self.ports[ds], self.actual[ds], "DELETE FROM t_account",
                          "INSERT INTO t_account VALUES " + values)
        transfers = 15
        errors = []

        def run(proxy, first):
            try:
                c = h.connect(proxy, db=LOGICAL)
                try:
                    h.query(c, "SET VARIABLE transaction_type = 'XA'")
                    with c.cursor() as cur:
                        for i in range(transfers):
                            cur.execute("BEGIN")
                            cur.execute("UPDATE t_account SET balance = balance - 1 WHERE id = %s", (first + 1,))
                            cur.execute("UPDATE t_account SET balance = balance + 1 WHERE id = %s", (first,))
                            cur.execute("COMMIT")
                finally:
                    c.close()
            except Exception as e:  # noqa: BLE001
                errors.append("%s: %r" % (proxy.name, e))

        threads = []
        for p_index, proxy in enumerate((self.a, self.b)):
            for t in range(pairs):
                first = 2 * (p_index * pairs + t) + 2  # even account (ds_0) and the next odd one (ds_1)
                threads.append(threading.Thread(target=run, args=(proxy, first)))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        self.assertEqual(errors, [])
        balances = dict(self.backend_rows("t_account", "id, balance"))
        print("instances: %d XA transactions through both proxies in %.2f s" % (len(threads) * transfers, elapsed))
        self.assertEqual(sum(balances.values()), START_BALANCE * len(accounts))
        for p_index in range(2):
            for t in range(pairs):
                first = 2 * (p_index * pairs + t) + 2
                self.assertEqual((balances[first], balances[first + 1]),
                                 (START_BALANCE + transfers, START_BALANCE - transfers))
        for ds in DATA_SOURCES:
            c = h.direct(self.ports[ds])
            try:
                prepared = [r for r in h.query(c, "XA RECOVER") if int(r[0]) == 0x53505859]
            finally:
                c.close()
            self.assertEqual(prepared, [], ds)


DOWNGRADE = os.path.join(h.BUILD_DIR, "tests", "xa_log_downgrade")
XA_FORMAT_ID = 0x53505859  # 'SPXY'


def our_prepared(port):
    c = h.direct(port)
    try:
        return [r for r in h.query(c, "XA RECOVER") if int(r[0]) == XA_FORMAT_ID]
    finally:
        c.close()


class XaLogUpgradeTest(h.TestCase):
    """A newer proxy on an older data directory: a proxy stopped between the logged decision and
    the XA COMMITs leaves an in-doubt transaction; its coordinator log is rewritten in the
    previous format (xa_log_downgrade); the proxy started again upgrades the log and its
    recovery commits both branches."""

    @classmethod
    def setUpClass(cls):
        if not os.access(DOWNGRADE, os.X_OK):
            raise AssertionError("%s not built (ninja -C %s xa_log_downgrade)" % (DOWNGRADE, h.BUILD_DIR))
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.actual = {ds: "it_instances_up_%s" % ds for ds in DATA_SOURCES}
        cls.enterClassContext(h.actual_databases([(cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES]))
        for k, ds in enumerate(DATA_SOURCES):
            h.direct_exec(cls.ports[ds], cls.actual[ds], *TABLES)
            h.direct_exec(cls.ports[ds], cls.actual[ds], "INSERT INTO t_account VALUES (%d, %d)" % (2 + k, START_BALANCE))
        cls.conf = {LOGICAL: h.database_yaml(LOGICAL, {ds: (cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES},
                                             rules=RULES)}

    def balances(self):
        out = []
        for ds in DATA_SOURCES:
            c = h.direct(self.ports[ds], self.actual[ds])
            try:
                out.append(h.query(c, "SELECT balance FROM t_account")[0][0])
            finally:
                c.close()
        return tuple(out)

    def test_in_doubt_decision_survives_the_upgrade(self):
        p = h.Proxy(h.global_yaml(transaction="XA"), self.conf, args=["--worker-id", "4"],
                    env={"SHARDPROXY_FAILPOINTS": "xa-after-log"}, name="inst-upgrade")
        p.start()
        self.addCleanup(p.close)
        c = h.connect(p, db=LOGICAL)
        with self.assertRaises(pymysql.MySQLError):
            with c.cursor() as cur:
                cur.execute("BEGIN")
                cur.execute("UPDATE t_account SET balance = balance - 7 WHERE id = 3")
                cur.execute("UPDATE t_account SET balance = balance + 7 WHERE id = 2")
                cur.execute("COMMIT")
        h.wait_until(lambda: not p.alive(), 10, what="the failpoint stopping the proxy")
        prepared = [len(our_prepared(self.ports[ds])) for ds in DATA_SOURCES]
        self.assertEqual(prepared, [1, 1])
        self.assertEqual(self.balances(), (START_BALANCE, START_BALANCE))
        out = subprocess.run([DOWNGRADE, os.path.join(p.data_dir, "xa")], capture_output=True, text=True,
                               timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("1 decisions rewritten in format 1", out.stdout)
        p.env = None
        p.start()
        h.wait_until(lambda: not any(our_prepared(self.ports[ds]) for ds in DATA_SOURCES), 40,
                     what="no prepared XA branch left")
        self.assertIn("upgraded from format 1 to 2 (1 pending decisions)", p.log())
        self.assertEqual(self.balances(), (START_BALANCE + 7, START_BALANCE - 7))
        c2 = h.connect(p, db=LOGICAL)
        self.addCleanup(c2.close)
        self.assertEqual(h.query(c2, "SELECT 1"), ((1,),))


if __name__ == "__main__":
    h.main()
