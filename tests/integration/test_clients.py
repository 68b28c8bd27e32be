"""Scripted sessions with real clients: the mariadb CLI (libmariadb), PHP mysqli and PDO (mysqlnd),
and pymysql with autocommit off.
"""

import os
import subprocess
import sys
import tempfile
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

DB = "it_clients_db"
PHP = "/usr/bin/php"

PHP_SCRIPT = r"""<?php
mysqli_report(MYSQLI_REPORT_OFF);
$port = (int)$argv[1];
function fail($msg) { fwrite(STDERR, "FAIL: $msg\n"); exit(1); }
function check($cond, $msg) { if (!$cond) fail($msg); }

$m = mysqli_init();
$m->options(MYSQLI_OPT_CONNECT_TIMEOUT, 10);
$m->options(MYSQLI_OPT_READ_TIMEOUT, 60);
if (!$m->real_connect('127.0.0.1', 'root', 'root', 'db1', $port)) fail('connect: ' . mysqli_connect_errno() . ' ' . mysqli_connect_error());
check($m->set_charset('utf8mb4'), 'set_charset: ' . $m->error);

// plain query, fetch rows
$r = $m->query('SELECT id, name, amount FROM t ORDER BY id');
check($r !== false, 'select: ' . $m->error);
$rows = $r->fetch_all(MYSQLI_ASSOC);
check(count($rows) == 3, 'row count ' . count($rows));
check($rows[0]['id'] == 1 && $rows[0]['name'] === 'alpha' && $rows[0]['amount'] === '10.50', 'row 0: ' . json_encode($rows[0]));
check($rows[2]['name'] === "gr\u{00fc}n \u{1F600}", 'row 2 utf8mb4: ' . json_encode($rows[2]));
check($rows[1]['amount'] === null, 'row 1 NULL');
$fields = $r->fetch_fields();
check($fields[0]->name === 'id' && $fields[0]->table === 't' && $fields[0]->db === 'db1', 'field meta: ' . json_encode($fields[0]));
$r->free();

// DML: affected rows, insert id, info
check($m->query("INSERT INTO t (name, amount) VALUES ('delta', 1), ('" . $m->real_escape_string("it's") . "', 2)"), 'insert: ' . $m->error);
check($m->affected_rows == 2, 'affected ' . $m->affected_rows);
check($m->insert_id == 4, 'insert_id ' . $m->insert_id);
check(strpos((string)$m->info, 'Records: 2') === 0, 'info ' . $m->info);
check($m->query("UPDATE t SET amount = 2 WHERE id >= 4"), 'update: ' . $m->error);
check($m->affected_rows == 1, 'update affected ' . $m->affected_rows);
$r = $m->query("SELECT name FROM t WHERE id = 5");
check($r->fetch_row()[0] === "it's", 'escaped value');

// multi_query with two result sets (mysqlnd turns multi-statements on with COM_SET_OPTION)
check($m->multi_query("SELECT 1 AS a, 'x' AS b; SELECT name FROM t WHERE id <= 2 ORDER BY id"), 'multi_query: ' . $m->error);
$sets = [];
do {
    if ($res = $m->store_result()) { $sets[] = $res->fetch_all(MYSQLI_NUM); $res->free(); }
} while ($m->more_results() && $m->next_result());
check($m->errno == 0, 'multi_query error ' . $m->error);
check(count($sets) == 2, 'result sets ' . count($sets));
check($sets[0] == [['1', 'x']], 'set 0 ' . json_encode($sets[0]));
check($sets[1] == [['alpha'], ['beta']], 'set 1 ' . json_encode($sets[1]));

// errors: errno and SQLSTATE
check($m->query('SELECT * FROM no_such_table') === false, 'error query succeeded');
check($m->errno == 1146 && $m->sqlstate === '42S02', 'errno ' . $m->errno . ' ' . $m->sqlstate);
check($m->query('SELEC 1') === false && $m->errno == 1064 && $m->sqlstate === '42000', 'syntax ' . $m->errno);

// transactions through the API
check($m->autocommit(false), 'autocommit off');
$m->query("INSERT INTO t (name) VALUES ('rolled back')");
check($m->rollback(), 'rollback');
check($m->autocommit(true), 'autocommit on');
$r = $m->query("SELECT COUNT(*) FROM t WHERE name = 'rolled back'");
check($r->fetch_row()[0] == 0, 'rollback kept the row');

// session: select_db, ping, stat, database()
check($m->select_db('db1'), 'select_db');
check($m->ping(), 'ping');
check(strpos((string)$m->stat(), 'Uptime') === 0, 'stat: ' . $m->stat());
$r = $m->query('SELECT DATABASE()');
check($r->fetch_row()[0] === 'db1', 'database()');
$m->close();

// caching_sha2_password user
$s = mysqli_init();
if (!$s->real_connect('127.0.0.1', 'sha2user', 'sha2pass', 'db1', $port)) fail('sha2 connect: ' . mysqli_connect_error());
check($s->query('SELECT COUNT(*) FROM t')->fetch_row()[0] >= 3, 'sha2 query');
$s->close();

// wrong password
$w = mysqli_init();
check(!@$w->real_connect('127.0.0.1', 'root', 'nope', 'db1', $port), 'wrong password accepted');
check(mysqli_connect_errno() == 1045, 'wrong password errno ' . mysqli_connect_errno());

// PDO (emulated prepares: no COM_STMT_PREPARE)
$pdo = new PDO("mysql:host=127.0.0.1;port=$port;dbname=db1;charset=utf8mb4", 'root', 'root',
               [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 10]);
$st = $pdo->prepare('SELECT name FROM t WHERE id = ? AND name <> ?');
$st->execute([2, "x'y"]);
check($st->fetchColumn() === 'beta', 'pdo prepared');
$pdo->beginTransaction();
$pdo->exec("INSERT INTO t (name) VALUES ('pdo')");
$pdo->commit();
check($pdo->query("SELECT COUNT(*) FROM t WHERE name = 'pdo'")->fetchColumn() == 1, 'pdo commit');
try { $pdo->query('SELECT * FROM nope'); fail('pdo error not raised'); }
catch (PDOException $e) { check($e->errorInfo[1] == 1146 && $e->getCode() === '42S02', 'pdo error ' . $e->getMessage()); }

echo "OK\n";
"""


class ClientsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.port0 = p0
        cls.enterClassContext(h.actual_databases([(p0, DB), (p1, DB + "2")]))
        cls.reset_table()
        h.direct_exec(p1, DB + "2", "CREATE TABLE other (x INT)")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(),
            {"db1": h.database_yaml("db1", {"ds_0": (p0, DB)}),
             "db2": h.database_yaml("db2", {"ds_0": (p1, DB + "2")})},
            name="clients"))

    @classmethod
    def reset_table(cls):
        h.direct_exec(cls.port0, DB, "DROP TABLE IF EXISTS t",
                      "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL,"
                      " amount DECIMAL(8,2)) CHARACTER SET utf8mb4",
                      "INSERT INTO t (name, amount) VALUES ('alpha', 10.50), ('beta', NULL),"
                      " ('gr\u00fcn \U0001F600', 0.00)")

    def setUp(self):
        self.reset_table()

    # ---- mariadb CLI ----
    def test_cli_execute_several_statements(self):
        r = h.mariadb_cli(self.proxy.port, ["-N", "-B", "--default-character-set=utf8mb4", "-e",
                                            "USE db1; SELECT COUNT(*) FROM t; SHOW TABLES; SELECT DATABASE();"
                                            " SELECT name FROM t WHERE id = 3"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), ["3", "t", "db1", "gr\u00fcn \U0001F600"])

    def test_cli_batch_session_table_output(self):
        session = textwrap.dedent("""\
            SELECT DATABASE();
            USE db1
            SHOW TABLES;
            SELECT id, name, amount FROM t ORDER BY id;
            INSERT INTO t (name) VALUES ('cli');
            SELECT ROW_COUNT() AS rc;
            USE db2
            SHOW FULL TABLES;
            """)
        # the CLI pads by display width; the SELECT block must be what it prints for the same data
        # directly (taken before the session inserts a row)
        direct = h.mariadb_cli(self.port0, ["--table", "--default-character-set=utf8mb4", "-e",
                                            "SELECT id, name, amount FROM t ORDER BY id"], db=DB)
        self.assertEqual(direct.returncode, 0, direct.stderr)
        r = h.mariadb_cli(self.proxy.port, ["--table", "--default-character-set=utf8mb4"], input=session)
        self.assertEqual(r.returncode, 0, r.stderr)
        expected = textwrap.dedent("""\
            +------------+
            | DATABASE() |
            +------------+
            | NULL       |
            +------------+
            +---------------+
            | Tables_in_db1 |
            +---------------+
            | t             |
            +---------------+
            +----+------------+--------+
            | id | name       | amount |
            +----+------------+--------+
            |  1 | alpha      |  10.50 |
            |  2 | beta       |   NULL |
            |  3 | gr\u00fcn \U0001F600     |   0.00 |
            +----+------------+--------+
            +----+
            | rc |
            +----+
            |  1 |
            +----+
            +---------------+------------+
            | Tables_in_db2 | Table_type |
            +---------------+------------+
            | other         | BASE TABLE |
            +---------------+------------+
            """)
        exp_lines = expected.splitlines()
        exp_lines[10:17] = direct.stdout.splitlines()
        self.assertEqual(r.stdout.splitlines(), exp_lines)

    def test_cli_status_and_errors(self):
        r = h.mariadb_cli(self.proxy.port, ["-e", "status"], db="db1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"Current database:\s+db1")
        self.assertRegex(r.stdout, r"Uptime:")
        r = h.mariadb_cli(self.proxy.port, ["-e", "SELECT * FROM no_such_table"], db="db1")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"ERROR 1146 \(42S02\)")
        r = h.mariadb_cli(self.proxy.port, ["-e", "SELECT 1"], db="nodb")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ERROR 1049 (42000): Unknown database 'nodb'", r.stderr)
        r = h.mariadb_cli(self.proxy.port, ["-e", "SELECT 1"], password="bad")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: YES)",
                      r.stderr)
        # --force continues after an error in a batch
        r = h.mariadb_cli(self.proxy.port, ["--force", "-N", "-B"], db="db1",
                          input="SELECT 1;\nSELECT nope FROM t;\nSELECT 2;\n")
        self.assertEqual(r.stdout.splitlines(), ["1", "2"])
        self.assertIn("ERROR 1054 (42S22)", r.stderr)

    def test_cli_interactive_style_rehash(self):
        # --auto-rehash makes the CLI list tables and fields (COM_FIELD_LIST / SHOW) on connect
        # when interactive; 'rehash' does it on demand in batch mode as well
        r = h.mariadb_cli(self.proxy.port, ["--auto-rehash", "-N", "-B"], db="db1", input="rehash\nSELECT 5;\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip().splitlines()[-1], "5")

    # ---- PHP ----
    def test_php_mysqli_and_pdo(self):
        if not os.path.exists(PHP):
            self.fail("php not installed (Debian php-cli + php-mysql)")
        with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as f:
            f.write(PHP_SCRIPT)
            path = f.name
        try:
            r = subprocess.run([PHP, "-d", "display_errors=stderr", path, str(self.proxy.port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        finally:
            os.unlink(path)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "OK"), r.stderr + r.stdout)

    # ---- pymysql, autocommit off ----
    def test_pymysql_autocommit_off(self):
        c = h.connect(self.proxy, db="db1", autocommit=False)
        obs = h.direct(self.port0, DB)
        try:
            self.assertEqual(h.query(c, "SELECT @@autocommit"), ((0,),))
            h.query(c, "INSERT INTO t (name) VALUES ('tx1')")
            self.assertEqual(h.query(obs, "SELECT COUNT(*) FROM t WHERE name = 'tx1'"), ((0,),))
            c.commit()
            self.assertEqual(h.query(obs, "SELECT COUNT(*) FROM t WHERE name = 'tx1'"), ((1,),))
            h.query(c, "UPDATE t SET amount = 99 WHERE name = 'tx1'")
            c.rollback()
            self.assertEqual(h.query(obs, "SELECT amount FROM t WHERE name = 'tx1'"), ((None,),))
            h.query(c, "INSERT INTO t (name) VALUES ('tx2')")
        finally:
            c.close()        # closing with an open transaction rolls it back
            h.wait_until(lambda: h.query(obs, "SELECT COUNT(*) FROM t WHERE name = 'tx2'") == ((0,),), 5,
                         what="rollback of the abandoned transaction")
            obs.close()


if __name__ == "__main__":
    h.main()
