"""Single-shard DML through the proxy on a sharded logical database over two MariaDB servers,
checked on the servers directly.

sharding_db: ds_0 on the first server, ds_1 on the second. t_order and t_order_item are bound,
go to ds_${user_id % 2} and then to _${order_id % 2}; t_order.order_id is a SNOWFLAKE key;
t_address is a broadcast table. After every statement the test reads all ten actual tables
on both servers and checks each row is in the one table its keys choose and nowhere else.

ShardingDdlTest: the same rules (new single tables on ds_1) over two other, initially empty actual
databases: DDL through the proxy on sharded, broadcast and single tables, each change checked in
both servers' information_schema (and nothing else changed); single tables found at start-up; the
logical tables SHOW [FULL] TABLES lists; RENAME of a sharded table refused.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "sharding_db"
ACTUAL = ("it_shard_ds0", "it_shard_ds1")  # ds_0, ds_1
DATA_SOURCES = ("ds_0", "ds_1")
SHARDED = ("t_order", "t_order_item")
ACTUAL_TABLES = [(ds, "%s_%d" % (t, i)) for ds in DATA_SOURCES for t in SHARDED for i in (0, 1)] + \
    [(ds, "t_address") for ds in DATA_SOURCES]

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
      keyGenerateStrategy:
        column: order_id
        keyGeneratorName: snowflake
    t_order_item:
      actualDataNodes: ds_${0..1}.t_order_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_item_inline
      keyGenerateStrategy:
        column: order_item_id
        keyGeneratorName: snowflake
  bindingTables:
    - t_order,t_order_item
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: database_inline
  defaultTableStrategy:
    none:
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
  keyGenerators:
    snowflake:
      type: SNOWFLAKE
- !BROADCAST
  tables:
    - t_address
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_0
"""

# Columns read back from the servers, in this order.
COLUMNS = {
    "t_order": "order_id, user_id, status, amount",
    "t_order_item": "order_item_id, order_id, user_id, status",
    "t_address": "address_id, address_name",
}
UPDATE_SHARDING_ERR = "Can not update sharding value for table `t_order`."


def logic_of(table):
    return "t_address" if table == "t_address" else table.rsplit("_", 1)[0]


def node_of(user_id, order_id, logic="t_order"):
    """(data source, actual table) the rules choose for a row."""
    return "ds_%d" % (user_id % 2), "%s_%d" % (logic, order_id % 2)


class ShardingTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.enterClassContext(h.actual_databases(zip(ports, ACTUAL)))
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            statements = []
            for i in (0, 1):
                statements.append("CREATE TABLE t_order_%d (order_id BIGINT NOT NULL PRIMARY KEY, "
                                  "user_id INT NOT NULL, status VARCHAR(32), amount INT NOT NULL DEFAULT 0)" % i)
                statements.append("CREATE TABLE t_order_item_%d (order_item_id BIGINT NOT NULL PRIMARY KEY, "
                                  "order_id BIGINT NOT NULL, user_id INT NOT NULL, status VARCHAR(32))" % i)
            statements.append("CREATE TABLE t_address (address_id BIGINT NOT NULL PRIMARY KEY, "
                              "address_name VARCHAR(64))")
            h.direct_exec(cls.ports[ds], actual, *statements)
        cls.direct = {}
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            c = h.direct(cls.ports[ds], actual)
            cls.addClassCleanup(c.close)
            cls.direct[ds] = c
        sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="sharding"))

    def setUp(self):
        for ds, table in ACTUAL_TABLES:
            self.backend(ds, "DELETE FROM %s" % table)

    # ---- helpers ----
    def conn(self, **kw):
        c = h.connect(self.proxy, db=LOGICAL, **kw)
        self.addCleanup(c.close)
        return c

    def raw(self):
        c = h.raw_client(self.proxy.port, db=LOGICAL)
        self.addCleanup(c.close)
        return c

    def backend(self, ds, sql, args=None):
        with self.direct[ds].cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def execute(self, c, sql, args=None):
        """Runs sql through the proxy; returns (affected rows, last insert id)."""
        with c.cursor() as cur:
            cur.execute(sql, args)
            return cur.rowcount, cur.lastrowid

    def placement(self):
        """{(ds, actual table): sorted rows} of every non-empty actual table on both servers."""
        out = {}
        for ds, table in ACTUAL_TABLES:
            rows = self.backend(ds, "SELECT %s FROM %s ORDER BY 1" % (COLUMNS[logic_of(table)], table))
            if rows:
                out[(ds, table)] = sorted(rows)
        return out

    def expected_orders(self, rows, items=(), addresses=()):
        """Where t_order rows (order_id, user_id, status, amount), t_order_item rows
        (order_item_id, order_id, user_id, status) and broadcast t_address rows must be."""
        out = {}
        for r in rows:
            out.setdefault(node_of(r[1], r[0]), []).append(tuple(r))
        for r in items:
            out.setdefault(node_of(r[2], r[1], "t_order_item"), []).append(tuple(r))
        for r in addresses:
            for ds in DATA_SOURCES:
                out.setdefault((ds, "t_address"), []).append(tuple(r))
        return {k: sorted(v) for k, v in out.items()}

    def assert_placement(self, rows, items=(), addresses=(), msg=None):
        self.assertEqual(self.placement(), self.expected_orders(rows, items, addresses), msg)

    def assert_error(self, c, sql, errno, message=None, prefix=None):
        with self.assertRaises(pymysql.MySQLError) as cm:
            self.execute(c, sql)
        return self.assertMySQLError(cm.exception, errno, message=message, prefix=prefix)

    def preview(self, c, sql):
        with c.cursor() as cur:
            cur.execute("PREVIEW " + sql)
            self.assertEqual([d[0] for d in cur.description], ["data_source_name", "actual_sql"])
            return [tuple(r) for r in cur.fetchall()]

    # Four rows, one on each node of t_order.
    FOUR = [(10, 0, "a", 0), (11, 0, "b", 0), (12, 1, "c", 0), (13, 1, "d", 0)]

    def seed_four(self, c):
        n, _ = self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES "
                               "(10, 0, 'a', 0), (11, 0, 'b', 0), (12, 1, 'c', 0), (13, 1, 'd', 0)")
        self.assertEqual(n, 4)
        self.assert_placement(self.FOUR)

    # ---- INSERT / REPLACE ----
    def test_insert_single_row(self):
        c = self.conn()
        self.assertEqual(self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (1001, 3, 'new')"),
                         (1, 0))
        self.assert_placement([(1001, 3, "new", 0)])
        self.assertEqual(self.placement(), {("ds_1", "t_order_1"): [(1001, 3, "new", 0)]})
        # logical database qualifier and backquotes
        self.execute(c, "INSERT INTO `sharding_db`.`t_order` (`order_id`, `user_id`, `status`) VALUES (1002, 3, 'q')")
        self.execute(c, "insert into sharding_db.T_ORDER (ORDER_ID, USER_ID, STATUS) values (2000, 8, 'lower')")
        self.assert_placement([(1001, 3, "new", 0), (1002, 3, "q", 0), (2000, 8, "lower", 0)])
        self.assertEqual(self.placement()[("ds_0", "t_order_0")], [(2000, 8, "lower", 0)])

    def test_insert_multi_row_split(self):
        c = self.conn()
        rows = [(100, 0, "r0", 1), (101, 0, "r1", 2), (102, 1, "r2", 3), (103, 1, "r3", 4),
                (104, 2, "r4", 5), (105, 7, "r5", 6), (106, 9, "r6", 7)]
        values = ", ".join("(%d, %d, '%s', %d)" % r for r in rows)
        n, _ = self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES " + values)
        self.assertEqual(n, len(rows))
        self.assert_placement(rows)
        got = self.placement()
        self.assertEqual(got[("ds_0", "t_order_0")], [(100, 0, "r0", 1), (104, 2, "r4", 5)])
        self.assertEqual(got[("ds_0", "t_order_1")], [(101, 0, "r1", 2)])
        self.assertEqual(got[("ds_1", "t_order_0")], [(102, 1, "r2", 3), (106, 9, "r6", 7)])
        self.assertEqual(got[("ds_1", "t_order_1")], [(103, 1, "r3", 4), (105, 7, "r5", 6)])
        # column order other than the table's, and the bound table
        items = [(1, 100, 0, "i1"), (2, 101, 0, "i2"), (3, 102, 1, "i3"), (4, 103, 1, "i4")]
        n, _ = self.execute(c, "INSERT INTO t_order_item (status, user_id, order_id, order_item_id) VALUES "
                               "('i1', 0, 100, 1), ('i2', 0, 101, 2), ('i3', 1, 102, 3), ('i4', 1, 103, 4)")
        self.assertEqual(n, 4)
        self.assert_placement(rows, items)

    def test_insert_set_form(self):
        c = self.conn()
        self.assertEqual(self.execute(c, "INSERT INTO t_order SET order_id = 21, user_id = 4, status = 'set'")[0], 1)
        self.assertEqual(self.placement(), {("ds_0", "t_order_1"): [(21, 4, "set", 0)]})
        self.execute(c, "INSERT INTO t_order SET user_id = 5, status = 'set2', order_id = 22, amount = 9")
        self.assert_placement([(21, 4, "set", 0), (22, 5, "set2", 9)])

    def test_replace(self):
        c = self.conn()
        self.assertEqual(self.execute(c, "REPLACE INTO t_order (order_id, user_id, status) VALUES (31, 5, 'one')")[0], 1)
        self.assertEqual(self.placement(), {("ds_1", "t_order_1"): [(31, 5, "one", 0)]})
        # replaces the row: delete + insert = 2 affected rows
        self.assertEqual(self.execute(c, "REPLACE INTO t_order (order_id, user_id, status, amount) "
                                         "VALUES (31, 5, 'two', 3)")[0], 2)
        self.assertEqual(self.placement(), {("ds_1", "t_order_1"): [(31, 5, "two", 3)]})
        # multi-row REPLACE across shards, SET form
        self.execute(c, "REPLACE INTO t_order (order_id, user_id, status) VALUES (32, 6, 'x'), (31, 5, 'three')")
        self.execute(c, "REPLACE INTO t_order SET order_id = 33, user_id = 6, status = 'y'")
        self.assert_placement([(31, 5, "three", 0), (32, 6, "x", 0), (33, 6, "y", 0)])

    def find_order(self, order_id):
        """[(ds, table, row)] of every actual t_order table holding order_id."""
        out = []
        for ds, table in ACTUAL_TABLES:
            if logic_of(table) == "t_order":
                for r in self.backend(ds, "SELECT %s FROM %s WHERE order_id = %%s" % (COLUMNS["t_order"], table),
                                      (order_id,)):
                    out.append((ds, table, r))
        return out

    def test_insert_generated_key(self):
        c = self.conn()
        n, key = self.execute(c, "INSERT INTO t_order (user_id, status) VALUES (7, 'gen')")
        self.assertEqual(n, 1)
        self.assertGreater(key, 0, "no last insert id for the generated key")
        self.assertEqual(self.find_order(key), [(*node_of(7, key), (key, 7, "gen", 0))])
        self.assert_placement([(key, 7, "gen", 0)])
        # SET form
        n, key2 = self.execute(c, "INSERT INTO t_order SET user_id = 8, status = 'gen2'")
        self.assertEqual(n, 1)
        self.assertGreater(key2, key)
        self.assertEqual(self.find_order(key2), [(*node_of(8, key2), (key2, 8, "gen2", 0))])
        # raw OK packet
        rc = self.raw()
        ok = rc.query1("INSERT INTO t_order (user_id, status) VALUES (9, 'raw')")
        self.assertEqual((ok.kind, ok.affected_rows), ("ok", 1))
        self.assertGreater(ok.insert_id, key2)
        self.assertEqual(self.find_order(ok.insert_id), [(*node_of(9, ok.insert_id), (ok.insert_id, 9, "raw", 0))])
        # several rows: each on the node its own key chooses; the last insert id is the first key
        n, first = self.execute(c, "INSERT INTO t_order (user_id, status) VALUES "
                                   "(10, 'm0'), (11, 'm1'), (12, 'm2'), (13, 'm3'), (14, 'm4'), (15, 'm5')")
        self.assertEqual(n, 6)
        rows = []
        for ds, table in ACTUAL_TABLES:
            if logic_of(table) == "t_order":
                for r in self.backend(ds, "SELECT %s FROM %s WHERE status LIKE 'm%%'" % (COLUMNS["t_order"], table)):
                    self.assertEqual((ds, table), node_of(r[1], r[0]), "row %r on the wrong node" % (r,))
                    rows.append(r)
        self.assertEqual(sorted(r[2] for r in rows), ["m0", "m1", "m2", "m3", "m4", "m5"])
        keys = {r[2]: r[0] for r in rows}
        self.assertEqual(len(set(keys.values())), 6, "generated keys are not unique: %r" % keys)
        self.assertEqual(first, keys["m0"])
        self.assertEqual(first, min(keys.values()))
        self.assert_placement([(key, 7, "gen", 0), (key2, 8, "gen2", 0), (ok.insert_id, 9, "raw", 0)] + rows)
        # LAST_INSERT_ID() is the server's, not the proxy's: not checked

    def test_insert_on_duplicate_key_update(self):
        c = self.conn()
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES (41, 6, 'a', 1)")
        n, _ = self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES (41, 6, 'b', 1) "
                               "ON DUPLICATE KEY UPDATE status = 'dup', amount = amount + 1")
        self.assertEqual(n, 2)
        self.assertEqual(self.placement(), {("ds_0", "t_order_1"): [(41, 6, "dup", 2)]})
        n, _ = self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (41, 6, 'c'), (42, 7, 'new') "
                               "ON DUPLICATE KEY UPDATE status = VALUES(status)")
        self.assertEqual(n, 3)
        self.assert_placement([(41, 6, "c", 2), (42, 7, "new", 0)])
        # a sharding column in ON DUPLICATE KEY UPDATE would move the row: refused
        self.assert_error(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (41, 6, 'z') "
                             "ON DUPLICATE KEY UPDATE user_id = 8", 20041, message=UPDATE_SHARDING_ERR)
        self.assert_placement([(41, 6, "c", 2), (42, 7, "new", 0)])

    # ---- SELECT ----
    def test_select_full_sharding_key(self):
        c = self.conn()
        self.seed_four(c)
        # a row with the same keys planted on wrong nodes: a wrong route would return it
        self.backend("ds_0", "INSERT INTO t_order_1 VALUES (13, 1, 'decoy', 0)")
        self.backend("ds_1", "INSERT INTO t_order_0 VALUES (13, 1, 'decoy', 0)")
        self.assertEqual(h.query(c, "SELECT order_id, user_id, status FROM t_order WHERE user_id = 1 AND order_id = 13"),
                         ((13, 1, "d"),))
        self.assertEqual(h.query(c, "SELECT status FROM sharding_db.t_order WHERE order_id = 13 AND user_id = 1"),
                         (("d",),))
        self.assertEqual(h.query(c, "SELECT o.status FROM t_order o WHERE o.user_id = %s AND o.order_id = %s", (0, 11)),
                         (("b",),))
        self.assertEqual(h.query(c, "SELECT t_order.status, COUNT(*) FROM t_order "
                                    "WHERE user_id = 0 AND order_id = 10 GROUP BY t_order.status"), (("a", 1),))
        # no such row: empty result with the right columns
        with c.cursor() as cur:
            cur.execute("SELECT order_id, status FROM t_order WHERE user_id = 1 AND order_id = 11")
            self.assertEqual(cur.fetchall(), ())
            self.assertEqual([d[0] for d in cur.description], ["order_id", "status"])

    def test_binding_table_join(self):
        c = self.conn()
        self.seed_four(c)
        self.execute(c, "INSERT INTO t_order_item (order_item_id, order_id, user_id, status) VALUES "
                        "(1, 13, 1, 'x1'), (2, 13, 1, 'x2'), (3, 12, 1, 'y'), (4, 11, 0, 'z')")
        self.assert_placement(self.FOUR, [(1, 13, 1, "x1"), (2, 13, 1, "x2"), (3, 12, 1, "y"), (4, 11, 0, "z")])
        sql = ("SELECT o.order_id, o.status, i.order_item_id, i.status FROM t_order o "
               "JOIN t_order_item i ON o.order_id = i.order_id "
               "WHERE o.user_id = 1 AND o.order_id = 13 ORDER BY i.order_item_id")
        self.assertEqual(h.query(c, sql), ((13, "d", 1, "x1"), (13, "d", 2, "x2")))
        self.assertEqual(self.preview(c, sql), [(
            "ds_1", "SELECT o.order_id, o.status, i.order_item_id, i.status FROM t_order_1 o "
                    "JOIN t_order_item_1 i ON o.order_id = i.order_id "
                    "WHERE o.user_id = 1 AND o.order_id = 13 ORDER BY i.order_item_id")])
        self.assertEqual(h.query(c, "SELECT t_order_item.order_item_id FROM t_order, t_order_item "
                                    "WHERE t_order.order_id = t_order_item.order_id AND t_order.user_id = 0 "
                                    "AND t_order.order_id = 11"), ((4,),))

    def test_select_broadcast_table(self):
        c = self.conn()
        for ds in DATA_SOURCES:
            self.backend(ds, "INSERT INTO t_address VALUES (1, 'home'), (2, 'work')")
        self.assertEqual(h.query(c, "SELECT address_id, address_name FROM t_address ORDER BY address_id"),
                         ((1, "home"), (2, "work")))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_address WHERE address_id > 1"), ((1,),))
        self.assertEqual(len(self.preview(c, "SELECT * FROM t_address")), 1)

    def test_broadcast_read_prefers_a_data_source_the_session_holds(self):
        c = self.conn()
        self.assertEqual(self.preview(c, "SELECT * FROM t_address")[0][0], "ds_0")
        h.query(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (13, 1, 'x')")  # ds_1
        # a user variable set on ds_1 keeps that connection with the session
        self.assertEqual(h.query(c, "SELECT @s := status FROM t_order WHERE user_id = 1 AND order_id = 13"),
                         (("x",),))
        self.assertEqual(self.preview(c, "SELECT * FROM t_address")[0][0], "ds_1")
        self.backend("ds_1", "INSERT INTO t_address VALUES (7, 'only on ds_1')")
        self.assertEqual(h.query(c, "SELECT address_name FROM t_address WHERE address_id = 7"),
                         (("only on ds_1",),))
        # another session holds nothing: the default data source
        other = self.conn()
        self.assertEqual(self.preview(other, "SELECT * FROM t_address")[0][0], "ds_0")

    def test_preview(self):
        c = self.conn()
        cases = [
            ("SELECT * FROM t_order WHERE user_id = 1 AND order_id = 13",
             [("ds_1", "SELECT * FROM t_order_1 WHERE user_id = 1 AND order_id = 13")]),
            ("INSERT INTO t_order (order_id, user_id, status) VALUES (10, 0, 'a'), (11, 0, 'b'), (12, 2, 'c'), "
             "(15, 1, 'd')",
             [("ds_0", "INSERT INTO t_order_0 (order_id, user_id, status) VALUES (10, 0, 'a'), (12, 2, 'c')"),
              ("ds_0", "INSERT INTO t_order_1 (order_id, user_id, status) VALUES (11, 0, 'b')"),
              ("ds_1", "INSERT INTO t_order_1 (order_id, user_id, status) VALUES (15, 1, 'd')")]),
            ("INSERT INTO t_order SET order_id = 7, user_id = 2, status = 's'",
             [("ds_0", "INSERT INTO t_order_1 SET order_id = 7, user_id = 2, status = 's'")]),
            ("UPDATE t_order SET status = 'x' WHERE status = 'y'",
             [("ds_0", "UPDATE t_order_0 SET status = 'x' WHERE status = 'y'"),
              ("ds_0", "UPDATE t_order_1 SET status = 'x' WHERE status = 'y'"),
              ("ds_1", "UPDATE t_order_0 SET status = 'x' WHERE status = 'y'"),
              ("ds_1", "UPDATE t_order_1 SET status = 'x' WHERE status = 'y'")]),
            ("DELETE FROM sharding_db.t_order WHERE user_id = 3",
             [("ds_1", "DELETE FROM t_order_0 WHERE user_id = 3"),
              ("ds_1", "DELETE FROM t_order_1 WHERE user_id = 3")]),
            ("DELETE FROM `t_order` WHERE order_id IN (4, 6) AND user_id = 0",
             [("ds_0", "DELETE FROM `t_order_0` WHERE order_id IN (4, 6) AND user_id = 0")]),
            ("INSERT INTO t_address (address_id, address_name) VALUES (1, 'a')",
             [("ds_0", "INSERT INTO t_address (address_id, address_name) VALUES (1, 'a')"),
              ("ds_1", "INSERT INTO t_address (address_id, address_name) VALUES (1, 'a')")]),
        ]
        for sql, want in cases:
            with self.subTest(sql=sql):
                self.assertEqual(self.preview(c, sql), want)
        # generated key: the column and the value are added
        rows = self.preview(c, "INSERT INTO t_order (user_id, status) VALUES (1, 'g')")
        self.assertEqual(len(rows), 1)
        ds, sql = rows[0]
        self.assertEqual(ds, "ds_1")
        prefix = "INSERT INTO t_order_"
        self.assertTrue(sql.startswith(prefix), sql)
        suffix = sql[len(prefix):]
        table_no, rest = suffix[0], suffix[1:]
        self.assertTrue(rest.startswith(" (user_id, status, order_id) VALUES (1, 'g', ") and rest.endswith(")"), sql)
        key = int(rest[len(" (user_id, status, order_id) VALUES (1, 'g', "):-1])
        self.assertEqual(int(table_no), key % 2)
        # PREVIEW runs nothing
        self.assertEqual(self.placement(), {})

    # ---- UPDATE / DELETE ----
    def test_update_delete_with_sharding_key(self):
        c = self.conn()
        self.seed_four(c)
        # the same keys planted on the three wrong nodes: only the right actual table may change
        decoys = {("ds_0", "t_order_0"), ("ds_0", "t_order_1"), ("ds_1", "t_order_0")}
        for ds, table in sorted(decoys):
            self.backend(ds, "INSERT INTO %s VALUES (113, 1, 'decoy', 0)" % table)
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (113, 1, 'real')")
        before = self.placement()
        self.assertIn((113, 1, "real", 0), before[("ds_1", "t_order_1")])

        n, _ = self.execute(c, "UPDATE t_order SET status = 'upd', amount = amount + 5 "
                               "WHERE user_id = 1 AND order_id = 113")
        self.assertEqual(n, 1)
        after = self.placement()
        want = dict(before)
        want[("ds_1", "t_order_1")] = sorted([(13, 1, "d", 0), (113, 1, "upd", 5)])
        self.assertEqual(after, want)

        n, _ = self.execute(c, "DELETE FROM t_order WHERE order_id = 113 AND user_id = 1")
        self.assertEqual(n, 1)
        want[("ds_1", "t_order_1")] = [(13, 1, "d", 0)]
        self.assertEqual(self.placement(), want)
        for ds, table in decoys:
            self.assertIn((113, 1, "decoy", 0), self.placement()[(ds, table)])

        # the sharding column set to the value the WHERE pins it to is no move: allowed
        n, _ = self.execute(c, "UPDATE t_order SET user_id = 0, status = 'same' WHERE user_id = 0 AND order_id = 10")
        self.assertEqual(n, 1)
        self.assertIn((10, 0, "same", 0), self.placement()[("ds_0", "t_order_0")])
        # no row matches on the routed node: 0 rows
        self.assertEqual(self.execute(c, "DELETE FROM t_order WHERE user_id = 1 AND order_id = 11")[0], 0)
        self.assertIn((11, 0, "b", 0), self.placement()[("ds_0", "t_order_1")])

    def test_update_delete_fan_out(self):
        c = self.conn()
        rows = [(10, 0, "old", 0), (11, 0, "old", 0), (12, 1, "old", 0), (13, 1, "old", 0),
                (14, 2, "old", 0), (15, 3, "keep", 0), (16, 5, "old", 0), (17, 4, "keep", 0)]
        values = ", ".join("(%d, %d, '%s', %d)" % r for r in rows)
        self.assertEqual(self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES " + values)[0],
                         8)
        self.assert_placement(rows)
        # no sharding condition: all four nodes, affected rows summed
        n, _ = self.execute(c, "UPDATE t_order SET status = 'new' WHERE status = 'old'")
        self.assertEqual(n, 6)
        rows = [(o, u, "new" if s == "old" else s, a) for o, u, s, a in rows]
        self.assert_placement(rows)
        # database sharding value only: both tables of ds_1
        n, _ = self.execute(c, "UPDATE t_order SET amount = amount + 1 WHERE user_id IN (1, 3)")
        self.assertEqual(n, 3)
        rows = [(o, u, s, a + 1 if u in (1, 3) else a) for o, u, s, a in rows]
        self.assert_placement(rows)
        # table sharding value only: t_order_0 on both data sources
        n, _ = self.execute(c, "DELETE FROM t_order WHERE order_id IN (10, 12, 16)")
        self.assertEqual(n, 3)
        rows = [r for r in rows if r[0] not in (10, 12, 16)]
        self.assert_placement(rows)
        n, _ = self.execute(c, "DELETE FROM t_order WHERE status = 'new'")
        self.assertEqual(n, 3)
        rows = [r for r in rows if r[2] != "new"]
        self.assert_placement(rows)
        self.assertEqual(self.execute(c, "DELETE FROM t_order WHERE status = 'nothing'")[0], 0)
        self.assert_placement(rows)
        # raw OK packet of a multi-unit write
        rc = self.raw()
        ok = rc.query1("UPDATE t_order SET status = 'r' WHERE amount >= 0")
        self.assertEqual((ok.kind, ok.affected_rows, ok.insert_id), ("ok", 2, 0))
        self.assert_placement([(o, u, "r", a) for o, u, s, a in rows])

    def test_update_sharding_column(self):
        c = self.conn()
        self.seed_four(c)
        # A row that would have to move to another node: refused, nothing changed (the first is
        # refused after the proxy finds the row on its node, the others before running anything).
        for sql in ["UPDATE t_order SET user_id = 2 WHERE user_id = 1 AND order_id = 13",
                    "UPDATE t_order SET status = 'n', user_id = 3 WHERE status = 'd'",
                    "UPDATE t_order SET order_id = order_id + 2 WHERE user_id = 0"]:
            with self.subTest(sql=sql):
                self.assert_error(c, sql, 20041, message=UPDATE_SHARDING_ERR)
                self.assert_placement(self.FOUR)
        rc = self.raw()
        r = rc.query("UPDATE t_order SET user_id = 2 WHERE user_id = 1 AND order_id = 13")[0]
        self.assertMySQLError(r, 20041, "44000", message=UPDATE_SHARDING_ERR)
        self.assertEqual(rc.query1("SELECT status FROM t_order WHERE user_id = 1 AND order_id = 13").rows, [[b"d"]])
        self.assert_placement(self.FOUR)
        # New values that keep the row on its node (13 and 99 both pick t_order_1 of ds_1), and
        # an ORM's save() setting the keys to their own values: done, as one server would.
        self.assertEqual(self.execute(c, "UPDATE t_order SET order_id = 99 WHERE user_id = 1 AND order_id = 13"), (1, 0))
        self.assert_placement([r for r in self.FOUR if r[0] != 13] + [(99, 1, "d", 0)])
        self.assertEqual(self.execute(c, "UPDATE t_order SET order_id = '13', user_id = '1', status = 'd' "
                                         "WHERE order_id = 99"), (1, 0))
        self.assert_placement(self.FOUR)

    # ---- broadcast writes ----
    def test_broadcast_write_lands_everywhere(self):
        c = self.conn()
        self.execute(c, "INSERT INTO t_address (address_id, address_name) VALUES (1, 'home'), (2, 'work')")
        self.assert_placement([], addresses=[(1, "home"), (2, "work")])
        self.execute(c, "UPDATE t_address SET address_name = 'office' WHERE address_id = 2")
        self.assert_placement([], addresses=[(1, "home"), (2, "office")])
        self.execute(c, "DELETE FROM t_address WHERE address_id = 1")
        self.assert_placement([], addresses=[(2, "office")])
        self.assertEqual(h.query(c, "SELECT address_name FROM t_address"), (("office",),))

    def test_broadcast_write_affected_rows(self):
        # ShardingSphere does not add up the update counts of a write on broadcast tables only
        # (ShardingRule.isNeedAccumulate): the client sees the rows of one copy.
        c = self.conn()
        n, _ = self.execute(c, "INSERT INTO t_address (address_id, address_name) VALUES (1, 'home'), (2, 'work')")
        self.assertEqual(n, 2, "INSERT of 2 rows into broadcast t_address")
        n, _ = self.execute(c, "UPDATE t_address SET address_name = 'x'")
        self.assertEqual(n, 2, "UPDATE of 2 rows of broadcast t_address")
        n, _ = self.execute(c, "DELETE FROM t_address WHERE address_id = 1")
        self.assertEqual(n, 1, "DELETE of 1 row of broadcast t_address")
        self.assert_placement([], addresses=[(2, "x")])

    # ---- errors ----
    def test_multi_shard_selects_are_merged(self):
        # (The differential test covers merging in depth; this checks the basics end to end.)
        c = self.conn()
        self.seed_four(c)   # (10,0,a) (11,0,b) (12,1,c) (13,1,d): one row per actual table
        self.assertEqual(sorted(h.query(c, "SELECT order_id, user_id, status FROM t_order")),
                         [(o, u, st) for (o, u, st, _) in self.FOUR])
        self.assertEqual(h.query(c, "SELECT order_id FROM t_order ORDER BY order_id DESC LIMIT 1, 2"),
                         ((12,), (11,)))
        self.assertEqual(h.query(c, "SELECT COUNT(*), SUM(order_id), MIN(status), MAX(order_id) FROM t_order"),
                         ((4, 46, "a", 13),))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order WHERE order_id IN (10, 13)"), ((2,),))
        self.assertEqual(h.query(c, "SELECT user_id, COUNT(*) FROM t_order GROUP BY user_id ORDER BY user_id"),
                         ((0, 2), (1, 2)))
        self.assertEqual(h.query(c, "SELECT COUNT(DISTINCT user_id) FROM t_order"), ((2,),))
        # units on one data source, joined with UNION ALL, then merged
        self.assertEqual(h.query(c, "SELECT MAX(order_id) FROM t_order WHERE user_id = 1"), ((13,),))
        # HAVING applies to the merged groups (each shard holds part of each group here)
        self.assertEqual(h.query(c, "SELECT status, COUNT(*) FROM t_order GROUP BY status HAVING COUNT(*) > 0 "
                                    "AND MAX(order_id) >= 12"), (("c", 1), ("d", 1)))
        self.assertEqual(h.query(c, "SELECT COUNT(*) AS n FROM t_order HAVING n = 4"), ((4,),))
        self.assertEqual(h.query(c, "SELECT COUNT(*) AS n FROM t_order HAVING n > 4"), ())
        self.assertEqual(h.query(c, "SELECT user_id FROM t_order GROUP BY user_id HAVING SUM(order_id) > 22"),
                         ((1,),))
        # expressions over the merged aggregates, DISTINCT aggregates beside others
        self.assertEqual(h.query(c, "SELECT user_id FROM t_order GROUP BY user_id HAVING COUNT(*) + 1 > 2"),
                         ((0,), (1,)))
        self.assertEqual(h.query(c, "SELECT COUNT(*), COUNT(DISTINCT status) FROM t_order"), ((4, 4),))
        # what cannot be merged correctly is refused, never answered wrongly
        self.assert_error(c, "SELECT user_id FROM t_order GROUP BY user_id HAVING SQRT(COUNT(*)) > 2", 1235)
        self.assertEqual(h.query(c, "SELECT status FROM t_order WHERE user_id = 0 AND order_id = 11"), (("b",),))
        self.assert_placement(self.FOUR)

    # ---- LOCAL transactions: one per data source, committed together ----
    def test_local_transaction_commits_every_data_source(self):
        c = self.conn()
        h.query(c, "BEGIN")
        self.assertTrue(c.server_status & 1, "SERVER_STATUS_IN_TRANS after BEGIN")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES "
                        "(10, 0, 'a', 0), (13, 1, 'd', 0)")   # ds_0 and ds_1
        self.assertEqual(h.query(c, "SELECT status FROM t_order WHERE user_id = 1 AND order_id = 13"),
                         (("d",),))
        self.assert_placement([])   # not visible outside the transaction yet
        h.query(c, "COMMIT")
        self.assertFalse(c.server_status & 1)
        self.assert_placement([(10, 0, "a", 0), (13, 1, "d", 0)])

    def test_local_transaction_rolls_back_every_data_source(self):
        c = self.conn()
        self.seed_four(c)
        h.query(c, "START TRANSACTION")
        self.execute(c, "UPDATE t_order SET status = 'z'")            # all four tables
        self.execute(c, "DELETE FROM t_order WHERE user_id = 1 AND order_id = 13")
        h.query(c, "ROLLBACK")
        self.assert_placement(self.FOUR)

    def test_autocommit_off_and_commit(self):
        c = self.conn()
        h.query(c, "SET autocommit = 0")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES "
                        "(11, 0, 'b', 0), (12, 1, 'c', 0)")
        self.assert_placement([])
        h.query(c, "COMMIT")
        self.assert_placement([(11, 0, "b", 0), (12, 1, "c", 0)])
        self.execute(c, "DELETE FROM t_order WHERE user_id = 1 AND order_id = 12")
        h.query(c, "ROLLBACK")
        self.assert_placement([(11, 0, "b", 0), (12, 1, "c", 0)])
        h.query(c, "SET autocommit = 1")

    def test_disconnect_in_a_transaction_rolls_back(self):
        c = h.connect(self.proxy, db=LOGICAL)
        h.query(c, "BEGIN")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES "
                        "(10, 0, 'a', 0), (13, 1, 'd', 0)")
        c.close()
        h.wait_until(lambda: self.placement() == self.expected_orders([]) or None, 10,
                     what="the transaction's rows to be rolled back")

    def test_ddl_commits_the_transaction(self):
        c = self.conn()
        h.query(c, "BEGIN")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES (13, 1, 'd', 0)")
        h.query(c, "CREATE TABLE IF NOT EXISTS t_address (address_id BIGINT PRIMARY KEY, "
                   "address_name VARCHAR(100))")
        self.assertFalse(c.server_status & 1)
        self.assert_placement([(13, 1, "d", 0)])

    def test_savepoints_in_a_local_transaction(self):
        # On every data source of the transaction, including one that joins after the savepoint
        # (more in test_xa.py).
        c = self.conn()
        h.query(c, "BEGIN")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES (13, 1, 'd', 0)")
        h.query(c, "SAVEPOINT s1")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES (14, 2, 'e', 0)")
        h.query(c, "ROLLBACK TO SAVEPOINT s1")
        self.assertTrue(c.server_status & 1)
        h.query(c, "COMMIT")
        self.assert_placement([(13, 1, "d", 0)])

    def test_session_functions_in_a_routed_select(self):
        c = self.conn()
        self.seed_four(c)
        self.assertEqual(h.query(c, "SELECT DATABASE(), o.order_id FROM t_order o WHERE user_id = 1 AND order_id = 13"),
                         ((LOGICAL, 13),))

    def test_having_on_an_aggregate_not_selected(self):
        c = self.conn()
        self.seed_four(c)
        self.assertEqual(h.query(c, "SELECT 1 FROM t_order HAVING COUNT(*) > 3"), ((1,),))
        self.assertEqual(h.query(c, "SELECT 1 FROM t_order HAVING COUNT(*) > 4"), ())

    def test_same_statement_with_other_spacing(self):
        # One statement cache entry for both spellings; the rewrite must follow each text.
        c = self.conn()
        self.seed_four(c)
        for sql in ["SELECT status FROM t_order WHERE user_id = 1 AND order_id = 13",
                    "SELECT  status  FROM  t_order WHERE user_id=1 AND order_id=13",
                    "SELECT status\n FROM t_order /* c */ WHERE user_id = 1 AND order_id = 13"]:
            with self.subTest(sql=sql):
                self.assertEqual(h.query(c, sql), (("d",),))

    def test_units_of_one_data_source_run_as_one_union_all(self):
        # Both tables of user 1 live on ds_1: a simple SELECT over them is one statement there.
        c = self.conn()
        self.seed_four(c)
        expected = (("ds_1", "SELECT order_id FROM t_order_0 WHERE user_id = 1 UNION ALL "
                             "SELECT order_id FROM t_order_1 WHERE user_id = 1"),)
        for preview in ("PREVIEW", "/* c */ preview", "# c\nPrEvIeW\n "):
            with self.subTest(preview=preview):
                self.assertEqual(
                    h.query(c, preview + " SELECT order_id FROM t_order WHERE user_id = 1"),
                    expected)
        rows = h.query(c, "SELECT order_id, status FROM t_order WHERE user_id = 1")
        self.assertEqual(sorted(rows), [(o, st) for (o, u, st, _) in self.FOUR if u == 1])

    def test_errors_leave_session_usable(self):
        c = self.conn()
        self.seed_four(c)
        self.assert_error(c, "SELEC * FROM t_order", 1064)
        self.assert_error(c, "SELECT * FROM t_order WHERE", 1064)
        self.assert_error(c, "INSERT INTO t_order (order_id, user_id) VALUES (1, 2", 1064)
        self.assert_error(c, "UPDATE t_order SET user_id = 5 WHERE order_id = 10 AND user_id = 0", 20041,
                          message=UPDATE_SHARDING_ERR)
        self.assert_error(c, "SELECT * FROM t_order HAVING nosuch > 1", 1054)
        # backend errors on one shard come back as they are
        self.assert_error(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (10, 0, 'dup')", 1062)
        self.assert_error(c, "SELECT nosuchcolumn FROM t_order WHERE user_id = 0 AND order_id = 10", 1054)
        self.assertEqual(self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (20, 0, 'after')")[0], 1)
        self.assertEqual(h.query(c, "SELECT status FROM t_order WHERE user_id = 0 AND order_id = 20"), (("after",),))
        self.assert_placement(self.FOUR + [(20, 0, "after", 0)])
        # the same on the raw protocol: each ERR is followed by a working statement
        rc = self.raw()
        for sql, errno in [("SELEC 1", 1064),
                           ("SELECT user_id FROM t_order GROUP BY user_id HAVING SQRT(COUNT(*)) > 1", 1235),
                           ("UPDATE t_order SET order_id = 1 WHERE status = 'a'", 20041)]:
            r = rc.query(sql)
            self.assertEqual(len(r), 1)
            self.assertMySQLError(r[0], errno)
            self.assertEqual(rc.query1("SELECT user_id FROM t_order WHERE user_id = 1 AND order_id = 12").rows,
                             [[b"1"]])

    # ---- clients ----
    def test_pymysql_parameters(self):
        c = self.conn()
        with c.cursor() as cur:
            cur.execute("INSERT INTO t_order (order_id, user_id, status, amount) VALUES (%s, %s, %s, %s)",
                        (51, 3, "it's \"q\" \\ x", 1))
            self.assertEqual(cur.rowcount, 1)
            # executemany on INSERT ... VALUES is one multi-row INSERT in pymysql
            cur.executemany("INSERT INTO t_order (order_id, user_id, status, amount) VALUES (%s, %s, %s, %s)",
                            [(52, 3, "m", 2), (53, 4, "n", 3), (54, 5, None, 4)])
            self.assertEqual(cur.rowcount, 3)
            cur.execute("SELECT status, amount FROM t_order WHERE user_id = %s AND order_id = %s", (3, 51))
            self.assertEqual(cur.fetchall(), (("it's \"q\" \\ x", 1),))
            cur.execute("UPDATE t_order SET status = %s WHERE user_id = %s AND order_id = %s", ("p", 5, 54))
            self.assertEqual(cur.rowcount, 1)
            cur.execute("DELETE FROM t_order WHERE order_id = %(o)s AND user_id = %(u)s", {"o": 52, "u": 3})
            self.assertEqual(cur.rowcount, 1)
        self.assert_placement([(51, 3, "it's \"q\" \\ x", 1), (53, 4, "n", 3), (54, 5, "p", 4)])

    def test_mariadb_cli(self):
        r = h.mariadb_cli(self.proxy.port, ["--batch", "--skip-column-names", "-e",
                                            "INSERT INTO t_order (order_id, user_id, status) VALUES (61, 1, 'cli'), "
                                            "(62, 2, 'cli'); "
                                            "UPDATE t_order SET amount = 4 WHERE user_id = 2 AND order_id = 62; "
                                            "SELECT order_id, status, amount FROM t_order "
                                            "WHERE user_id = 2 AND order_id = 62"],
                          db=LOGICAL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "62\tcli\t4\n")
        self.assertEqual(self.placement(), {("ds_1", "t_order_1"): [(61, 1, "cli", 0)],
                                            ("ds_0", "t_order_0"): [(62, 2, "cli", 4)]})
        r = h.mariadb_cli(self.proxy.port, ["--batch", "--skip-column-names", "-e",
                                            "SELECT order_id FROM t_order ORDER BY order_id"], db=LOGICAL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "61\n62\n")


# ------------------------------------------------------------------------------------------
# DDL and logical metadata
# ------------------------------------------------------------------------------------------

DDL_ACTUAL = ("it_shddl_ds0", "it_shddl_ds1")  # ds_0, ds_1
# The same rules, new single tables going to ds_1 (not the first data source).
DDL_RULES = RULES.replace("defaultDataSource: ds_0", "defaultDataSource: ds_1")
assert DDL_RULES != RULES
# No defaultDataSource: new single tables go to the first data source, ds_0.
NO_DEFAULT_RULES = RULES.replace("  defaultDataSource: ds_0\n", "")
assert NO_DEFAULT_RULES != RULES

CREATE_ORDER = ("CREATE TABLE t_order (order_id BIGINT NOT NULL, user_id INT NOT NULL, status VARCHAR(32), "
                "amount INT NOT NULL DEFAULT 0, PRIMARY KEY (order_id), KEY idx_user (user_id), "
                "UNIQUE KEY uk_status (status, order_id), CONSTRAINT ck_amount CHECK (amount >= 0))")
ORDER_COLUMNS = [("order_id", "bigint(20)", "NO"), ("user_id", "int(11)", "NO"), ("status", "varchar(32)", "YES"),
                 ("amount", "int(11)", "NO")]
CREATE_ITEM = ("CREATE TABLE t_order_item (order_item_id BIGINT NOT NULL PRIMARY KEY, order_id BIGINT NOT NULL, "
               "user_id INT NOT NULL, status VARCHAR(32), KEY idx_order (order_id))")
ITEM_COLUMNS = [("order_item_id", "bigint(20)", "NO"), ("order_id", "bigint(20)", "NO"), ("user_id", "int(11)", "NO"),
                ("status", "varchar(32)", "YES")]
CREATE_ADDRESS = "CREATE TABLE t_address (address_id BIGINT NOT NULL PRIMARY KEY, address_name VARCHAR(64))"
ADDRESS_COLUMNS = [("address_id", "bigint(20)", "NO"), ("address_name", "varchar(64)", "YES")]
ACTUAL_ORDERS = [(ds, "t_order_%d" % i) for ds in DATA_SOURCES for i in (0, 1)]
ACTUAL_ITEMS = [(ds, "t_order_item_%d" % i) for ds in DATA_SOURCES for i in (0, 1)]
RENAME_SHARDED_ERR = "Can not support operation `RENAME TABLE` with sharding table `t_order`."


def table_shape(columns, indexes=(), constraints=(), kind="BASE TABLE"):
    """What the servers' information_schema says of one table: its type, columns (name, type,
    nullable) in order, indexes {(name, non_unique, "col,col")} and constraints {(name, type)}."""
    return {"type": kind, "columns": list(columns), "indexes": set(indexes), "constraints": set(constraints)}


def order_shape(actual, extra_columns=(), extra_indexes=()):
    """An actual table of t_order as CREATE_ORDER makes it: index and constraint names suffixed."""
    return table_shape(ORDER_COLUMNS + list(extra_columns),
                       {("PRIMARY", 0, "order_id"), ("idx_user_" + actual, 1, "user_id"),
                        ("uk_status_" + actual, 0, "status,order_id")} | set(extra_indexes),
                       {("PRIMARY", "PRIMARY KEY"), ("uk_status_" + actual, "UNIQUE"),
                        ("ck_amount_" + actual, "CHECK")})


def item_shape(actual):
    return table_shape(ITEM_COLUMNS, {("PRIMARY", 0, "order_item_id"), ("idx_order_" + actual, 1, "order_id")},
                       {("PRIMARY", "PRIMARY KEY")})


class ShardingDdlTest(h.TestCase):
    """DDL through the proxy on the sharding_db rules (new single tables on ds_1), and the
    logical tables SHOW TABLES lists; every schema change checked in both servers'
    information_schema. Each test starts from two empty actual databases."""

    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.actual = dict(zip(DATA_SOURCES, DDL_ACTUAL))
        cls.enterClassContext(h.actual_databases(zip(ports, DDL_ACTUAL)))
        cls.direct = {}
        for ds, actual in zip(DATA_SOURCES, DDL_ACTUAL):
            c = h.direct(cls.ports[ds], actual)
            cls.addClassCleanup(c.close)
            cls.direct[ds] = c
        cls.sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, DDL_ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, cls.sources, rules=DDL_RULES)}, name="sharding-ddl"))

    def setUp(self):
        for ds in DATA_SOURCES:
            self.backend(ds, "SET FOREIGN_KEY_CHECKS = 0")
            for name, kind in self.backend(ds, "SHOW FULL TABLES"):
                self.backend(ds, "DROP %s `%s`" % ("VIEW" if kind == "VIEW" else "TABLE", name))
            self.backend(ds, "SET FOREIGN_KEY_CHECKS = 1")

    # ---- helpers ----
    def conn(self, proxy=None):
        c = h.connect(proxy or self.proxy, db=LOGICAL)
        self.addCleanup(c.close)
        return c

    def backend(self, ds, sql, args=None):
        with self.direct[ds].cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def execute(self, c, sql, args=None):
        with c.cursor() as cur:
            cur.execute(sql, args)
            return cur.rowcount

    def schema(self):
        """{(ds, table): table_shape} of every table and view in both actual databases."""
        out = {}
        for ds in DATA_SOURCES:
            db = self.actual[ds]
            for name, kind in self.backend(ds, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
                                               "WHERE TABLE_SCHEMA = %s", (db,)):
                out[(ds, name)] = table_shape([], kind=kind)
            for name, column, ctype, nullable in self.backend(
                    ds, "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "
                        "WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION", (db,)):
                out[(ds, name)]["columns"].append((column, ctype, nullable))
            for name, index, non_unique, columns in self.backend(
                    ds, "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, "
                        "GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') "
                        "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s "
                        "GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE", (db,)):
                out[(ds, name)]["indexes"].add((index, int(non_unique), columns))
            for name, constraint, ctype in self.backend(
                    ds, "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS "
                        "WHERE CONSTRAINT_SCHEMA = %s", (db,)):
                out[(ds, name)]["constraints"].add((constraint, ctype))
        return out

    def tables(self, ds):
        return sorted(r[0] for r in self.backend(ds, "SHOW TABLES"))

    def rows(self, ds, table, columns="*"):
        return sorted(self.backend(ds, "SELECT %s FROM %s" % (columns, table)))

    def assert_error(self, c, sql, errno, message=None):
        with self.assertRaises(pymysql.MySQLError) as cm:
            self.execute(c, sql)
        return self.assertMySQLError(cm.exception, errno, message=message)

    def preview(self, c, sql):
        return [tuple(r) for r in h.query(c, "PREVIEW " + sql)]

    # ---- sharded tables ----
    def test_create_sharded_table(self):
        c = self.conn()
        self.execute(c, CREATE_ORDER)
        self.assertEqual(self.schema(), {(ds, t): order_shape(t) for ds, t in ACTUAL_ORDERS},
                         "after " + CREATE_ORDER)
        # the route: one statement per actual table, names rewritten
        self.assertEqual(self.preview(c, "CREATE INDEX idx_status ON t_order (status)"),
                         [("ds_0", "CREATE INDEX idx_status_t_order_0 ON t_order_0 (status)"),
                          ("ds_0", "CREATE INDEX idx_status_t_order_1 ON t_order_1 (status)"),
                          ("ds_1", "CREATE INDEX idx_status_t_order_0 ON t_order_0 (status)"),
                          ("ds_1", "CREATE INDEX idx_status_t_order_1 ON t_order_1 (status)")])
        # DML on the new tables
        rows = [(10, 0, "a", 1), (11, 0, "b", 2), (12, 1, "c", 3), (13, 1, "d", 4)]
        self.assertEqual(self.execute(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES "
                                         + ", ".join("(%d, %d, '%s', %d)" % r for r in rows)), 4)
        for r in rows:
            ds, table = node_of(r[1], r[0])
            self.assertEqual(self.rows(ds, table, COLUMNS["t_order"]), [r])
        self.assertEqual(h.query(c, "SELECT status, amount FROM t_order WHERE user_id = 1 AND order_id = 13"),
                         (("d", 4),))
        # the CHECK constraint holds on every actual table
        self.assert_error(c, "INSERT INTO t_order (order_id, user_id, status, amount) VALUES (20, 0, 'neg', -1)",
                          4025)
        # IF NOT EXISTS on existing tables: nothing changes
        self.execute(c, CREATE_ORDER.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
        self.assertEqual(self.schema(), {(ds, t): order_shape(t) for ds, t in ACTUAL_ORDERS})

    def test_alter_truncate_drop_sharded_table(self):
        c = self.conn()
        self.execute(c, CREATE_ORDER)
        self.execute(c, CREATE_ITEM)
        want = {(ds, t): order_shape(t) for ds, t in ACTUAL_ORDERS}
        want.update({(ds, t): item_shape(t) for ds, t in ACTUAL_ITEMS})
        self.assertEqual(self.schema(), want, "after the two CREATE TABLEs")

        self.execute(c, "CREATE INDEX idx_amount ON t_order (amount)")
        for ds, t in ACTUAL_ORDERS:
            want[(ds, t)]["indexes"].add(("idx_amount_" + t, 1, "amount"))
        self.assertEqual(self.schema(), want, "after CREATE INDEX idx_amount ON t_order")
        # SHOW INDEX on one actual table, as a client would look
        self.assertIn("idx_amount_t_order_1",
                      {r[2] for r in self.backend("ds_1", "SHOW INDEX FROM t_order_1")})

        self.execute(c, "ALTER TABLE t_order ADD COLUMN note VARCHAR(16) NULL")
        for ds, t in ACTUAL_ORDERS:
            want[(ds, t)]["columns"].append(("note", "varchar(16)", "YES"))
        self.assertEqual(self.schema(), want, "after ALTER TABLE t_order ADD COLUMN note")

        self.execute(c, "ALTER TABLE t_order ADD INDEX idx_note (note), DROP INDEX idx_amount")
        for ds, t in ACTUAL_ORDERS:
            want[(ds, t)]["indexes"].discard(("idx_amount_" + t, 1, "amount"))
            want[(ds, t)]["indexes"].add(("idx_note_" + t, 1, "note"))
        self.assertEqual(self.schema(), want, "after ALTER TABLE t_order ADD INDEX idx_note, DROP INDEX idx_amount")

        self.execute(c, "DROP INDEX idx_note ON t_order")
        for ds, t in ACTUAL_ORDERS:
            want[(ds, t)]["indexes"].discard(("idx_note_" + t, 1, "note"))
        self.assertEqual(self.schema(), want, "after DROP INDEX idx_note ON t_order")

        # TRUNCATE empties every actual table of t_order and no other table
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status, note) VALUES "
                        "(10, 0, 'a', 'n'), (11, 0, 'b', NULL), (12, 1, 'c', NULL), (13, 1, 'd', 'm')")
        self.execute(c, "INSERT INTO t_order_item (order_item_id, order_id, user_id, status) VALUES "
                        "(1, 10, 0, 'i'), (2, 13, 1, 'j')")
        self.assertEqual(sum(len(self.rows(ds, t)) for ds, t in ACTUAL_ORDERS), 4)
        self.assertEqual(h.query(c, "SELECT note FROM t_order WHERE user_id = 1 AND order_id = 13"), (("m",),))
        self.execute(c, "TRUNCATE TABLE t_order")
        for ds, t in ACTUAL_ORDERS:
            self.assertEqual(self.rows(ds, t), [], "%s.%s after TRUNCATE TABLE t_order" % (ds, t))
        self.assertEqual(self.rows("ds_0", "t_order_item_0"), [(1, 10, 0, "i")])
        self.assertEqual(self.rows("ds_1", "t_order_item_1"), [(2, 13, 1, "j")])
        self.assertEqual(self.schema(), want, "after TRUNCATE TABLE t_order")

        # DROP TABLE removes every actual table of t_order, and only those
        self.execute(c, "DROP TABLE t_order")
        for ds, t in ACTUAL_ORDERS:
            del want[(ds, t)]
        self.assertEqual(self.schema(), want, "after DROP TABLE t_order")
        self.execute(c, "DROP TABLE IF EXISTS t_order")
        self.execute(c, "DROP TABLE t_order_item")
        self.assertEqual(self.schema(), {}, "after DROP TABLE t_order_item")
        self.assert_error(c, "DROP TABLE t_order", 1051)

    def test_sharded_tables_with_foreign_key(self):
        # A FOREIGN KEY between bound tables: each actual table references its partner (same
        # suffix on the same data source); the constraint name is suffixed like an index name.
        c = self.conn()
        self.execute(c, CREATE_ORDER)
        self.execute(c, "CREATE TABLE t_order_item (order_item_id BIGINT NOT NULL PRIMARY KEY, "
                        "order_id BIGINT NOT NULL, user_id INT NOT NULL, status VARCHAR(32), "
                        "CONSTRAINT fk_order FOREIGN KEY (order_id) REFERENCES t_order (order_id))")
        for ds in DATA_SOURCES:
            got = self.backend(ds, "SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME "
                                   "FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s "
                                   "ORDER BY TABLE_NAME", (self.actual[ds],))
            self.assertEqual(got, (("t_order_item_0", "fk_order_t_order_item_0", "t_order_0"),
                                   ("t_order_item_1", "fk_order_t_order_item_1", "t_order_1")), ds)
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (11, 1, 'a')")
        self.execute(c, "INSERT INTO t_order_item (order_item_id, order_id, user_id) VALUES (1, 11, 1)")
        self.assertEqual(self.rows("ds_1", "t_order_item_1", "order_item_id, order_id"), [(1, 11)])
        # the parent row is on ds_1.t_order_1 only: the same item on ds_0 would have no parent
        r = h.raw_client(self.proxy.port, db=LOGICAL)
        self.addCleanup(r.close)
        self.assertMySQLError(r.query("INSERT INTO t_order_item (order_item_id, order_id, user_id) "
                                      "VALUES (2, 11, 0)")[0], 1452)
        self.assertEqual(self.rows("ds_0", "t_order_item_1"), [])

    # ---- broadcast tables ----
    def test_broadcast_ddl(self):
        c = self.conn()
        self.execute(c, CREATE_ADDRESS)
        primary = {("PRIMARY", 0, "address_id")}
        want = {(ds, "t_address"): table_shape(ADDRESS_COLUMNS, primary, {("PRIMARY", "PRIMARY KEY")})
                for ds in DATA_SOURCES}
        self.assertEqual(self.schema(), want, "after " + CREATE_ADDRESS)
        self.execute(c, "ALTER TABLE t_address ADD COLUMN zip CHAR(5) NOT NULL DEFAULT '00000'")
        self.execute(c, "CREATE INDEX idx_name ON t_address (address_name)")
        for ds in DATA_SOURCES:
            want[(ds, "t_address")]["columns"].append(("zip", "char(5)", "NO"))
            # a broadcast table is one table on each data source: its index keeps its name
            want[(ds, "t_address")]["indexes"].add(("idx_name", 1, "address_name"))
        self.assertEqual(self.schema(), want, "after ALTER TABLE t_address / CREATE INDEX idx_name")
        self.execute(c, "INSERT INTO t_address (address_id, address_name) VALUES (1, 'home')")
        for ds in DATA_SOURCES:
            self.assertEqual(self.rows(ds, "t_address"), [(1, "home", "00000")], ds)
        self.assertEqual(h.query(c, "SELECT address_name, zip FROM t_address"), (("home", "00000"),))
        self.execute(c, "TRUNCATE TABLE t_address")
        for ds in DATA_SOURCES:
            self.assertEqual(self.rows(ds, "t_address"), [], ds)
        self.execute(c, "DROP TABLE t_address")
        self.assertEqual(self.schema(), {}, "after DROP TABLE t_address")

    # ---- single tables ----
    def test_single_table_on_default_data_source(self):
        c = self.conn()
        self.execute(c, "CREATE TABLE t_single (id INT NOT NULL PRIMARY KEY, v VARCHAR(16))")
        self.assertEqual(self.schema(), {("ds_1", "t_single"): table_shape(
            [("id", "int(11)", "NO"), ("v", "varchar(16)", "YES")], {("PRIMARY", 0, "id")},
            {("PRIMARY", "PRIMARY KEY")})}, "CREATE TABLE t_single: only on the default data source ds_1")
        self.assertEqual(self.preview(c, "SELECT * FROM t_single"), [("ds_1", "SELECT * FROM t_single")])
        self.assertEqual(self.execute(c, "INSERT INTO t_single (id, v) VALUES (1, 'one'), (2, 'two')"), 2)
        self.assertEqual(self.rows("ds_1", "t_single"), [(1, "one"), (2, "two")])
        self.assertEqual(self.execute(c, "UPDATE t_single SET v = 'uno' WHERE id = 1"), 1)
        self.assertEqual(self.rows("ds_1", "t_single"), [(1, "uno"), (2, "two")])
        self.assertEqual(h.query(c, "SELECT id, v FROM t_single ORDER BY id"), ((1, "uno"), (2, "two")))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_single"), ((2,),))
        self.assertEqual(self.tables("ds_0"), [])
        # ALTER and RENAME where it lives; the proxy follows the new name
        self.execute(c, "ALTER TABLE t_single ADD COLUMN w INT NOT NULL DEFAULT 7")
        self.execute(c, "RENAME TABLE t_single TO t_single_renamed")
        self.assertEqual((self.tables("ds_0"), self.tables("ds_1")), ([], ["t_single_renamed"]))
        self.assertEqual(h.query(c, "SELECT id, v, w FROM t_single_renamed WHERE id = 2"), ((2, "two", 7),))
        self.assertEqual(self.execute(c, "DELETE FROM t_single_renamed WHERE id = 2"), 1)
        self.assertEqual(self.rows("ds_1", "t_single_renamed"), [(1, "uno", 7)])
        self.execute(c, "DROP TABLE t_single_renamed")
        self.assertEqual(self.schema(), {}, "after DROP TABLE t_single_renamed")
        self.assert_error(c, "SELECT * FROM t_single_renamed", 1146)

    def test_single_table_found_at_start_up(self):
        # Tables on the data sources before the proxy starts are single tables where they are;
        # this proxy has no defaultDataSource, so new tables go to the first data source (ds_0).
        self.backend("ds_1", "CREATE TABLE t_found (id INT NOT NULL PRIMARY KEY, v VARCHAR(16))")
        self.backend("ds_1", "INSERT INTO t_found VALUES (1, 'on ds_1')")
        self.backend("ds_0", "CREATE TABLE t_found_0 (id INT NOT NULL PRIMARY KEY)")
        with h.Proxy(h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, self.sources, rules=NO_DEFAULT_RULES)},
                     name="sharding-found") as proxy:
            c = self.conn(proxy)
            self.assertEqual(self.preview(c, "SELECT * FROM t_found"), [("ds_1", "SELECT * FROM t_found")])
            self.assertEqual(h.query(c, "SELECT id, v FROM t_found"), ((1, "on ds_1"),))
            self.assertEqual(self.execute(c, "INSERT INTO t_found (id, v) VALUES (2, 'two')"), 1)
            self.assertEqual(self.execute(c, "UPDATE t_found SET v = 'new' WHERE id = 1"), 1)
            self.assertEqual(self.rows("ds_1", "t_found"), [(1, "new"), (2, "two")])
            self.assertEqual(self.execute(c, "INSERT INTO t_found_0 (id) VALUES (5)"), 1)
            self.assertEqual(self.rows("ds_0", "t_found_0"), [(5,)])
            self.assertEqual(self.tables("ds_0"), ["t_found_0"])
            # DDL on it runs there; a new table goes to the first data source
            self.execute(c, "ALTER TABLE t_found ADD COLUMN w INT")
            self.assertEqual([r[0] for r in self.backend("ds_1", "SHOW COLUMNS FROM t_found")], ["id", "v", "w"])
            self.execute(c, "CREATE TABLE t_fresh (id INT NOT NULL PRIMARY KEY)")
            self.assertEqual((self.tables("ds_0"), self.tables("ds_1")), (["t_found_0", "t_fresh"], ["t_found"]))
            self.execute(c, "INSERT INTO t_fresh VALUES (3)")
            self.assertEqual(self.rows("ds_0", "t_fresh"), [(3,)])
            # DROP follows the table: after it, the same name is created on the first data source
            self.execute(c, "DROP TABLE t_found")
            self.assertEqual(self.tables("ds_1"), [])
            self.execute(c, "CREATE TABLE t_found (id INT NOT NULL PRIMARY KEY)")
            self.assertEqual((self.tables("ds_0"), self.tables("ds_1")), (["t_found", "t_found_0", "t_fresh"], []))
            self.assertEqual(self.preview(c, "SELECT * FROM t_found"), [("ds_0", "SELECT * FROM t_found")])

    # ---- SHOW TABLES ----
    def test_show_tables(self):
        # t_order exists only on ds_0, t_order_item nowhere (so it is not listed, as
        # information_schema does not list it: reading it gets 1146); a single table and a view on
        # each side
        for i in (0, 1):
            self.backend("ds_0", CREATE_ORDER.replace("t_order", "t_order_%d" % i))
        for ds in DATA_SOURCES:
            self.backend(ds, CREATE_ADDRESS)
        self.backend("ds_0", "CREATE TABLE t_alone_a (id INT)")
        self.backend("ds_1", "CREATE TABLE t_alone_b (id INT)")
        self.backend("ds_1", "CREATE VIEW v_alone AS SELECT id FROM t_alone_b")
        c = self.conn()
        everything = [("t_address", "BASE TABLE"), ("t_alone_a", "BASE TABLE"), ("t_alone_b", "BASE TABLE"),
                      ("t_order", "BASE TABLE"), ("v_alone", "VIEW")]
        names = [n for n, _ in everything]
        column = "Tables_in_" + LOGICAL

        def show(sql):
            with c.cursor() as cur:
                cur.execute(sql)
                return [d[0] for d in cur.description], sorted(tuple(r) for r in cur.fetchall())

        cases = [
            ("SHOW TABLES", [column], [(n,) for n in names]),
            ("show tables", [column], [(n,) for n in names]),
            ("SHOW TABLES FROM sharding_db", [column], [(n,) for n in names]),
            ("SHOW TABLES IN `sharding_db`", [column], [(n,) for n in names]),
            ("SHOW FULL TABLES", [column, "Table_type"], everything),
            ("SHOW FULL TABLES FROM sharding_db", [column, "Table_type"], everything),
            ("SHOW TABLES LIKE 't\\_ord%'", [column + " (t\\_ord%)"], [("t_order",)]),
            ("SHOW TABLES LIKE 't_order'", [column + " (t_order)"], [("t_order",)]),
            ("SHOW TABLES LIKE 't\\_order\\_0'", [column + " (t\\_order\\_0)"], []),
            ("SHOW FULL TABLES LIKE '%alone%'", [column + " (%alone%)", "Table_type"],
             [("t_alone_a", "BASE TABLE"), ("t_alone_b", "BASE TABLE"), ("v_alone", "VIEW")]),
            ("SHOW TABLES FROM sharding_db LIKE 'T_ADDR%'", [column + " (T_ADDR%)"], [("t_address",)]),
            ("SHOW TABLES WHERE Tables_in_sharding_db LIKE '%order%'", [column], [("t_order",)]),
            ("SHOW TABLES WHERE Tables_in_sharding_db = 't_order_0'", [column], []),
            ("SHOW FULL TABLES WHERE Table_type = 'VIEW'", [column, "Table_type"], [("v_alone", "VIEW")]),
            ("SHOW FULL TABLES FROM sharding_db WHERE Table_type <> 'VIEW' AND Tables_in_sharding_db < 't_b'",
             [column, "Table_type"], [("t_address", "BASE TABLE"), ("t_alone_a", "BASE TABLE"),
                                      ("t_alone_b", "BASE TABLE")]),
        ]
        for sql, want_columns, want_rows in cases:
            with self.subTest(sql=sql):
                self.assertEqual(show(sql), (want_columns, want_rows))
        # each logical table once, in name order, and no actual table name
        with c.cursor() as cur:
            cur.execute("SHOW TABLES")
            self.assertEqual([r[0] for r in cur.fetchall()], names)

    def test_show_tables_follows_ddl(self):
        c = self.conn()
        column = "Tables_in_" + LOGICAL
        self.assertEqual(h.query(c, "SHOW TABLES"), ())
        self.execute(c, CREATE_ORDER)
        self.execute(c, CREATE_ADDRESS)
        self.execute(c, "CREATE TABLE t_single (id INT)")
        self.assertEqual(h.query(c, "SHOW TABLES"), (("t_address",), ("t_order",), ("t_single",)))
        self.execute(c, CREATE_ITEM)
        self.execute(c, "DROP TABLE t_single")
        self.execute(c, "DROP TABLE t_address")
        self.execute(c, "DROP TABLE t_order")
        with c.cursor() as cur:
            cur.execute("SHOW FULL TABLES")
            self.assertEqual([d[0] for d in cur.description], [column, "Table_type"])
            self.assertEqual(cur.fetchall(), (("t_order_item", "BASE TABLE"),))

    # ---- refused DDL ----
    def test_rename_sharded_table_refused(self):
        c = self.conn()
        self.execute(c, CREATE_ORDER)
        self.execute(c, CREATE_ITEM)
        self.execute(c, "CREATE TABLE t_single (id INT)")
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (10, 0, 'a'), (13, 1, 'd')")
        before = self.schema()
        for sql in ["RENAME TABLE t_order TO t_order_new",
                    "RENAME TABLE sharding_db.t_order TO sharding_db.t_order_x",
                    "RENAME TABLE t_single TO t_single_2, t_order TO t_order_new"]:
            with self.subTest(sql=sql):
                got = self.assert_error(c, sql, 20040)
                self.assertEqual(got[2], RENAME_SHARDED_ERR, sql)
                self.assertEqual(self.schema(), before, "schema changed by " + sql)
        got = self.assert_error(c, "RENAME TABLE t_order_item TO t_item", 20040)
        self.assertEqual(got[2], "Can not support operation `RENAME TABLE` with sharding table `t_order_item`.")
        r = h.raw_client(self.proxy.port, db=LOGICAL)
        self.addCleanup(r.close)
        self.assertMySQLError(r.query("RENAME TABLE t_order TO t_order_new")[0], 20040, "0A000",
                              message=RENAME_SHARDED_ERR)
        self.assertEqual(self.schema(), before)
        # the session goes on; the rows are where they were
        self.assertEqual(h.query(c, "SELECT status FROM t_order WHERE user_id = 1 AND order_id = 13"), (("d",),))
        self.assertEqual(self.rows("ds_0", "t_order_0", COLUMNS["t_order"]), [(10, 0, "a", 0)])
        self.assertEqual(self.rows("ds_1", "t_order_1", COLUMNS["t_order"]), [(13, 1, "d", 0)])
        self.execute(c, "DROP TABLE t_single")


    def test_alter_table_rename_sharded_table_refused(self):
        # ALTER TABLE ... RENAME TO renames a table as RENAME TABLE does: ShardingSphere refuses it
        # on sharded tables (UnsupportedShardingOperationException, named after the new table).
        c = self.conn()
        self.execute(c, CREATE_ORDER)
        self.execute(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (10, 0, 'a'), (13, 1, 'd')")
        before = self.schema()
        sql = "ALTER TABLE t_order RENAME TO t_order_new"
        got = self.assert_error(c, sql, 20040)
        self.assertEqual(got[2], "Can not support operation `ALTER TABLE ... RENAME TO ...` with sharding table "
                                 "`t_order_new`.", sql)
        self.assertEqual(self.schema(), before, "schema changed by " + sql)
        self.assertEqual(h.query(c, "SELECT status FROM t_order WHERE user_id = 1 AND order_id = 13"), (("d",),))


if __name__ == "__main__":
    h.main()
