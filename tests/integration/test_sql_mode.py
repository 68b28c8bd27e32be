"""The session's sql_mode decides how the proxy reads its statements, as the backend reads them:
under ANSI_QUOTES "x" is a name, under NO_BACKSLASH_ESCAPES a backslash in a string is an
ordinary character; and a `#` or `-- ` comment runs to '\\n' only.

A sharded logical database (modedb: t_user by id % 2 over two servers) and a pass-through one
(modepass, one data source) hold the same rows as a reference database used directly. The same
statements, in the same sql_mode, go through the proxy and to the reference; answers must match
(rows, or the error number), in text and binary protocol, with every way of setting sql_mode.
Rows written through the proxy are checked on the servers directly.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402
import test_prepared_protocol as pp  # noqa: E402

SHARDED = "modedb"
PASS = "modepass"
ACTUAL = ("it_mode_ds0", "it_mode_ds1")
ACTUAL_PASS = "it_mode_pass"
REF = "it_mode_ref"

RULES = """
- !SHARDING
  tables:
    t_user:
      actualDataNodes: ds_${0..1}.t_user
  defaultDatabaseStrategy:
    standard:
      shardingColumn: id
      shardingAlgorithmName: by_id
  defaultTableStrategy:
    none:
  shardingAlgorithms:
    by_id:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 2}
