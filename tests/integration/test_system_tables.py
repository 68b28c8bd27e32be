"""ShardingSphere's system tables through the proxy: `shardingsphere.cluster_information` and
`shardingsphere.sharding_table_statistics`, read with real clients.

Two sharded logical databases over two MariaDB servers: sharding_db (t_order over ds_0 and ds_1,
t_order_0 and t_order_1 on each; t_order_1 on ds_1 is never created) and other_db (t_item over
ds_0, t_item_0 and t_item_1). The collector runs every second (proxy-meta-data-collector-cron),
so a change on a backend shows within a few seconds. Every statistic is checked against the
backends' own information_schema.TABLES, read directly; the column definitions against MariaDB's
description of a table with the types ShardingSphere's YAML definitions give the columns.
"""

import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

ACTUAL = ("it_systab_ds0", "it_systab_ds1", "it_systab_other")

SHARDING_RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: by_user
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: by_order
  shardingAlgorithms:
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    by_order:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
"""

OTHER_RULES = """
- !SHARDING
  tables:
    t_item:
      actualDataNodes: ds_0.t_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: item_id
          shardingAlgorithmName: by_item
  shardingAlgorithms:
    by_item:
      type: INLINE
      props:
        algorithm-expression: t_item_${item_id % 2}
"""

USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
]

# (logic database, logic table, data source, actual table) in the order ShardingSphere's
# collector numbers them: databases, their sharded tables, each table's data nodes.
NODES = [
    ("other_db", "t_item", "ds_0", "t_item_0"),
    ("other_db", "t_item", "ds_0", "t_item_1"),
    ("sharding_db", "t_order", "ds_0", "t_order_0"),
    ("sharding_db", "t_order", "ds_0", "t_order_1"),
    ("sharding_db", "t_order", "ds_1", "t_order_0"),
    ("sharding_db", "t_order", "ds_1", "t_order_1"),
]

STATISTICS = "shardingsphere.sharding_table_statistics"


class SystemTablesTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.where = {"ds0": (ports[0], ACTUAL[0]), "ds1": (ports[1], ACTUAL[1]),
                     "other": (ports[0], ACTUAL[2])}
        cls.enterClassContext(h.actual_databases(cls.where.values()))
        port, db = cls.where["ds0"]
        h.direct_exec(port, db,
                      "CREATE TABLE t_order_0 (order_id INT PRIMARY KEY, user_id INT, pad VARCHAR(200))",
                      "CREATE TABLE t_order_1 (order_id INT PRIMARY KEY, user_id INT, pad VARCHAR(200))")
        port, db = cls.where["ds1"]
        # t_order_1 is left out: a data node whose table does not exist.
        h.direct_exec(port, db,
                      "CREATE TABLE t_order_0 (order_id INT PRIMARY KEY, user_id INT, pad VARCHAR(200))")
        port, db = cls.where["other"]
        h.direct_exec(port, db, "CREATE TABLE t_item_0 (item_id INT PRIMARY KEY)",
                      "CREATE TABLE t_item_1 (item_id INT PRIMARY KEY)",
                      "INSERT INTO t_item_1 VALUES (1), (3), (5)",
                      "ANALYZE TABLE t_item_1")
        sharding = {"ds_0": cls.where["ds0"], "ds_1": cls.where["ds1"]}
        other = {"ds_0": cls.where["other"]}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, mappings="root@%=*, app@%=sharding_db",
                          props={"proxy-meta-data-collector-cron": "0/1 * * * * ?"}),
            {"sharding_db": h.database_yaml("sharding_db", sharding, rules=SHARDING_RULES),
             "other_db": h.database_yaml("other_db", other, rules=OTHER_RULES)},
            name="systables"))

    # ---- helpers ----
    def conn(self, user="root", password="root", db="sharding_db", **kw):
        c = h.connect(self.proxy, user=user, password=password, db=db, **kw)
        self.addCleanup(c.close)
        return c

    def rows(self, conn, sql, args=None):
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return [tuple(r) for r in cur.fetchall()]

    def error(self, conn, sql):
        with self.assertRaises(pymysql.MySQLError) as e:
            self.rows(conn, sql)
        return e.exception.args[0], e.exception.args[1]

    def backend_tables(self):
        """{(data source key, table): (TABLE_ROWS, DATA_LENGTH)} read from the backends."""
        out = {}
        for key, (port, db) in self.where.items():
            c = h.direct(port)
            try:
                with c.cursor() as cur:
                    cur.execute("SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES"
                                " WHERE TABLE_SCHEMA = %s", (db,))
                    for name, rows, size in cur.fetchall():
                        out[(key, name)] = (int(rows or 0), int(size or 0))
            finally:
                c.close()
        return out

    def expected(self):
        """The statistics rows the backends' information_schema says, in collector order."""
        tables = self.backend_tables()
        out = []
        for i, (logic_db, logic_table, ds, actual) in enumerate(NODES, start=1):
            key = "other" if logic_db == "other_db" else ds.replace("_", "")
            rows, size = tables.get((key, actual), (0, 0))
            out.append((i, logic_db, logic_table, ds, actual, Decimal(rows), Decimal(size)))
        return out

    def wait_for_statistics(self, conn):
        state = {}

        def matches():
            state["want"] = self.expected()
            state["got"] = self.rows(conn, "SELECT * FROM %s ORDER BY id" % STATISTICS)
            return state["got"] == state["want"]
        try:
            h.wait_until(matches, 20, interval=0.3, what="statistics equal to the backends'")
        except AssertionError:
            self.assertEqual(state.get("got"), state.get("want"))

    # ---- tests ----
    def test_cluster_information_holds_the_proxy_version(self):
        version = h.run_proxy_cli(["--version"]).stdout.strip().split()[-1]
        for db in ("sharding_db", "other_db", None):
            c = self.conn(db=db)
            self.assertEqual(self.rows(c, "SELECT * FROM shardingsphere.cluster_information"),
                             [(version,)])
            self.assertEqual(self.rows(c, "SELECT version FROM shardingsphere.cluster_information"
                                          " WHERE version = %s", (version,)), [(version,)])
        app = self.conn(user="app", password="app")
        self.assertEqual(self.rows(app, "SELECT COUNT(*) FROM shardingsphere.cluster_information"), [(1,)])

    def test_statistics_are_the_backends_figures(self):
        c = self.conn()
        self.wait_for_statistics(c)
        got = self.rows(c, "SELECT * FROM %s ORDER BY id" % STATISTICS)
        self.assertEqual([r[1:5] for r in got], NODES)
        # The table that does not exist: no rows, no size; the others have InnoDB's pages.
        missing = self.rows(c, "SELECT row_count, size FROM %s WHERE actual_database_name = 'ds_1'"
                               " AND actual_table_name = 't_order_1'" % STATISTICS)
        self.assertEqual(missing, [(Decimal(0), Decimal(0))])
        self.assertTrue(all(r[6] > 0 for r in got if r[1:5] != NODES[5]), got)
        item = self.rows(c, "SELECT row_count FROM %s WHERE logic_table_name = 't_item'"
                            " AND actual_table_name = 't_item_1'" % STATISTICS)
        self.assertEqual(item, [(Decimal(3),)])

    def test_statistics_follow_the_backends(self):
        c = self.conn()
        self.wait_for_statistics(c)
        port, db = self.where["ds1"]
        h.direct_exec(port, db, "INSERT INTO t_order_0 VALUES " +
                      ", ".join("(%d, 1, REPEAT('x', 200))" % i for i in range(0, 400, 2)),
                      "ANALYZE TABLE t_order_0")
        self.addCleanup(h.direct_exec, port, db, "DELETE FROM t_order_0", "ANALYZE TABLE t_order_0")
        self.wait_for_statistics(c)
        count = self.rows(c, "SELECT row_count FROM %s WHERE actual_database_name = 'ds_1'"
                             " AND actual_table_name = 't_order_0'" % STATISTICS)
        self.assertGreater(count[0][0], 0)

    def test_a_user_sees_the_rows_of_their_databases(self):
        root = self.conn()
        self.wait_for_statistics(root)
        app = self.conn(user="app", password="app")
        got = self.rows(app, "SELECT logic_database_name, actual_database_name, actual_table_name"
                             " FROM %s ORDER BY id" % STATISTICS)
        self.assertEqual(got, [(n[0], n[2], n[3]) for n in NODES if n[0] == "sharding_db"])
        self.assertEqual(self.rows(app, "SELECT COUNT(*) FROM %s WHERE logic_database_name = 'other_db'"
                                   % STATISTICS), [(0,)])
        # The schema is not a way into another database.
        self.assertEqual(self.error(app, "SELECT * FROM %s JOIN other_db.t_item ON 1 = 1" % STATISTICS)[0],
                         1142)

    def test_where_order_by_limit_and_counts(self):
        c = self.conn(db="other_db")
        self.wait_for_statistics(c)
        self.assertEqual(self.rows(c, "SELECT COUNT(*) FROM %s" % STATISTICS), [(6,)])
        self.assertEqual(self.rows(c, "SELECT count(*) AS n FROM %s WHERE logic_table_name = 't_order'"
                                      " AND actual_database_name IN ('ds_1')" % STATISTICS), [(2,)])
        self.assertEqual(
            self.rows(c, "SELECT actual_database_name AS ds, actual_table_name FROM %s"
                         " WHERE logic_database_name = 'sharding_db'"
                         " ORDER BY ds DESC, 2 LIMIT 1, 2" % STATISTICS),
            [("ds_1", "t_order_1"), ("ds_0", "t_order_0")])
        self.assertEqual(self.rows(c, "SELECT id FROM %s WHERE id BETWEEN 2 AND 4 AND NOT id = 3"
                                      " ORDER BY id DESC" % STATISTICS), [(4,), (2,)])
        self.assertEqual(self.rows(c, "SELECT DISTINCT logic_table_name FROM %s ORDER BY 1" % STATISTICS),
                         [("t_item",), ("t_order",)])
        self.assertEqual(self.rows(c, "SELECT s.id FROM %s AS s WHERE s.actual_table_name LIKE 't\\_item%%'"
                                      " ORDER BY s.id LIMIT 5" % STATISTICS), [(1,), (2,)])
        self.assertEqual(self.error(c, "SELECT nope FROM %s" % STATISTICS),
                         (1054, "Unknown column 'nope' in 'field list'"))
        code, message = self.error(c, "SELECT id + 1 FROM %s" % STATISTICS)
        self.assertEqual(code, 1235)
        self.assertIn("unsupported", message)

    def test_use_shardingsphere(self):
        c = self.conn(db=None)
        self.rows(c, "USE shardingsphere")
        self.assertEqual(self.rows(c, "SELECT DATABASE()"), [("shardingsphere",)])
        self.assertEqual(self.rows(c, "SHOW TABLES"),
                         [("cluster_information",), ("sharding_table_statistics",)])
        self.assertEqual(self.rows(c, "SHOW FULL TABLES LIKE 'sharding%'"),
                         [("sharding_table_statistics", "BASE TABLE")])
        self.assertEqual(self.rows(c, "SELECT COUNT(*) FROM sharding_table_statistics"
                                      " WHERE logic_database_name = 'other_db'"), [(2,)])
        self.assertEqual(self.rows(c, "SELECT 1 + 1"), [(2,)])
        self.assertEqual(self.error(c, "SELECT * FROM t_order")[0], 1146)
        self.assertEqual(self.error(c, "DELETE FROM sharding_table_statistics"),
                         (1044, "Access denied for user 'root'@'%' to database 'shardingsphere'"))
        # Back to a logical database, the proxy routes as before.
        self.rows(c, "USE sharding_db")
        self.assertEqual(self.rows(c, "SELECT COUNT(*) FROM t_order WHERE user_id = 0 AND order_id = 0"),
                         [(0,)])
        # COM_INIT_DB and the database of the handshake take it too.
        c.select_db("shardingsphere")
        self.assertEqual(self.rows(c, "SELECT COUNT(*) FROM cluster_information"), [(1,)])
        app = self.conn(user="app", password="app", db="shardingsphere")
        self.assertEqual(self.rows(app, "SELECT COUNT(*) FROM cluster_information"), [(1,)])

    def test_nothing_writes_to_the_schema(self):
        c = self.conn()
        for sql in ("INSERT INTO shardingsphere.cluster_information VALUES ('x')",
                    "UPDATE %s SET row_count = 1" % STATISTICS,
                    "DROP TABLE shardingsphere.cluster_information"):
            self.assertEqual(self.error(c, sql),
                             (1044, "Access denied for user 'root'@'%' to database 'shardingsphere'"), sql)
        self.assertEqual(self.error(c, "SELECT * FROM shardingsphere.t_order"),
                         (1146, "Table 'shardingsphere.t_order' doesn't exist"))

    def test_column_definitions_are_mariadbs_for_shardingsphere_column_types(self):
        """Each column as MariaDB describes a column of the type ShardingSphere's YAML gives it
        (VARCHAR, INTEGER primary key, DECIMAL), field by field, in the schema `shardingsphere`."""
        port, _ = self.where["ds0"]
        ref_db = "it_systab_reference"
        ref = h.direct(port)
        self.addCleanup(ref.close)
        self.addCleanup(h.drop_actual_db, port, ref_db)
        with ref.cursor() as cur:
            cur.execute("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % ref_db)
            cur.execute("USE `%s`" % ref_db)
            cur.execute("CREATE TABLE sharding_table_statistics (id INT NOT NULL PRIMARY KEY,"
                        " logic_database_name VARCHAR(64), logic_table_name VARCHAR(64),"
                        " actual_database_name VARCHAR(64), actual_table_name VARCHAR(64),"
                        " row_count DECIMAL(20, 0), size DECIMAL(20, 0))")
            cur.execute("CREATE TABLE cluster_information (version VARCHAR(64))")
        proxy = self.conn()
        queries = ["SELECT * FROM %s", "SELECT id AS n, size FROM %s AS t",
                   "SELECT COUNT(*), COUNT(id) AS c FROM %s"]
        for table in ("sharding_table_statistics", "cluster_information"):
            for q in queries:
                if table == "cluster_information" and "id" in q:
                    continue
                with ref.cursor() as cur:
                    cur.execute(q % table)
                    want = [self.field(f, ref_db) for f in cur._result.fields]
                with proxy.cursor() as cur:
                    cur.execute(q % ("shardingsphere." + table))
                    got = [self.field(f, "shardingsphere") for f in cur._result.fields]
                self.assertEqual(got, want, q % table)

    @staticmethod
    def field(f, db):
        schema = f.db.decode() if isinstance(f.db, bytes) else f.db
        return {"name": f.name, "org_name": f.org_name, "table": f.table_name, "org_table": f.org_table,
                "schema": "<db>" if schema == db else schema, "type": f.type_code, "length": f.length,
                "flags": f.flags, "charset": f.charsetnr, "decimals": f.scale}


if __name__ == "__main__":
    h.main()
