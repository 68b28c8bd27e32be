"""COM_CHANGE_USER: a logged-in session logs in again against the proxy's own users.

Covers, with the raw client (exact packets), libmariadb's mysql_change_user()
(change_user_client.cc) and PHP mysqli::change_user() (mysqlnd): both auth plugins and the
AuthSwitchRequest; the session is reset as by COM_RESET_CONNECTION (open transaction rolled back
on the backend, user variables and prepared statements gone, the database the request names or
none); the new user's authority applies (databases, KILL); a failed change (wrong password,
unknown user, a database the user may not use, a malformed request) answers with an ERR and
closes the connection; failed changes count as failed logins.
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB1 = "it_chuser_db1"
DB2 = "it_chuser_db2"
USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
    {"user": "sha2user@%", "password": "sha2pass", "authenticationMethodName": "caching_sha2_password"},
    {"user": "guess@%", "password": "right"},
]
MAPPINGS = "root@%=*, app@%=db1, sha2user@%=db1, guess@%=db1"
CLIENT = os.path.join(h.BUILD_DIR, "tests", "change_user_client")
PHP = shutil.which("php") or "/usr/bin/php"

PHP_SCRIPT = r"""<?php
mysqli_report(MYSQLI_REPORT_OFF);
$port = (int)$argv[1];
function fail($msg) { fwrite(STDERR, "FAIL: $msg\n"); exit(1); }
function check($cond, $msg) { if (!$cond) fail($msg); }
function one($m, $sql) { $r = $m->query($sql); if ($r === false) fail("$sql: " . $m->error); return $r->fetch_row()[0]; }

