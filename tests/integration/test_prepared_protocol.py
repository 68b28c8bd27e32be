"""Prepared statements at the protocol level, with a strict raw client: COM_STMT_PREPARE answers,
COM_STMT_EXECUTE parameter encoding and binary rows, remembered types, long data, read-only
cursors with COM_STMT_FETCH, COM_STMT_RESET / CLOSE, the per-connection statement limit and the
errors MySQL gives. Where MariaDB itself can answer, the proxy's answer is compared with the
server's, byte for byte in the values and field by field in the column definitions.
"""

import datetime
import decimal
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

DB = "it_prepared_proto"
LOGICAL = "ps_db"

COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_SEND_LONG_DATA = 0x18
COM_STMT_CLOSE = 0x19
COM_STMT_RESET = 0x1A
COM_STMT_FETCH = 0x1C

T_TINY, T_SHORT, T_LONG, T_FLOAT, T_DOUBLE, T_NULL = 1, 2, 3, 4, 5, 6
T_TIMESTAMP, T_LONGLONG, T_INT24, T_DATE, T_TIME, T_DATETIME, T_YEAR = 7, 8, 9, 10, 11, 12, 13
T_NEWDECIMAL, T_BLOB, T_VAR_STRING, T_STRING = 246, 252, 253, 254
CURSOR_EXISTS = 0x40
LAST_ROW_SENT = 0x80

TABLE = ("CREATE TABLE types (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
         "mi MEDIUMINT, i INT, bi BIGINT, bu BIGINT UNSIGNED, f FLOAT, d DOUBLE, dec1 DECIMAL(30,10), "
         "dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, y YEAR, b BIT(10), "
         "c CHAR(5), vc VARCHAR(40), bin VARBINARY(10), bl BLOB, tx TEXT, j JSON, e ENUM('a','b'), "
         "st SET('x','y'))")
COLUMNS = ["id", "ti", "tu", "si", "mi", "i", "bi", "bu", "f", "d", "dec1", "dt", "tm", "dtm", "ts",
           "y", "b", "c", "vc", "bin", "bl", "tx", "j", "e", "st"]


# ---- encoding ----------------------------------------------------------------------------------

def lenenc(b):
    return h.lenenc_str(b)


def encode_value(t, v):
    """Binary protocol encoding of a parameter value of type t."""
    if t == T_TINY:
        return struct.pack("<b" if v < 0 else "<B", v)
    if t == T_SHORT or t == T_YEAR:
        return struct.pack("<h" if v < 0 else "<H", v)
    if t == T_LONG:
        return struct.pack("<i" if v < 0 else "<I", v)
    if t == T_LONGLONG:
        return struct.pack("<q" if v < 0 else "<Q", v)
    if t == T_FLOAT:
        return struct.pack("<f", v)
    if t == T_DOUBLE:
        return struct.pack("<d", v)
    if t in (T_DATE, T_DATETIME, T_TIMESTAMP):
        if isinstance(v, datetime.datetime):
            if v.microsecond:
                return struct.pack("<BHBBBBBI", 11, v.year, v.month, v.day, v.hour, v.minute,
                                   v.second, v.microsecond)
            return struct.pack("<BHBBBBB", 7, v.year, v.month, v.day, v.hour, v.minute, v.second)
        return struct.pack("<BHBB", 4, v.year, v.month, v.day)
    if t == T_TIME:
        neg = v < datetime.timedelta(0)
        a = -v if neg else v
        days, secs = a.days, a.seconds
        return struct.pack("<BBIBBBI", 12, int(neg), days, secs // 3600, secs // 60 % 60, secs % 60,
                           a.microseconds)
    if isinstance(v, str):
        v = v.encode()
    return lenenc(v)


