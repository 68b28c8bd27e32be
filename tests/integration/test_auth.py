"""Authentication and database authorisation through the proxy.

Covers: mysql_native_password login; wrong password / unknown user -> 1045 28000 with MySQL's exact
message; unknown database at connect -> 1049 42000; database not permitted (DATABASE_PERMITTED) ->
1044 42000 at connect, on USE and on COM_INIT_DB; caching_sha2_password (forced by
authenticationMethodName) with pymysql (AuthSwitchRequest + fast auth), the raw client and the
mariadb CLI (--default-auth=caching_sha2_password, whose plugin ships with libmariadb); wrong
caching_sha2 password -> 1045; a user with an empty password; ALL_PERMITTED privilege.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB1 = "it_auth_db1"
DB2 = "it_auth_db2"

USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
    {"user": "sha2user@%", "password": "sha2pass", "authenticationMethodName": "caching_sha2_password"},
    {"user": "nopw@%", "password": ""},
]
MAPPINGS = "root@%=*, app@%=db1, sha2user@%=db1, nopw@%=db1"


def denied(user, with_password=True):
    return "Access denied for user '%s'@'127.0.0.1' (using password: %s)" % (user, "YES" if with_password else "NO")


class AuthTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases([(p0, DB1), (p1, DB2)]))
        h.direct_exec(p0, DB1, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
                      "INSERT INTO t VALUES (1, 'one')")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, mappings=MAPPINGS),
            {"db1": h.database_yaml("db1", {"ds_0": (p0, DB1)}),
             "db2": h.database_yaml("db2", {"ds_0": (p1, DB2)})},
            name="auth"))

    # ---- helpers ----
    def connect_error(self, **kw):
        with self.assertRaises(pymysql.MySQLError) as cm:
            c = h.connect(self.proxy, **kw)
            c.close()
        return cm.exception

    def raw_login_error(self, user, password, db=None, **kw):
        c = h.RawClient(self.proxy.port)
        c.open()
        try:
            with self.assertRaises(h.MySQLError) as cm:
                c.login(user, password, db, **kw)
            return cm.exception
        finally:
            c.close()

    # ---- mysql_native_password ----
    def test_native_password_ok(self):
        c = h.connect(self.proxy, "root", "root")
        try:
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
            self.assertEqual(h.query(c, "SELECT DATABASE()"), ((None,),))
        finally:
            c.close()
        c = h.connect(self.proxy, "app", "app", db="db1")
        try:
            self.assertEqual(h.query(c, "SELECT v FROM t WHERE id = 1"), (("one",),))
        finally:
            c.close()

    def test_greeting(self):
        c = h.RawClient(self.proxy.port).open()
        try:
            g = c.read_greeting()
            self.assertEqual(g["protocol"], 10)
            self.assertTrue(g["capabilities"] & h.CAP_PROTOCOL_41)
            self.assertTrue(g["capabilities"] & h.CAP_PLUGIN_AUTH)
            self.assertTrue(g["capabilities"] & h.CAP_SECURE_CONNECTION)
            self.assertIn(g["auth_plugin"], ("mysql_native_password", "caching_sha2_password"))
            self.assertEqual(len(g["salt"]), 20)
            self.assertNotIn(0, g["salt"], "scramble must not contain NUL bytes")
            self.assertRegex(g["server_version"], r"^\d+\.\d+\.\d+")
        finally:
            c.close()

    def test_native_raw_client(self):
        c = h.raw_client(self.proxy.port, "app", "app", db="db1")
        try:
            r = c.query1("SELECT v FROM t")
            self.assertEqual(r.rows, [[b"one"]])
        finally:
            c.close()

    def test_wrong_password(self):
        e = self.connect_error(user="root", password="wrong")
        self.assertMySQLError(e, 1045, message=denied("root"))
        e = self.raw_login_error("root", "wrong")
        self.assertMySQLError(e, 1045, "28000", message=denied("root"))
        e = self.raw_login_error("app", "app ")
        self.assertMySQLError(e, 1045, "28000", message=denied("app"))

    def test_empty_password_for_user_with_password(self):
        e = self.connect_error(user="root", password="")
        self.assertMySQLError(e, 1045, message=denied("root", with_password=False))
        e = self.raw_login_error("root", "")
        self.assertMySQLError(e, 1045, "28000", message=denied("root", with_password=False))

    def test_unknown_user(self):
        e = self.connect_error(user="nobody", password="x")
        self.assertMySQLError(e, 1045, message=denied("nobody"))
        e = self.raw_login_error("nobody", "x")
        self.assertMySQLError(e, 1045, "28000", message=denied("nobody"))
        e = self.raw_login_error("nobody", "")
        self.assertMySQLError(e, 1045, "28000", message=denied("nobody", with_password=False))

    def test_unknown_database_at_connect(self):
        e = self.connect_error(user="root", password="root", db="nodb")
        self.assertMySQLError(e, 1049, message="Unknown database 'nodb'")
        e = self.raw_login_error("root", "root", db="nodb")
        self.assertMySQLError(e, 1049, "42000", message="Unknown database 'nodb'")
        # the actual backend database name is not a logical database
        e = self.raw_login_error("root", "root", db=DB1)
        self.assertMySQLError(e, 1049, "42000", message="Unknown database '%s'" % DB1)

    def assert_db_denied(self, err, user, db):
        got = self.assertMySQLError(err, 1044, "42000", prefix="Access denied for user '%s'@'" % user)
        self.assertTrue(got[2].endswith("' to database '%s'" % db), got[2])

    def test_forbidden_database_at_connect(self):
        e = self.connect_error(user="app", password="app", db="db2")
        self.assert_db_denied(e, "app", "db2")
        e = self.raw_login_error("app", "app", db="db2")
        self.assert_db_denied(e, "app", "db2")

    def test_forbidden_database_on_use(self):
        c = h.connect(self.proxy, "app", "app", db="db1")
        try:
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.query(c, "USE db2")
            self.assert_db_denied(cm.exception, "app", "db2")
            with self.assertRaises(pymysql.MySQLError) as cm:
                c.select_db("db2")          # COM_INIT_DB
            self.assert_db_denied(cm.exception, "app", "db2")
            # still usable, still in db1
            self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db1",),))
            self.assertEqual(h.query(c, "SELECT v FROM t"), (("one",),))
        finally:
            c.close()
        rc = h.raw_client(self.proxy.port, "app", "app")
        try:
            r = rc.command(h.COM_INIT_DB, "db2")
            self.assert_db_denied(r, "app", "db2")
            r = rc.query("USE `db2`")[0]
            self.assert_db_denied(r, "app", "db2")
            self.assertEqual(rc.query1("SELECT DATABASE()").rows, [[None]])
            self.assertEqual(rc.command(h.COM_INIT_DB, "db1").kind, "ok")
            self.assertEqual(rc.query1("SELECT DATABASE()").rows, [[b"db1"]])
        finally:
            rc.close()

    def test_root_sees_every_database(self):
        c = h.connect(self.proxy, "root", "root", db="db2")
        try:
            self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db2",),))
            h.query(c, "USE db1")
            self.assertEqual(h.query(c, "SELECT v FROM t"), (("one",),))
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.query(c, "USE nodb")
            self.assertMySQLError(cm.exception, 1049, message="Unknown database 'nodb'")
            self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db1",),))
        finally:
            c.close()

    # ---- caching_sha2_password ----
    def test_sha2_pymysql(self):
        # pymysql starts with the plugin the greeting names; the proxy must switch it to
        # caching_sha2_password (or start with it) and accept the fast-auth scramble.
        for db in ("db1", None):
            c = h.connect(self.proxy, "sha2user", "sha2pass", db=db)
            try:
                self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
                if db:
                    self.assertEqual(h.query(c, "SELECT v FROM t"), (("one",),))
            finally:
                c.close()

    def test_sha2_raw_client_fast_auth(self):
        # 1) start with mysql_native_password: the proxy must send an AuthSwitchRequest
        c = h.RawClient(self.proxy.port).open()
        try:
            c.switched_to, c.fast_auth = None, False
            c.read_greeting()
            c.handshake_response("sha2user", "sha2pass", db="db1", plugin="mysql_native_password")
            c.finish_auth("sha2pass")
            self.assertEqual(c.switched_to, "caching_sha2_password")
            self.assertTrue(c.fast_auth, "expected AuthMoreData 0x03 (fast auth success) before OK")
            self.assertEqual(c.query1("SELECT v FROM t").rows, [[b"one"]])
        finally:
            c.close()
        # 2) start with caching_sha2_password directly: no switch needed
        c = h.RawClient(self.proxy.port).open()
        try:
            c.switched_to, c.fast_auth = None, False
            c.read_greeting()
            c.handshake_response("sha2user", "sha2pass", db="db1", plugin="caching_sha2_password")
            c.finish_auth("sha2pass")
            self.assertTrue(c.fast_auth, "expected AuthMoreData 0x03 (fast auth success) before OK")
            self.assertEqual(c.query1("SELECT 2").rows, [[b"2"]])
        finally:
            c.close()

    def test_sha2_wrong_password(self):
        e = self.connect_error(user="sha2user", password="wrong")
        self.assertMySQLError(e, 1045, message=denied("sha2user"))
        for plugin in ("mysql_native_password", "caching_sha2_password"):
            c = h.RawClient(self.proxy.port).open()
            try:
                c.read_greeting()
                c.handshake_response("sha2user", "wrong", plugin=plugin)
                try:
                    c.finish_auth("wrong")
                    self.fail("login with a wrong password succeeded (%s)" % plugin)
                except h.MySQLError as err:
                    self.assertMySQLError(err, 1045, "28000", message=denied("sha2user"))
                except h.ProtocolError as err:
                    # a server may ask for full authentication (0x04) first; that is allowed,
                    # but the login must not succeed
                    self.assertIn("full authentication", str(err))
            finally:
                c.close()

    def test_mariadb_cli_caching_sha2(self):
        r = h.mariadb_cli(self.proxy.port, ["--default-auth=caching_sha2_password", "-N", "-B",
                                            "-e", "SELECT 40 + 2"], user="root", password="root")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "42")
        r = h.mariadb_cli(self.proxy.port, ["--default-auth=caching_sha2_password", "-N", "-B",
                                            "-e", "SELECT v FROM t"], user="sha2user", password="sha2pass",
                          db="db1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "one")
        # the CLI starting with mysql_native_password is switched to caching_sha2_password
        r = h.mariadb_cli(self.proxy.port, ["-N", "-B", "-e", "SELECT 7"], user="sha2user", password="sha2pass")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "7")
        r = h.mariadb_cli(self.proxy.port, ["--default-auth=caching_sha2_password", "-e", "SELECT 1"],
                          user="sha2user", password="nope")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ERROR 1045 (28000): " + denied("sha2user"), r.stderr)

    # ---- empty password ----
    def test_empty_password_user(self):
        c = h.connect(self.proxy, "nopw", "", db="db1")
        try:
            self.assertEqual(h.query(c, "SELECT v FROM t"), (("one",),))
        finally:
            c.close()
        rc = h.raw_client(self.proxy.port, "nopw", "")
        rc.close()
        e = self.connect_error(user="nopw", password="x")
        self.assertMySQLError(e, 1045, message=denied("nopw"))
        r = h.mariadb_cli(self.proxy.port, ["-N", "-B", "-e", "SELECT 3"], user="nopw", password=None)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "3")

    def test_proxy_alive_after_failures(self):
        # a different (unknown) user each time: repeated failures of one account would be slowed
        # down and then blocked (test_login_limits.py)
        for i in range(20):
            self.raw_login_error("guess%d" % i, "bad")
        self.assertTrue(self.proxy.alive())
        c = h.connect(self.proxy)
        try:
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
        finally:
            c.close()


class AllPermittedTest(h.TestCase):
    """privilege type ALL_PERMITTED: every user may use every logical database."""

    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases([(p0, DB1 + "_ap"), (p1, DB2 + "_ap")]))
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, privilege="ALL_PERMITTED", mappings=None),
            {"db1": h.database_yaml("db1", {"ds_0": (p0, DB1 + "_ap")}),
             "db2": h.database_yaml("db2", {"ds_0": (p1, DB2 + "_ap")})},
            name="auth-all"))

    def test_app_uses_every_database(self):
        c = h.connect(self.proxy, "app", "app", db="db2")
        try:
            self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db2",),))
            h.query(c, "USE db1")
            self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db1",),))
            names = {r[0] for r in h.query(c, "SHOW DATABASES")}
            self.assertTrue({"db1", "db2"} <= names, names)
        finally:
            c.close()

    def test_still_checks_passwords(self):
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.connect(self.proxy, "app", "wrong").close()
        self.assertMySQLError(cm.exception, 1045, message=denied("app"))


if __name__ == "__main__":
    h.main()
