"""information_schema as tools see it: the queries that real tools send at connect and browse time
(info_schema_queries/<tool>.sql, each taken from the tool's sources) must get through the proxy
the answer a MariaDB server gives for the same logical tables held unsharded.

The schema (logical database it_info_shop: sharded, binding, broadcast and single tables, a
view, a trigger, routines) and the reference database of the same name are made by
shop_schema.ShopFixture; the query files use these names literally. The proxy is asked as root
(an admin), the reference as the account that may use only the reference database, so tables of
the same names that other tests keep on that server stay out of its answers.

Answers must match except for sizes, row counts, timestamps, AUTO_INCREMENT and table comments
(IGNORED, plus a file's `-- ignore:` lines); rows compare as multisets unless the query has ORDER
BY (and no `-- unordered` line). Every query is also run in a few metamorphic variants
(metamorphic.py: comments, `;`, keyword case, backquotes) and with `information_schema` and its
table written in lower case. Hand-written checks: SCHEMATA of an admin and of a user limited to one
database, and TABLE_ROWS of a sharded table equal to the sum over its actual tables.

Each failure is printed in full (the query, both answers); a test fails after running all of its
queries, so one run shows everything that differs.
"""
# ctest-labels: slow

import collections
import datetime
import decimal
import glob
import json
import os
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import metamorphic as mm  # noqa: E402
import pymysql  # noqa: E402
import shop_schema as shop  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
QUERY_DIR = os.path.join(HERE, "info_schema_queries")

LOGICAL = "it_info_shop"
OTHER = "it_info_other"                        # a second logical database, for SCHEMATA checks
ACTUAL = ("it_info_ds0", "it_info_ds1")        # ds_0 on the first server, ds_1 on the second
OTHER_ACTUAL = "it_info_other_ds"              # OTHER's only data source, on the first server
TABLES = shop.TABLES

# Result columns not compared (by label, case-insensitive): what depends on how the rows are
# stored (sizes, counts, timestamps, AUTO_INCREMENT) and table comments.
IGNORED = {name.lower() for name in (
    "TABLE_ROWS", "AVG_ROW_LENGTH", "DATA_LENGTH", "MAX_DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE",
    "AUTO_INCREMENT", "CREATE_TIME", "UPDATE_TIME", "CHECK_TIME", "CHECKSUM", "TABLE_COMMENT",
    "CARDINALITY", "CREATED", "LAST_ALTERED", "Rows", "Avg_row_length", "Data_length",
    "Max_data_length", "Index_length", "Data_free", "Auto_increment", "Create_time",
    "Update_time", "Check_time", "Checksum")}

# The metamorphic transforms each query is run in (one variant per transform, then one combo).
VARIANT_TRANSFORMS = ["inner_comments", "semicolon", "trailing_comment", "keywords_lower",
                      "keywords_mixed", "backquoted", "whitespace"]


class Query:
    def __init__(self, tool, source, sql, ignore, rows_of, unordered):
        self.tool = tool
        self.source = source
        self.sql = sql
        self.ignore = ignore
        self.rows_of = rows_of
        self.unordered = unordered

    @property
    def ordered(self):
        return not self.unordered and re.search(r"\bORDER\s+BY\b", self.sql, re.I) is not None


def load_queries(path):
    """The queries of one info_schema_queries/<tool>.sql (format in its README.md)."""
    tool = os.path.splitext(os.path.basename(path))[0]
    out = []
    source, ignore, rows_of, unordered, lines = None, set(), None, False, []
    with open(path) as f:
        for line in f:
            stripped = line.strip()
            if not lines and stripped.startswith("--"):
                text = stripped[2:].strip()
                if text.startswith("source:"):
                    source = text[len("source:"):].strip()
                elif text.startswith("ignore:"):
                    ignore |= {c.strip().lower() for c in text[len("ignore:"):].split(",") if c.strip()}
                elif text.startswith("rows-of:"):
                    rows_of = text[len("rows-of:"):].strip()
                elif text == "unordered" or text.startswith("unordered "):
                    unordered = True
                continue
            if not lines and not stripped:
                continue
            lines.append(line.rstrip("\n"))
            if stripped.endswith(";"):
                sql = "\n".join(lines).rstrip()[:-1].rstrip()
                out.append(Query(tool, source or "?", sql, ignore, rows_of, unordered))
                ignore, rows_of, unordered, lines = set(), None, False, []
    if lines:
        raise ValueError("%s: statement without a closing `;`: %s" % (path, " ".join(lines)))
    return out


def tool_files():
    return sorted(glob.glob(os.path.join(QUERY_DIR, "*.sql")))


def cell(v):
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, (datetime.datetime, datetime.date, datetime.timedelta, decimal.Decimal)):
        return str(v)
    return str(v)


