"""LOAD DATA LOCAL INFILE through the proxy, against a reference MariaDB loaded from the same files.

load_db shards t_order over two servers (ds_${user_id % 2}, then t_order_${order_id % 2}, order_id a
SNOWFLAKE key), broadcasts t_dict and keeps t_single on ds_0. The reference database holds the same
logical tables unsharded on the first server. Every load runs through the proxy and on the
reference with the same statement and file; the affected rows, the warning count, the OK's info
(Records / Deleted / Skipped / Warnings) and the tables' contents must be equal. Also: generated keys
(each row on the shard its keys choose), a load inside a transaction rolled back, a client without
CLIENT_LOCAL_FILES and a proxy with proxy-local-infile off (1148), an error mid-file (nothing of
the load left, the session and other clients go on), unsupported options refused before the file
is sent, `mariadb-import --local`, and a pass-through database.
"""

import os
import subprocess
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "load_db"
ACTUAL = ("it_load_ds0", "it_load_ds1")
REFERENCE = "it_load_ref"
PASS = "load_plain"
PASS_ACTUAL = "it_load_plain"
DATA_SOURCES = ("ds_0", "ds_1")

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
  keyGenerators:
    snowflake:
      type: SNOWFLAKE
- !BROADCAST
  tables:
    - t_dict
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_0
"""

ORDER_DDL = ("(order_id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, status VARCHAR(32), "
             "note VARCHAR(64) NOT NULL DEFAULT 'none', amount DECIMAL(10,2), created DATETIME NULL)")
DICT_DDL = "(id INT NOT NULL PRIMARY KEY, name VARCHAR(32), weight INT NOT NULL DEFAULT 5)"
SINGLE_DDL = "(id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(32), n INT)"
COLUMNS = {"t_order": "order_id, user_id, status, note, amount, created",
           "t_dict": "id, name, weight", "t_single": "id, v, n"}


def write_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def run_load(conn, sql):
    """Runs a LOAD DATA; (affected rows, warnings, info) or the error (errno, message)."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            r = cur._result
            info = r.message or b""
            if isinstance(info, str):
                info = info.encode("latin1")
            # The OK's info is length-encoded (MariaDB's servers send it so too); pymysql keeps the
            # length byte.
            if info and info[0] == len(info) - 1:
                info = info[1:]
            return ("ok", r.affected_rows, r.warning_count, info.decode())
    except pymysql.MySQLError as e:
        return ("err", e.args[0], e.args[1])


class LoadDataTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.enterClassContext(h.actual_databases(
            list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE), (ports[0], PASS_ACTUAL)]))
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            statements = ["CREATE TABLE t_order_%d %s" % (i, ORDER_DDL) for i in (0, 1)]
            statements.append("CREATE TABLE t_dict %s" % DICT_DDL)
            if ds == "ds_0":
                statements.append("CREATE TABLE t_single %s" % SINGLE_DDL)
            h.direct_exec(cls.ports[ds], actual, *statements)
        h.direct_exec(ports[0], REFERENCE, "CREATE TABLE t_order %s" % ORDER_DDL,
                      "CREATE TABLE t_dict %s" % DICT_DDL, "CREATE TABLE t_single %s" % SINGLE_DDL)
        h.direct_exec(ports[0], PASS_ACTUAL, "CREATE TABLE t_plain %s" % DICT_DDL)
        sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(),
            {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES),
             PASS: h.database_yaml(PASS, {"ds": (ports[0], PASS_ACTUAL)})},
            name="load_data"))
        cls.tmp = tempfile.mkdtemp(prefix="load_data_")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    def setUp(self):
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            tables = ["t_order_0", "t_order_1", "t_dict"] + (["t_single"] if ds == "ds_0" else [])
            h.direct_exec(self.ports[ds], actual, *["DELETE FROM %s" % t for t in tables])
        h.direct_exec(self.ports["ds_0"], REFERENCE,
                      "DELETE FROM t_order", "DELETE FROM t_dict", "DELETE FROM t_single")
        for db in (ACTUAL[0], REFERENCE):
            h.direct_exec(self.ports["ds_0"], db, "ALTER TABLE t_single AUTO_INCREMENT = 1")
        h.direct_exec(self.ports["ds_0"], PASS_ACTUAL, "DELETE FROM t_plain")

    # ---- helpers ----
    def conn(self, db=LOGICAL, **kw):
        kw.setdefault("local_infile", True)
        c = h.connect(self.proxy, db=db, **kw)
        self.addCleanup(c.close)
        return c

    def reference(self, **kw):
        kw.setdefault("local_infile", True)
        c = h.direct(self.ports["ds_0"], REFERENCE, **kw)
        self.addCleanup(c.close)
        return c

    def contents(self, conn, table):
        return h.query(conn, "SELECT %s FROM %s ORDER BY 1" % (COLUMNS[table], table))

    def actual_rows(self, table):
        """Every row of the logical table's actual tables, read on the servers: {(ds, table): rows}."""
        out = {}
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            tables = ["t_order_0", "t_order_1"] if table == "t_order" else \
                [table] if (table == "t_dict" or ds == "ds_0") else []
            for t in tables:
                c = h.direct(self.ports[ds], actual)
                try:
                    out[(ds, t)] = h.query(c, "SELECT %s FROM %s ORDER BY 1" % (COLUMNS[table], t))
                finally:
                    c.close()
        return out

    def compare(self, table, statement, data, proxy_conn=None, ref_conn=None):
        """Loads `data` with `statement` (a format string taking the file name) through the proxy
        and into the reference; both answers and both tables' contents must be equal."""
        path = write_file(self.tmp, "%s.txt" % table, data)
        sql = statement % path
        got = run_load(proxy_conn or self.conn(), sql)
        want = run_load(ref_conn or self.reference(), sql)
        h.log("%s: proxy %r, reference %r" % (sql.replace(self.tmp + "/", ""), got, want))
        self.assertEqual(got, want, sql)
        self.assertEqual(self.contents(proxy_conn or self.conn(), table),
                         self.contents(ref_conn or self.reference(), table), sql)
        return got

    # ---- sharded, broadcast and single tables, against the reference ----
    def test_sharded_table_with_format_variants(self):
        cases = [
            ("tab-separated defaults",
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order",
             b"1\t10\tNEW\tfirst\t1.50\t2024-01-02 03:04:05\n2\t11\tPAID\t\\N\t2.00\t\\N\n"
             b"3\t12\tNEW\ta\\tb\\nc\t0\t\\N\n4\t13\t\\N\tback\\\\slash\t9.99\t2024-02-29 00:00:00\n"),
            ("CSV enclosed, CRLF, header",
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ',' "
             "OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES",
             b"order_id,user_id,status,note,amount,created\r\n"
             b"5,20,\"NEW\",\"a, b\",1.25,2024-03-01 10:00:00\r\n"
             b"6,21,\"said \"\"hi\"\"\",\"line\r\nbreak\",3,NULL\r\n"
             b"7,22,\"esc \\\" quote\",\"\",4.5,\"2024-03-02 11:00:00\"\r\n"
             b"8,23,NULL,\"NULL\",,\r\n"),
            ("column list, fewer and more fields",
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ';' "
             "(order_id, user_id, status, note)",
             b"9;30;NEW;short\n10;31\n11;32;X;extra;field;here\n12;33;;\n"),
            ("lines starting by, escape char",
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY '|' ESCAPED BY '#' "
             "LINES STARTING BY '>>' TERMINATED BY '\\n' (order_id, user_id, status)",
             b">>13|40|a#|b\njunk line\n>>14|41|#N\nxx>>15|42|c#nd\n"),
            ("character set of the file",
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order CHARACTER SET latin1 "
             "FIELDS TERMINATED BY ',' (order_id, user_id, status, note)",
             b"18,60,caf\xe9,na\xefve \\' quote\n19,61,\xc3\xa9,x\n"),
            ("bad values as warnings",
             "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ','",
             b"16,50,NEW,n,abc,not a date\n17,51,NEW,n,1e3,2024-13-45 00:00:00\n"),
        ]
        for name, statement, data in cases:
            with self.subTest(name):
                self.compare("t_order", statement, data)
        with self.subTest("NO_BACKSLASH_ESCAPES session"):
            # The INSERTs' literals are written for the session's sql_mode.
            pc, rc = self.conn(), self.reference()
            for c in (pc, rc):
                h.query(c, "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'")
            self.compare("t_order", "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ',' "
                         "(order_id, user_id, status, note)",
                         b"20,70,back\\slash,it's\n21,71,\\N,q\"\n", proxy_conn=pc, ref_conn=rc)
        # Every row is where its keys put it, and nowhere else.
        for (ds, table), rows in self.actual_rows("t_order").items():
            for row in rows:
                self.assertEqual(("ds_%d" % (row[1] % 2), "t_order_%d" % (row[0] % 2)), (ds, table), row)

    def test_duplicates_ignore_and_replace(self):
        base = b"1,10,OLD\n2,11,OLD\n3,12,OLD\n"
        dups = b"2,11,NEW\n4,13,NEW\n3,12,NEW\n4,13,AGAIN\n"
        cols = "FIELDS TERMINATED BY ',' (order_id, user_id, status)"
        self.compare("t_order", "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order " + cols, base)
        for keyword in ("", "IGNORE", "REPLACE"):
            with self.subTest(keyword or "LOCAL alone (as IGNORE)"):
                got = self.compare("t_order", "LOAD DATA LOCAL INFILE '%s' " + keyword +
                                   " INTO TABLE t_order " + cols, dups)
                self.assertEqual(got[0], "ok")
        # Broadcast copies: counted once, the same on every data source.
        self.compare("t_dict", "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_dict FIELDS TERMINATED BY ','",
                     b"1,one,1\n2,two\n")
        got = self.compare("t_dict", "LOAD DATA LOCAL INFILE '%s' REPLACE INTO TABLE t_dict "
                           "FIELDS TERMINATED BY ','", b"1,uno,1\n3,three,3\n")
        self.assertEqual(got[1], 3)  # one row replaced (2), one inserted (1)
        copies = {k: v for k, v in self.actual_rows("t_dict").items()}
        self.assertEqual(len(set(map(tuple, copies.values()))), 1, copies)

    def test_single_table_and_auto_increment(self):
        self.compare("t_single", "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_single "
                     "FIELDS TERMINATED BY ',' (v, n)", b"a,1\nb,2\nc\n\\N,\\N\n")
        rows = self.actual_rows("t_single")
        self.assertEqual(len(rows[("ds_0", "t_single")]), 4)

    def test_generated_keys(self):
        path = write_file(self.tmp, "keys.txt", b"".join(b"%d,gen-%d\n" % (u, u) for u in range(1, 201)))
        c = self.conn()
        got = run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ',' "
                          "(user_id, status)" % path)
        self.assertEqual(got, ("ok", 200, 0, "Records: 200  Deleted: 0  Skipped: 0  Warnings: 0"))
        seen = {}
        for (ds, table), rows in self.actual_rows("t_order").items():
            for row in rows:
                order_id, user_id, status = row[0], row[1], row[2]
                self.assertEqual(("ds_%d" % (user_id % 2), "t_order_%d" % (order_id % 2)), (ds, table))
                self.assertEqual(status, "gen-%d" % user_id)
                self.assertNotIn(order_id, seen)
                seen[order_id] = user_id
        self.assertEqual(sorted(seen.values()), list(range(1, 201)))
        # Snowflake keys spread over both tables of each data source.
        self.assertEqual({oid % 2 for oid in seen}, {0, 1})

    # ---- transactions and errors ----
    def test_inside_a_transaction(self):
        path = write_file(self.tmp, "txn.txt", b"".join(b"%d,%d,T\n" % (i, i) for i in range(1, 101)))
        sql = ("LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ',' "
               "(order_id, user_id, status)" % path)
        c = self.conn(autocommit=False)
        h.query(c, "BEGIN")
        self.assertEqual(run_load(c, sql)[:2], ("ok", 100))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order"), ((100,),))
        c.rollback()
        self.assertEqual(sum(len(r) for r in self.actual_rows("t_order").values()), 0)
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order"), ((0,),))
        # Committed, it stays.
        h.query(c, "BEGIN")
        self.assertEqual(run_load(c, sql)[:2], ("ok", 100))
        c.commit()
        self.assertEqual(sum(len(r) for r in self.actual_rows("t_order").values()), 100)
        # A load that fails inside a transaction is undone alone, as the server undoes a failed
        # statement: what the transaction did before stays. The bad row is the last one sent (on
        # ds_1's t_order_1), after the rows of the other actual tables.
        h.query(c, "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
        h.query(c, "BEGIN")
        h.query(c, "INSERT INTO t_order (order_id, user_id, status) VALUES (1000, 1000, 'kept')")
        bad = write_file(self.tmp, "txn_bad.txt", b"".join(
            b"%d,%d,T,%s\n" % (i, i, b"x" if i == 1001 else b"1") for i in range(1001, 1021)))
        got = run_load(c, "LOAD DATA LOCAL INFILE '%s' REPLACE INTO TABLE t_order FIELDS TERMINATED "
                          "BY ',' (order_id, user_id, status, amount)" % bad)
        self.assertEqual(got[:2], ("err", 1366))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order"), ((101,),))
        c.commit()
        self.assertEqual(sum(len(r) for r in self.actual_rows("t_order").values()), 101)

    def test_error_mid_file_leaves_nothing(self):
        # Strict mode and REPLACE: a bad value is an error (without REPLACE, LOCAL reads as IGNORE).
        # The file is large enough that every actual table has had batches sent before it.
        rows = 120000
        bad = rows - 10
        lines = []
        for i in range(1, rows + 1):
            amount = b"oops" if i == bad else b"%d.25" % (i % 1000)
            lines.append(b"%d,%d,status-%d,%s\n" % (i, i * 7, i, amount))
        path = write_file(self.tmp, "bad.txt", b"".join(lines))
        sql = ("LOAD DATA LOCAL INFILE '%s' REPLACE INTO TABLE t_order FIELDS TERMINATED BY ',' "
               "(order_id, user_id, status, amount)" % path)
        c = self.conn()
        other = self.conn()
        h.query(c, "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
        ref = self.reference()
        h.query(ref, "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
        want = run_load(ref, sql)
        got = run_load(c, sql)
        h.log("error mid-file: proxy %r, reference %r" % (got, want))
        self.assertEqual(want[:2], ("err", 1366))
        self.assertEqual(got[0], "err")
        self.assertEqual(got[1], 1366)
        self.assertIn("Incorrect decimal value: 'oops'", got[2])
        self.assertEqual(sum(len(r) for r in self.actual_rows("t_order").values()), 0)
        # The session and the others go on.
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_order"), ((0,),))
        self.assertEqual(h.query(other, "SELECT 1"), ((1,),))
        path = write_file(self.tmp, "good.txt", b"1,2,ok\n")
        self.assertEqual(run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS "
                                     "TERMINATED BY ',' (order_id, user_id, status)" % path)[:2], ("ok", 1))

    def test_short_line_with_replace_in_strict_mode(self):
        self.compare("t_order", "LOAD DATA LOCAL INFILE '%s' REPLACE INTO TABLE t_order "
                     "FIELDS TERMINATED BY ',' (order_id, user_id, status)",
                     b"1,2,x\n3\n", proxy_conn=self.conn(), ref_conn=self.reference())
        self.assertEqual(sum(len(r) for r in self.actual_rows("t_order").values()), 0)

    def test_refused(self):
        path = write_file(self.tmp, "r.txt", b"1,2\n")
        # A client that did not announce CLIENT_LOCAL_FILES.
        c = self.conn(local_infile=False)
        got = run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order" % path)
        self.assertEqual(got, ("err", 1148, "The used command is not allowed with this MariaDB version"))
        # Options the proxy does not load, refused before the file is asked for.
        c = self.conn()
        for sql, message in [
            ("LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order (order_id, @u) SET user_id = @u",
             "unsupported: LOAD DATA LOCAL INFILE into user variables (@u): name the table's columns"),
            ("LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order (order_id, user_id) SET status = 'x'",
             "unsupported: LOAD DATA LOCAL INFILE with SET (load into the columns themselves)"),
            ("LOAD XML LOCAL INFILE '%s' INTO TABLE t_order", "unsupported: LOAD XML LOCAL INFILE"),
        ]:
            self.assertEqual(run_load(c, sql % path), ("err", 1235, message))
        self.assertEqual(run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS "
                                     "ENCLOSED BY 'ab'" % path)[:2], ("err", 1083))
        # Unknown tables and columns, as MySQL names them (before the file is asked for).
        self.assertEqual(run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE no_such" % path),
                         ("err", 1146, "Table 'load_db.no_such' doesn't exist"))
        self.assertEqual(run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order (order_id, nope)" % path),
                         ("err", 1054, "Unknown column 'nope' in 'field list'"))
        self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
        # Server-side LOAD DATA (no LOCAL) still needs the FILE privilege.
        self.assertEqual(run_load(c, "LOAD DATA INFILE '%s' INTO TABLE t_order" % path)[:2], ("err", 1227))

    def test_prop_off(self):
        sources = {ds: (self.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        with h.Proxy(h.global_yaml(props={"proxy-local-infile": False}),
                     {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="load_off") as p:
            c = h.connect(p, db=LOGICAL, local_infile=True)
            try:
                self.assertFalse(c.server_capabilities & pymysql.constants.CLIENT.LOCAL_FILES)
                path = write_file(self.tmp, "off.txt", b"1,2\n")
                self.assertEqual(run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order" % path)[:2],
                                 ("err", 1148))
            finally:
                c.close()
        c = self.conn()
        self.assertTrue(c.server_capabilities & pymysql.constants.CLIENT.LOCAL_FILES)

    def test_xa_transactions(self):
        # The session's transaction type is XA: the load is one XA transaction over both servers
        # (committed in two phases), and a failed one leaves nothing on either.
        sources = {ds: (self.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        with h.Proxy(h.global_yaml(transaction="XA"),
                     {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="load_xa") as p:
            c = h.connect(p, db=LOGICAL, local_infile=True)
            try:
                path = write_file(self.tmp, "xa.txt", b"".join(b"%d,%d,XA\n" % (i, i) for i in range(1, 41)))
                sql = ("LOAD DATA LOCAL INFILE '%s' %%s INTO TABLE t_order FIELDS TERMINATED BY ',' "
                       "(order_id, user_id, status, amount)")
                # (No amount in the file: one 1261 warning a row.)
                self.assertEqual(run_load(c, sql % path % ""),
                                 ("ok", 40, 40, "Records: 40  Deleted: 0  Skipped: 0  Warnings: 40"))
                rows = self.actual_rows("t_order")
                self.assertEqual(sum(len(r) for r in rows.values()), 40)
                self.assertEqual({ds for (ds, _), r in rows.items() if r}, set(DATA_SOURCES))
                h.query(c, "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
                bad = write_file(self.tmp, "xa_bad.txt",
                                 b"".join(b"%d,%d,XA,%s\n" % (i, i, b"x" if i == 79 else b"1")
                                          for i in range(41, 81)))
                self.assertEqual(run_load(c, sql % bad % "REPLACE")[:2], ("err", 1366))
                self.assertEqual(sum(len(r) for r in self.actual_rows("t_order").values()), 40)
                log = p.log()
            finally:
                c.close()
        self.assertIn("XA PREPARE", log)

    def test_pass_through_database(self):
        path = write_file(self.tmp, "plain.txt", b"1,one,1\n2,two\n3,three,3,x\n")
        c = self.conn(db=PASS)
        got = run_load(c, "LOAD DATA LOCAL INFILE '%s' INTO TABLE t_plain FIELDS TERMINATED BY ','" % path)
        self.assertEqual(got, ("ok", 3, 2, "Records: 3  Deleted: 0  Skipped: 0  Warnings: 2"))
        self.assertEqual(h.query(c, "SELECT id, name, weight FROM t_plain ORDER BY id"),
                         ((1, "one", 1), (2, "two", 0), (3, "three", 3)))

    def test_mariadb_import(self):
        tool = shutil.which("mariadb-import") or shutil.which("mysqlimport")
        if not tool:
            self.skipTest("mariadb-import not installed")
        path = write_file(self.tmp, "t_order.txt",
                          b"".join(b"%d,%d,imp,n,%d.5,\\N\n" % (i, i * 3, i) for i in range(1, 51)))
        # mariadb-import names the table after the file: the reference's copy in its own folder.
        os.makedirs(os.path.join(self.tmp, "ref"), exist_ok=True)
        with open(path, "rb") as f:
            ref_path = write_file(os.path.join(self.tmp, "ref"), "t_order.txt", f.read())
        args = ["--no-defaults", "--local", "--protocol=TCP", "-h127.0.0.1", "-uroot", "-proot",
                "--fields-terminated-by=,"]
        r = subprocess.run([tool] + args + ["-P%d" % self.proxy.port, LOGICAL, path],
                           capture_output=True, text=True, timeout=60)
        h.log("mariadb-import through the proxy: rc %d, %s %s" % (r.returncode, r.stdout.strip(), r.stderr.strip()))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Records: 50  Deleted: 0  Skipped: 0  Warnings: 0", r.stdout)
        r = subprocess.run([tool] + args + ["-P%d" % self.ports["ds_0"], REFERENCE, ref_path],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.contents(self.conn(), "t_order"), self.contents(self.reference(), "t_order"))


if __name__ == "__main__":
    h.main()
