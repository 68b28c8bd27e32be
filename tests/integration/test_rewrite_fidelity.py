"""Same answers as one MariaDB server however the SQL is written, on a sharded table over two
servers, each compared with a reference database on one server holding the same rows:

- trailing and leading comments of each style, `;`, executable comments around units joined
  with UNION ALL (a trailing comment once swallowed the second half of the units);
- values bound or written as strings for integer sharding columns (what Perl DBI, PDO, Go and
  Ruby drivers send), compared and stored as MySQL converts them;
- INSERT without a column list, before and after ALTER TABLE through the proxy (the metadata
  follows DDL);
- UPDATE that sets the sharding key to its own value (an ORM's save()), and the refusal when a
  row would have to move;
- result column definitions of units joined with UNION ALL and of single units: every field as
  the reference server describes the table's columns (no actual table name leaks).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "fidelity_db"
ACTUAL = ("it_fid_ds0", "it_fid_ds1")
REFERENCE = "it_fid_ref"
DATA_SOURCES = ("ds_0", "ds_1")

TABLE = ("CREATE TABLE {name} (order_id BIGINT NOT NULL, user_id INT NOT NULL, "
         "status VARCHAR(20) NOT NULL, note TEXT, amount DECIMAL(10,2) NOT NULL DEFAULT 0, "
         "created DATETIME NOT NULL DEFAULT '2024-01-01 00:00:00', flag TINYINT UNSIGNED, "
         "PRIMARY KEY (order_id), UNIQUE KEY uk_status_user (status, user_id), KEY idx_user (user_id))")

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: db_inline
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_inline
  shardingAlgorithms:
    db_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    t_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
"""

ROWS = [(1000 + i, 10 + i % 3, "S%d" % i, None if i % 4 == 0 else "n%d" % i, "%d.50" % i,
         "2024-01-%02d 10:00:00" % (i % 28 + 1), i % 5) for i in range(24)]


class FidelityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.enterClassContext(h.actual_databases(zip(ports, ACTUAL)))
        cls.enterClassContext(h.actual_databases([(ports[0], REFERENCE)]))
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            h.direct_exec(cls.ports[ds], actual,
                          *[TABLE.format(name="t_order_%d" % i) for i in (0, 1)])
        h.direct_exec(ports[0], REFERENCE, TABLE.format(name="t_order"))
        sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)},
            name="fidelity"))
        cls.ref = h.direct(ports[0], REFERENCE, autocommit=True)
        cls.addClassCleanup(cls.ref.close)
        cls.px = h.connect(cls.proxy, db=LOGICAL, autocommit=True)
        cls.addClassCleanup(cls.px.close)
        insert = ("INSERT INTO t_order (order_id, user_id, status, note, amount, created, flag) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s)")
        for row in ROWS:
            for c in (cls.ref, cls.px):
                with c.cursor() as cur:
                    cur.execute(insert, row)

    def both(self, sql, args=None, sort=True):
        """The rows of `sql` from the reference and through the proxy, or their errors."""
        out = []
        for c in (self.ref, self.px):
            try:
                with c.cursor() as cur:
                    cur.execute(sql, args)
                    rows = list(cur.fetchall())
                    out.append(sorted(rows, key=repr) if sort else rows)
            except pymysql.MySQLError as e:
                out.append(("error", e.args[0]))
        return out

    def assertSame(self, sql, args=None, sort=True):
        ref, px = self.both(sql, args, sort)
        self.assertNotIn("error", repr(ref[:1]), "the reference refused %r: %r" % (sql, ref))
        self.assertEqual(ref, px, sql)

    def test_comments_semicolons_and_executable_comments(self):
        bodies = ["SELECT count(*) FROM t_order", "SELECT order_id, status FROM t_order",
                  "SELECT * FROM t_order WHERE status > 'S1'", "SELECT sum(amount) FROM t_order"]
        dressings = ["{} -- c", "{} # c", "{} /* c */", "{};", "{} ;  -- c\n", "/* a */ {}",
                     "-- a\n{}", "# a\n{}\n", "{}\t\n", "/*!40101 {} */", "{} /*!99999 WHERE 1 = 0 */"]
        for body in bodies:
            for d in dressings:
                with self.subTest(sql=d.format(body)):
                    self.assertSame(d.format(body))

    def test_string_values_for_integer_sharding_columns(self):
        for sql, args in [
            ("SELECT * FROM t_order WHERE user_id = %s", ("10",)),
            ("SELECT * FROM t_order WHERE user_id = %s AND order_id = %s", ("11", "1001")),
            ("SELECT * FROM t_order WHERE user_id = '10.0'", None),
            ("SELECT * FROM t_order WHERE user_id = '10.5'", None),
            ("SELECT * FROM t_order WHERE user_id = ' 12abc'", None),
            ("SELECT * FROM t_order WHERE order_id IN ('1003', '1004.0', '1005.5')", None),
            ("SELECT count(*) FROM t_order WHERE order_id = 1006.0", None),
        ]:
            with self.subTest(sql=sql, args=args):
                self.assertSame(sql, args)

    def test_insert_stores_and_routes_by_the_stored_value(self):
        for c in (self.ref, self.px):
            with c.cursor() as cur:
                cur.execute("INSERT INTO t_order (order_id, user_id, status) "
                            "VALUES ('2000.4', '12.5', 'ins')")
                cur.execute("INSERT INTO t_order VALUES (2001, 14, 'nolist', NULL, 1, "
                            "'2024-02-02 00:00:00', 1), ('2002', '15', 'nolist2', 'x', 2, "
                            "'2024-02-03', NULL)")
        self.assertSame("SELECT * FROM t_order WHERE status LIKE 'ins%' OR status LIKE 'nolist%'")
        # Each row sits where its stored keys route: user 13 (12.5 rounded) on ds_1, table _0.
        with h.direct(self.ports["ds_1"], ACTUAL[1]) as d, d.cursor() as cur:
            cur.execute("SELECT user_id FROM t_order_0 WHERE order_id = 2000")
            self.assertEqual(cur.fetchall(), ((13,),))

    def test_metadata_follows_ddl(self):
        for c in (self.ref, self.px):
            with c.cursor() as cur:
                cur.execute("ALTER TABLE t_order ADD COLUMN extra INT NOT NULL DEFAULT 7")
        try:
            for c in (self.ref, self.px):
                with c.cursor() as cur:
                    cur.execute("INSERT INTO t_order VALUES (3001, 16, 'ddl', NULL, 0, "
                                "'2024-03-03 00:00:00', 0, 9)")
            self.assertSame("SELECT * FROM t_order WHERE order_id = 3001")
            self.assertSame("SELECT extra, order_id FROM t_order WHERE extra = 7 ORDER BY order_id")
        finally:
            for c in (self.ref, self.px):
                with c.cursor() as cur:
                    cur.execute("DELETE FROM t_order WHERE order_id = 3001")
                    cur.execute("ALTER TABLE t_order DROP COLUMN extra")

    def test_update_of_the_sharding_key(self):
        sql = ("UPDATE t_order SET order_id = %s, user_id = %s, status = %s, note = %s "
               "WHERE order_id = %s")
        for args in [(1004, 11, "S4", "saved", 1004), ("1005", "12", "S5", "saved2", "1005")]:
            with self.subTest(args=args):
                ref, px = [self._affected(c, sql, args) for c in (self.ref, self.px)]
                self.assertEqual(ref, px)
                self.assertSame("SELECT * FROM t_order WHERE order_id = %s", (args[0],))
        # A row that would have to move to another data source: refused, nothing changed.
        with self.assertRaises(pymysql.MySQLError) as e, self.px.cursor() as cur:
            cur.execute("UPDATE t_order SET user_id = 11 WHERE order_id = 1006")
        self.assertEqual(e.exception.args[0], 20041)
        self.assertSame("SELECT * FROM t_order WHERE order_id = 1006")

    @staticmethod
    def _affected(c, sql, args):
        with c.cursor() as cur:
            return cur.execute(sql, args)

    def test_column_definitions_as_the_reference_describes_the_table(self):
        for sql in ["SELECT * FROM t_order", "SELECT order_id, status, note FROM t_order",
                    "SELECT o.user_id, o.amount FROM t_order o",
                    "SELECT * FROM t_order WHERE user_id = 10",
                    "SELECT * FROM t_order WHERE user_id = 10 AND order_id = 1000",
                    "SELECT created, flag FROM t_order ORDER BY order_id"]:
            with self.subTest(sql=sql):
                ref, px = [self._fields(c, sql) for c in (self.ref, self.px)]
                ref = [f.replace(REFERENCE, LOGICAL) for f in ref]
                self.assertEqual(ref, px)

    @staticmethod
    def _fields(c, sql):
        with c.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()
            return ["%s table=%s org_table=%s db=%s org_name=%s type=%d len=%d flags=%#x cs=%d "
                    "dec=%d" % (f.name, f.table_name, f.org_table, f.db, f.org_name, f.type_code,
                                f.length, f.flags, f.charsetnr, f.scale)
                    for f in cur._result.fields]


if __name__ == "__main__":
    unittest.main()
