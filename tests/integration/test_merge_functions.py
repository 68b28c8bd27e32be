"""Merges that depend on the session and on column metadata, compared with one MariaDB holding
the same rows: GROUP_CONCAT cut at the session's group_concat_max_len (at a character
boundary, with one warning per cut value), and the column definitions of merged aggregates
(DISTINCT aggregates, GROUP_CONCAT, expressions over aggregates) as a server sends them.

t_order is sharded by user_id over two servers (ds_0, ds_1); the reference table is on the
first server.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

LOGICAL = "merge_fn_db"
ACTUAL = ("it_mfn_ds0", "it_mfn_ds1")
REFERENCE = "it_mfn_ref"

RULES = """\
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

DDL = ("CREATE TABLE t_order (order_id INT NOT NULL PRIMARY KEY, user_id INT NOT NULL, "
       "status VARCHAR(16), amount DECIMAL(10,2), note VARCHAR(32)) "
       "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci")
STATUSES = ["new", "NEW", "paid", None, "shipped", "Paid"]
NOTES = ["\u00e9t\u00e9", "na\u00efve", "x", None, "\u00fcber", "caf\u00e9 cr\u00e8me"]


def rows():
    out = []
    for order_id in range(1, 41):
        out.append((order_id, order_id % 5, STATUSES[order_id % len(STATUSES)],
                    None if order_id % 7 == 0 else "%d.%02d" % (order_id % 9, order_id % 4 * 25),
                    NOTES[order_id % len(NOTES)]))
    return out


def insert_sql(data):
    def lit(v):
        return "NULL" if v is None else (str(v) if isinstance(v, int) else "'%s'" % v)
    return "INSERT INTO t_order VALUES " + ", ".join(
        "(%s)" % ", ".join(lit(v) for v in r) for r in data)


def run(conn, sql):
    """(column names, rows, warning count)."""
    with conn.cursor() as cur:
        cur.execute(sql)
        result = cur.fetchall()
        return [d[0] for d in cur.description], list(result), cur._result.warning_count


def columns(conn, sql):
    """The column definitions a client sees: name, type, length, scale, nullable."""
    with conn.cursor() as cur:
        cur.execute(sql)
        cur.fetchall()
        return [(d[0], d[1], d[3], d[5], d[6]) for d in cur.description]


class MergeFunctionsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases(list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE)]))
        data = rows()
        for k, (port, db) in enumerate(zip(ports, ACTUAL)):
            h.direct_exec(port, db, DDL, insert_sql([r for r in data if r[1] % 2 == k]))
        h.direct_exec(ports[0], REFERENCE, DDL, insert_sql(data))
        sources = {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)},
            name="merge-functions"))
        cls.ref_port = ports[0]

    def setUp(self):
        self.proxied = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(self.proxied.close)
        self.reference = h.direct(self.ref_port, REFERENCE)
        self.addCleanup(self.reference.close)

    def both(self, sql):
        return run(self.reference, sql), run(self.proxied, sql)

    def test_group_concat_is_cut_at_the_sessions_max_len(self):
        queries = [
            "SELECT user_id, GROUP_CONCAT(note ORDER BY order_id SEPARATOR '|') FROM t_order "
            "GROUP BY user_id ORDER BY user_id",
            "SELECT GROUP_CONCAT(DISTINCT amount ORDER BY amount DESC) FROM t_order",
            "SELECT user_id, GROUP_CONCAT(order_id ORDER BY order_id DESC) AS ids FROM t_order "
            "GROUP BY user_id ORDER BY user_id",
            "SELECT COUNT(*), GROUP_CONCAT(DISTINCT note ORDER BY note SEPARATOR '') FROM t_order",
        ]
        cut_seen = 0
        for max_len in (4, 7, 30, 1024):
            for conn in (self.reference, self.proxied):
                h.query(conn, "SET SESSION group_concat_max_len = %d" % max_len)
            for sql in queries:
                with self.subTest(max_len=max_len, sql=sql):
                    expected, got = self.both(sql)
                    self.assertEqual(got[0], expected[0])
                    self.assertEqual(got[1], expected[1])
                    # One warning 1260 per value cut, as the server counts them.
                    self.assertEqual(got[2], expected[2])
                    cut_seen += expected[2]
        self.assertGreater(cut_seen, 0, "no value was cut: the test checks nothing")

    def test_merged_columns_are_defined_as_the_server_defines_them(self):
        sql = ("SELECT COUNT(DISTINCT status), SUM(DISTINCT amount), AVG(DISTINCT amount), "
               "COUNT(DISTINCT status, note), GROUP_CONCAT(status), "
               "GROUP_CONCAT(DISTINCT note ORDER BY note), MIN(DISTINCT note), COUNT(*) * 2, "
               "SUM(amount) / COUNT(*), ROUND(AVG(amount), 1) FROM t_order")
        for max_len in (100, 1024, 100000):
            for conn in (self.reference, self.proxied):
                h.query(conn, "SET SESSION group_concat_max_len = %d" % max_len)
            with self.subTest(max_len=max_len):
                self.assertEqual(columns(self.proxied, sql), columns(self.reference, sql))
                # (GROUP_CONCAT without ORDER BY may list the values in any order.)
                same = sql.replace("GROUP_CONCAT(status)", "GROUP_CONCAT(status ORDER BY order_id)")
                self.assertEqual(run(self.proxied, same)[1], run(self.reference, same)[1])

    def test_grouped_by_alias_and_position(self):
        for sql in [
            "SELECT SUM(order_id) AS s, user_id AS `key` FROM t_order GROUP BY `key` ORDER BY `key`",
            "SELECT note AS `order`, COUNT(*) AS n FROM t_order GROUP BY 1 ORDER BY 2 DESC, 1",
            "SELECT user_id, COUNT(*) * 2 AS c2 FROM t_order GROUP BY user_id "
            "HAVING c2 > 14 ORDER BY SUM(amount) / COUNT(*) DESC, user_id",
        ]:
            with self.subTest(sql=sql):
                expected, got = self.both(sql)
                self.assertEqual(got[:2], expected[:2])
                self.assertTrue(expected[1], "the reference returned no rows: nothing compared")


if __name__ == "__main__":
    h.main()
