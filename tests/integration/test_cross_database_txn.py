"""One transaction over several logical databases, as on one MySQL server.

Topology (two servers, A and B):
  shop        pass-through, actual it_cdb_shop on A (its own account)
  shop_copy   pass-through, the very same data source as shop (one participant with it)
  crm         pass-through, actual it_cdb_crm on B
  sharding_db t_order sharded by user_id % 2 over ds_0 (it_cdb_s0 on A: the server of shop, with
              another account and database, so another participant) and ds_1 (it_cdb_s1 on B)

CrossDatabaseTest: pymysql with its default autocommit=0 writing in every database, COMMIT and
ROLLBACK checked on the servers directly; one connection for two databases on one data source;
status flags compared statement by statement with a MariaDB server; savepoints across databases
with participants that join after them (LOCAL and XA); XA over every database; mysqldump
--single-transaction of a database through the proxy (its SAVEPOINT / ROLLBACK TO SAVEPOINT).

CrossDatabaseXaCrashTest: the proxy killed by a failpoint after XA PREPARE and after the logged
decision of a transaction over pass-through and sharded databases; after a restart recovery
settles every branch (two of them on each server) all one way.
"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

FORMAT_ID = 0x53505859
IN_TRANS = 0x0001
AUTOCOMMIT = 0x0002

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: by_user
  shardingAlgorithms:
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
"""

PRODUCT = "CREATE TABLE t_product (id INT PRIMARY KEY, name VARCHAR(32)) ENGINE=InnoDB"
CUSTOMER = "CREATE TABLE t_customer (id INT PRIMARY KEY, name VARCHAR(32)) ENGINE=InnoDB"
ORDER = "CREATE TABLE t_order (order_id BIGINT PRIMARY KEY, user_id INT NOT NULL, amount INT) ENGINE=InnoDB"


def our_prepared(port):
    """Prepared XA branches of a proxy on a server: (gtrid, bqual) of formatID 'SPXY'."""
    c = h.direct(port)
    try:
        out = []
        for fmt, glen, blen, data in h.query(c, "XA RECOVER"):
            if int(fmt) == FORMAT_ID:
                data = data if isinstance(data, bytes) else data.encode()
                out.append((data[:glen].decode(), data[glen:glen + blen].decode()))
        return out
    finally:
        c.close()