def execute_packet(stmt_id, params, flags=0, bind=True, long_data=()):
    """params: list of (type, unsigned, value); value None is NULL. Indices in long_data are
    sent by COM_STMT_SEND_LONG_DATA (no value here)."""
    p = struct.pack("<IBI", stmt_id, flags, 1)
    if params:
        bitmap = bytearray((len(params) + 7) // 8)
        for i, (_, _, v) in enumerate(params):
            if v is None:
                bitmap[i // 8] |= 1 << (i % 8)
        p += bytes(bitmap) + bytes([1 if bind else 0])
        if bind:
            for t, unsigned, _ in params:
                p += bytes([t, 0x80 if unsigned else 0])
        for i, (t, _, v) in enumerate(params):
            if v is not None and i not in long_data:
                p += encode_value(t, v)
    return p


# ---- decoding ----------------------------------------------------------------------------------

def decode_binary_row(payload, columns):
    r = h.Reader(payload)
    assert r.u8() == 0, "binary row header"
    n = len(columns)
    bitmap = r.bytes((n + 7 + 2) // 8)
    out = []
    for i, col in enumerate(columns):
        bit = i + 2
        if bitmap[bit // 8] & (1 << (bit % 8)):
            out.append(None)
            continue
        t = col["type"]
        unsigned = bool(col["flags"] & 32)
        if t == T_TINY:
            out.append(struct.unpack("<B" if unsigned else "<b", r.bytes(1))[0])
        elif t in (T_SHORT, T_YEAR):
            out.append(struct.unpack("<H" if unsigned else "<h", r.bytes(2))[0])
        elif t in (T_LONG, T_INT24):
            out.append(struct.unpack("<I" if unsigned else "<i", r.bytes(4))[0])
        elif t == T_LONGLONG:
            out.append(struct.unpack("<Q" if unsigned else "<q", r.bytes(8))[0])
        elif t == T_FLOAT:
            out.append(struct.unpack("<f", r.bytes(4))[0])
        elif t == T_DOUBLE:
            out.append(struct.unpack("<d", r.bytes(8))[0])
        elif t in (T_DATE, T_DATETIME, T_TIMESTAMP):
            ln = r.u8()
            out.append(("dt", r.bytes(ln)))
        elif t == T_TIME:
            ln = r.u8()
            out.append(("time", r.bytes(ln)))
        else:
            out.append(r.lenenc_str())
    assert r.remaining() == 0, "trailing bytes in binary row"
    return out


class Stmt:
    def __init__(self, stmt_id, params, columns):
        self.id = stmt_id
        self.params = params
        self.columns = columns


def prepare(c, sql):
    c.send_command(COM_STMT_PREPARE, sql)
    p = c.read_packet()
    if p[:1] == b"\xff":
        err = h.Result("err")
        err.errno, err.sqlstate, err.message = h.parse_err(p)
        return err
    assert p[0] == 0 and len(p) == 12, p
    stmt_id, ncols, nparams = struct.unpack("<IHH", p[1:9])
    params = [h.parse_column(c.read_packet()) for _ in range(nparams)]
    if nparams and not c.deprecate_eof:
        assert c.read_packet()[:1] == b"\xfe"
    columns = [h.parse_column(c.read_packet()) for _ in range(ncols)]
    if ncols and not c.deprecate_eof:
        assert c.read_packet()[:1] == b"\xfe"
    return Stmt(stmt_id, params, columns)


def read_binary_result(c, cursor=False):
    """The answer to COM_STMT_EXECUTE: an OK / ERR Result, or a result set whose rows are
    decoded (None for an open cursor's missing rows)."""
    p = c.read_packet()
    if p[:1] == b"\x00":
        return h.parse_ok(p)
    if p[:1] == b"\xff":
        err = h.Result("err")
        err.errno, err.sqlstate, err.message = h.parse_err(p)
        return err
    ncols = h.Reader(p).lenenc()
    res = h.Result("rs")
    res.columns = [h.parse_column(c.read_packet()) for _ in range(ncols)]
    if not c.deprecate_eof or cursor:
        eof = c.read_packet()
        assert eof[:1] == b"\xfe" and len(eof) < 9, eof
        res.status = h.parse_eof(eof).status
        if res.status & CURSOR_EXISTS:
            return res
    read_rows(c, res)
    return res


def read_rows(c, res):
    while True:
        p = c.read_packet()
        if p[:1] == b"\xfe" and len(p) < 0xFFFFFF and (len(p) < 9 or c.deprecate_eof):
            end = h.parse_ok(p) if c.deprecate_eof else h.parse_eof(p)
            res.status = end.status
            return res
        if p[:1] == b"\xff":
            err = h.Result("err")
            err.errno, err.sqlstate, err.message = h.parse_err(p)
            return err
        res.rows.append(decode_binary_row(p, res.columns))


def execute(c, stmt, params, **kw):
    c.send_command(COM_STMT_EXECUTE, execute_packet(stmt.id, params, **kw))
    return read_binary_result(c, cursor=bool(kw.get("flags")))


def metadata(columns):
    """What a client sees of the columns (catalog/schema aside, which name the database)."""
    keys = ("table", "org_table", "name", "org_name", "charset", "length", "type", "flags", "decimals")
    return [{k: col[k] for k in keys} for col in columns]


ROWS = [
    (1, -128, 255, -32768, -8388608, -2147483648, -9223372036854775808, 18446744073709551615,
     1.5, -2.25e-300, decimal.Decimal("-12345678901234567890.0123456789"),
     datetime.date(2024, 2, 29), datetime.timedelta(hours=-838, minutes=-59, seconds=-59),
     datetime.datetime(2024, 1, 2, 3, 4, 5, 678901), datetime.datetime(2030, 12, 31, 23, 59, 59, 1),
     2155, b"\x03\xff", "abc", "emoji \U0001F600 'q' \\ ;", b"\x00'\\\xff", b"blob\x00\xff",
     "text", '{"k": [1, 2]}', "b", "x,y"),
    (2, 127, 0, 32767, 8388607, 2147483647, 9223372036854775807, 0, -3.4e38, 1.7976931348623157e308,
     decimal.Decimal("0.0000000001"), datetime.date(1000, 1, 1), datetime.timedelta(days=4, hours=3),
     datetime.datetime(1000, 1, 1, 0, 0, 0), datetime.datetime(1970, 1, 2, 0, 0, 0), 1901, b"\x00\x00",
     "", "", b"", b"", "", "null", "a", ""),
    (3,) + (None,) * 24,
]

TYPES = [(T_LONG, False), (T_TINY, False), (T_TINY, True), (T_SHORT, False), (T_LONG, False),
         (T_LONG, False), (T_LONGLONG, False), (T_LONGLONG, True), (T_FLOAT, False), (T_DOUBLE, False),
         (T_NEWDECIMAL, False), (T_DATE, False), (T_TIME, False), (T_DATETIME, False),
         (T_TIMESTAMP, False), (T_SHORT, False), (T_BLOB, False), (T_STRING, False),
         (T_VAR_STRING, False), (T_BLOB, False), (T_BLOB, False), (T_VAR_STRING, False),
         (T_VAR_STRING, False), (T_STRING, False), (T_STRING, False)]


def params_of(row):
    out = []
    for (t, unsigned), v in zip(TYPES, row):
        if isinstance(v, decimal.Decimal):
            v = str(v)
        out.append((t, unsigned, v))
    return out


class PreparedProtocolTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port0, DB), (cls.port0, DB + "_ref")]))
        h.direct_exec(cls.port0, DB, TABLE, "CREATE TABLE seq (n INT PRIMARY KEY)",
                      "INSERT INTO seq SELECT seq FROM seq_1_to_10")
        h.direct_exec(cls.port0, DB + "_ref", TABLE)
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(props={"proxy-frontend-max-prepared-statements": 8}),
            {LOGICAL: h.database_yaml(LOGICAL, {"ds_0": (cls.port0, DB)})}, name="prepared-proto"))

    def client(self, direct=False, deprecate_eof=False):
        caps = h.DEFAULT_CAPS | (h.CAP_DEPRECATE_EOF if deprecate_eof else 0)
        if direct:
            c = h.raw_client(self.port0, db=DB + "_ref", caps=caps)
        else:
            c = h.raw_client(self.proxy.port, db=LOGICAL, caps=caps)
        self.addCleanup(c.close)
        return c

    def ok(self, res):
        self.assertNotEqual(res.kind, "err", getattr(res, "message", ""))
        return res

    # ---- PREPARE answers ----

    def test_prepare_answer_matches_server(self):
        sql = "SELECT id, vc, dec1 + ?, tm FROM types WHERE id = ? AND vc <> ?"
        for eof in (False, True):
            proxy = prepare(self.client(deprecate_eof=eof), sql)
            direct = prepare(self.client(direct=True, deprecate_eof=eof), sql)
            self.assertEqual(len(proxy.params), 3)
            self.assertEqual([p["name"] for p in proxy.params], ["?"] * 3)
            self.assertEqual(metadata(proxy.params), metadata(direct.params))
            self.assertEqual(metadata(proxy.columns), metadata(direct.columns))
            self.assertEqual(proxy.columns[0]["schema"], LOGICAL.encode())

    def test_statement_ids_are_unique(self):
        c = self.client()
        ids = [prepare(c, "SELECT ?").id for _ in range(3)]
        self.assertEqual(len(set(ids)), 3)
        for i in ids:
            c.send_command(COM_STMT_CLOSE, struct.pack("<I", i))
        self.assertEqual(prepare(c, "SELECT 1").columns[0]["name"], "1")

    def test_prepare_errors(self):
        c = self.client()
        self.assertMySQLError(prepare(c, "SELEC 1"), 1064, "42000")
        self.assertMySQLError(prepare(c, "SELECT * FROM no_such_table"), 1146, "42S02")
        self.assertMySQLError(prepare(c, "SELECT 1; SELECT 2"), 1064)
        self.assertMySQLError(prepare(c, "PREPARE s FROM 'SELECT 1'"), 1295, "HY000")
        self.assertEqual(c.query1("SELECT 7").rows, [[b"7"]])

    # ---- EXECUTE: every type in and out, as the server does it ----

    def test_every_type_round_trip_matches_server(self):
        for direct in (False, True):
            c = self.client(direct=direct)
            c.query1("DELETE FROM types")
            ins = prepare(c, "INSERT INTO types VALUES (%s)" % ", ".join("?" * len(COLUMNS)))
            self.assertEqual(len(ins.params), len(COLUMNS))
            for row in ROWS:
                res = self.ok(execute(c, ins, params_of(row)))
                self.assertEqual(res.affected_rows, 1)
        results = []
        for direct in (False, True):
            c = self.client(direct=direct)
            sel = prepare(c, "SELECT * FROM types WHERE id >= ? ORDER BY id")
            res = self.ok(execute(c, sel, [(T_LONGLONG, False, 1)]))
            self.assertEqual(len(res.rows), 3)
            results.append((metadata(res.columns), res.rows))
        self.assertEqual(results[0][0], results[1][0])
        for proxy_row, direct_row in zip(results[0][1], results[1][1]):
            self.assertEqual(proxy_row, direct_row)
        self.assertEqual(results[0][1][2][1:], [None] * 24)
        self.assertEqual(results[0][1][0][7], 18446744073709551615)
        self.assertEqual(results[0][1][0][18], "emoji \U0001F600 'q' \\ ;".encode())

    def test_expressions_of_parameters(self):
        sql = "SELECT ? + 1, ? * 2, CONCAT(?, 'x'), ? IS NULL, DATE_ADD(?, INTERVAL 1 DAY), ?"
        params = [(T_LONGLONG, False, -5), (T_DOUBLE, False, 0.1), (T_VAR_STRING, False, "a'b\\c"),
                  (T_NULL, False, None), (T_DATE, False, datetime.date(2024, 2, 28)),
                  (T_NEWDECIMAL, False, "1.50")]
        got = []
        for direct in (False, True):
            c = self.client(direct=direct)
            res = self.ok(execute(c, prepare(c, sql), params))
            got.append(res.rows)
        self.assertEqual(got[0], got[1])
        self.assertEqual(got[0][0][0], -4)

    def test_types_remembered_between_executions(self):
        c = self.client()
        s = prepare(c, "SELECT n, ? FROM seq WHERE n = ?")
        first = self.ok(execute(c, s, [(T_VAR_STRING, False, "a"), (T_LONG, False, 3)]))
        self.assertEqual(first.rows, [[3, b"a"]])
        again = self.ok(execute(c, s, [(T_VAR_STRING, False, "bb"), (T_LONG, False, 4)], bind=False))
        self.assertEqual(again.rows, [[4, b"bb"]])

    def test_no_types_ever_bound(self):
        c = self.client()
        s = prepare(c, "SELECT ?")
        res = execute(c, s, [(T_LONG, False, 1)], bind=False)
        self.assertMySQLError(res, 1210, "HY000")
        self.assertEqual(c.query1("SELECT 1").rows, [[b"1"]])

    def test_malformed_execute(self):
        c = self.client()
        s = prepare(c, "SELECT ?, ?")
        good = execute_packet(s.id, [(T_LONG, False, 1), (T_LONG, False, 2)])
        for cut in (2, 6, 9, 11, len(good) - 1):
            c.send_command(COM_STMT_EXECUTE, good[:cut])
            self.assertMySQLError(read_binary_result(c), 1210 if cut > 4 else 1835)
        c.send_command(COM_STMT_EXECUTE, good + b"\x00")
        self.assertMySQLError(read_binary_result(c), 1210)
        self.assertEqual(self.ok(execute(c, s, [(T_LONG, False, 1), (T_LONG, False, 2)])).rows,
                         [[1, 2]])

    def test_unknown_statement(self):
        c = self.client()
        c.send_command(COM_STMT_EXECUTE, execute_packet(12345, []))
        self.assertMySQLError(read_binary_result(c), 1243, "HY000",
                              message="Unknown prepared statement handler (12345) given to "
                                      "mysqld_stmt_execute")
        self.assertMySQLError(c.command(COM_STMT_RESET, struct.pack("<I", 12345)), 1243)

    # ---- long data ----

    def test_long_data(self):
        c = self.client()
        s = prepare(c, "SELECT ?, LENGTH(?), ?")
        chunk = bytes(range(256)) * 64
        for _ in range(4):
            c.send_command(COM_STMT_SEND_LONG_DATA, struct.pack("<IH", s.id, 1) + chunk)
        c.send_command(COM_STMT_SEND_LONG_DATA, struct.pack("<IH", s.id, 2) + "ü'\\".encode())
        res = self.ok(execute(c, s, [(T_LONG, False, 7), (T_BLOB, False, b"x"),
                                     (T_VAR_STRING, False, "y")], long_data=(1, 2)))
        self.assertEqual(res.rows, [[7, 4 * len(chunk), "ü'\\".encode()]])
        # Long data is for one execution only.
        res = self.ok(execute(c, s, [(T_LONG, False, 8), (T_BLOB, False, b"xy"),
                                     (T_VAR_STRING, False, "z")]))
        self.assertEqual(res.rows, [[8, 2, b"z"]])
        # COM_STMT_RESET drops long data that was sent.
        c.send_command(COM_STMT_SEND_LONG_DATA, struct.pack("<IH", s.id, 1) + b"lost")
        self.ok(c.command(COM_STMT_RESET, struct.pack("<I", s.id)))
        res = self.ok(execute(c, s, [(T_LONG, False, 9), (T_BLOB, False, b"abc"),
                                     (T_VAR_STRING, False, "w")]))
        self.assertEqual(res.rows, [[9, 3, b"w"]])

    # ---- cursors ----

    def test_read_only_cursor(self):
        for eof in (False, True):
            c = self.client(deprecate_eof=eof)
            s = prepare(c, "SELECT n FROM seq WHERE n > ? ORDER BY n")
            res = self.ok(execute(c, s, [(T_LONG, False, 3)], flags=1))
            self.assertTrue(res.status & CURSOR_EXISTS)
            self.assertEqual(res.rows, [])
            got = []
            for _ in range(3):
                c.send_command(COM_STMT_FETCH, struct.pack("<II", s.id, 3))
                part = h.Result("rs")
                part.columns = res.columns
                self.ok(read_rows(c, part))
                got += part.rows
                if part.status & LAST_ROW_SENT:
                    break
                self.assertTrue(part.status & CURSOR_EXISTS)
            self.assertEqual(got, [[n] for n in range(4, 11)])
            self.assertTrue(part.status & LAST_ROW_SENT)
            c.send_command(COM_STMT_FETCH, struct.pack("<II", s.id, 1))
            self.assertMySQLError(read_binary_result(c), 1421, "HY000")
            # Without the cursor flag the rows come at once.
            self.assertEqual(len(self.ok(execute(c, s, [(T_LONG, False, 8)])).rows), 2)

    def test_cursor_on_a_statement_without_rows(self):
        c = self.client()
        c.query1("CREATE TEMPORARY TABLE tmp (a INT)")
        s = prepare(c, "INSERT INTO tmp VALUES (?)")
        res = self.ok(execute(c, s, [(T_LONG, False, 1)], flags=1))
        self.assertEqual(res.kind, "ok")
        self.assertEqual(res.affected_rows, 1)

    # ---- the limit, close and reset ----

    def test_prepared_statement_limit(self):
        c = self.client()
        ids = []
        for _ in range(8):
            ids.append(prepare(c, "SELECT 1").id)
        self.assertMySQLError(prepare(c, "SELECT 1"), 1461, "42000")
        self.assertMySQLError(c.query("PREPARE s FROM 'SELECT 1'")[0], 1461, "42000")
        c.send_command(COM_STMT_CLOSE, struct.pack("<I", ids[0]))
        self.assertIsInstance(prepare(c, "SELECT 2"), Stmt)
        # Another connection has its own budget.
        self.assertIsInstance(prepare(self.client(), "SELECT 3"), Stmt)

    def test_close_then_execute(self):
        c = self.client()
        s = prepare(c, "SELECT 1")
        c.send_command(COM_STMT_CLOSE, struct.pack("<I", s.id))  # no reply
        c.send_command(COM_STMT_EXECUTE, execute_packet(s.id, []))
        self.assertMySQLError(read_binary_result(c), 1243)

    def test_reset_connection_closes_statements(self):
        c = self.client()
        s = prepare(c, "SELECT 1")
        self.ok(c.command(0x1F))
        c.send_command(COM_STMT_EXECUTE, execute_packet(s.id, []))
        self.assertMySQLError(read_binary_result(c), 1243)

    # ---- a session's statements through prepared statements ----

    def test_session_statements(self):
        c = self.client()
        self.ok(execute(c, prepare(c, "SET @v = ?"), [(T_VAR_STRING, False, "kept")]))
        res = self.ok(execute(c, prepare(c, "SELECT @v, DATABASE()"), []))
        self.assertEqual(res.rows, [[b"kept", LOGICAL.encode()]])
        res = self.ok(execute(c, prepare(c, "SHOW DATABASES LIKE ?".replace("?", "'ps%'")), []))
        self.assertEqual(res.rows, [[LOGICAL.encode()]])
        self.ok(execute(c, prepare(c, "BEGIN"), []))
        ins = prepare(c, "INSERT INTO types (id) VALUES (?)")
        res = self.ok(execute(c, ins, [(T_LONG, False, 99)]))
        self.assertTrue(res.status & h.SERVER_STATUS_IN_TRANS)
        self.ok(execute(c, prepare(c, "ROLLBACK"), []))
        self.assertEqual(c.query1("SELECT COUNT(*) FROM types WHERE id = 99").rows, [[b"0"]])


if __name__ == "__main__":
    h.main()
