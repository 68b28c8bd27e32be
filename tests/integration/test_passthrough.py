"""Single-data-source pass-through: every statement through the proxy must answer exactly like the
backend MariaDB answers the same statement directly.

Two actual databases on the first backend: it_pass_px (behind the proxy, logical name `passdb`) and
it_pass_ref (the reference, used directly).  The same statements go to both, and the test compares
rows, pymysql's cursor.description, every column-definition field (catalog, table, org_table,
name, org_name, charset, length, type, flags, decimals; the schema must be the *logical* name
through the proxy), the raw row bytes, rowcount / lastrowid / warning count / info string and the
transaction bits of the server status.

Error messages: a backend error is passed through as the backend wrote it, so a message naming a
database (e.g. 1146 "Table 'x.t' doesn't exist") names the *actual* database it_pass_px.  The
comparison accepts the actual or the logical name there.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402

PX = "it_pass_px"
REF = "it_pass_ref"
LOGICAL = "passdb"

STATUS_MASK = h.SERVER_STATUS_IN_TRANS | h.SERVER_STATUS_AUTOCOMMIT

TYPES_DDL = """
CREATE TABLE types (
  id INT AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d65 DECIMAL(65,30), d10 DECIMAL(10,2), f FLOAT, dbl DOUBLE,
  dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(3) NULL DEFAULT NULL, yr YEAR,
  b1 BIT(1), b64 BIT(64),
  c CHAR(10), vc VARCHAR(100), bn BINARY(4), vb VARBINARY(20),
  tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  js JSON, en ENUM('a','b','c') NOT NULL DEFAULT 'a', st SET('x','y','z'),
  nn VARCHAR(5) NOT NULL DEFAULT ''
) ENGINE=InnoDB CHARACTER SET utf8mb4
"""

TYPES_ROWS = [
    # minimum values
    "INSERT INTO types (ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d65, d10, f, dbl, dt, tm, dtm, ts, yr,"
    " b1, b64, c, vc, bn, vb, tb, bl, mb, lb, tt, tx, mt, lt, js, en, st) VALUES"
    " (-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,"
    " -99999999999999999999999999999999999.999999999999999999999999999999, -99999999.99,"
    " -3.40282e38, -1.7976931348623157e308, '1000-01-01', '-838:59:59.000000',"
    " '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000', 1901, b'0', b'0', '', '', X'00000000', X'',"
    " X'', X'', X'', X'', '', '', '', '', '[]', 'a', '')",
    # maximum values
    "INSERT INTO types (ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d65, d10, f, dbl, dt, tm, dtm, ts, yr,"
    " b1, b64, c, vc, bn, vb, tb, bl, mb, lb, tt, tx, mt, lt, js, en, st) VALUES"
    " (127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,"
    " 18446744073709551615, 99999999999999999999999999999999999.999999999999999999999999999999, 99999999.99,"
    " 3.40282e38, 1.7976931348623157e308, '9999-12-31', '838:59:59.000000', '9999-12-31 23:59:59.999999',"
    " '2038-01-19 03:14:07.999', 2155, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',"
    " 'abcdefghij', REPEAT('z', 100), X'FFFFFFFF', X'000102030405060708090A0B0C0D0E0F10111213',"
    " REPEAT(X'FE', 255), REPEAT(X'AB', 65535), REPEAT(X'CD', 100000), REPEAT(X'EF', 3000000),"
    " REPEAT('t', 255), REPEAT('\u00e9', 1000), REPEAT('\U0001F600', 100000), REPEAT('L', 2000000),"
    " '{\"a\": [1, 2.5, \"x\", null, true], \"emoji\": \"\U0001F600\", \"nested\": {\"k\": {}}}',"
    " 'c', 'x,y,z')",
    # ordinary values, emoji, escapes, negative and >24h times, zero date, fractional seconds
    "INSERT INTO types (ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d65, d10, f, dbl, dt, tm, dtm, ts, yr,"
    " b1, b64, c, vc, bn, vb, tb, bl, mb, lb, tt, tx, mt, lt, js, en, st) VALUES"
    " (0, 1, -1, 2, 0, 3, 42, 4, -1, 5, 0.000000000000000000000000000001, 0.01, 1.5, -0.000001,"
    " '0000-00-00', '-00:00:01.500000', '2024-02-29 12:34:56.789012', '2024-06-01 00:00:00.001', 0,"
    " b'1', b'1010', '\u00e9\U0001F600', 'emoji \U0001F389 \u4e2d\u6587 \\\\ \\' \" \\n\\t\\0 end', X'00FF00FF',"
    " X'00', X'0D0A', X'5C27', X'00', X'', 'tiny', 'text \u00fc', 'medium', 'long', 'null', 'b', 'x,z')",
    "INSERT INTO types (tm, dt, dtm, d10, f, dbl, vc, js) VALUES"
    " ('25:00:00', '2000-01-01', '2000-01-01 00:00:00', 12345678.90, 3.14159, 2.718281828459045, 'x',"
    " '{\"n\": 1.0e3, \"s\": \"a\\\\\"b\"}')",
    # all NULLs (except NOT NULL columns with defaults)
    "INSERT INTO types () VALUES ()",
]

SELECTS = [
    "SELECT * FROM types ORDER BY id",
    "SELECT id, ti, biu, d65, tm, ts, b64, vc, js FROM types WHERE id > 1 ORDER BY id DESC",
    "SELECT t.id AS x, t.c AS `weird name \u00e9\u4e2d`, CONCAT(t.c, t.vc) AS cc, t.st + 0 AS setnum"
    " FROM types AS t ORDER BY t.id",
    "SELECT * FROM types WHERE 1 = 0",
    "SELECT COUNT(*), SUM(d10), AVG(i), MIN(dtm), MAX(tm), GROUP_CONCAT(en ORDER BY id), BIT_OR(b64)"
    " FROM types",
    "SELECT 1, -1, 1.5, 'abc', NULL, 18446744073709551615, -9223372036854775808, 1e308, X'00FF',"
    " b'101', DATE '2020-01-01', TIME '-838:59:59', TIMESTAMP '2020-01-01 01:02:03.456',"
    " CAST(1 AS DECIMAL(30,10)), CAST('x' AS BINARY(3)), _latin1 'caf\u00e9', '\U0001F600', 0.1 + 0.2",
    "SELECT HEX(lb) = REPEAT('EF', 3000000), LENGTH(lb), LENGTH(mt), CHAR_LENGTH(mt) FROM types ORDER BY id",
    "SELECT en, COUNT(*) FROM types GROUP BY en ORDER BY en",
    "SELECT JSON_EXTRACT(js, '$.a[1]'), JSON_TYPE(js) FROM types WHERE js IS NOT NULL ORDER BY id",
    "SELECT CAST('abc' AS SIGNED)",                      # 1 warning
    "SELECT 1 / 0",                                      # warning (NULL)
    "SHOW COLUMNS FROM types",
    "SHOW CREATE TABLE types",
    "SHOW INDEX FROM types",
    "DESCRIBE types",
    "EXPLAIN SELECT * FROM types WHERE id = 1",
]


def norm_msg(msg, names):
    for n in names:
        msg = msg.replace(n, "<DB>")
    return msg


def short(v, n=300):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


FIELD_NAMES = ("catalog", "schema", "table", "org_table", "name", "org_name", "charset", "length", "type",
               "flags", "decimals")


def describe_diff(pr, dr):
    """A readable (bounded) description of how two Side.run() results differ: proxy vs direct."""
    out = []
    if set(pr) != set(dr):
        return "proxy: %s\ndirect: %s" % (short(pr, 2000), short(dr, 2000))
    for key in pr:
        a, b = pr[key], dr[key]
        if a == b:
            continue
        if key == "fields" and len(a) == len(b):
            for i, (fa, fb) in enumerate(zip(a, b)):
                for name, x, y in zip(FIELD_NAMES, fa, fb):
                    if x != y:
                        out.append("column %d (%s) %s: proxy %r, direct %r" % (i, fb[4], name, x, y))
        elif key == "rows" and len(a) == len(b):
            for i, (ra, rb) in enumerate(zip(a, b)):
                for j, (x, y) in enumerate(zip(ra, rb)):
                    if x != y:
                        out.append("row %d col %d: proxy %s, direct %s" % (i, j, short(x, 120), short(y, 120)))
        else:
            out.append("%s: proxy %s, direct %s" % (key, short(a), short(b)))
        if len(out) > 40:
            out.append("...")
            break
    return "\n".join(out)


class Side:
    """One side of the comparison: a pymysql connection and the db names to normalise."""

    def __init__(self, conn, schema_names, msg_names):
        self.conn = conn
        self.schema_names = schema_names
        self.msg_names = msg_names

    def run(self, sql, args=None):
        cur = self.conn.cursor()
        try:
            try:
                cur.execute(sql, args)
            except pymysql.MySQLError as e:
                return {"error": (e.args[0], norm_msg(str(e.args[1]), self.msg_names))}
            return self.collect(cur)
        finally:
            cur.close()

    def collect(self, cur):
        res = cur._result
        out = {
            "description": cur.description,
            "fields": [self.field(f) for f in (getattr(res, "fields", None) or [])],
            "rows": self.norm_rows(cur.fetchall()),
            "rowcount": cur.rowcount,
            "lastrowid": cur.lastrowid,
            "warnings": res.warning_count,
            "info": res.message,
            "status": (res.server_status or 0) & STATUS_MASK,
        }
        return out

    def norm_rows(self, rows):
        # database names inside values (SHOW ERRORS, SHOW CREATE ...) are normalised like messages
        if not rows:
            return rows
        return tuple(tuple(norm_msg(v, self.msg_names) if isinstance(v, str) else v for v in row) for row in rows)

    def field(self, f):
        db = f.db.decode() if isinstance(f.db, bytes) else f.db
        if db in self.schema_names:
            db = "<DB>"
        return (f.catalog, db, f.table_name, f.org_table, f.name, f.org_name, f.charsetnr, f.length,
                f.type_code, f.flags, f.scale)


class PassthroughBase(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port, PX), (cls.port, REF)]))
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(mappings="root@%=*, app@%=" + LOGICAL),
            {LOGICAL: h.database_yaml(LOGICAL, {"ds_0": (cls.port, PX)})},
            name="passthrough"))

    def setUp(self):
        self.pconn = h.connect(self.proxy, db=LOGICAL, max_allowed_packet=64 << 20)
        self.dconn = h.direct(self.port, REF, max_allowed_packet=64 << 20)
        self.addCleanup(self.pconn.close)
        self.addCleanup(self.dconn.close)
        # schema in metadata: logical name through the proxy, the actual name directly
        self.p = Side(self.pconn, {LOGICAL}, [PX, LOGICAL])
        self.d = Side(self.dconn, {REF}, [REF])

    def both(self, sql, args=None, pside=None, dside=None):
        """Run sql on both sides and assert identical results; returns the proxy's result."""
        pr = (pside or self.p).run(sql, args)
        dr = (dside or self.d).run(sql, args)
        if pr != dr:
            self.fail("proxy and direct differ for: %s\n%s" % (sql[:300], describe_diff(pr, dr)))
        return pr

    def both_ok(self, sql, args=None):
        r = self.both(sql, args)
        self.assertNotIn("error", r, "%s -> %r" % (sql[:200], r))
        return r

    def raw_pair(self, caps=h.DEFAULT_CAPS):
        rp = h.raw_client(self.proxy.port, db=LOGICAL, caps=caps)
        self.addCleanup(rp.close)
        rd = h.raw_client(self.port, db=REF, caps=caps)
        self.addCleanup(rd.close)
        return rp, rd

    def assert_raw_same(self, pres, dres, sql):
        """Compare two raw-client result lists (byte-exact rows, all column fields)."""
        self.assertEqual(len(pres), len(dres), "%s: %s vs %s" % (sql[:200], short(pres), short(dres)))
        for a, b in zip(pres, dres):
            sql = sql[:200] if isinstance(sql, str) else sql[:200].decode("latin1")
            self.assertEqual(a.kind, b.kind, "%s: %s vs %s" % (sql, short(a), short(b)))
            if a.kind == "err":
                self.assertEqual((a.errno, a.sqlstate, norm_msg(a.message, [PX, LOGICAL])),
                                 (b.errno, b.sqlstate, norm_msg(b.message, [REF])), sql)
                continue
            if a.kind == "ok":
                self.assertEqual((a.affected_rows, a.insert_id, a.warnings, a.info, a.status & STATUS_MASK),
                                 (b.affected_rows, b.insert_id, b.warnings, b.info, b.status & STATUS_MASK), sql)
                continue
            self.assertEqual(len(a.columns), len(b.columns), sql)
            for ca, cb in zip(a.columns, b.columns):
                ca, cb = dict(ca), dict(cb)
                if cb["schema"] == REF.encode():
                    self.assertEqual(ca["schema"], LOGICAL.encode(), "%s: schema of %s" % (sql, ca["name"]))
                else:
                    self.assertEqual(ca["schema"], cb["schema"], sql)
                ca.pop("schema")
                cb.pop("schema")
                self.assertEqual(ca, cb, sql)
            self.assertEqual(len(a.row_packets), len(b.row_packets), sql)
            for i, (ra, rb) in enumerate(zip(a.row_packets, b.row_packets)):
                if ra != rb:
                    self.fail("%s: row %d differs: %r... vs %r..." % (sql, i, ra[:200], rb[:200]))
            self.assertEqual((a.warnings, a.status & STATUS_MASK), (b.warnings, b.status & STATUS_MASK), sql)