class CrossDatabaseBase(h.TestCase):
    NAME = "cdb"

    @classmethod
    def make_topology(cls):
        a, b = h.cluster_ports()[:2]
        n = cls.NAME
        cls.actual = {
            "shop": (a, "it_%s_shop" % n),
            "crm": (b, "it_%s_crm" % n),
            "ds_0": (a, "it_%s_s0" % n),
            "ds_1": (b, "it_%s_s1" % n),
        }
        cls.enterClassContext(h.actual_databases(cls.actual.values()))
        h.direct_exec(*cls.actual["shop"], PRODUCT)
        h.direct_exec(*cls.actual["crm"], CUSTOMER)
        h.direct_exec(*cls.actual["ds_0"], ORDER)
        h.direct_exec(*cls.actual["ds_1"], ORDER)
        return {
            "shop": h.database_yaml("shop", {"ds": cls.actual["shop"]}),
            "shop_copy": h.database_yaml("shop_copy", {"copy": cls.actual["shop"]}),
            "crm": h.database_yaml("crm", {"ds": cls.actual["crm"]}),
            "sharding_db": h.database_yaml(
                "sharding_db", {"ds_0": cls.actual["ds_0"], "ds_1": cls.actual["ds_1"]}, rules=RULES),
        }

    def clear(self):
        h.direct_exec(*self.actual["shop"], "DELETE FROM t_product")
        h.direct_exec(*self.actual["crm"], "DELETE FROM t_customer")
        h.direct_exec(*self.actual["ds_0"], "DELETE FROM t_order")
        h.direct_exec(*self.actual["ds_1"], "DELETE FROM t_order")

    def rows(self, source, sql):
        """What a server shows a new connection of its own (committed rows only)."""
        c = h.direct(*self.actual[source])
        try:
            return [tuple(r) for r in h.query(c, sql)]
        finally:
            c.close()

    def everything(self):
        return {
            "shop": self.rows("shop", "SELECT id FROM t_product ORDER BY id"),
            "crm": self.rows("crm", "SELECT id FROM t_customer ORDER BY id"),
            "ds_0": self.rows("ds_0", "SELECT order_id FROM t_order ORDER BY order_id"),
            "ds_1": self.rows("ds_1", "SELECT order_id FROM t_order ORDER BY order_id"),
        }

    @staticmethod
    def nothing():
        return {"shop": [], "crm": [], "ds_0": [], "ds_1": []}

    def write_everywhere(self, cur, base):
        """One row in each database (both shards of sharding_db), changing databases with USE."""
        cur.execute("USE shop")
        cur.execute("INSERT INTO t_product VALUES (%s, 'p')", (base,))
        cur.execute("USE sharding_db")
        cur.execute("SELECT COUNT(*) FROM t_order")  # refused before: a second database
        cur.execute("INSERT INTO t_order (order_id, user_id, amount) VALUES (%s, 2, 10)", (base,))      # ds_0
        cur.execute("INSERT INTO t_order (order_id, user_id, amount) VALUES (%s, 1, 10)", (base + 1,))  # ds_1
        cur.execute("USE crm")
        cur.execute("INSERT INTO t_customer VALUES (%s, 'c')", (base,))

    @staticmethod
    def written(base):
        return {"shop": [(base,)], "crm": [(base,)], "ds_0": [(base,)], "ds_1": [(base + 1,)]}

    def prepared_everywhere(self):
        return sorted(x for port in set(p for p, _ in self.actual.values()) for x in our_prepared(port))


