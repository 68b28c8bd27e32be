"""Who the client is, in the proxy's terms, never a data source account's.

SHOW GRANTS [FOR CURRENT_USER | CURRENT_USER() | account] answered from the authority rule (an
admin: ALL PRIVILEGES ON *.*; others: USAGE on *.* and ALL PRIVILEGES on each logical database
they may use), with no password hash and nothing of the backend account; another account's grants
for admins only (1044 for others, as MySQL), 1141 for an account that is no proxy user.
CURRENT_USER() / USER() are the proxy user. SHOW CREATE DATABASE of a logical database under its
logical name with the default data source's options (its own character set here), IF NOT EXISTS
kept, 1049 / 1044 as MySQL. SHOW PROCESSLIST: Id = CONNECTION_ID() = what KILL takes, for two
users' connections; a non-admin sees only its own, an admin everyone's.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402
import test_prepared_protocol as pp  # noqa: E402

A0 = "it_acct_0"
A1 = "it_acct_1"
USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
    {"user": "other@%", "password": "other"},
]
MAPPINGS = "root@%=*, app@%=sharding_db, other@%=shop"


class ShowAccountTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.p0, cls.p1 = p0, p1
        cls.enterClassContext(h.actual_databases([(p0, A0)]))
        # shop's data source has a character set of its own, which SHOW CREATE DATABASE shows.
        h.create_actual_db(p1, A1, charset="latin1")
        cls.addClassCleanup(h.drop_actual_db, p1, A1)
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, mappings=MAPPINGS),
            {"sharding_db": h.database_yaml("sharding_db", {"ds_0": (p0, A0)}),
             "shop": h.database_yaml("shop", {"ds_1": (p1, A1)})},
            name="show_account"))

    def conn(self, user="root", db=None):
        c = h.connect(self.proxy, user, user, db)
        self.addCleanup(c.close)
        return c

    def rows(self, c, sql):
        cur = c.cursor()
        cur.execute(sql)
        return [d[0] for d in cur.description], [list(r) for r in cur.fetchall()]

    def assert_error(self, c, sql, errno, message=None):
        with self.assertRaises(pymysql.MySQLError, msg=sql) as ctx:
            self.rows(c, sql)
        self.assertEqual(ctx.exception.args[0], errno, "%s: %s" % (sql, ctx.exception))
        if message is not None:
            self.assertEqual(ctx.exception.args[1], message)

    def assert_no_backend_account(self, text):
        for leak in ("sp_", "IDENTIFIED", "PASSWORD", A0, A1):
            self.assertNotIn(leak, text)

    # ---- SHOW GRANTS ----
    def test_admin_grants(self):
        c = self.conn("root", "sharding_db")
        for sql in ("SHOW GRANTS", "SHOW GRANTS FOR CURRENT_USER", "SHOW GRANTS FOR CURRENT_USER()",
                    "show grants for 'root'@'%'", "SHOW GRANTS FOR root"):
            columns, rows = self.rows(c, sql)
            h.log("%s -> %s %s" % (sql, columns, rows))
            self.assertEqual(columns, ["Grants for root@%"], sql)
            self.assertEqual(rows, [["GRANT ALL PRIVILEGES ON *.* TO `root`@`%`"]], sql)

    def test_user_grants(self):
        c = self.conn("app", "sharding_db")
        expected = [["GRANT USAGE ON *.* TO `app`@`%`"],
                    ["GRANT ALL PRIVILEGES ON `sharding\\_db`.* TO `app`@`%`"]]
        for sql in ("SHOW GRANTS", "SHOW GRANTS FOR CURRENT_USER()", "SHOW GRANTS FOR app@'%'"):
            columns, rows = self.rows(c, sql)
            self.assertEqual(columns, ["Grants for app@%"], sql)
            self.assertEqual(rows, expected, sql)
            self.assert_no_backend_account(repr(rows))
        # The same answer without a database in use.
        self.assertEqual(self.rows(self.conn("app"), "SHOW GRANTS")[1], expected)

    def test_prepared(self):
        # Prepared (binary protocol): nothing of the data source account at prepare time either.
        c = h.raw_client(self.proxy.port, "app", "app", db="sharding_db")
        self.addCleanup(c.close)
        st = pp.prepare(c, "SHOW GRANTS")
        self.assertEqual(getattr(st, "kind", "stmt"), "stmt", getattr(st, "message", ""))
        for col in st.columns:
            self.assert_no_backend_account(col["name"])
        res = pp.execute(c, st, [])
        self.assertEqual([col["name"] for col in res.columns], ["Grants for app@%"])
        self.assertEqual(res.rows, [[b"GRANT USAGE ON *.* TO `app`@`%`"],
                                    [b"GRANT ALL PRIVILEGES ON `sharding\\_db`.* TO `app`@`%`"]])
        # SHOW CREATE DATABASE prepared likewise: the logical name, never the actual one.
        st = pp.prepare(c, "SHOW CREATE DATABASE sharding_db")
        self.assertEqual(getattr(st, "kind", "stmt"), "stmt", getattr(st, "message", ""))
        res = pp.execute(c, st, [])
        self.assertEqual([col["name"] for col in res.columns], ["Database", "Create Database"])
        self.assertEqual(res.rows[0][0], b"sharding_db")
        self.assertTrue(res.rows[0][1].startswith(b"CREATE DATABASE `sharding_db` "), res.rows)

    def test_another_account(self):
        root = self.conn("root")
        columns, rows = self.rows(root, "SHOW GRANTS FOR other")
        self.assertEqual(columns, ["Grants for other@%"])
        self.assertEqual(rows, [["GRANT USAGE ON *.* TO `other`@`%`"],
                                ["GRANT ALL PRIVILEGES ON `shop`.* TO `other`@`%`"]])
        self.assert_error(root, "SHOW GRANTS FOR 'ghost'@'%'", 1141,
                          "There is no such grant defined for user 'ghost' on host '%'")
        self.assert_error(root, "SHOW GRANTS FOR app@localhost", 1141,
                          "There is no such grant defined for user 'app' on host 'localhost'")
        app = self.conn("app", "sharding_db")
        self.assert_error(app, "SHOW GRANTS FOR root", 1044,
                          "Access denied for user 'app'@'%' to database 'mysql'")
        self.assert_error(app, "SHOW GRANTS FOR 'ghost'", 1044)

    def test_current_user_is_the_proxy_user(self):
        for user in ("app", "root"):
            c = self.conn(user, "sharding_db")
            (row,) = self.rows(c, "SELECT CURRENT_USER(), CURRENT_USER, USER(), SESSION_USER()")[1]
            self.assertEqual(row, [user + "@%", user + "@%", user + "@127.0.0.1",
                                   user + "@127.0.0.1"])

    # ---- SHOW CREATE DATABASE ----
    def backend_create(self, port, actual):
        d = h.direct(port)
        try:
            with d.cursor() as cur:
                cur.execute("SHOW CREATE DATABASE `%s`" % actual)
                return cur.fetchone()[1]
        finally:
            d.close()

    def test_show_create_database(self):
        c = self.conn("root", "sharding_db")
        for logical, port, actual in (("sharding_db", self.p0, A0), ("shop", self.p1, A1)):
            backend = self.backend_create(port, actual)
            expected = backend.replace("`%s`" % actual, "`%s`" % logical)
            self.assertNotEqual(expected, backend)
            for sql in ("SHOW CREATE DATABASE %s" % logical, "show create schema `%s`" % logical):
                columns, rows = self.rows(c, sql)
                h.log("%s -> %s" % (sql, rows))
                self.assertEqual(columns, ["Database", "Create Database"])
                self.assertEqual(rows, [[logical, expected]], sql)
            self.assertIn("latin1" if logical == "shop" else "utf8mb4", expected)
            _, rows = self.rows(c, "SHOW CREATE DATABASE IF NOT EXISTS %s" % logical)
            self.assertEqual(rows, [[logical, expected.replace(
                "CREATE DATABASE ", "CREATE DATABASE /*!32312 IF NOT EXISTS*/ ")]])
        self.assert_error(c, "SHOW CREATE DATABASE nosuch", 1049, "Unknown database 'nosuch'")
        app = self.conn("app", "sharding_db")
        self.assertEqual(self.rows(app, "SHOW CREATE DATABASE sharding_db")[1][0][0], "sharding_db")
        self.assert_error(app, "SHOW CREATE DATABASE shop", 1044,
                          "Access denied for user 'app'@'%' to database 'shop'")

    # ---- SHOW PROCESSLIST ----
    def processlist(self, c):
        columns, rows = self.rows(c, "SHOW FULL PROCESSLIST")
        self.assertEqual(columns[:8], ["Id", "User", "Host", "db", "Command", "Time", "State", "Info"])
        return {int(r[0]): r for r in rows}

    def connection_id(self, c):
        return int(self.rows(c, "SELECT CONNECTION_ID()")[1][0][0])

    def test_processlist_ids(self):
        root, app, other = self.conn("root"), self.conn("app", "sharding_db"), self.conn("other", "shop")
        ids = {name: self.connection_id(c) for name, c in
               (("root", root), ("app", app), ("other", other))}
        self.assertEqual(len(set(ids.values())), 3, ids)
        # Each sees itself under its CONNECTION_ID(); a non-admin nothing else.
        for name, c in (("app", app), ("other", other)):
            listed = self.processlist(c)
            self.assertEqual(list(listed), [ids[name]], listed)
            self.assertEqual(listed[ids[name]][1], name)
            self.assertEqual(listed[ids[name]][7], "SHOW FULL PROCESSLIST")
        listed = self.processlist(root)
        for name, i in ids.items():
            self.assertIn(i, listed)
            self.assertEqual(listed[i][1], name)
        self.assertEqual(listed[ids["app"]][3], "sharding_db")
        self.assertEqual(listed[ids["other"]][3], "shop")
        # KILL takes these ids: not another user's for a non-admin, any for an admin.
        self.assert_error(app, "KILL %d" % ids["other"], 1095)
        self.assertEqual(self.rows(other, "SELECT 1")[1], [[1]])
        root.cursor().execute("KILL %d" % ids["other"])
        h.wait_until(lambda: ids["other"] not in self.processlist(root), 10,
                     what="the killed session to leave the processlist")
        with self.assertRaises(pymysql.MySQLError):
            self.rows(other, "SELECT 1")
        self.assertEqual(self.rows(app, "SELECT 1")[1], [[1]])


if __name__ == "__main__":
    h.main()
