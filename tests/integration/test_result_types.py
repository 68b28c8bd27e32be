"""The column definitions of values the proxy puts in place of the backend's: the session
functions (CONNECTION_ID(), DATABASE(), USER() ...) answer with the proxy's connection id,
logical database and user, and must still be described as MariaDB describes the functions. Each
one is compared field by field (type, length, flags, character set, decimals, names) with what a
reference MariaDB sends for the same statement, in a pass-through and in a sharded logical
database, with no database, and with the utf8mb4 and latin1 client character sets. (VERSION()
and @@version answer the proxy's longer version: their length is compared per character.)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

ACTUAL = ("it_rtypes_plain", "it_rtypes_ds0", "it_rtypes_ds1", "it_rtypes_reference")

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

EXPRESSIONS = [
    "CONNECTION_ID()", "DATABASE()", "SCHEMA()", "USER()", "CURRENT_USER()", "CURRENT_USER",
    "SESSION_USER()", "SYSTEM_USER()", "LAST_INSERT_ID()", "FOUND_ROWS()", "ROW_COUNT()",
    "@@version", "VERSION()", "CONNECTION_ID() AS id", "database() AS `db`",
]
# Statements with several of them, and them next to a table's columns.
STATEMENTS = ["SELECT " + e for e in EXPRESSIONS] + [
    "SELECT CONNECTION_ID(), DATABASE(), USER(), CURRENT_USER(), 1",
    "SELECT CONNECTION_ID() + 0, CONCAT(DATABASE(), '')",
    "SELECT user_id, CONNECTION_ID(), DATABASE() FROM t_order",
]


def field(f):
    return {"name": f.name, "org_name": f.org_name, "table": f.table_name, "org_table": f.org_table,
            "type": f.type_code, "length": f.length, "flags": f.flags, "charset": f.charsetnr,
            "decimals": f.scale}


class ResultTypesTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        places = [(ports[0], ACTUAL[0]), (ports[0], ACTUAL[1]), (ports[1], ACTUAL[2]),
                  (ports[1], ACTUAL[3])]
        cls.enterClassContext(h.actual_databases(places))
        table = "CREATE TABLE t_order (order_id INT PRIMARY KEY, user_id INT)"
        for port, db in places:
            h.direct_exec(port, db, table)
        cls.reference = (ports[1], ACTUAL[3])
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(mappings="root@%=*, app@%=plain_db, sha2user@%=plain_db"),
            {"plain_db": h.database_yaml("plain_db", {"ds": places[0]}),
             "sharded_db": h.database_yaml("sharded_db", {"ds_0": places[1], "ds_1": places[2]},
                                           rules=RULES)},
            name="rtypes"))

    def describe(self, conn, sql):
        with conn.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
            fields = [field(f) for f in cur._result.fields]
        # VERSION() and @@version answer the proxy's (longer) version: the server describes
        # them with the value's length, so the bytes per character must match, not the length.
        for i, f in enumerate(fields):
            if f["name"] in ("VERSION()", "@@version") and rows and rows[0][i]:
                f["length"] = "%d per character" % (f["length"] // len(rows[0][i]))
        return fields

    def compare(self, proxy_db, charset):
        port, ref_db = self.reference
        for sql in STATEMENTS:
            needs_table = " FROM " in sql
            if needs_table and proxy_db is None:
                continue
            ref = h.direct(port, ref_db if proxy_db else None, charset=charset)
            proxy = h.connect(self.proxy, user="app" if proxy_db == "plain_db" else "root",
                              password="app" if proxy_db == "plain_db" else "root", db=proxy_db,
                              charset=charset)
            try:
                with self.subTest(sql=sql, db=proxy_db, charset=charset):
                    self.assertEqual(self.describe(proxy, sql), self.describe(ref, sql))
            finally:
                ref.close()
                proxy.close()

    def test_pass_through_database(self):
        for charset in ("utf8mb4", "latin1"):
            self.compare("plain_db", charset)

    def test_sharded_database(self):
        for charset in ("utf8mb4", "latin1"):
            self.compare("sharded_db", charset)

    def test_no_database(self):
        for charset in ("utf8mb4", "latin1"):
            self.compare(None, charset)

    def test_the_values_are_the_proxys(self):
        c = h.connect(self.proxy, user="app", password="app", db="plain_db")
        try:
            with c.cursor() as cur:
                cur.execute("SELECT CONNECTION_ID(), DATABASE(), USER()")
                connection_id, database, user = cur.fetchone()
                # An int, not a Decimal: the column is INT UNSIGNED, as MariaDB's.
                self.assertIs(type(connection_id), int)
                self.assertEqual(database, "plain_db")
                self.assertTrue(user.startswith("app@"), user)
        finally:
            c.close()


if __name__ == "__main__":
    h.main()