class CrossDatabaseTest(CrossDatabaseBase):
    NAME = "cdb"

    @classmethod
    def setUpClass(cls):
        databases = cls.make_topology()
        cls.proxy = cls.enterClassContext(h.Proxy(h.global_yaml(), databases, name="cross-db"))

    def setUp(self):
        self.clear()

    def client(self, **kw):
        c = h.connect(self.proxy, db="shop", **kw)
        self.addCleanup(c.close)
        return c

    def test_pymysql_default_autocommit_commit_and_rollback(self):
        # pymysql's default: autocommit=0, so every statement is in a transaction.
        c = self.client(autocommit=False)
        with c.cursor() as cur:
            self.write_everywhere(cur, 100)
        self.assertEqual(self.everything(), self.nothing())
        c.commit()
        self.assertEqual(self.everything(), self.written(100))
        with c.cursor() as cur:
            self.write_everywhere(cur, 200)
            cur.execute("SELECT COUNT(*) FROM t_customer")
            self.assertEqual(cur.fetchall(), ((2,),))
        c.rollback()
        self.assertEqual(self.everything(), self.written(100))
        # Nothing stays open on any backend: a new transaction sees others' commits.
        h.direct_exec(*self.actual["crm"], "INSERT INTO t_customer VALUES (300, 'x')")
        with c.cursor() as cur:
            cur.execute("SELECT id FROM crm.t_customer ORDER BY id")
            self.assertEqual(cur.fetchall(), ((100,), (300,)))
        c.commit()

    def test_explicit_transaction_from_a_pass_through_database(self):
        c = self.client()
        with c.cursor() as cur:
            cur.execute("BEGIN")
            self.write_everywhere(cur, 10)
            self.assertEqual(self.everything(), self.nothing())
            cur.execute("USE shop")
            cur.execute("COMMIT")   # written in shop, ends every participant
        self.assertEqual(self.everything(), self.written(10))
        with c.cursor() as cur:
            cur.execute("START TRANSACTION")
            self.write_everywhere(cur, 20)
            cur.execute("USE sharding_db")
            cur.execute("ROLLBACK")
        self.assertEqual(self.everything(), self.written(10))

    def test_ddl_commits_every_database_first(self):
        c = self.client()
        with c.cursor() as cur:
            cur.execute("BEGIN")
            self.write_everywhere(cur, 30)
            cur.execute("USE shop")
            cur.execute("CREATE TABLE t_ddl_commits (id INT)")
            cur.execute("DROP TABLE t_ddl_commits")
            cur.execute("ROLLBACK")   # nothing left to roll back
        self.assertEqual(self.everything(), self.written(30))

    def test_one_data_source_serving_two_databases_is_one_participant(self):
        c = self.client()
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("INSERT INTO shop.t_product VALUES (1, 'a')")
            cur.execute("USE shop_copy")
            # The same connection: its own uncommitted row is there, and no lock waits on it.
            cur.execute("SELECT id FROM t_product")
            self.assertEqual(cur.fetchall(), ((1,),))
            cur.execute("UPDATE t_product SET name = 'b' WHERE id = 1")
            self.assertEqual(self.rows("shop", "SELECT id FROM t_product"), [])
            cur.execute("COMMIT")
        self.assertEqual(self.rows("shop", "SELECT id, name FROM t_product"), [(1, "b")])

    def test_status_flags_match_one_mariadb_server(self):
        # The same statements on one MariaDB server with two databases and through the proxy
        # over two logical databases on two servers: the same IN_TRANS and AUTOCOMMIT flags.
        port = self.actual["shop"][0]
        ref = ("it_%s_ref1" % self.NAME, "it_%s_ref2" % self.NAME)
        self.enterContext(h.actual_databases([(port, ref[0]), (port, ref[1])]))
        h.direct_exec(port, ref[0], PRODUCT)
        h.direct_exec(port, ref[1], ORDER)
        script = [
            "SET autocommit = 0",
            "SELECT COUNT(*) FROM t_product",
            "USE {1}",
            "SELECT 1",
            "SELECT COUNT(*) FROM t_order",
            "INSERT INTO t_order (order_id, user_id, amount) VALUES (1, 1, 1)",
            "COMMIT",
            "SELECT 1",
            "USE {0}",
            "INSERT INTO t_product VALUES (1, 'a')",
            "USE {1}",
            "SAVEPOINT a",
            "SELECT 1",
            "ROLLBACK TO SAVEPOINT a",
            "ROLLBACK",
            "SET autocommit = 1",
            "BEGIN",
            "SELECT 1",
            "USE {0}",
            "SELECT COUNT(*) FROM t_product",
            "COMMIT",
            "START TRANSACTION READ ONLY",
            "USE {1}",
            "SELECT COUNT(*) FROM t_order",
            "COMMIT",
            "SAVEPOINT outside",
            "ROLLBACK TO SAVEPOINT outside",
        ]

        def flags(client, names):
            out = []
            for sql in script:
                r = client.query(sql.format(*names))[-1]
                out.append((sql, r.kind if r.kind == "err" else "ok", r.errno,
                            None if r.kind == "err" else r.status & (IN_TRANS | AUTOCOMMIT)))
            return out

        direct = h.raw_client(port, db=ref[0])
        try:
            want = flags(direct, ref)
        finally:
            direct.close()
        proxied = h.raw_client(self.proxy.port, db="shop")
        try:
            got = flags(proxied, ("shop", "sharding_db"))
        finally:
            proxied.close()
        self.assertEqual(got, want)
        # Through the proxy: the committed order stays, the rolled back product does not.
        self.assertEqual(self.everything(), {"shop": [], "crm": [], "ds_0": [], "ds_1": [(1,)]})

    def check_savepoints(self, xa):
        c = self.client()
        with c.cursor() as cur:
            if xa:
                cur.execute("SET VARIABLE transaction_type = 'XA'")
            cur.execute("BEGIN")
            cur.execute("INSERT INTO t_product VALUES (1, 'kept')")
            cur.execute("SAVEPOINT a")
            cur.execute("UPDATE t_product SET name = 'undone' WHERE id = 1")
            cur.execute("USE sharding_db")
            cur.execute("INSERT INTO t_order (order_id, user_id, amount) VALUES (1, 1, 1)")       # ds_1 joins after `a`
            cur.execute("SAVEPOINT b")
            cur.execute("USE crm")
            cur.execute("INSERT INTO t_customer VALUES (1, 'c')")     # crm joins after `b`
            cur.execute("USE sharding_db")
            cur.execute("INSERT INTO t_order (order_id, user_id, amount) VALUES (2, 2, 1)")       # ds_0 too
            cur.execute("ROLLBACK TO SAVEPOINT b")
            cur.execute("SELECT order_id FROM t_order ORDER BY order_id")
            self.assertEqual(cur.fetchall(), ((1,),))
            cur.execute("SELECT COUNT(*) FROM crm.t_customer")
            self.assertEqual(cur.fetchall(), ((0,),))
            cur.execute("INSERT INTO t_order (order_id, user_id, amount) VALUES (3, 1, 1)")
            # Every participant back to `a`: those that joined later, back to their start.
            cur.execute("ROLLBACK TO SAVEPOINT a")
            cur.execute("SELECT COUNT(*) FROM t_order")
            self.assertEqual(cur.fetchall(), ((0,),))
            cur.execute("SELECT name FROM shop.t_product")
            self.assertEqual(cur.fetchall(), (("kept",),))
            with self.assertRaises(pymysql.MySQLError) as e:
                cur.execute("ROLLBACK TO SAVEPOINT b")   # gone with the rollback to `a`
            self.assertEqual(e.exception.args[0], 1305)
            cur.execute("USE crm")
            cur.execute("INSERT INTO t_customer VALUES (2, 'after')")
            cur.execute("RELEASE SAVEPOINT a")
            with self.assertRaises(pymysql.MySQLError) as e:
                cur.execute("ROLLBACK TO SAVEPOINT a")
            self.assertEqual(e.exception.args[0], 1305)
            cur.execute("COMMIT")
        self.assertEqual(self.everything(), {"shop": [(1,)], "crm": [(2,)], "ds_0": [], "ds_1": []})
        self.assertEqual(self.rows("shop", "SELECT name FROM t_product"), [("kept",)])
        self.assertEqual(self.prepared_everywhere(), [])

    def test_savepoints_across_databases_local(self):
        self.check_savepoints(xa=False)

    def test_savepoints_across_databases_xa(self):
        self.check_savepoints(xa=True)

    def test_xa_over_every_database(self):
        c = self.client(autocommit=False)
        before = len(self.proxy.log())
        with c.cursor() as cur:
            cur.execute("SET VARIABLE transaction_type = 'XA'")
            self.write_everywhere(cur, 40)
        self.assertEqual(self.everything(), self.nothing())
        c.commit()
        self.assertEqual(self.everything(), self.written(40))
        log = self.proxy.log()[before:]
        # A branch on each of the four connections; each prepared before any commit.
        starts = re.findall(r"Actual SQL: (\S+) ::: XA START (\S+)", log)
        self.assertEqual(len(starts), 4, log)
        self.assertEqual(len(set(x for _, x in starts)), 4)
        self.assertEqual(len(set(x.split(",")[0] for _, x in starts)), 1)   # one gtrid
        for _, x in starts:
            self.assertIn("XA PREPARE " + x, log)
            self.assertIn("XA COMMIT " + x, log)
            self.assertLess(log.rindex("XA PREPARE " + x), min(log.index("XA COMMIT " + y) for _, y in starts))
        with c.cursor() as cur:
            self.write_everywhere(cur, 50)
        c.rollback()
        self.assertEqual(self.everything(), self.written(40))
        self.assertEqual(self.prepared_everywhere(), [])

    def test_mysqldump_single_transaction(self):
        dump = shutil.which("mariadb-dump") or shutil.which("mysqldump")
        self.assertIsNotNone(dump, "mariadb-dump is part of mariadb-client")
        h.direct_exec(*self.actual["shop"], "INSERT INTO t_product VALUES (7, 'dumped')")
        before = len(self.proxy.log())
        cmd = [dump, "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P%d" % self.proxy.port,
               "-uroot", "-proot", "--single-transaction", "--skip-lock-tables", "shop"]
        if h.TLS_SUITE:
            cmd[1:1] = ["--ssl", "--ssl-ca=%s" % h.ca_of(self.proxy)]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60,
                           errors="replace")
        log = self.proxy.log()[before:]
        # What mysqldump sends for --single-transaction: START TRANSACTION WITH CONSISTENT
        # SNAPSHOT, then SAVEPOINT sp before the tables and ROLLBACK TO SAVEPOINT sp after each.
        self.assertNotIn("SAVEPOINT", r.stderr)
        self.assertNotIn("1235", r.stderr)
        self.assertRegex(log, r"Actual SQL: ds ::: START TRANSACTION")
        self.assertIn("Actual SQL: ds ::: SAVEPOINT `sp`", log)
        self.assertIn("Actual SQL: ds ::: ROLLBACK TO SAVEPOINT `sp`", log)
        self.assertLess(log.index("SAVEPOINT `sp`"), log.index("ROLLBACK TO SAVEPOINT `sp`"))
        if r.returncode == 0:
            self.assertIn("'dumped'", r.stdout)