class Answer:
    """A result (column labels and rows as strings) or an error."""

    def __init__(self, columns=None, rows=None, error=None, types=None):
        self.columns = columns
        self.rows = rows
        self.error = error
        self.types = types      # the protocol's column type codes

    def __repr__(self):
        if self.error:
            return "ERROR %s" % (self.error,)
        shown = "\n".join("    %r" % (r,) for r in self.rows[:30])
        more = "\n    ... %d more rows" % (len(self.rows) - 30) if len(self.rows) > 30 else ""
        return "columns %r\n  %d rows:\n%s%s" % (self.columns, len(self.rows), shown, more)


def run(conn, sql, modes=None):
    try:
        with conn.cursor() as cur:
            if modes:
                cur.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',%s')" % modes)
            try:
                cur.execute(sql)
                cols = [d[0] for d in cur.description] if cur.description else []
                types = [d[1] for d in cur.description] if cur.description else []
                rows = [tuple(cell(v) for v in r) for r in cur.fetchall()] if cur.description else []
            finally:
                if modes:
                    cur.execute("SET SESSION sql_mode = DEFAULT")
        return Answer(cols, rows, types=types)
    except pymysql.MySQLError as e:
        return Answer(error=e.args)


# Databases a server-wide list (`-- rows-of:`) may show through the proxy besides the compared
# ones: the other logical database and the proxy's own system schema (README "System tables").
OTHER_LISTED = (OTHER, "shardingsphere")


def rows_of_value(answer, q, row):
    lower = [c.lower() for c in answer.columns]
    k = lower.index(q.rows_of.lower()) if q.rows_of.lower() in lower else None
    return None if k is None else (row[k] or "").lower()


def masked(answer, q):
    """Rows with the ignored columns blanked and, for rows_of, only the rows of our databases."""
    ignore = IGNORED | q.ignore
    idx = [i for i, c in enumerate(answer.columns) if c.lower() in ignore]
    rows = []
    for r in answer.rows:
        if q.rows_of is not None and rows_of_value(answer, q, r) not in (LOGICAL, "information_schema"):
            continue
        r = list(r)
        for i in idx:
            r[i] = "<ignored>"
        rows.append(tuple(r))
    return rows


def differences(q, got, ref):
    """None when got (proxy) matches ref (reference), else a description of every difference."""
    if ref.error:
        return "the reference refused it (a bug of the query file): %r" % (ref.error,)
    if got.error:
        return "the proxy refused it: %r" % (got.error,)
    if [c.lower() for c in got.columns] != [c.lower() for c in ref.columns]:
        return "column labels differ"
    problems = []
    # a column's type (a driver maps it to a language type) matters, even where values do not
    types = [(c, g, r) for c, g, r in zip(got.columns, got.types, ref.types) if g != r]
    if types:
        problems.append("column types differ (column, proxy's type code, reference's): %r" % (types,))
    if q.rows_of is not None:
        # the proxy's other rows may only be its other databases (never an actual database)
        others = sorted({rows_of_value(got, q, row) for row in got.rows} -
                        {LOGICAL, "information_schema"} - set(OTHER_LISTED))
        if others:
            problems.append("rows of databases a user of the proxy must not see: %r" % (others,))
    g, r = masked(got, q), masked(ref, q)
    if q.ordered:
        if g != r:
            problems.append("rows differ (ordered)")
    elif collections.Counter(g) != collections.Counter(r):
        missing = collections.Counter(r) - collections.Counter(g)
        extra = collections.Counter(g) - collections.Counter(r)
        problems.append("rows differ: missing %r; extra %r" % (sorted(missing.elements(), key=str)[:10],
                                                              sorted(extra.elements(), key=str)[:10]))
    return "; ".join(problems) or None


BINARY_RUNNER = os.path.join(HERE, "apps", "binary_runner.php")
NOT_PREPARABLE = 1295   # ER_UNSUPPORTED_PS: MariaDB does not prepare this statement


class BinaryClient:
    """apps/binary_runner.php: PHP PDO with server-side prepares (COM_STMT_PREPARE / EXECUTE),
    one connection, one JSON line per request each way."""

    TIMEOUT = 30

    def __init__(self, port, db, user, password):
        self.proc = subprocess.Popen(["php", BINARY_RUNNER, "127.0.0.1", str(port), user, password, db],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     bufsize=0, start_new_session=True)
        self.buf = b""
        hello = self._read()
        if hello.get("native") is not True:
            self.close()
            raise AssertionError("binary_runner.php on port %d: prepares are not the server's: %r" % (port, hello))

    def _read(self):
        deadline = time.monotonic() + self.TIMEOUT
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise AssertionError("binary_runner.php: no answer within %ds" % self.TIMEOUT)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError("binary_runner.php exited: %s"
                                     % self.proc.stderr.read().decode(errors="replace")[-2000:])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def run(self, sql):
        self.proc.stdin.write((json.dumps({"sql": sql, "params": []}) + "\n").encode())
        a = self._read()
        if "error" in a:
            return Answer(error=tuple(a["error"]))
        return Answer([n for n, _ in a["columns"]],
                      [tuple(None if v is None else str(v) for v in r) for r in a["rows"]],
                      types=[t for _, t in a["columns"]])

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()