class TypesTest(PassthroughBase):
    """DDL through the proxy, DML with every column type, SELECT comparisons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        p = h.connect(cls.proxy, db=LOGICAL, max_allowed_packet=64 << 20)
        d = h.direct(cls.port, REF, max_allowed_packet=64 << 20)
        try:
            for conn in (p, d):
                with conn.cursor() as cur:
                    cur.execute(TYPES_DDL)
                    for stmt in TYPES_ROWS:
                        cur.execute(stmt)
        finally:
            p.close()
            d.close()
        # SHOW INDEX compares cardinalities, which InnoDB estimates in the background after the
        # inserts: both tables' statistics are computed now, from the same rows.
        for db in (PX, REF):
            a = h.direct(cls.port, db)
            try:
                h.query(a, "ANALYZE TABLE types")
            finally:
                a.close()

    def test_ddl_reached_backend(self):
        # the table created through the proxy exists in the actual database, identical to the reference
        a = h.query(h.direct(self.port, PX), "SHOW CREATE TABLE types")
        b = h.query(h.direct(self.port, REF), "SHOW CREATE TABLE types")
        self.assertEqual(a, b)
        self.assertEqual(h.query(h.direct(self.port, PX), "SELECT COUNT(*) FROM types"), ((len(TYPES_ROWS),),))

    def test_selects_pymysql(self):
        for sql in SELECTS:
            with self.subTest(sql=sql[:80]):
                r = self.both_ok(sql)
                self.assertTrue(r["description"], sql)

    def test_selects_raw_bytes(self):
        rp, rd = self.raw_pair()
        for sql in SELECTS:
            with self.subTest(sql=sql[:80]):
                self.assert_raw_same(rp.query(sql), rd.query(sql), sql)

    def test_selects_deprecate_eof(self):
        rp, rd = self.raw_pair(caps=h.DEFAULT_CAPS | h.CAP_DEPRECATE_EOF)
        for sql in SELECTS[:6]:
            with self.subTest(sql=sql[:80]):
                self.assert_raw_same(rp.query(sql), rd.query(sql), sql)

    def test_schema_is_logical_name(self):
        rp = h.raw_client(self.proxy.port, db=LOGICAL)
        self.addCleanup(rp.close)
        r = rp.query1("SELECT id, vc FROM types LIMIT 1")
        self.assertEqual([c["schema"] for c in r.columns], [LOGICAL.encode()] * 2)
        self.assertEqual([c["table"] for c in r.columns], [b"types"] * 2)

    def test_logical_database_written_out(self):
        # `passdb.types` in the pass-through database passdb: the same rows as `types`, however
        # the qualifier is written.
        c = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(c.close)
        plain = h.query(c, "SELECT id, vc FROM types ORDER BY id")
        self.assertTrue(plain)
        for sql in ["SELECT id, vc FROM %s.types ORDER BY id" % LOGICAL,
                    "SELECT id, vc FROM `%s`.`types` ORDER BY id" % LOGICAL,
                    "SELECT t.id, t.vc FROM %s.types t ORDER BY t.id" % LOGICAL,
                    "SELECT %s.types.id, vc FROM %s . /* c */ types ORDER BY 1;" % (LOGICAL, LOGICAL)]:
            with self.subTest(sql=sql):
                self.assertEqual(h.query(c, sql), plain)

    def test_values_roundtrip(self):
        # spot-check decoded values (beyond proxy == direct)
        rows = h.query(self.pconn, "SELECT ti, biu, bi, d65, tm, b64, vc FROM types ORDER BY id")
        self.assertEqual(rows[0][0], -128)
        self.assertEqual(rows[1][1], 18446744073709551615)
        self.assertEqual(rows[0][2], -9223372036854775808)
        self.assertEqual(str(rows[1][3]), "99999999999999999999999999999999999.999999999999999999999999999999")
        self.assertEqual(str(rows[0][4]), "-35 days, 1:00:01")   # -838:59:59
        self.assertEqual(rows[1][5], b"\xff" * 8)
        self.assertIn("\U0001F389", rows[2][6])

    def test_ddl_variety(self):
        stmts = [
            "CREATE TABLE ddl_t (id BIGINT PRIMARY KEY, a VARCHAR(10)) ENGINE=InnoDB",
            "ALTER TABLE ddl_t ADD COLUMN b INT NOT NULL DEFAULT 7, ADD INDEX idx_a (a)",
            "CREATE UNIQUE INDEX ux_b ON ddl_t (b, id)",
            "INSERT INTO ddl_t (id, a) VALUES (1, 'x'), (2, 'y')",
            "CREATE VIEW ddl_v AS SELECT id, a FROM ddl_t WHERE id > 1",
            "SELECT * FROM ddl_v",
            "RENAME TABLE ddl_t TO ddl_t2",
            "TRUNCATE TABLE ddl_t2",
            "SELECT COUNT(*) FROM ddl_t2",
            "DROP VIEW ddl_v",
            "DROP TABLE ddl_t2",
            "DROP TABLE IF EXISTS ddl_t2",
        ]
        for sql in stmts:
            with self.subTest(sql=sql):
                self.both(sql)
        self.assertEqual(h.query(h.direct(self.port, PX), "SHOW TABLES LIKE 'ddl%'"), ())


class DmlTest(PassthroughBase):
    def setUp(self):
        super().setUp()
        for conn in (self.pconn, self.dconn):
            h.query(conn, "DROP TABLE IF EXISTS dml")
            h.query(conn, "CREATE TABLE dml (id INT AUTO_INCREMENT PRIMARY KEY, k INT, v VARCHAR(5) NOT NULL,"
                          " UNIQUE KEY uk (k))")

    def test_insert_update_delete(self):
        r = self.both_ok("INSERT INTO dml (k, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        self.assertEqual((r["rowcount"], r["lastrowid"]), (3, 1))
        self.assertIn(b"Records: 3  Duplicates: 0  Warnings: 0", r["info"])
        r = self.both_ok("INSERT INTO dml (k, v) VALUES (4, 'd')")
        self.assertEqual((r["rowcount"], r["lastrowid"]), (1, 4))
        r = self.both_ok("UPDATE dml SET v = 'a' WHERE k <= 3")      # 3 matched, 2 changed
        self.assertEqual(r["rowcount"], 2)
        self.assertIn(b"Rows matched: 3  Changed: 2  Warnings: 0", r["info"])
        r = self.both_ok("UPDATE dml SET v = 'zz' WHERE k = 99")
        self.assertEqual(r["rowcount"], 0)
        r = self.both_ok("INSERT INTO dml (k, v) VALUES (1, 'n') ON DUPLICATE KEY UPDATE v = 'upd'")
        self.assertEqual(r["rowcount"], 2)
        r = self.both_ok("REPLACE INTO dml (id, k, v) VALUES (2, 2, 'rep')")
        self.assertEqual(r["rowcount"], 2)
        r = self.both_ok("INSERT IGNORE INTO dml (id, k, v) VALUES (1, 50, 'dup')")
        self.assertEqual((r["rowcount"], r["warnings"]), (0, 1))
        r = self.both_ok("INSERT INTO dml (id, k, v) VALUES (100, 100, 'x')")
        self.assertEqual(r["lastrowid"], 100)
        r = self.both_ok("INSERT INTO dml (k, v) SELECT k + 1000, v FROM dml WHERE k < 3")
        self.assertEqual(r["rowcount"], 2)
        r = self.both_ok("DELETE FROM dml WHERE k > 3")
        self.assertEqual(r["rowcount"], 4)
        self.both_ok("SELECT * FROM dml ORDER BY id")
        r = self.both_ok("DELETE FROM dml")
        self.assertEqual(r["rowcount"], 3)

    def test_found_rows_client_flag(self):
        # CLIENT_FOUND_ROWS (what Connector/J always sets): affected rows = matched rows
        pc = h.connect(self.proxy, db=LOGICAL, client_flag=CLIENT.FOUND_ROWS)
        dc = h.direct(self.port, REF, client_flag=CLIENT.FOUND_ROWS)
        self.addCleanup(pc.close)
        self.addCleanup(dc.close)
        ps, ds = Side(pc, {LOGICAL}, [PX, LOGICAL]), Side(dc, {REF}, [REF])
        self.both("INSERT INTO dml (k, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')", pside=ps, dside=ds)
        r = self.both("UPDATE dml SET v = 'a' WHERE k <= 3", pside=ps, dside=ds)
        self.assertEqual(r["rowcount"], 3)
        # and a client without the flag still gets "changed" counts on the same pool
        r = self.both_ok("UPDATE dml SET v = 'a' WHERE k <= 3")      # nothing changes
        self.assertEqual(r["rowcount"], 0)
        r = self.both("UPDATE dml SET v = 'a' WHERE k <= 3", pside=ps, dside=ds)
        self.assertEqual(r["rowcount"], 3)
        r = self.both_ok("UPDATE dml SET v = 'b' WHERE k <= 2")
        self.assertEqual(r["rowcount"], 2)

    def test_errors(self):
        self.both_ok("INSERT INTO dml (id, k, v) VALUES (1, 1, 'a')")
        cases = [
            ("INSERT INTO dml (id, k, v) VALUES (1, 2, 'b')", 1062, "23000"),
            ("SELECT * FROM nosuch_table", 1146, "42S02"),
            ("SELECT nope FROM dml", 1054, "42S22"),
            ("INSERT INTO dml (k, v) VALUES (5, 'toolong')", 1406, "22001"),
            ("INSERT INTO dml (k) VALUES (6)", 1364, "HY000"),
            ("DROP TABLE nosuch_table", 1051, "42S02"),
            ("CREATE TABLE dml (x INT)", 1050, "42S01"),
        ]
        rp, rd = self.raw_pair()
        for sql, errno, state in cases:
            with self.subTest(sql=sql):
                r = self.both(sql)
                self.assertEqual(r.get("error", (None,))[0], errno, r)
                pres, dres = rp.query(sql), rd.query(sql)
                self.assert_raw_same(pres, dres, sql)
                self.assertEqual((pres[0].errno, pres[0].sqlstate), (errno, state))
        # the message of 1146 names a database: the backend wrote the actual one
        r = rp.query("SELECT * FROM nosuch_table")[0]
        self.assertRegex(r.message, r"^Table '(%s|%s)\.nosuch_table' doesn't exist$" % (PX, LOGICAL))
        # syntax errors: the proxy may answer them from its own parser; code, state and the start of
        # MySQL's message must match
        for sql in ("SELEC 1", "SELECT * FROM dml WHERE", "INSERT INTO dml VALUES (1,"):
            with self.subTest(sql=sql):
                pres = rp.query(sql)
                self.assertEqual(len(pres), 1, pres)
                self.assertMySQLError(pres[0], 1064, "42000", prefix="You have an error in your SQL syntax")
                with self.assertRaises(pymysql.MySQLError) as cm:
                    h.query(self.pconn, sql)
                self.assertEqual(cm.exception.args[0], 1064)
        # still usable
        self.assertEqual(h.query(self.pconn, "SELECT COUNT(*) FROM dml"), ((1,),))
        self.assertEqual(rp.query1("SELECT 1").rows, [[b"1"]])

    def test_warnings_and_session_bound_functions(self):
        # SHOW WARNINGS / LAST_INSERT_ID() / ROW_COUNT() / FOUND_ROWS() refer to the previous
        # statement of the same client session
        seq = [
            "INSERT INTO dml (k, v) VALUES (1, 'a'), (2, 'b')",
            "SELECT LAST_INSERT_ID()",
            "INSERT INTO dml (k, v) VALUES (3, 'c')",
            "SELECT LAST_INSERT_ID(), ROW_COUNT()",
            "UPDATE dml SET v = 'x'",
            "SELECT ROW_COUNT()",
            "SELECT CAST('abc' AS SIGNED), CAST('1x' AS SIGNED)",
            "SHOW WARNINGS",
            "SHOW COUNT(*) WARNINGS",
            "INSERT IGNORE INTO dml (k, v) VALUES (1, 'dup')",
            "SHOW WARNINGS",
            "SELECT * FROM nosuch_table",
            "SHOW ERRORS",
            "SELECT SQL_CALC_FOUND_ROWS * FROM dml LIMIT 1",
            "SELECT FOUND_ROWS()",
            "SELECT @@warning_count, @@error_count",
        ]
        for sql in seq:
            with self.subTest(sql=sql):
                self.both(sql)

    def test_multi_statements(self):
        caps = h.DEFAULT_CAPS | h.CAP_MULTI_STATEMENTS
        rp, rd = self.raw_pair(caps=caps)
        cases = [
            "SELECT 1; SELECT 'two' AS b, 2.5 AS c",
            "INSERT INTO dml (k, v) VALUES (1, 'a'); INSERT INTO dml (k, v) VALUES (2, 'b'), (3, 'c');"
            " SELECT * FROM dml ORDER BY id; UPDATE dml SET v = 'z' WHERE k > 1; DELETE FROM dml WHERE k = 3",
            "SELECT 1; SELECT nope FROM dml; SELECT 3",                     # error in the middle
            "SELECT COUNT(*) FROM dml; INSERT INTO dml (k, v) VALUES (1, 'dup'); SELECT 'not reached'",
            "SET @a = 5; SELECT @a + 1; DO 1",
            "SELECT 1;",
            "SELECT 'a;b' AS `x;y`; SELECT \"c;\" /* ; */; -- ;\nSELECT 4",
        ]
        for sql in cases:
            with self.subTest(sql=sql):
                pres, dres = rp.query(sql), rd.query(sql)
                self.assert_raw_same(pres, dres, sql)
        r = rp.query("SELECT 1; SELECT nope FROM dml; SELECT 3")
        self.assertEqual([x.kind for x in r], ["rs", "err"])
        # pymysql with MULTI_STATEMENTS: nextset() walks the results, then the error
        pc = h.connect(self.proxy, db=LOGICAL, client_flag=CLIENT.MULTI_STATEMENTS)
        self.addCleanup(pc.close)
        cur = pc.cursor()
        cur.execute("SELECT 1; SELECT 2, 3; SELECT 'x'")
        got = [cur.fetchall()]
        while cur.nextset():
            got.append(cur.fetchall())
        self.assertEqual(got, [((1,),), ((2, 3),), (("x",),)])
        cur.execute("SELECT 10; SELECT nope FROM dml; SELECT 30")
        self.assertEqual(cur.fetchall(), ((10,),))
        with self.assertRaises(pymysql.MySQLError) as cm:
            cur.nextset()
        self.assertEqual(cm.exception.args[0], 1054)
        self.assertEqual(h.query(pc, "SELECT 99"), ((99,),))

    def test_multi_statements_without_flag(self):
        # the client did not set CLIENT_MULTI_STATEMENTS: "a; b" is a syntax error, as in MySQL
        rp, rd = self.raw_pair()
        sql = "SELECT 1; SELECT 2"
        pres, dres = rp.query(sql), rd.query(sql)
        self.assertEqual(len(pres), 1, pres)
        self.assertMySQLError(pres[0], 1064, "42000", prefix="You have an error in your SQL syntax")
        self.assertEqual(dres[0].errno, 1064)
        self.assertEqual(rp.query1("SELECT 5").rows, [[b"5"]])

    def test_stored_procedure_two_result_sets(self):
        for port, db in ((self.port, PX), (self.port, REF)):
            h.direct_exec(port, db, "DROP PROCEDURE IF EXISTS p2",
                          "CREATE PROCEDURE p2(IN n INT) BEGIN SELECT n AS a, 'first' AS b;"
                          " SELECT id, k, v FROM dml ORDER BY id; END")
        self.both_ok("INSERT INTO dml (k, v) VALUES (1, 'a'), (2, 'b')")
        rp, rd = self.raw_pair()
        pres, dres = rp.query("CALL p2(7)"), rd.query("CALL p2(7)")
        self.assert_raw_same(pres, dres, "CALL p2(7)")
        self.assertEqual([x.kind for x in pres], ["rs", "rs", "ok"])
        # pymysql: two result sets then the CALL's own OK
        cur = self.pconn.cursor()
        cur.execute("CALL p2(8)")
        first = cur.fetchall()
        self.assertTrue(cur.nextset())
        second = cur.fetchall()
        self.assertEqual(first, ((8, "first"),))
        self.assertEqual(second, ((1, 1, "a"), (2, 2, "b")))
        while cur.nextset():
            pass
        self.assertEqual(h.query(self.pconn, "SELECT 1"), ((1,),))

    def test_create_procedure_through_proxy(self):
        sql = ("CREATE PROCEDURE p_px(IN n INT) BEGIN DECLARE x INT DEFAULT 0; SET x = n * 2;"
               " SELECT x AS doubled; END")
        self.both("DROP PROCEDURE IF EXISTS p_px")
        self.both_ok(sql)
        r = self.both_ok("CALL p_px(21)")
        self.assertEqual(r["rows"], ((42,),))
        self.both_ok("DROP PROCEDURE p_px")


class TransactionTest(PassthroughBase):
    def setUp(self):
        super().setUp()
        h.query(self.pconn, "DROP TABLE IF EXISTS tx")
        h.query(self.pconn, "CREATE TABLE tx (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB")
        self.obs = h.direct(self.port, PX)     # observer straight on the actual db
        self.addCleanup(self.obs.close)

    def count(self):
        return h.query(self.obs, "SELECT COUNT(*) FROM tx")[0][0]

    def test_begin_rollback(self):
        h.query(self.pconn, "BEGIN")
        h.query(self.pconn, "INSERT INTO tx VALUES (1, 'a'), (2, 'b')")
        self.assertEqual(h.query(self.pconn, "SELECT COUNT(*) FROM tx"), ((2,),))
        self.assertEqual(self.count(), 0, "uncommitted rows visible to another session")
        h.query(self.pconn, "ROLLBACK")
        self.assertEqual(h.query(self.pconn, "SELECT COUNT(*) FROM tx"), ((0,),))
        self.assertEqual(self.count(), 0)

    def test_begin_commit(self):
        h.query(self.pconn, "START TRANSACTION")
        h.query(self.pconn, "INSERT INTO tx VALUES (1, 'a')")
        h.query(self.pconn, "UPDATE tx SET v = 'b' WHERE id = 1")
        self.assertEqual(self.count(), 0)
        h.query(self.pconn, "COMMIT")
        self.assertEqual(h.query(self.obs, "SELECT v FROM tx"), (("b",),))

    def test_pymysql_api(self):
        self.pconn.begin()
        h.query(self.pconn, "INSERT INTO tx VALUES (5, 'x')")
        self.pconn.rollback()
        self.assertEqual(self.count(), 0)
        self.pconn.begin()
        h.query(self.pconn, "INSERT INTO tx VALUES (6, 'y')")
        self.pconn.commit()
        self.assertEqual(self.count(), 1)

    def test_autocommit_off(self):
        h.query(self.pconn, "SET autocommit = 0")
        self.assertEqual(h.query(self.pconn, "SELECT @@autocommit"), ((0,),))
        h.query(self.pconn, "INSERT INTO tx VALUES (1, 'a')")
        for _ in range(10):       # more statements in the same implicit transaction
            h.query(self.pconn, "SELECT COUNT(*) FROM tx")
        h.query(self.pconn, "INSERT INTO tx VALUES (2, 'b')")
        self.assertEqual(self.count(), 0)
        h.query(self.pconn, "ROLLBACK")
        self.assertEqual(self.count(), 0)
        h.query(self.pconn, "INSERT INTO tx VALUES (3, 'c')")
        h.query(self.pconn, "COMMIT")
        self.assertEqual(self.count(), 1)
        h.query(self.pconn, "INSERT INTO tx VALUES (4, 'd')")
        h.query(self.pconn, "SET autocommit = 1")      # commits the open transaction
        self.assertEqual(self.count(), 2)
        self.assertEqual(h.query(self.pconn, "SELECT @@autocommit"), ((1,),))
        h.query(self.pconn, "INSERT INTO tx VALUES (5, 'e')")
        self.assertEqual(self.count(), 3)

    def test_disconnect_rolls_back(self):
        c = h.connect(self.proxy, db=LOGICAL)
        h.query(c, "BEGIN")
        h.query(c, "INSERT INTO tx VALUES (9, 'lost')")
        c.close()
        # the proxy must roll back (not return the connection with an open transaction)
        h.wait_until(lambda: self.count() == 0, 5, what="rollback after disconnect")
        # and the pooled connection that held it is clean for the next client
        for _ in range(5):
            c = h.connect(self.proxy, db=LOGICAL)
            try:
                self.assertEqual(h.query(c, "SELECT COUNT(*) FROM tx"), ((0,),))
                h.query(c, "INSERT INTO tx VALUES (10, 'x')")
                h.query(c, "DELETE FROM tx WHERE id = 10")
            finally:
                c.close()
        self.assertEqual(self.count(), 0)

    def test_status_flags(self):
        # SERVER_STATUS_IN_TRANS / SERVER_STATUS_AUTOCOMMIT in every OK / EOF, as MariaDB sets them
        h.query(self.dconn, "DROP TABLE IF EXISTS tx")
        h.query(self.dconn, "CREATE TABLE tx (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB")
        rp, rd = self.raw_pair()
        expect = [  # (sql, in_trans, autocommit)
            ("BEGIN", True, True),
            ("INSERT INTO tx VALUES (1, 'a')", True, True),
            ("SELECT * FROM tx", True, True),
            ("COMMIT", False, True),
            ("SET autocommit = 0", False, False),
            ("SELECT 1", False, False),
            ("INSERT INTO tx VALUES (2, 'b')", True, False),
            ("SELECT COUNT(*) FROM tx", True, False),
            ("ROLLBACK", False, False),
            ("SET autocommit = 1", False, True),
            ("DELETE FROM tx", False, True),
        ]
        for sql, in_trans, autocommit in expect:
            pres, dres = rp.query(sql), rd.query(sql)
            self.assert_raw_same(pres, dres, sql)
            st = pres[-1].status
            self.assertEqual((bool(st & h.SERVER_STATUS_IN_TRANS), bool(st & h.SERVER_STATUS_AUTOCOMMIT)),
                             (in_trans, autocommit), "status after %s: 0x%x" % (sql, st))


class SessionVariableTest(PassthroughBase):
    def test_sql_mode(self):
        h.query(self.pconn, "SET sql_mode = 'ANSI_QUOTES'")
        for _ in range(20):
            self.assertEqual(h.query(self.pconn, "SELECT @@sql_mode"), (("ANSI_QUOTES",),))
            self.assertEqual(h.query(self.pconn, "SELECT @@SESSION.sql_mode"), (("ANSI_QUOTES",),))
        # the mode is in effect on the backend: "1" is an identifier under ANSI_QUOTES
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(self.pconn, 'SELECT "no_such_column"')
        self.assertEqual(cm.exception.args[0], 1054)
        h.query(self.pconn, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        h.query(self.pconn, "DROP TABLE IF EXISTS sm")
        h.query(self.pconn, "CREATE TABLE sm (v VARCHAR(2))")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(self.pconn, "INSERT INTO sm VALUES ('toolong')")
        self.assertEqual(cm.exception.args[0], 1406)
        h.query(self.pconn, "SET @@session.sql_mode = ''")
        cur = self.pconn.cursor()
        cur.execute("INSERT INTO sm VALUES ('toolong')")      # truncated with a warning
        self.assertEqual(cur._result.warning_count, 1)
        self.assertEqual(h.query(self.pconn, "SELECT v FROM sm"), (("to",),))
        # a new client gets the server default again
        other = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(other.close)
        default = h.query(self.dconn, "SELECT @@GLOBAL.sql_mode")[0][0]
        self.assertEqual(h.query(other, "SELECT @@sql_mode"), ((default,),))

    def test_time_zone(self):
        for conn in (self.pconn, self.dconn):
            h.query(conn, "DROP TABLE IF EXISTS tz")
            h.query(conn, "CREATE TABLE tz (ts TIMESTAMP(3) NULL)")
            h.query(conn, "INSERT INTO tz VALUES ('2024-01-01 00:00:00.123')")
            h.query(conn, "SET time_zone = '+05:00'")
        for _ in range(10):
            self.both_ok("SELECT @@time_zone, ts, UNIX_TIMESTAMP(ts) FROM tz")
        self.assertEqual(h.query(self.pconn, "SELECT @@time_zone"), (("+05:00",),))
        self.assertEqual(str(h.query(self.pconn, "SELECT ts FROM tz")[0][0]), "2024-01-01 05:00:00.123000")
        h.query(self.pconn, "INSERT INTO tz VALUES ('2024-01-01 05:00:00.000')")   # == 00:00 UTC
        self.assertEqual(h.query(h.direct(self.port, PX), "SELECT COUNT(*) FROM tz WHERE ts = '2024-01-01 00:00:00'"),
                         ((1,),))

    def test_set_names_latin1(self):
        for conn in (self.pconn, self.dconn):
            h.query(conn, "DROP TABLE IF EXISTS cs")
            h.query(conn, "CREATE TABLE cs (id INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET utf8mb4)")
            h.query(conn, "INSERT INTO cs VALUES (1, 'caf\u00e9'), (2, '\U0001F600 x'), (3, 'plain')")
        rp, rd = self.raw_pair()
        for sql in ["SET NAMES latin1",
                    "SELECT @@character_set_client, @@character_set_connection, @@character_set_results,"
                    " @@collation_connection",
                    "SELECT id, s, LENGTH(s), HEX(s) FROM cs ORDER BY id",
                    "SELECT 'caf\u00e9' AS lit".encode("latin1"),
                    "INSERT INTO cs VALUES (4, 'na\u00efve')".encode("latin1"),
                    "SELECT HEX(s) FROM cs WHERE id = 4",
                    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
                    "SELECT @@collation_connection, s FROM cs ORDER BY id",
                    "SET character_set_results = NULL",
                    "SELECT s FROM cs ORDER BY id"]:
            with self.subTest(sql=sql):
                pres, dres = rp.query(sql), rd.query(sql)
                self.assert_raw_same(pres, dres, sql)
        # the latin1 row really went in as UTF-8 on the backend
        self.assertEqual(h.query(h.direct(self.port, PX), "SELECT s FROM cs WHERE id = 4"), (("na\u00efve",),))
        # handshake charset (pymysql charset=latin1) behaves like SET NAMES
        pl = h.connect(self.proxy, db=LOGICAL, charset="latin1")
        dl = h.direct(self.port, REF, charset="latin1")
        self.addCleanup(pl.close)
        self.addCleanup(dl.close)
        self.both("SELECT id, s FROM cs ORDER BY id", pside=Side(pl, {LOGICAL}, [PX]), dside=Side(dl, {REF}, [REF]))
        self.assertEqual(h.query(pl, "SELECT s FROM cs WHERE id = 1"), (("caf\u00e9",),))
        self.assertEqual(h.query(pl, "SELECT @@character_set_client"), (("latin1",),))

    def test_user_variables(self):
        h.query(self.pconn, "SET @x = 1, @s = 'str', @n = NULL")
        for i in range(20):
            self.assertEqual(h.query(self.pconn, "SELECT @x, @s, @n"), ((1, "str", None),))
        h.query(self.pconn, "SELECT @x := @x + 41")
        self.assertEqual(h.query(self.pconn, "SELECT @x"), ((42,),))
        other = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(other.close)
        self.assertEqual(h.query(other, "SELECT @x, @s"), ((None, None),))

    def test_interleaved_clients_do_not_leak(self):
        settings = [
            ("+05:00", "ANSI_QUOTES", 1),
            (None, None, 2),
            ("-03:30", "NO_BACKSLASH_ESCAPES", 3),
            (None, "TRADITIONAL", 4),
        ]
        conns = [h.connect(self.proxy, db=LOGICAL) for _ in settings]
        for c in conns:
            self.addCleanup(c.close)
        default_mode = h.query(self.dconn, "SELECT @@GLOBAL.sql_mode")[0][0]
        expected_mode = {}
        for i, (tz, mode, v) in enumerate(settings):
            if tz:
                h.query(conns[i], "SET time_zone = '%s'" % tz)
            if mode:
                h.query(conns[i], "SET sql_mode = '%s'" % mode)
            expected_mode[i] = h.query(self.dconn, "SELECT @@GLOBAL.sql_mode")[0][0] if not mode else None
            h.query(conns[i], "SET @who = %d" % v)
        # what MariaDB reports for TRADITIONAL etc.
        ref = h.direct(self.port, REF)
        self.addCleanup(ref.close)
        for i, (tz, mode, v) in enumerate(settings):
            if mode:
                h.query(ref, "SET sql_mode = '%s'" % mode)
                expected_mode[i] = h.query(ref, "SELECT @@sql_mode")[0][0]
            else:
                expected_mode[i] = default_mode
        for rnd in range(50):
            for i, (tz, mode, v) in enumerate(settings):
                got = h.query(conns[i], "SELECT @@time_zone, @@sql_mode, @who")
                self.assertEqual(got, ((tz or "SYSTEM", expected_mode[i], v),), "client %d round %d" % (i, rnd))
                if rnd % 10 == 0:
                    # a statement that changes something else on its connection
                    h.query(conns[i], "SELECT SLEEP(0)")
        # concurrently, from threads
        errors = []

        def worker(i):
            tz, mode, v = settings[i]
            try:
                for _ in range(100):
                    got = h.query(conns[i], "SELECT @@time_zone, @@sql_mode, @who")
                    if got != ((tz or "SYSTEM", expected_mode[i], v),):
                        errors.append((i, got))
                        return
            except Exception as e:  # noqa: BLE001
                errors.append((i, repr(e)))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(settings))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertFalse(any(t.is_alive() for t in threads), "worker threads hung")
        self.assertEqual(errors, [])
        # a brand-new client sees defaults
        fresh = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(fresh.close)
        self.assertEqual(h.query(fresh, "SELECT @@time_zone, @@sql_mode, @who"), (("SYSTEM", default_mode, None),))

    def test_charset_variables(self):
        for sql in ["SET character_set_client = latin1", "SET character_set_results = latin1",
                    "SET character_set_connection = latin1", "SET collation_connection = latin1_bin"]:
            h.query(self.pconn, sql)
        got = h.query(self.pconn, "SELECT @@character_set_client, @@character_set_results,"
                                  " @@character_set_connection, @@collation_connection")
        self.assertEqual(got, (("latin1", "latin1", "latin1", "latin1_bin"),))


if __name__ == "__main__":
    h.main()