$m = mysqli_init();
if (!$m->real_connect('127.0.0.1', 'root', 'root', 'db1', $port)) fail('connect: ' . mysqli_connect_error());
check($m->query('SET @v = 7'), 'set: ' . $m->error);
check(one($m, 'SELECT @v') === '7', 'variable');
check($m->change_user('app', 'app', 'db1'), 'change to app: ' . $m->errno . ' ' . $m->error);
check(one($m, 'SELECT @v') === null, 'variable after change');
check(one($m, 'SELECT DATABASE()') === 'db1', 'database after change');
check(!$m->select_db('db2') && $m->errno == 1044, 'app may not use db2: ' . $m->errno);
check($m->change_user('sha2user', 'sha2pass', 'db1'), 'change to sha2user: ' . $m->errno . ' ' . $m->error);
check(one($m, 'SELECT COUNT(*) FROM t') === '3', 'sha2user reads t');
check(!$m->change_user('app', 'nope', 'db1'), 'wrong password accepted');
check($m->errno == 1045, 'wrong password errno ' . $m->errno);
check(@$m->query('SELECT 1') === false, 'connection still usable after a failed change');
echo "ok\n";
"""


class ChangeUserTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p0, p1 = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases([(cls.p0, DB1), (p1, DB2)]))
        h.direct_exec(cls.p0, DB1, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2), (3)")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, mappings=MAPPINGS),
            {"db1": h.database_yaml("db1", {"ds_0": (cls.p0, DB1)}),
             "db2": h.database_yaml("db2", {"ds_0": (p1, DB2)})},
            name="change-user"))

    def tearDown(self):
        self.assertTrue(self.proxy.alive(), "proxy died\n" + self.proxy.log_tail())

    # ---- helpers ----
    def session(self, user="root", password="root", db="db1", **kw):
        c = h.raw_client(self.proxy.port, user, password, db, **kw)
        self.addCleanup(c.close)
        return c

    def change_user(self, c, user, password, db=None, plugin="mysql_native_password", auth=None,
                    charset=45, attrs=None):
        """Sends COM_CHANGE_USER answering the session's greeting scramble; returns the OK or
        raises MySQLError (AuthSwitch and caching_sha2 fast auth handled)."""
        if auth is None:
            auth = c._auth_for(plugin, password, c.greeting["salt"])
        body = user.encode() + b"\0" + bytes([len(auth)]) + auth + (db or "").encode() + b"\0"
        body += bytes([charset & 0xFF, charset >> 8]) + plugin.encode() + b"\0"
        if attrs is not None:
            a = b"".join(h.lenenc_str(k.encode()) + h.lenenc_str(v.encode()) for k, v in attrs.items())
            body += h.lenenc_str(a)
        c.send_command(0x11, body)
        return c.finish_auth(password)

    def expect_closed(self, c):
        self.assertEqual(c.read_until_closed(timeout=10), b"", "the connection stays open")

    def scalar(self, c, sql):
        return c.query1(sql).rows[0][0]

    # ---- success ----
    def test_native_password(self):
        c = self.session()
        self.change_user(c, "app", "app", "db1")
        self.assertEqual(self.scalar(c, "SELECT DATABASE()"), b"db1")
        self.assertEqual(self.scalar(c, "SELECT COUNT(*) FROM t"), b"3")
        # the same user again works too
        self.change_user(c, "app", "app")
        self.assertEqual(self.scalar(c, "SELECT DATABASE()"), None)

    def test_caching_sha2(self):
        # straight with caching_sha2_password: fast auth
        c = self.session()
        self.change_user(c, "sha2user", "sha2pass", "db1", plugin="caching_sha2_password")
        self.assertTrue(c.fast_auth)
        self.assertEqual(self.scalar(c, "SELECT COUNT(*) FROM t"), b"3")
        # starting with mysql_native_password: switched (AuthSwitchRequest), then fast auth
        c = self.session()
        self.change_user(c, "sha2user", "sha2pass", "db1")
        self.assertEqual(c.switched_to, "caching_sha2_password")
        self.assertEqual(self.scalar(c, "SELECT 1"), b"1")
        # from a caching_sha2 session to a native one, with connect attributes (sent when the
        # session negotiated CLIENT_CONNECT_ATTRS)
        c = self.session("sha2user", "sha2pass", attrs={"_client_name": "raw"})
        self.change_user(c, "app", "app", "db1", attrs={"_client_name": "test"})
        self.assertEqual(self.scalar(c, "SELECT DATABASE()"), b"db1")

    def test_session_is_reset(self):
        c = self.session()
        c.query1("SET @v = 42")
        c.query1("BEGIN")
        c.query1("INSERT INTO t VALUES (100)")
        c.query1("PREPARE s FROM 'SELECT 1'")
        self.assertEqual(self.scalar(c, "SELECT COUNT(*) FROM t WHERE id = 100"), b"1")
        self.change_user(c, "root", "root", "db1")
        # the transaction was rolled back on the backend
        d = h.direct(self.p0, DB1)
        try:
            self.assertEqual(h.query(d, "SELECT COUNT(*) FROM t WHERE id = 100"), ((0,),))
        finally:
            d.close()
        self.assertEqual(self.scalar(c, "SELECT @v"), None)
        self.assertMySQLError(c.query("EXECUTE s")[0], 1243)
        self.assertEqual(self.scalar(c, "SELECT COUNT(*) FROM t WHERE id = 100"), b"0")
        # no transaction is open any more: this INSERT commits on its own
        c.query1("INSERT INTO t VALUES (101)")
        d = h.direct(self.p0, DB1)
        try:
            self.assertEqual(h.query(d, "SELECT COUNT(*) FROM t WHERE id = 101"), ((1,),))
            h.query(d, "DELETE FROM t WHERE id = 101")
        finally:
            d.close()

    def test_new_users_authority(self):
        c = self.session()
        self.change_user(c, "app", "app")
        self.assertMySQLError(c.query("USE db2")[0], 1044)
        self.assertMySQLError(c.command(h.COM_INIT_DB, "db2"), 1044)
        c.query1("USE db1")
        # KILL: app may not kill root's connection
        root = self.session()
        root_id = root.greeting["connection_id"]
        self.assertMySQLError(c.query("KILL %d" % root_id)[0], 1095)
        self.assertEqual(root.query1("SELECT 1").rows, [[b"1"]])
        # and a root session that became app's may no longer use db2 either, while the other way
        # round app becomes root and may
        c2 = self.session("app", "app")
        self.change_user(c2, "root", "root", "db2")
        self.assertEqual(self.scalar(c2, "SELECT DATABASE()"), b"db2")

    # ---- failure: ERR, then the connection is closed ----
    def test_failed_change_closes_the_connection(self):
        cases = [
            ("wrong password", dict(user="app", password="wrong"), 1045,
             "Access denied for user 'app'@'127.0.0.1' (using password: YES)"),
            ("unknown user", dict(user="nobody", password="x"), 1045,
             "Access denied for user 'nobody'@'127.0.0.1' (using password: YES)"),
            ("database not permitted", dict(user="app", password="app", db="db2"), 1044,
             "Access denied for user 'app'@'%' to database 'db2'"),
            ("unknown database", dict(user="root", password="root", db="nodb"), 1049,
             "Unknown database 'nodb'"),
        ]
        for name, kw, errno, message in cases:
            with self.subTest(case=name):
                c = self.session()
                with self.assertRaises(h.MySQLError) as cm:
                    self.change_user(c, **kw)
                self.assertEqual((cm.exception.errno, cm.exception.message), (errno, message))
                self.expect_closed(c)
        # a malformed request: the user name without its NUL
        c = self.session()
        c.send_command(0x11, b"root")
        payload = c.read_packet()
        self.assertEqual(h.parse_err(payload)[0], 1047)
        self.expect_closed(c)
        self.assertEqual(self.scalar(self.session(), "SELECT 1"), b"1")

    def test_failed_changes_are_failed_logins(self):
        # the fourth consecutive failure of one account (default threshold 3) waits a second
        for _ in range(3):
            c = self.session()
            t0 = time.monotonic()
            with self.assertRaises(h.MySQLError):
                self.change_user(c, "guess", "wrong%d" % _)
            self.assertLess(time.monotonic() - t0, 0.9)
        c = self.session()
        t0 = time.monotonic()
        with self.assertRaises(h.MySQLError):
            self.change_user(c, "guess", "wrong")
        self.assertGreaterEqual(time.monotonic() - t0, 0.75)
        # a success clears the count (after waiting as long)
        self.change_user(self.session(), "guess", "right")
        c = self.session()
        t0 = time.monotonic()
        with self.assertRaises(h.MySQLError):
            self.change_user(c, "guess", "wrong")
        self.assertLess(time.monotonic() - t0, 0.9)

    # ---- real clients ----
    def test_libmariadb_mysql_change_user(self):
        if not os.path.exists(CLIENT):
            self.fail("%s not built (ninja -C %s change_user_client)" % (CLIENT, h.BUILD_DIR))
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        r = subprocess.run([CLIENT, str(self.proxy.port)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("PASSED", r.stdout)

    def test_php_mysqli_change_user(self):
        if not os.path.exists(PHP):
            self.skipTest("php not installed")
        r = subprocess.run([PHP, "-r", PHP_SCRIPT.replace("<?php", "", 1), "--", str(self.proxy.port)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("ok", r.stdout)


if __name__ == "__main__":
    h.main()