def lower_information_schema(sql):
    """The query with information_schema and its table names written in lower case."""
    return re.sub(r"\b(INFORMATION_SCHEMA)\s*\.\s*(`?)([A-Za-z_]+)\2",
                  lambda m: "information_schema.%s%s%s" % (m.group(2), m.group(3).lower(), m.group(2)),
                  sql, flags=re.I)


class InformationSchemaTest(shop.ShopFixture):
    PREFIX = "it_info"
    PROXY_NAME = "information_schema"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The reference answers as the account that may use the reference database only: what
        # other tests keep on that server (tables of the same names, in parallel) stays out of
        # queries that do not name a schema, as other logical databases' tables stay out of the
        # proxy's answers.
        cls.ref_conn.close()
        cls.ref_conn = h.direct(cls.ref_port, cls.LOGICAL, user=cls.DEFINER[0], password=cls.DEFINER[1])

    # -- helpers --

    def both(self, sql, modes=None):
        return run(self.proxy_conn, sql, modes), run(self.ref_conn, sql, modes)

    def check_queries(self, queries, variants=True):
        failures = []
        ran = 0
        for n, q in enumerate(queries):
            forms = [("as written", q.sql, None)]
            if variants:
                low = lower_information_schema(q.sql)
                if low != q.sql:
                    forms.append(("lower-case information_schema", low, None))
                ctx = mm.Context(LOGICAL, TABLES, ())
                # metamorphic.py's transforms know SELECT (a SHOW's keywords would be quoted)
                is_select = re.match(r"\s*SELECT\b", q.sql, re.I) is not None
                for k, name in enumerate(VARIANT_TRANSFORMS + ["combo"] if is_select else []):
                    try:
                        v = mm.variant(name, q.sql, ctx, ctx, seed=1000 * n + k)
                    except mm.LexError:
                        v = None
                    if v is not None:
                        forms.append(("variant " + "+".join(v.transforms), v.proxy_sql, v.mode_flags))
            for label, sql, modes in forms:
                got, ref = self.both(sql, modes)
                ran += 1
                diff = differences(q, got, ref)
                if diff:
                    failures.append("[%s] %s (%s): %s\n  SQL: %s\n  proxy: %r\n  reference: %r"
                                    % (q.tool, q.source, label, diff, sql, got, ref))
                    if label == "as written":
                        break      # its variants would only repeat the failure
        print("%s: %d queries, %d runs (with variants), %d failures"
              % (queries[0].tool if queries else "?", len(queries), ran, len(failures)))
        if failures:
            self.fail("%d of %d runs differ from the reference:\n\n%s"
                      % (len(failures), ran, "\n\n".join(failures)))

    # -- hand-written checks --

    def rows(self, conn, sql):
        try:
            return h.query(conn, sql)
        except pymysql.MySQLError as e:
            self.fail("%s: refused %r" % (sql, e.args))

    def schemata(self, conn):
        return sorted(r[0] for r in self.rows(conn, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"))

    def test_schemata_of_an_admin(self):
        # The proxy's own read-only system schema (README "System tables") may be listed too.
        got = [s for s in self.schemata(self.proxy_conn) if s != "shardingsphere"]
        self.assertEqual(got, sorted(["information_schema", LOGICAL, OTHER]))
        shown = sorted(r[0] for r in self.rows(self.proxy_conn, "SHOW DATABASES") if r[0] != "shardingsphere")
        self.assertEqual(shown, got)

    def test_schemata_of_a_user_limited_to_one_database(self):
        c = h.connect(self.proxy, user="shopper", password="shopper", db=LOGICAL)
        try:
            got = [s for s in self.schemata(c) if s != "shardingsphere"]
            self.assertEqual(got, ["information_schema", LOGICAL])
            rows = self.rows(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '%s'"
                             % OTHER)
            self.assertEqual(rows, ())
            names = sorted(r[0] for r in self.rows(
                c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"))
            self.assertEqual(names, sorted(TABLES))
            # Routines' status too: the user's database's routines, under its logical name.
            self.assertEqual([(r[0], r[1], r[2]) for r in self.rows(c, "SHOW FUNCTION STATUS")],
                             [(LOGICAL, "shop_double", "FUNCTION")])
            self.assertEqual([(r[0], r[1], r[2]) for r in self.rows(
                c, "SHOW PROCEDURE STATUS WHERE Db = DATABASE()")],
                [(LOGICAL, "shop_count", "PROCEDURE")])
        finally:
            c.close()

    def test_no_actual_names_anywhere(self):
        """No actual table or database name in TABLES, COLUMNS, STATISTICS, KEY_COLUMN_USAGE."""
        actual = re.compile(r"^shop_order(_item)?_\d+$|^it_info_(ds\d|other_ds)$")
        for table, cols in (("TABLES", "TABLE_SCHEMA, TABLE_NAME"),
                            ("COLUMNS", "TABLE_SCHEMA, TABLE_NAME"),
                            ("STATISTICS", "TABLE_SCHEMA, TABLE_NAME, INDEX_NAME"),
                            ("KEY_COLUMN_USAGE", "TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, "
                             "REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME"),
                            ("TABLE_CONSTRAINTS", "TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME")):
            try:
                rows = h.query(self.proxy_conn, "SELECT %s FROM information_schema.%s" % (cols, table))
            except pymysql.MySQLError as e:
                self.fail("information_schema.%s refused: %r" % (table, e.args))
            bad = [r for r in rows if any(v and actual.match(str(v)) for v in r)]
            self.assertEqual(bad, [], "actual names in information_schema.%s" % table)

    def test_table_rows_of_a_sharded_table_is_the_sum_over_its_actual_tables(self):
        expected = 0
        per_table = {}
        for ds, (port, db) in enumerate(zip(self.ports, ACTUAL)):
            c = h.direct(port, db)
            try:
                for t in ("shop_order_0", "shop_order_1"):
                    h.query(c, "ANALYZE TABLE %s" % t)
                    (rows,), = h.query(c, "SELECT TABLE_ROWS FROM information_schema.TABLES "
                                          "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s", (db, t))
                    per_table["ds_%d.%s" % (ds, t)] = int(rows)
                    expected += int(rows)
            finally:
                c.close()
        got = self.rows(self.proxy_conn, "SELECT TABLE_ROWS FROM information_schema.TABLES "
                                       "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = 'shop_order'" % LOGICAL)
        print("actual tables' TABLE_ROWS %r, sum %d; through the proxy %r" % (per_table, expected, got))
        self.assertEqual([tuple(int(v) if v is not None else None for v in r) for r in got], [(expected,)])
        status = self.rows(self.proxy_conn, "SHOW TABLE STATUS LIKE 'shop_order'")
        self.assertEqual(len(status), 1, status)
        self.assertEqual(int(status[0][4]), expected, "SHOW TABLE STATUS Rows: %r" % (status,))

    def test_binary_protocol(self):
        """Every tool's queries, as written, prepared and executed (COM_STMT_PREPARE / EXECUTE),
        as PDO, Connector/J with useServerPrepStmts and other drivers send them."""
        proxy = BinaryClient(self.proxy.port, self.LOGICAL, "root", "root")
        ref = BinaryClient(self.ref_port, self.LOGICAL, *self.DEFINER)
        failures, ran, skipped = [], 0, 0
        try:
            for path in tool_files():
                for q in load_queries(path):
                    r = ref.run(q.sql)
                    if r.error and r.error[0] == NOT_PREPARABLE:
                        skipped += 1
                        continue
                    g = proxy.run(q.sql)
                    ran += 1
                    diff = differences(q, g, r)
                    if diff:
                        failures.append("[%s] %s: %s\n  SQL: %s\n  proxy: %r\n  reference: %r"
                                        % (q.tool, q.source, diff, q.sql, g, r))
        finally:
            proxy.close()
            ref.close()
        print("binary protocol: %d queries run, %d not preparable on MariaDB, %d failures"
              % (ran, skipped, len(failures)))
        if failures:
            self.fail("%d of %d prepared queries differ from the reference:\n\n%s"
                      % (len(failures), ran, "\n\n".join(failures)))

    def test_handwritten_queries(self):
        """Joins, GROUP BY, ORDER BY ... LIMIT over information_schema (handwritten.sql)."""
        self.check_queries(load_queries(os.path.join(QUERY_DIR, "handwritten.sql")))


def _add_tool_tests():
    """One test per tool file, so that a run shows each tool's result."""
    for path in tool_files():
        tool = os.path.splitext(os.path.basename(path))[0]
        if tool == "handwritten":
            continue

        def test(self, path=path):
            self.check_queries(load_queries(path))
        test.__doc__ = "The queries of info_schema_queries/%s.sql" % tool
        setattr(InformationSchemaTest, "test_tool_%s" % tool, test)


_add_tool_tests()


if __name__ == "__main__":
    h.main()
