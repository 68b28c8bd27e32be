"""LOCK TABLES, FLUSH TABLES, CHECK / ANALYZE / OPTIMIZE / REPAIR / CHECKSUM TABLE and EXPLAIN on
the logical tables of a sharded database, against a reference database on one MariaDB that holds
the same rows unsharded.

maint_db: t_order and t_order_item sharded by user_id % 2 (data source) and order_id % 2 (table)
over two servers, t_address broadcast, t_broken sharded with one actual table missing on ds_1
(the reference has no t_broken at all: CHECK TABLE answers for a table that does not exist).
Locks are checked where they are taken: on the backends (SHOW OPEN TABLES) and from a second
session that must wait for them (lock_wait_timeout). No answer may name a physical database or
table.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "maint_db"
ACTUAL = ("it_maint_ds0", "it_maint_ds1")
REFERENCE = "it_maint_ref"
PHYSICAL_NAMES = ACTUAL + (REFERENCE, "t_order_0", "t_order_1", "t_order_item_0", "t_order_item_1",
                           "t_broken_0", "t_broken_1")

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
    t_order_item:
      actualDataNodes: ds_${0..1}.t_order_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_item_inline
    t_broken:
      actualDataNodes: ds_${0..1}.t_broken_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_broken_inline
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: database_inline
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    t_order_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
    t_order_item_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_item_${order_id % 2}
    t_broken_inline:
      type: INLINE
      props:
        algorithm-expression: t_broken_${order_id % 2}
- !BROADCAST
  tables:
    - t_address
"""

ORDER = ("CREATE TABLE {t} (order_id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, "
         "status VARCHAR(32), amount INT NOT NULL DEFAULT 0, KEY idx_user (user_id))")
ITEM = ("CREATE TABLE {t} (order_item_id BIGINT NOT NULL PRIMARY KEY, order_id BIGINT NOT NULL, "
        "user_id INT NOT NULL, status VARCHAR(32))")
ADDRESS = "CREATE TABLE t_address (address_id BIGINT NOT NULL PRIMARY KEY, address_name VARCHAR(64))"

ORDERS = [(u * 10 + o, u, "NEW" if o % 2 else "PAID", o * 7) for u in range(4) for o in range(5)]
ITEMS = [(u * 100 + o, u * 10 + o, u, "NEW") for u in range(4) for o in range(5)]
ADDRESSES = [(1, "north"), (2, "south")]


def no_physical_names(test, text):
    for name in PHYSICAL_NAMES:
        test.assertNotIn(name, text, "physical name %r in %r" % (name, text))


class TableMaintenanceTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = ports
        cls.enterClassContext(h.actual_databases(list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE)]))
        for i, (port, actual) in enumerate(zip(ports, ACTUAL)):
            statements = [ADDRESS]
            for k in (0, 1):
                statements.append(ORDER.format(t="t_order_%d" % k))
                statements.append(ITEM.format(t="t_order_item_%d" % k))
            # t_broken_1 is missing on ds_1
            statements.append(ORDER.format(t="t_broken_0"))
            if i == 0:
                statements.append(ORDER.format(t="t_broken_1"))
            h.direct_exec(port, actual, *statements)
            # FLUSH TABLES needs RELOAD on the backends (README: Backend accounts).
            user, _ = h.backend_account(actual)
            h.direct_exec(port, None, "GRANT RELOAD ON *.* TO '%s'@'%s'" % (user, h.BACKEND_HOST))
        h.direct_exec(ports[0], REFERENCE, ADDRESS, ORDER.format(t="t_order"), ITEM.format(t="t_order_item"))
        db = h.database_yaml(LOGICAL, {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])},
                             rules=RULES)
        cls.proxy = h.Proxy(databases={LOGICAL: db}).start()
        cls.addClassCleanup(cls.proxy.close)
        cls.ref = h.direct(ports[0], REFERENCE)
        cls.addClassCleanup(cls.ref.close)
        c = cls.connect()
        try:
            with c.cursor() as cur, cls.ref.cursor() as ref:
                for table, rows in (("t_order", ORDERS), ("t_order_item", ITEMS), ("t_address", ADDRESSES)):
                    marks = ", ".join(["%s"] * len(rows[0]))
                    for row in rows:
                        cur.execute("INSERT INTO %s VALUES (%s)" % (table, marks), row)
                        ref.execute("INSERT INTO %s VALUES (%s)" % (table, marks), row)
        finally:
            c.close()

    @classmethod
    def connect(cls, **kw):
        return h.connect(cls.proxy, db=LOGICAL, **kw)

    def session(self, **kw):
        c = self.connect(**kw)
        self.addCleanup(c.close)
        return c

    def open_tables(self):
        """(actual database, table) of the tables some backend connection holds locked or in use."""
        out = set()
        for port, actual in zip(self.ports, ACTUAL):
            for row in h.query(h.direct(port), "SHOW OPEN TABLES FROM `%s` WHERE In_use > 0" % actual):
                out.add((actual, row[1]))
        return out

    def waits(self, sql):
        """Runs `sql` in a second session that waits at most 1 s for a lock: True when it had to
        give up (1205), False when it ran."""
        other = self.session()
        h.query(other, "SET SESSION lock_wait_timeout = 1")
        try:
            h.query(other, sql)
        except pymysql.MySQLError as e:
            self.assertEqual(e.args[0], 1205, e)
            return True
        return False

    # ---- LOCK TABLES ----------------------------------------------------------------------------

    def test_lock_tables_on_every_actual_table(self):
        c = self.session()
        h.query(c, "LOCK TABLES t_order READ, t_address AS a WRITE")
        locked = self.open_tables()
        print("open tables while locked:", sorted(locked))
        for actual in ACTUAL:
            for table in ("t_order_0", "t_order_1", "t_address"):
                self.assertIn((actual, table), locked)
            self.assertNotIn((actual, "t_order_item_0"), locked)
        # the session reads what it locked, on the locked connections
        self.assertEqual(h.query(c, "SELECT COUNT(*), SUM(amount) FROM t_order"),
                         h.query(self.ref, "SELECT COUNT(*), SUM(amount) FROM t_order"))
        self.assertEqual(h.query(c, "SELECT address_name FROM t_address AS a ORDER BY address_id"),
                         (("north",), ("south",)))
        # a table it did not lock: MySQL's 1100, in logical names
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "SELECT * FROM t_order_item WHERE user_id = 1")
        self.assertMySQLError(e.exception, 1100,
                              message="Table 't_order_item' was not locked with LOCK TABLES")
        # others wait to write a READ-locked table
        started = time.monotonic()
        self.assertTrue(self.waits("UPDATE t_order SET amount = amount WHERE user_id = 2 AND order_id = 21"))
        print("writer gave up after %.2f s" % (time.monotonic() - started))
        h.query(c, "UNLOCK TABLES")
        self.assertEqual(self.open_tables() & {(a, "t_order_0") for a in ACTUAL}, set())
        self.assertFalse(self.waits("UPDATE t_order SET amount = amount WHERE user_id = 2 AND order_id = 21"))
        # unlocked, the session reads any table again
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order_item"), ((len(ITEMS),),))

    def test_write_lock_and_lock_types_as_written(self):
        c = self.session()
        h.query(c, "LOCK TABLES t_order_item LOW_PRIORITY WRITE, t_order READ LOCAL, t_address AS a READ")
        h.query(c, "UPDATE t_order_item SET status = 'SEEN' WHERE user_id = 3 AND order_id = 32")
        self.assertTrue(self.waits("SELECT COUNT(*) FROM t_order_item"))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order WHERE user_id = 0"), ((5,),))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_address AS a"), ((2,),))
        h.query(c, "UPDATE t_order_item SET status = 'NEW' WHERE user_id = 3 AND order_id = 32")
        h.query(c, "UNLOCK TABLES")
        self.assertFalse(self.waits("SELECT COUNT(*) FROM t_order_item"))
        # one alias cannot name the two actual tables a data source holds (MySQL's 1066)
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "LOCK TABLES t_order AS o READ")
        self.assertMySQLError(e.exception, 1235, prefix="unsupported: LOCK TABLES of 't_order' under an alias")
        self.assertFalse(self.waits("UPDATE t_order SET amount = amount WHERE user_id = 2 AND order_id = 21"))

    def test_new_lock_tables_and_begin_release_locks(self):
        c = self.session()
        h.query(c, "LOCK TABLES t_order WRITE")
        self.assertTrue(self.waits("SELECT COUNT(*) FROM t_order"))
        # a new LOCK TABLES lets go of the previous locks
        h.query(c, "LOCK TABLES t_order_item READ")
        self.assertFalse(self.waits("SELECT COUNT(*) FROM t_order"))
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "SELECT COUNT(*) FROM t_order")
        self.assertMySQLError(e.exception, 1100, message="Table 't_order' was not locked with LOCK TABLES")
        # and so does START TRANSACTION
        h.query(c, "START TRANSACTION")
        self.assertFalse(self.waits("UPDATE t_order_item SET status = status WHERE user_id = 1 AND order_id = 11"))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order"), ((len(ORDERS),),))
        h.query(c, "COMMIT")
        # a session that ends lets go of its locks too
        ending = self.connect()
        h.query(ending, "LOCK TABLES t_order WRITE")
        self.assertTrue(self.waits("SELECT COUNT(*) FROM t_order"))
        ending.close()
        h.wait_until(lambda: not self.waits("SELECT COUNT(*) FROM t_order"), 10,
                     what="locks gone with the session")

    def test_lost_connection_while_locked(self):
        c = self.session()
        h.query(c, "LOCK TABLES t_order READ")
        # the backend connections holding the locks, killed from outside
        killed = 0
        for port, actual in zip(self.ports, ACTUAL):
            user, _ = h.backend_account(actual)
            d = h.direct(port)
            for row in h.query(d, "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", (user,)):
                try:
                    h.query(d, "KILL %d" % row[0])
                    killed += 1
                except pymysql.MySQLError:
                    pass
            d.close()
        self.assertGreater(killed, 0)
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "SELECT COUNT(*) FROM t_order")
        print("statement on the lost locks:", e.exception.args)
        # the locks are gone: others write; the session goes on
        self.assertFalse(self.waits("UPDATE t_order SET amount = amount WHERE user_id = 2 AND order_id = 21"))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order"), ((len(ORDERS),),))
        h.query(c, "UNLOCK TABLES")

    # ---- FLUSH ------------------------------------------------------------------------------------

    def test_flush_tables(self):
        c = self.session()
        h.query(c, "FLUSH TABLES")
        h.query(c, "FLUSH TABLES t_order, t_address")
        h.query(c, "FLUSH NO_WRITE_TO_BINLOG TABLES t_order_item")
        h.query(c, "FLUSH TABLES WITH READ LOCK")
        self.assertTrue(self.waits("UPDATE t_address SET address_name = address_name WHERE address_id = 1"))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order_item"), ((len(ITEMS),),))
        h.query(c, "UNLOCK TABLES")
        self.assertFalse(self.waits("UPDATE t_address SET address_name = address_name WHERE address_id = 1"))
        h.query(c, "FLUSH TABLES t_order WITH READ LOCK")
        self.assertTrue(self.waits("UPDATE t_order SET amount = amount WHERE user_id = 2 AND order_id = 21"))
        h.query(c, "UNLOCK TABLES")
        self.assertFalse(self.waits("UPDATE t_order SET amount = amount WHERE user_id = 2 AND order_id = 21"))
        # other FLUSH options act on the servers: refused, as before
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "FLUSH LOGS")
        self.assertMySQLError(e.exception, 1227)

    def test_flush_needs_reload(self):
        c = h.connect(self.proxy, user="app", password="app")
        self.addCleanup(c.close)
        for sql in ("FLUSH TABLES", "FLUSH TABLES WITH READ LOCK"):
            with self.assertRaises(pymysql.MySQLError) as e:
                h.query(c, sql)
            self.assertMySQLError(e.exception, 1227, message="Access denied; you need (at least one of) "
                                  "the RELOAD privilege(s) for this operation")

    # ---- CHECK / ANALYZE / OPTIMIZE / REPAIR ------------------------------------------------------

    def maintenance_rows(self, conn, sql, db):
        rows = h.query(conn, sql)
        return [(r[0].replace(db + ".", LOGICAL + "."), r[1], r[2], r[3].replace(db, LOGICAL)) for r in rows]

    def test_maintenance_against_reference(self):
        c = self.session()
        for op in ("CHECK TABLE", "CHECK TABLE {} QUICK", "ANALYZE TABLE", "ANALYZE NO_WRITE_TO_BINLOG TABLE",
                   "OPTIMIZE TABLE", "REPAIR TABLE", "CHECK TABLE {} EXTENDED"):
            tables = "t_order, t_order_item, t_address, t_broken"
            sql = op.format(tables) if "{}" in op else op + " " + tables
            got = self.maintenance_rows(c, sql, LOGICAL)
            want = self.maintenance_rows(self.ref, sql, REFERENCE)
            print(sql, "->", got)
            self.assertEqual(got, want, sql)
            no_physical_names(self, repr(got))

    def test_checksum_against_reference(self):
        c = self.session()
        for option in ("", " QUICK", " EXTENDED"):
            sql = "CHECKSUM TABLE t_order, t_order_item, t_address, t_broken" + option
            got = [(r[0], r[1]) for r in h.query(c, sql)]
            want = [(r[0].replace(REFERENCE + ".", LOGICAL + "."), r[1]) for r in h.query(self.ref, sql)]
            print(sql, "->", got)
            self.assertEqual(got, want)  # BIGINT, as MySQL's
            if not option:
                self.assertIsNotNone(dict(want)[LOGICAL + ".t_order"])  # real sums compared

    def test_mariadb_check(self):
        for args in (["--databases", LOGICAL], ["--analyze", LOGICAL, "t_order", "t_order_item"],
                     ["--optimize", LOGICAL, "t_order"]):
            cmd = ["mariadb-check", "--no-defaults", "--protocol=TCP", "-h127.0.0.1",
                   "-P%d" % self.proxy.port, "-uroot", "-proot"] + args
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
            print(" ".join(args), "->", r.returncode, r.stdout)
            no_physical_names(self, r.stdout)
            lines = [line.split() for line in r.stdout.splitlines() if line.startswith(LOGICAL + ".")]
            named = {line[0] for line in lines}
            for t in ("t_order",) + (("t_order_item",) if "t_order_item" in args or "--databases" in args else ()):
                self.assertIn(LOGICAL + "." + t, named, r.stdout)
            if "--databases" in args:
                self.assertIn("%s.t_address" % LOGICAL, named)
                self.assertIn("OK", r.stdout)
                self.assertIn("Table '%s.t_broken' doesn't exist" % LOGICAL, r.stdout)
            else:
                self.assertEqual(r.returncode, 0, r.stdout)

    # ---- EXPLAIN ----------------------------------------------------------------------------------

    def explain(self, conn, sql):
        with conn.cursor() as cur:
            cur.execute(sql)
            return [d[0] for d in cur.description], cur.fetchall()

    def test_explain_one_unit_like_reference(self):
        c = self.session()
        for prefix in ("EXPLAIN", "DESCRIBE", "EXPLAIN EXTENDED", "EXPLAIN PARTITIONS"):
            sql = prefix + " SELECT * FROM t_order WHERE user_id = 1 AND order_id = 11"
            cols, rows = self.explain(c, sql)
            ref_cols, ref_rows = self.explain(self.ref, sql)
            print(sql, "->", rows)
            self.assertEqual(cols, ref_cols)
            self.assertEqual(len(rows), 1)
            got = dict(zip(cols, rows[0]))
            want = dict(zip(ref_cols, ref_rows[0]))
            for k in ("id", "select_type", "table", "type", "key", "ref"):
                self.assertEqual(got[k], want[k], k)
            no_physical_names(self, repr(rows))
        # DML too
        cols, rows = self.explain(c, "EXPLAIN UPDATE t_order SET amount = 1 WHERE user_id = 1 AND order_id = 11")
        self.assertEqual(rows[0][cols.index("table")], "t_order")

    def test_explain_every_unit(self):
        c = self.session()
        cols, rows = self.explain(c, "EXPLAIN SELECT o.status, a.address_name FROM t_order o "
                                     "JOIN t_address a ON a.address_id = o.user_id WHERE o.status = 'NEW'")
        print(rows)
        self.assertEqual(cols[:10], ["id", "select_type", "table", "type", "possible_keys", "key",
                                     "key_len", "ref", "rows", "Extra"])
        tables = [r[2] for r in rows]
        # every actual table of every data source has its plan: 2 data sources x 2 tables x 2 sides
        self.assertEqual(sorted(set(tables)), ["a", "o"])
        self.assertEqual(len(rows), 8)
        cols, rows = self.explain(c, "EXPLAIN SELECT COUNT(*) FROM t_order")
        self.assertEqual({r[2] for r in rows if r[2]}, {"t_order"})
        self.assertEqual(len([r for r in rows if r[2]]), 4)
        no_physical_names(self, repr(rows))

    def test_explain_json(self):
        c = self.session()
        sql = "EXPLAIN FORMAT=JSON SELECT * FROM t_order WHERE user_id = 1 AND order_id = 11"
        cols, rows = self.explain(c, sql)
        ref_cols, ref_rows = self.explain(self.ref, sql)
        self.assertEqual(cols, ref_cols)
        self.assertEqual(len(rows), 1)
        plan = json.loads(rows[0][0])
        want = json.loads(ref_rows[0][0])
        self.assertEqual(plan["query_block"]["nested_loop"][0]["table"]["table_name"], "t_order")
        self.assertEqual(plan["query_block"]["nested_loop"][0]["table"]["access_type"],
                         want["query_block"]["nested_loop"][0]["table"]["access_type"])
        # one JSON plan per unit (each data source's statement)
        cols, rows = self.explain(c, "EXPLAIN FORMAT=JSON SELECT * FROM t_order WHERE status = 'NEW'")
        print("JSON plans:", len(rows))
        self.assertEqual(len(rows), 2)
        for r in rows:
            json.loads(r[0])
            no_physical_names(self, r[0])

    def test_explain_table_is_still_describe(self):
        c = self.session()
        cols, rows = self.explain(c, "EXPLAIN t_order")
        self.assertEqual([r[0] for r in rows], ["order_id", "user_id", "status", "amount"])


if __name__ == "__main__":
    h.main()