"""

TABLE = ("CREATE TABLE t_user (id INT NOT NULL PRIMARY KEY, name VARCHAR(64), secret VARCHAR(64))")
ROWS = [(1, "n1", "s1"), (2, "n2", "s2"), (3, "a\\", "s3"), (4, "name", "s4"), (5, "x'y", "s5")]

ANSI = "ANSI_QUOTES"
NBE = "NO_BACKSLASH_ESCAPES"
MODES = ["", ANSI, NBE, ANSI + "," + NBE, "ANSI"]

# Statements whose reading depends on the mode; each is valid in at least one of MODES.
STATEMENTS = [
    'SELECT "name" FROM t_user WHERE id = 1',
    'SELECT id, "name" FROM t_user WHERE "id" = 4',
    'SELECT id FROM t_user WHERE name = "name"',
    'SELECT "t_user"."name" FROM "t_user" WHERE "t_user"."id" IN (2, 3) ORDER BY "id"',
    "SELECT id FROM t_user WHERE name = 'a\\' ORDER BY id",
    "SELECT 'a\\', COUNT(*) AS n FROM t_user WHERE id = 2 -- '",
    "SELECT id FROM t_user WHERE name = 'a\\' OR id = 5 -- ' ORDER BY id",
    'SELECT id FROM t_user WHERE name = "a\\" OR id = 5 -- " ORDER BY id',
    "SELECT id FROM t_user WHERE id = 2 # comment\r OR id = 3\n ORDER BY id",
    "SELECT id FROM t_user WHERE id = 2 -- comment\r OR id = 3\n ORDER BY id",
    "SELECT COUNT(*) FROM t_user WHERE name LIKE 'x\\'%' -- '",
    "SELECT id, name FROM t_user WHERE name = 'x''y'",
]
# Pass-through only: subqueries (on a sharded table the proxy routes such a statement whole).
PASS_STATEMENTS = [
    "SELECT 'a\\', (SELECT COUNT(*) FROM t_user WHERE id = 2) AS n -- '",
    'SELECT (SELECT "name" FROM t_user WHERE "id" = 4)',
]


def norm(rows):
    return sorted(tuple(r) for r in rows)


class SqlModeTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = ports
        cls.enterClassContext(h.actual_databases(
            [(ports[0], ACTUAL[0]), (ports[1], ACTUAL[1]), (ports[0], ACTUAL_PASS), (ports[0], REF)]))
        values = ", ".join("(%d, '%s', '%s')" % (i, n.replace("\\", "\\\\").replace("'", "''"), s)
                           for i, n, s in ROWS)
        for port, db in ((ports[0], ACTUAL[0]), (ports[1], ACTUAL[1])):
            parity = 0 if db == ACTUAL[0] else 1
            mine = [r for r in ROWS if r[0] % 2 == parity]
            v = ", ".join("(%d, '%s', '%s')" % (i, n.replace("\\", "\\\\").replace("'", "''"), s)
                          for i, n, s in mine)
            h.direct_exec(port, db, TABLE, "INSERT INTO t_user VALUES " + v)
        h.direct_exec(ports[0], ACTUAL_PASS, TABLE, "INSERT INTO t_user VALUES " + values)
        h.direct_exec(ports[0], REF, TABLE, "INSERT INTO t_user VALUES " + values)
        sources = {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(mappings="root@%=*, app@%=modepass"),
            {SHARDED: h.database_yaml(SHARDED, sources, rules=RULES),
             PASS: h.database_yaml(PASS, {"ds_0": (ports[0], ACTUAL_PASS)})},
            name="sqlmode"))

    def setUp(self):
        # Rows written by a test go again.
        for port, db in ((self.ports[0], ACTUAL[0]), (self.ports[1], ACTUAL[1]),
                         (self.ports[0], ACTUAL_PASS), (self.ports[0], REF)):
            h.direct_exec(port, db, "DELETE FROM t_user WHERE id > 100")

    # ---- helpers ----

    def conn(self, db, mode=None, **kw):
        c = h.connect(self.proxy, db=db, **kw)
        self.addCleanup(c.close)
        if mode is not None:
            h.query(c, "SET sql_mode = '%s'" % mode)
        return c

    def ref(self, mode=None, **kw):
        c = h.direct(self.ports[0], REF, **kw)
        self.addCleanup(c.close)
        if mode is not None:
            h.query(c, "SET sql_mode = '%s'" % mode)
        return c

    def answer(self, c, sql):
        try:
            with c.cursor() as cur:
                cur.execute(sql)
                return ("rows", norm(cur.fetchall()) if cur.description else cur.rowcount)
        except pymysql.MySQLError as e:
            return ("error", e.args[0])

    def assertSameAnswers(self, proxy, ref, statements, what):
        for sql in statements:
            want = self.answer(ref, sql)
            got = self.answer(proxy, sql)
            self.assertEqual(got, want, "%s: %r" % (what, sql))

    def backend_rows(self, port, db, where):
        c = h.direct(port, db)
        try:
            return norm(h.query(c, "SELECT id, name, secret FROM t_user WHERE " + where))
        finally:
            c.close()

    # ---- text protocol ----

    def test_statements_read_as_the_server_reads_them(self):
        for mode in MODES:
            ref = self.ref(mode)
            for db, statements in ((SHARDED, STATEMENTS), (PASS, STATEMENTS + PASS_STATEMENTS)):
                self.assertSameAnswers(self.conn(db, mode), ref, statements, "%s, sql_mode %r" % (db, mode))

    def test_the_mode_differs_from_the_default(self):
        # The statements really are read otherwise in the two modes (else the test proves little).
        for sql, mode in ((STATEMENTS[0], ANSI), (STATEMENTS[5], NBE), (PASS_STATEMENTS[0], NBE)):
            self.assertNotEqual(self.answer(self.ref(""), sql), self.answer(self.ref(mode), sql), sql)

    def test_every_form_of_set(self):
        probe = ['SELECT id, "name" FROM t_user WHERE "id" = 4', "SELECT 'a\\', 1 -- '"]
        for db in (SHARDED, PASS):
            c = self.conn(db)
            ref = self.ref()
            for set_sql in [
                "SET SESSION sql_mode = 'ANSI_QUOTES'",
                "SET sql_mode = DEFAULT",
                "SET @@session.sql_mode = 'NO_BACKSLASH_ESCAPES'",
                "SET @@sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')",
                "SET LOCAL sql_mode = 'TRADITIONAL'",
                "SET @@local.sql_mode = 'ansi'",
                "SET sql_mode = '', @x = 1",
                "SET @m = 'NO_BACKSLASH_ESCAPES'",
                "SET sql_mode = @m",
                "SET sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
            ]:
                h.query(c, set_sql)
                h.query(ref, set_sql)
                self.assertEqual(h.query(c, "SELECT @@sql_mode"), h.query(ref, "SELECT @@sql_mode"))
                self.assertSameAnswers(c, ref, probe, "%s after %s" % (db, set_sql))

    def test_mode_at_connect(self):
        # sql_mode set by the client library right after connecting (init_command).
        for mode in (ANSI, NBE):
            c = self.conn(SHARDED, init_command="SET sql_mode = '%s'" % mode)
            self.assertSameAnswers(c, self.ref(mode), STATEMENTS[:8], "init_command %s" % mode)

    def test_set_statement_is_refused(self):
        c = self.conn(PASS)
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "SET STATEMENT sql_mode = 'ANSI_QUOTES' FOR SELECT \"name\" FROM t_user")
        self.assertEqual(e.exception.args[0], 1235)  # ER_NOT_SUPPORTED_YET

    def test_writes_land_as_the_server_reads_them(self):
        c = self.conn(SHARDED, ANSI + "," + NBE)
        h.query(c, 'INSERT INTO "t_user" ("id", "name", "secret") VALUES (101, \'c:\\dir\\\', \'s\')')
        h.query(c, "INSERT INTO t_user (id, name) VALUES (102, 'q\\'), (104, '\\n')")
        h.query(c, 'UPDATE "t_user" SET "secret" = \'u\\\' WHERE "id" = 102')
        self.assertEqual(self.backend_rows(self.ports[1], ACTUAL[1], "id > 100"),
                         [(101, "c:\\dir\\", "s")])
        self.assertEqual(self.backend_rows(self.ports[0], ACTUAL[0], "id > 100"),
                         [(102, "q\\", "u\\"), (104, "\\n", None)])
        # The same in the default mode: escapes are read.
        d = self.conn(SHARDED)
        h.query(d, "INSERT INTO t_user (id, name) VALUES (103, 'a\\tb'), (106, \"x\\\"y\")")
        self.assertEqual(self.backend_rows(self.ports[1], ACTUAL[1], "id = 103"), [(103, "a\tb", None)])
        self.assertEqual(self.backend_rows(self.ports[0], ACTUAL[0], "id = 106"), [(106, 'x"y', None)])

    def test_names_hidden_in_strings_are_checked(self):
        # Under NO_BACKSLASH_ESCAPES the subquery is SQL, not part of a string: the gate sees the
        # other database's name and refuses it to a user who may not use it.
        c = h.connect(self.proxy, user="app", password="app", db=PASS)
        self.addCleanup(c.close)
        h.query(c, "SET sql_mode = 'NO_BACKSLASH_ESCAPES'")
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "SELECT 'a\\', (SELECT COUNT(*) FROM modedb.t_user) AS n -- '")
        self.assertEqual(e.exception.args[0], 1142)  # SELECT command denied ... for table
        # The logical name of its own database is the actual one on the backend.
        self.assertEqual(h.query(c, "SELECT 'a\\', (SELECT COUNT(*) FROM modepass.t_user) AS n -- '"),
                         (("a\\", len(ROWS)),))
        # In the default mode the same text is one string.
        h.query(c, "SET sql_mode = DEFAULT")
        self.assertEqual(h.query(c, "SELECT 'a\\', (SELECT COUNT(*) FROM modedb.t_user) AS n -- '"),
                         (("a', (SELECT COUNT(*) FROM modedb.t_user) AS n -- ",),))

    def test_multi_statements_follow_each_set(self):
        for db in (SHARDED, PASS):
            sql = ("SELECT 'a\\'; SELECT 2'; SET sql_mode = 'NO_BACKSLASH_ESCAPES'; "
                   "SELECT 'b\\'; SELECT \"c\\\"; SET sql_mode = 'ANSI_QUOTES'; "
                   "SELECT \"name\" FROM t_user WHERE id = 1; SELECT 'd\\'; SELECT 2'")
            results = []
            for c in (self.conn(db, client_flag=CLIENT.MULTI_STATEMENTS),
                      self.ref(client_flag=CLIENT.MULTI_STATEMENTS)):
                out = []
                with c.cursor() as cur:
                    cur.execute(sql)
                    while True:
                        out.append(cur.fetchall() if cur.description else None)
                        if not cur.nextset():
                            break
                results.append(out)
            self.assertEqual(results[0], results[1], db)
            self.assertEqual(results[0][3], (("c\\",),))

    # ---- prepared statements ----

    def test_sql_prepared_statements(self):
        for mode in MODES:
            for db in (SHARDED, PASS):
                c = self.conn(db, mode)
                ref = self.ref(mode)
                steps = ["PREPARE s FROM 'SELECT \"name\" FROM t_user WHERE id = ?'",
                         "SET @i = 4", "EXECUTE s USING @i",
                         "SET @q = CONCAT('SELECT id FROM t_user WHERE name = ', CHAR(39), 'a', CHAR(92),"
                         " CHAR(39), ' OR id = ? -- ', CHAR(39))", "PREPARE s FROM @q",
                         "SET @i = 2", "EXECUTE s USING @i", "EXECUTE s"]
                for sql in steps:
                    self.assertEqual(self.answer(c, sql), self.answer(ref, sql), "%s %r: %s" % (db, mode, sql))

    def test_binary_prepared_statements(self):
        texts = ['SELECT "name", id FROM t_user WHERE id = ?',
                 "SELECT id FROM t_user WHERE name = 'a\\' OR id = ? -- '"]
        for mode in MODES:
            for db in (SHARDED, PASS):
                proxy = h.raw_client(self.proxy.port, db=db)
                self.addCleanup(proxy.close)
                ref = h.raw_client(self.ports[0], db=REF)
                self.addCleanup(ref.close)
                for c in (proxy, ref):
                    c.query1("SET sql_mode = '%s'" % mode)
                for sql in texts:
                    answers = []
                    for c in (proxy, ref):
                        stmt = pp.prepare(c, sql)
                        if isinstance(stmt, h.Result):
                            answers.append(("error", stmt.errno))
                            continue
                        # As many parameters as this reading has markers (none inside a string).
                        res = pp.execute(c, stmt, [(pp.T_LONG, False, 4)] * len(stmt.params))
                        answers.append((len(stmt.params), ("error", res.errno) if res.kind == "err" else
                                        ("rows", sorted(tuple(r) for r in res.rows))))
                    self.assertEqual(answers[0], answers[1], "%s %r: %s" % (db, mode, sql))

    def test_prepared_then_mode_changed(self):
        # The server keeps a prepared statement as it read it; the proxy runs it as text, so once
        # the mode reads that text otherwise it asks for a new PREPARE rather than run another
        # statement. A text both modes read alike still runs.
        c = self.conn(PASS)
        h.query(c, "PREPARE s FROM 'SELECT \"name\" FROM t_user WHERE id = ?'")
        h.query(c, "PREPARE t FROM 'SELECT name FROM t_user WHERE id = ?'")
        h.query(c, "SET @i = 1, sql_mode = 'ANSI_QUOTES'")
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "EXECUTE s USING @i")
        self.assertEqual(e.exception.args[0], 1615)
        self.assertEqual(h.query(c, "EXECUTE t USING @i"), (("n1",),))
        h.query(c, "SET sql_mode = DEFAULT")
        self.assertEqual(h.query(c, "EXECUTE s USING @i"), (("name",),))


if __name__ == "__main__":
    h.main()
