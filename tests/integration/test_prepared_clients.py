"""Server-side prepared statements with real clients, on a sharded logical database.

Each client program runs twice: ``test_<client>_direct`` against a plain MariaDB database (it must
pass there: that proves the program) and ``test_<client>_proxy`` against the proxy's logical
database prepared_db, whose tables are sharded by ``id % 2`` over two data sources (database
strategy, INLINE ``ds_${id % 2}`` with range queries allowed) on the two servers of the cluster;
tables no rule names are single tables on ds_0. A proxy run then checks on the servers directly
that every row sits on the shard its id chooses and that the shards together hold exactly what the
same program leaves in a reference database.

Clients:
  * stmt_client (tests/integration/stmt_client.cc, built as build/tests/stmt_client): libmariadb's
    MYSQL_STMT API over every column type, long data, cursors, reset, rebinding;
  * PreparedClient.java: MariaDB Connector/J 2.7 with useServerPrepStmts=true;
  * prepared_client.php: mysqli prepared statements and PDO with native prepares;
  * sysbench oltp_read_write with --db-ps-mode=auto (prepare, run, cleanup through the proxy);
  * SQL-level PREPARE / EXECUTE / DEALLOCATE PREPARE over the text protocol (pymysql).
"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "prepared_db"
ACTUAL = ("it_prepcli_ds0", "it_prepcli_ds1")  # ds_0, ds_1
REFERENCE = "it_prepcli_ref"                      # on the first server
DATA_SOURCES = ("ds_0", "ds_1")

STMT_TABLE = "t_types"
JAVA_TABLE = "j_types"
PHP_TABLE = "p_types"
SQL_TABLE = "s_items"
DDL_TABLE = "d_items"
SYSBENCH_TABLES = ("sbtest1", "sbtest2")
SHARDED = (STMT_TABLE, JAVA_TABLE, PHP_TABLE, SQL_TABLE, DDL_TABLE) + SYSBENCH_TABLES

RULES = """
- !SHARDING
  tables:
%s
  defaultDatabaseStrategy:
    standard:
      shardingColumn: id
      shardingAlgorithmName: database_inline
  defaultTableStrategy:
    none:
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${id %% 2}
        allow-range-query-with-inline-sharding: true
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_0
""" % "\n".join("    %s:\n      actualDataNodes: ds_${0..1}.%s" % (t, t) for t in SHARDED)

STMT_CLIENT = os.path.join(h.BUILD_DIR, "tests", "stmt_client")
JAVA = shutil.which("java") or "/usr/bin/java"
CONNECTOR_J = "/usr/share/java/mariadb-java-client.jar"
JAVA_CLIENT = os.path.join(h.HERE, "PreparedClient.java")
PHP = shutil.which("php") or "/usr/bin/php"
PHP_CLIENT = os.path.join(h.HERE, "prepared_client.php")
SYSBENCH = shutil.which("sysbench") or "/usr/bin/sysbench"

CLIENT_TIMEOUT = 240   # seconds for one client program (the JDK compiles the Java file first)


def run_program(cmd, timeout=CLIENT_TIMEOUT):
    """Runs a client program; returns (exit code, stdout + stderr)."""
    # In the sanitizer build stmt_client is instrumented too: what the test program itself leaves
    # unfreed at exit is not the proxy's concern (memory errors still fail it).
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, text=True, errors="replace", cwd=h.SOURCE_DIR, env=env)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out + "\n(killed after %ds)" % timeout
    return r.returncode, r.stdout


def summary(output):
    """The FAIL lines of a client's output (the first 60), then its last lines."""
    lines = output.splitlines()
    fails = [line for line in lines if line.startswith("FAIL")]
    tail = 5 if fails else 30
    return "\n".join(["-- FAIL lines (%d):" % len(fails)] + fails[:60] + ["-- last %d lines:" % tail]
                     + lines[-tail:])


def rows(port, db, table, order="id"):
    c = h.direct(port, db)
    try:
        return list(h.query(c, "SELECT * FROM `%s` ORDER BY %s" % (table, order)))
    finally:
        c.close()


class PreparedClientsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.ref_port = ports[0]
        cls.enterClassContext(h.actual_databases(list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE)]))
        sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="prepared-clients"))

    # ---- helpers ----
    def run_client(self, cmd, what):
        code, out = run_program(cmd)
        self.assertEqual(code, 0, "%s exited with %s\n%s" % (what, code, summary(out)))
        self.assertIn("all checks passed", out, "%s\n%s" % (what, summary(out)))
        return out

    def assert_sharded_copy(self, table, ai_table=None):
        """Every row of `table` on the shard id % 2 chooses, and both shards together equal to the
        reference database's copy; `ai_table` (a single table) only on ds_0, equal to the reference."""
        shards = {}
        for k, ds in enumerate(DATA_SOURCES):
            shards[ds] = rows(self.ports[ds], ACTUAL[k], table)
            misplaced = [r[0] for r in shards[ds] if r[0] % 2 != k]
            self.assertEqual(misplaced, [], "%s rows on %s that belong on the other shard" % (table, ds))
            self.assertTrue(shards[ds], "%s: no rows on %s" % (table, ds))
        merged = sorted(shards["ds_0"] + shards["ds_1"], key=lambda r: r[0])
        self.assertEqual(merged, rows(self.ref_port, REFERENCE, table),
                         "%s: the shards differ from the reference database" % table)
        if ai_table:
            self.assertEqual(rows(self.ports["ds_0"], ACTUAL[0], ai_table),
                             rows(self.ref_port, REFERENCE, ai_table), "%s on ds_0" % ai_table)
            c = h.direct(self.ports["ds_1"], ACTUAL[1])
            try:
                self.assertEqual(h.query(c, "SHOW TABLES LIKE %s", (ai_table,)), (),
                                 "%s (a single table) also created on ds_1" % ai_table)
            finally:
                c.close()

    # ---- libmariadb (C++) ----
    def stmt_client(self, port, db):
        if not os.access(STMT_CLIENT, os.X_OK):
            self.fail("%s not built (ninja -C %s stmt_client)" % (STMT_CLIENT, h.BUILD_DIR))
        return [STMT_CLIENT, "127.0.0.1", str(port), "root", "root", db, STMT_TABLE, "id"]

    def test_stmt_client_direct(self):
        self.run_client(self.stmt_client(self.ref_port, REFERENCE), "stmt_client on MariaDB")

    def test_stmt_client_proxy(self):
        self.run_client(self.stmt_client(self.proxy.port, LOGICAL), "stmt_client through the proxy")
        self.run_client(self.stmt_client(self.ref_port, REFERENCE), "stmt_client on the reference")
        self.assert_sharded_copy(STMT_TABLE, STMT_TABLE + "_ai")

    # ---- Connector/J ----
    def java_client(self, port, db):
        for path in (JAVA, CONNECTOR_J):
            if not os.path.exists(path):
                self.fail("%s missing (Debian default-jdk-headless, libmariadb-java)" % path)
        url = ("jdbc:mariadb://127.0.0.1:%d/%s?user=root&password=root&useServerPrepStmts=true&useSSL=false"
               "&connectTimeout=10000&socketTimeout=60000" % (port, db))
        return [JAVA, "-cp", CONNECTOR_J, JAVA_CLIENT, url, JAVA_TABLE]

    def test_java_direct(self):
        self.run_client(self.java_client(self.ref_port, REFERENCE), "PreparedClient.java on MariaDB")

    def test_java_proxy(self):
        self.run_client(self.java_client(self.proxy.port, LOGICAL), "PreparedClient.java through the proxy")
        self.run_client(self.java_client(self.ref_port, REFERENCE), "PreparedClient.java on the reference")
        self.assert_sharded_copy(JAVA_TABLE, JAVA_TABLE + "_ai")

    # ---- PHP mysqli and PDO ----
    def php_client(self, port, db):
        if not os.path.exists(PHP):
            self.fail("php missing (Debian php-cli, php-mysql)")
        return [PHP, "-d", "display_errors=stderr", PHP_CLIENT, "127.0.0.1", str(port), "root", "root", db,
                PHP_TABLE] + (["proxy"] if port == self.proxy.port else [])

    def test_php_direct(self):
        self.run_client(self.php_client(self.ref_port, REFERENCE), "prepared_client.php on MariaDB")

    def test_php_proxy(self):
        self.run_client(self.php_client(self.proxy.port, LOGICAL), "prepared_client.php through the proxy")
        self.run_client(self.php_client(self.ref_port, REFERENCE), "prepared_client.php on the reference")
        self.assert_sharded_copy(PHP_TABLE, PHP_TABLE + "_ai")

    # ---- sysbench ----
    def sysbench(self, port, db, command, *extra, timeout=300):
        if not os.path.exists(SYSBENCH):
            self.fail("sysbench missing (Debian sysbench)")
        # --rand-type=uniform: the default 'special' distribution sends most transactions to a few
        # hot rows, and the deadlocks that makes (even on MariaDB alone) are counted as ignored errors.
        cmd = [SYSBENCH, "oltp_read_write", "--db-driver=mysql", "--db-ps-mode=auto", "--mysql-host=127.0.0.1",
               "--mysql-port=%d" % port, "--mysql-user=root", "--mysql-password=root", "--mysql-db=%s" % db,
               "--tables=2", "--table-size=1000", "--auto-inc=off", "--rand-type=uniform", "--verbosity=5"]
        code, out = run_program(cmd + list(extra) + [command], timeout=timeout)
        self.assertEqual(code, 0, "sysbench %s exited with %s:\n%s" % (command, code, "\n".join(out.splitlines()[-40:])))
        # sysbench falls back to client-side statements when COM_STMT_PREPARE fails with 1295
        emulated = [line for line in out.splitlines() if "using emulation" in line or "Failed to prepare" in line]
        self.assertEqual(emulated[:3], [], "sysbench %s did not prepare on the server (%d such lines)"
                         % (command, len(emulated)))
        return out

    def sysbench_stats(self, out):
        def count(label):
            m = re.search(r"^\s*%s:\s+(\d+)" % re.escape(label), out, re.M)
            return int(m.group(1)) if m else None
        return {"transactions": count("transactions"), "errors": count("errors"),
                "ignored errors": count("ignored errors"), "reconnects": count("reconnects"),
                "fatal": [line for line in out.splitlines() if "FATAL" in line or "ALERT" in line]}

    def run_sysbench(self, port, db, after_prepare=None):
        self.sysbench(port, db, "cleanup")
        self.addCleanup(self.sysbench, port, db, "cleanup")
        self.sysbench(port, db, "prepare")
        if after_prepare:
            after_prepare()
        out = self.sysbench(port, db, "run", "--threads=4", "--time=5")
        stats = self.sysbench_stats(out)
        tail = "\n".join(out.splitlines()[-40:])
        self.assertIsNotNone(stats["transactions"], "no transactions line:\n" + tail)
        self.assertIsNotNone(stats["ignored errors"], "no ignored errors line:\n" + tail)
        self.assertGreater(stats["transactions"], 0, tail)
        self.assertEqual((stats["errors"] or 0, stats["ignored errors"], stats["reconnects"], stats["fatal"]),
                         (0, 0, 0, []), "errors, ignored errors, reconnects, fatal lines:\n" + tail)
        return stats

    def test_sysbench_direct(self):
        self.run_sysbench(self.ref_port, REFERENCE)

    def test_sysbench_proxy(self):
        def placement():
            # sysbench prepare INSERTs through the proxy: each row on the shard its id chooses
            for table in SYSBENCH_TABLES:
                counts = []
                for k, ds in enumerate(DATA_SOURCES):
                    c = h.direct(self.ports[ds], ACTUAL[k])
                    try:
                        n, misplaced = h.query(
                            c, "SELECT COUNT(*), COALESCE(SUM(id %% 2 <> %d), 0) FROM %s" % (k, table))[0]
                    finally:
                        c.close()
                    self.assertEqual(misplaced, 0, "%s.%s rows that belong on the other shard" % (ds, table))
                    counts.append(n)
                self.assertEqual(counts, [500, 500], "%s rows on ds_0, ds_1 after sysbench prepare" % table)
        self.run_sysbench(self.proxy.port, LOGICAL, placement)

    # ---- SQL-level PREPARE / EXECUTE / DEALLOCATE PREPARE (text protocol) ----
    ITEMS = [(i, "item %d \U0001F600" % i, i * 10) for i in range(1, 7)]

    def sql_prepare(self, conn, rows_of):
        """rows_of(ids) -> the rows with those ids, read from the servers directly."""
        def q(sql, args=None):
            return [tuple(r) for r in h.query(conn, sql, args)]

        q("DROP TABLE IF EXISTS %s" % SQL_TABLE)
        q("CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(40), qty INT) DEFAULT CHARSET=utf8mb4"
          % SQL_TABLE)
        q("INSERT INTO %s (id, name, qty) VALUES %s" % (SQL_TABLE, ", ".join(["(%s, %s, %s)"] * 6)),
          [v for item in self.ITEMS for v in item])

        q("PREPARE s FROM 'SELECT id, name, qty FROM %s WHERE id = ?'" % SQL_TABLE)
        for a in (3, 4):
            q("SET @a = %d" % a)
            with conn.cursor() as cur:
                cur.execute("EXECUTE s USING @a")
                got = [tuple(r) for r in cur.fetchall()]
                names = [d[0] for d in cur.description]
            self.assertEqual(got, q("SELECT id, name, qty FROM %s WHERE id = %d" % (SQL_TABLE, a)))
            self.assertEqual(got, [self.ITEMS[a - 1]])
            self.assertEqual(names, ["id", "name", "qty"])

        # from a user variable, over both shards
        q("SET @sql = 'SELECT COUNT(*), SUM(qty), MAX(name) FROM %s WHERE id > ?'" % SQL_TABLE)
        q("PREPARE s2 FROM @sql")
        q("SET @b = 1")
        self.assertEqual(q("EXECUTE s2 USING @b"), [(5, 200, "item 6 \U0001F600")])

        # an ORDER BY over both shards
        q("PREPARE o FROM 'SELECT id, name FROM %s WHERE id >= ? ORDER BY id DESC'" % SQL_TABLE)
        q("SET @f = 2")
        self.assertEqual(q("EXECUTE o USING @f"), [(i, "item %d \U0001F600" % i) for i in range(6, 1, -1)])

        # INSERTs that land on both shards
        q("PREPARE ins FROM 'INSERT INTO %s (id, name, qty) VALUES (?, ?, ?)'" % SQL_TABLE)
        for i in (7, 8):
            q("SET @i = %d, @n = 'new %d', @q = %d" % (i, i, i * 10))
            with conn.cursor() as cur:
                self.assertEqual(cur.execute("EXECUTE ins USING @i, @n, @q"), 1)
        self.assertEqual(rows_of((7, 8)), [(7, "new 7", 70), (8, "new 8", 80)])
        self.assertEqual(q("EXECUTE o USING @f")[:2], [(8, "new 8"), (7, "new 7")])

        # a wrong number of parameters; DEALLOCATE, then EXECUTE of what no longer exists
        with self.assertRaises(pymysql.MySQLError) as cm:
            q("EXECUTE s USING @a, @b")
        self.assertMySQLError(cm.exception, 1210, message="Incorrect arguments to EXECUTE")
        q("DEALLOCATE PREPARE s")
        with self.assertRaises(pymysql.MySQLError) as cm:
            q("EXECUTE s USING @a")
        self.assertMySQLError(cm.exception, 1243, message="Unknown prepared statement handler (s) given to EXECUTE")
        self.assertEqual(q("EXECUTE s2 USING @b"), [(7, 350, "new 8")])  # the others are still there
        for name in ("s2", "o", "ins"):
            q("DEALLOCATE PREPARE %s" % name)

    def test_sql_prepare_direct(self):
        conn = h.direct(self.ref_port, REFERENCE)
        self.addCleanup(conn.close)

        def rows_of(ids):
            return [tuple(r) for r in rows(self.ref_port, REFERENCE, SQL_TABLE) if r[0] in ids]
        self.sql_prepare(conn, rows_of)

    def test_sql_prepare_proxy(self):
        conn = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(conn.close)

        def rows_of(ids):
            # each row on the shard its id chooses, read there
            out = []
            for i in ids:
                k = i % 2
                out += [tuple(r) for r in rows(self.ports[DATA_SOURCES[k]], ACTUAL[k], SQL_TABLE) if r[0] == i]
            return out
        self.sql_prepare(conn, rows_of)

    # ---- DDL and a merged, limited SELECT through the binary protocol (raw client) ----
    def test_prepared_ddl_proxy(self):
        import test_prepared_protocol as pp
        c = h.raw_client(self.proxy.port, db=LOGICAL)
        self.addCleanup(c.close)

        def run(stmt, params=()):
            res = pp.execute(c, stmt, list(params))
            self.assertNotEqual(res.kind, "err", getattr(res, "message", ""))
            return res

        run(pp.prepare(c, "CREATE TABLE %s (id BIGINT PRIMARY KEY, v VARCHAR(10))" % DDL_TABLE))
        for k, actual in enumerate(ACTUAL):
            self.assertEqual(rows(self.ports[DATA_SOURCES[k]], actual, DDL_TABLE), [])
        ins = pp.prepare(c, "INSERT INTO %s (id, v) VALUES (?, ?)" % DDL_TABLE)
        for i in range(1, 7):
            self.assertEqual(run(ins, [(pp.T_LONGLONG, False, i), (pp.T_VAR_STRING, False, "v%d" % i)])
                             .affected_rows, 1)
        for k, actual in enumerate(ACTUAL):
            self.assertEqual([r[0] for r in rows(self.ports[DATA_SOURCES[k]], actual, DDL_TABLE)],
                             [i for i in range(1, 7) if i % 2 == k])
        sel = pp.prepare(c, "SELECT id, v FROM %s WHERE id > ? ORDER BY id DESC LIMIT ?, ?" % DDL_TABLE)
        self.assertEqual([col["name"] for col in sel.columns], ["id", "v"])
        self.assertEqual(sel.columns[0]["table"], DDL_TABLE.encode())
        res = run(sel, [(pp.T_LONGLONG, False, 1), (pp.T_LONGLONG, False, 1), (pp.T_LONGLONG, False, 3)])
        self.assertEqual(res.rows, [[5, b"v5"], [4, b"v4"], [3, b"v3"]])
        run(pp.prepare(c, "DROP TABLE %s" % DDL_TABLE))
        for k, actual in enumerate(ACTUAL):
            with self.assertRaises(pymysql.err.ProgrammingError):
                rows(self.ports[DATA_SOURCES[k]], actual, DDL_TABLE)


if __name__ == "__main__":
    h.main()