class CrossDatabaseXaCrashTest(CrossDatabaseBase):
    NAME = "cdbcrash"

    @classmethod
    def setUpClass(cls):
        cls.databases = cls.make_topology()

    def setUp(self):
        self.clear()

    def crash_then_recover(self, failpoint, committed):
        p = h.Proxy(h.global_yaml(transaction="XA"), self.databases,
                    env={"SHARDPROXY_FAILPOINTS": failpoint}, name="cross-db-" + failpoint)
        p.start()
        self.addCleanup(p.close)
        c = h.connect(p, db="shop", autocommit=False)
        with c.cursor() as cur:
            self.write_everywhere(cur, 60)
        with self.assertRaises(pymysql.MySQLError):
            c.commit()
        h.wait_until(lambda: not p.alive(), 10, what="the failpoint stopping the proxy")
        self.assertIn("failpoint %s: stopping" % failpoint, p.log())
        # Every branch prepared: shop and ds_0 on server A, crm and ds_1 on server B.
        prepared = self.prepared_everywhere()
        self.assertEqual(len(prepared), 4, prepared)
        self.assertEqual(len(set(g for g, _ in prepared)), 1)
        self.assertEqual(self.everything(), self.nothing())
        p.env = None
        p.start()
        h.wait_until(lambda: not self.prepared_everywhere(), 40, what="recovery settling every branch")
        self.assertEqual(self.everything(), self.written(60) if committed else self.nothing())
        c2 = h.connect(p, db="shop")
        self.addCleanup(c2.close)
        counters = dict(h.query(c2, "SHOW DIST VARIABLES"))
        self.assertEqual(int(counters["xa_recovery_in_doubt"]), 4)
        self.assertEqual(int(counters["xa_recovery_committed" if committed else "xa_recovery_rolled_back"]), 4)

    def test_killed_after_prepare_rolls_back_every_database(self):
        self.crash_then_recover("xa-after-prepare", committed=False)

    def test_killed_after_decision_commits_every_database(self):
        self.crash_then_recover("xa-after-log", committed=True)


if __name__ == "__main__":
    h.main()
