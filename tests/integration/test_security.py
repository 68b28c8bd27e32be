"""The proxy is the only authority: every path around its permission and logical model is shut.

Logical databases `shop` (pass-through over it_sec_shop) and `sharding_db` (t_order sharded over
it_sec_ds0 and it_sec_ds1, actual tables t_order_0 / t_order_1). A physical database the model
does not know, it_sec_secret, holds a table the proxy's users must never reach. `app` may use
`shop` only; `root` is an admin.

Every path is tried as app and as root: text, binary prepared statements (COM_STMT_PREPARE), SQL
PREPARE from a user variable, multi-statements, executable comments, HANDLER, SHOW ... FROM,
UNION / subqueries / derived tables / CTEs, INSERT ... SELECT, multi-table UPDATE / DELETE, and the
server-wide statements. Each gets MySQL's error; the backends are then read directly: nothing was
read, created, changed or dropped, and their general log holds no statement naming the secret
database or an actual table of sharding_db that did not come from this test's own checks. What
`app` may do in `shop` still works, logical qualifiers included (they become the physical name).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402

SHOP = "it_sec_shop"
DS0 = "it_sec_ds0"
DS1 = "it_sec_ds1"
SECRET = "it_sec_secret"

USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
]
MAPPINGS = "root@%=*, app@%=shop"

# The proxy reaches the backends as a least-privilege account: all privileges on its data
# sources' databases and nothing else (README, "Backend accounts").
BACKEND_USER = "it_sec_proxy"
BACKEND_PASSWORD = "it-sec-pw"

SHARDING = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: by_user
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: by_order
  shardingAlgorithms:
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    by_order:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
"""

# Statements that reach past the logical model, `{}` standing for the physical database. Each
# must fail for both users with one of the errors allowed for them.
PATHS = [
    "SELECT * FROM {secret}.s",
    "SELECT * FROM {ds0}.t_order_0",
    "UPDATE {ds0}.t_order_0 SET status = 'x'",
    "DELETE FROM {ds0}.t_order_0",
    "INSERT INTO {secret}.s VALUES (99, 'x')",
    "CREATE TABLE {ds0}.probe (id INT)",
    "DROP TABLE {secret}.s",
    "SELECT * FROM item WHERE id IN (SELECT id FROM {secret}.s)",
    "SELECT * FROM (SELECT * FROM {secret}.s) d",
    "WITH c AS (SELECT * FROM {secret}.s) SELECT * FROM c",
    "SELECT id FROM item UNION SELECT id FROM {secret}.s",
    "INSERT INTO item SELECT id, v FROM {secret}.s",
    "UPDATE item, {secret}.s SET item.name = s.v WHERE item.id = s.id",
    "DELETE item FROM item JOIN {secret}.s ON item.id = s.id",
    "HANDLER {secret}.s OPEN",
    "SHOW TABLE STATUS FROM {secret}",
    "SHOW TABLES FROM {secret}",
    "SHOW COLUMNS FROM s FROM {secret}",
    "SHOW CREATE TABLE {secret}.s",
    "LOCK TABLES {secret}.s READ",
    "TABLE {secret}.s",
    "SELECT {secret}.s.v FROM item",
    "/*!50000 SELECT * FROM {secret}.s */",
    "SELECT 1 /*!50000 , (SELECT v FROM {secret}.s LIMIT 1) */",
    "SELECT 1 /*M!100000 , (SELECT v FROM {secret}.s LIMIT 1) */",
    "USE {secret}",
    "DROP DATABASE {secret}",
    "SHOW CREATE DATABASE {secret}",
]
APP_ERRORS = {1044, 1142, 1370}
ROOT_ERRORS = {1049, 1146, 1051, 1054, 1305, 1235}

# Statements that act on a server: refused for everyone.
SERVER_WIDE = [
    ("SET GLOBAL general_log_file = '/tmp/it_sec_probe.log'", 1227),
    ("SET @@global.max_connections = 5", 1227),
    ("SET PERSIST max_connections = 5", 1227),
    ("INSTALL SONAME 'ha_connect'", 1227),
    ("INSTALL PLUGIN connect SONAME 'ha_connect'", 1227),
    ("GRANT ALL ON *.* TO app", 1227),
    ("REVOKE ALL ON *.* FROM root", 1227),
    ("CREATE USER it_sec_u IDENTIFIED BY 'x'", 1227),
    ("SET PASSWORD = 'x'", 1227),
    ("CHANGE MASTER TO MASTER_HOST = '127.0.0.1'", 1227),
    ("STOP SLAVE", 1227),
    ("FLUSH PRIVILEGES", 1227),
    ("SHUTDOWN", 1227),
    ("UNINSTALL SONAME 'ha_connect'", 1227),
    ("CREATE TABLE fed (id INT) ENGINE = FEDERATED CONNECTION = 'mysql://root:root@127.0.0.1/x/s'",
     1286),
    ("CREATE PROCEDURE it_sec_p() BEGIN PREPARE q FROM @sqltext; EXECUTE q; END", 1235),
    ("SELECT 1 INTO OUTFILE '/tmp/it_sec_probe.txt'", 1227),
    ("SELECT 1 INTO DUMPFILE '/tmp/it_sec_probe.bin'", 1227),
    ("LOAD DATA INFILE '/etc/hostname' INTO TABLE item", 1227),
    ("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE item", 1148),
    ("CREATE DATABASE it_sec_probe", None),
    ("SHOW ENGINE INNODB STATUS", None),
]

COM_STMT_PREPARE = 0x16


class SecurityTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.p0, cls.p1 = p0, p1
        cls.enterClassContext(h.actual_databases([(p0, SHOP), (p0, DS0), (p1, DS1), (p0, SECRET)]))
        h.direct_exec(p0, SHOP, "CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(20))",
                      "INSERT INTO item VALUES (1, 'one'), (2, 'two')")
        h.direct_exec(p0, SECRET, "CREATE TABLE s (id INT PRIMARY KEY, v VARCHAR(20))",
                      "INSERT INTO s VALUES (1, 'secret-1'), (2, 'secret-2')")
        for port, db in ((p0, DS0), (p1, DS1)):
            for t in ("t_order_0", "t_order_1"):
                h.direct_exec(port, db, "CREATE TABLE %s (order_id BIGINT PRIMARY KEY, user_id INT,"
                                        " status VARCHAR(10))" % t)
        h.direct_exec(p0, DS0, "INSERT INTO t_order_0 VALUES (10, 2, 'NEW')")
        h.direct_exec(p1, DS1, "INSERT INTO t_order_1 VALUES (11, 1, 'NEW')")
        for port, dbs in ((p0, (SHOP, DS0)), (p1, (DS1,))):
            c = h.direct(port)
            h.query(c, "DROP USER IF EXISTS '%s'@'%%'" % BACKEND_USER)
            h.query(c, "CREATE USER '%s'@'%%' IDENTIFIED BY '%s'" % (BACKEND_USER, BACKEND_PASSWORD))
            for db in dbs:
                h.query(c, "GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'%%'" % (db, BACKEND_USER))
            c.close()
        # The backends' general log, to see what reached them.
        for port in (p0, p1):
            c = h.direct(port)
            h.query(c, "SET GLOBAL log_output = 'TABLE'")
            h.query(c, "SET GLOBAL general_log = 1")
            c.close()
        cls.log_start = {}
        for port in (p0, p1):
            c = h.direct(port)
            cls.log_start[port] = h.query(c, "SELECT NOW(6)")[0][0]
            c.close()
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, mappings=MAPPINGS),
            {"shop": h.database_yaml("shop", {"ds": (p0, SHOP)}, user=BACKEND_USER,
                                     password=BACKEND_PASSWORD),
             "sharding_db": h.database_yaml("sharding_db", {"ds_0": (p0, DS0), "ds_1": (p1, DS1)},
                                            rules=SHARDING, user=BACKEND_USER,
                                            password=BACKEND_PASSWORD)},
            name="security"))

    @classmethod
    def tearDownClass(cls):
        for port in (cls.p0, cls.p1):
            c = h.direct(port)
            h.query(c, "SET GLOBAL general_log = 0")
            h.query(c, "DROP USER IF EXISTS '%s'@'%%'" % BACKEND_USER)
            c.close()
        super().tearDownClass()

    def names(self, sql):
        return sql.format(secret=SECRET, ds0=DS0)

    def conn(self, user, db="shop", **kw):
        c = h.connect(self.proxy, user, user, db=db, **kw)
        self.addCleanup(c.close)
        return c

    def error_of(self, c, sql):
        try:
            h.query(c, sql)
        except pymysql.MySQLError as e:
            return e.args[0]
        return None

    def raw(self, user, db="shop", caps=h.DEFAULT_CAPS):
        c = h.RawClient(self.proxy.port).open()
        self.addCleanup(c.close)
        c.login(user, user, db, caps=caps)
        return c

    # ---- every path, every user ---------------------------------------------------------------
    def test_text_protocol(self):
        for user, allowed in (("app", APP_ERRORS), ("root", ROOT_ERRORS)):
            c = self.conn(user)
            # The statement cache must not mistake an executable comment for a comment.
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
            for form in PATHS:
                sql = self.names(form)
                self.assertIn(self.error_of(c, sql), allowed, "%s as %s" % (sql, user))
            # The session goes on.
            self.assertEqual(h.query(c, "SELECT COUNT(*) FROM item"), ((2,),))

    def test_binary_prepare(self):
        for user, allowed in (("app", APP_ERRORS), ("root", ROOT_ERRORS)):
            c = self.raw(user)
            for form in PATHS:
                sql = self.names(form)
                c.send_command(COM_STMT_PREPARE, sql)
                p = c.read_packet()
                self.assertEqual(p[:1], b"\xff", "%s prepared as %s" % (sql, user))
                errno, _, _ = h.parse_err(p)
                self.assertIn(errno, allowed, "%s prepared as %s" % (sql, user))

    def test_sql_prepare_from_a_variable(self):
        for user, allowed in (("app", APP_ERRORS), ("root", ROOT_ERRORS)):
            c = self.conn(user)
            for form in ("SELECT * FROM {secret}.s", "UPDATE {ds0}.t_order_0 SET status = 'x'"):
                sql = self.names(form)
                cur = c.cursor()
                cur.execute("SET @sqltext = %s", (sql,))
                self.assertIn(self.error_of(c, "PREPARE st FROM @sqltext"), allowed, sql)
                self.assertIn(self.error_of(c, "PREPARE st FROM '%s'" % sql.replace("'", "''")),
                              allowed, sql)

    def test_multi_statements(self):
        for user, allowed in (("app", APP_ERRORS), ("root", ROOT_ERRORS)):
            c = self.raw(user, caps=h.DEFAULT_CAPS | CLIENT.MULTI_STATEMENTS)
            results = c.query("SELECT 1; USE %s; SELECT * FROM s; SELECT 3" % SECRET)
            self.assertEqual([r.kind for r in results], ["rs", "err"], results)
            self.assertTrue(results[0].status & h.SERVER_MORE_RESULTS_EXISTS)
            self.assertIn(results[1].errno, allowed)
            results = c.query("SELECT 1; SELECT * FROM %s.s; SELECT 3" % SECRET)
            self.assertEqual([r.kind for r in results], ["rs", "err"], results)
            # What is allowed runs, one result each, flagged but the last.
            results = c.query("SELECT 1;SELECT name FROM item WHERE id = 2 ; -- done\n")
            self.assertEqual([r.kind for r in results], ["rs", "rs"], results)
            self.assertEqual(results[1].rows, [[b"two"]])
            self.assertFalse(results[1].status & h.SERVER_MORE_RESULTS_EXISTS)
        # Without CLIENT_MULTI_STATEMENTS a second statement is a syntax error.
        c = self.raw("app", caps=h.DEFAULT_CAPS & ~CLIENT.MULTI_STATEMENTS)
        results = c.query("SELECT 1; SELECT 2")
        self.assertEqual(results[0].kind, "err")
        self.assertEqual(results[0].errno, 1064)

    def test_server_wide_statements(self):
        for user in ("app", "root"):
            c = self.conn(user)
            for sql, errno in SERVER_WIDE:
                got = self.error_of(c, sql)
                if errno is None:
                    if user == "app" or sql.startswith("CREATE DATABASE"):
                        self.assertIn(got, {1044, 1227, 1235}, "%s as %s" % (sql, user))
                else:
                    self.assertEqual(got, errno, "%s as %s" % (sql, user))

    def test_host_functions_and_identity(self):
        c = self.conn("app")
        cur = c.cursor()
        cur.execute("SELECT LOAD_FILE('/etc/hostname')")
        self.assertEqual(cur.fetchall(), ((None,),))
        self.assertEqual(cur.description[0][0], "LOAD_FILE('/etc/hostname')")
        self.assertEqual(h.query(c, "SELECT USER(), CURRENT_USER(), SESSION_USER()"),
                         (("app@127.0.0.1", "app@%", "app@127.0.0.1"),))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM item WHERE USER() = 'app@127.0.0.1'"),
                         ((2,),))

    def test_system_schemas_and_server_state(self):
        app = self.conn("app")
        for sql in ("SELECT user, password FROM mysql.user",
                    "SELECT * FROM performance_schema.threads",
                    "SELECT * FROM sys.version"):
            self.assertIn(self.error_of(app, sql), {1044, 1142}, sql)
        self.assertEqual(self.error_of(app, "SHOW ENGINE INNODB STATUS"), 1227)
        # information_schema is everyone's, as on MySQL, but shows the logical databases the
        # user may use and nothing of the backends; its tables about a backend's inside need
        # PROCESS, and nobody changes it.
        rows = h.query(app, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.tables "
                            "WHERE TABLE_SCHEMA <> 'information_schema'")
        self.assertTrue(rows)
        self.assertEqual({r[0] for r in rows}, {"shop"})
        everything = repr(h.query(app, "SELECT * FROM information_schema.COLUMNS")) + repr(
            h.query(app, "SELECT * FROM information_schema.SCHEMATA")) + repr(
            h.query(app, "SELECT * FROM information_schema.STATISTICS")) + repr(
            h.query(app, "SELECT * FROM information_schema.PROCESSLIST"))
        for physical in (SHOP, DS0, DS1, SECRET, "sharding_db"):
            self.assertNotIn(physical, everything)
        self.assertIn(("TABLES",), h.query(app, "SHOW TABLES FROM information_schema"))
        self.assertEqual(self.error_of(app, "SELECT * FROM information_schema.INNODB_TRX"), 1227)
        self.assertEqual(self.error_of(app, "SELECT * FROM information_schema.USER_STATISTICS"),
                         1227)
        self.assertEqual(self.error_of(app, "DELETE FROM information_schema.TABLES"), 1044)
        # SHOW PROCESSLIST is the proxy's: its sessions and logical databases only.
        root = self.conn("root", db="sharding_db")
        rows = h.query(root, "SHOW FULL PROCESSLIST")
        self.assertTrue(any(r[3] == "sharding_db" and r[7] == "SHOW FULL PROCESSLIST" for r in rows),
                        rows)
        self.assertTrue(any(r[1] == "app" and r[3] == "shop" for r in rows), rows)
        text = repr(rows)
        for physical in (SHOP, DS0, DS1, SECRET):
            self.assertNotIn(physical, text)
        # app sees its own sessions only
        self.assertEqual({r[1] for r in h.query(app, "SHOW PROCESSLIST")}, {"app"})
        # ... in the columns MariaDB gives SHOW PROCESSLIST (Id BIGINT, Time INT, Progress DOUBLE)
        def columns(conn):
            with conn.cursor() as cur:
                cur.execute("SHOW FULL PROCESSLIST")
                return [(d[0], d[1], d[5]) for d in cur.description]
        self.assertEqual(columns(root), columns(h.direct(h.cluster_ports()[0])))

    def test_actual_tables_are_not_logical(self):
        c = self.conn("root", db="sharding_db")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELECT * FROM t_order_0")
        self.assertMySQLError(cm.exception, 1146, "42S02",
                              message="Table 'sharding_db.t_order_0' doesn't exist")
        self.assertEqual(sorted(h.query(c, "SELECT order_id FROM t_order")), [(10,), (11,)])
        # Non-admins may not address physical tables with a hint.
        self.assertEqual(self.error_of(
            self.conn("app"),
            "/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds */ SELECT * FROM item"), 1227)
        # PREVIEW shows the physical layout: admins only.
        self.assertEqual(self.error_of(self.conn("app"), "PREVIEW SELECT * FROM item"), 1227)
        self.assertTrue(h.query(c, "PREVIEW SELECT * FROM t_order WHERE user_id = 1"))

    def test_table_status_of_logical_tables_only(self):
        c = self.conn("root", db="sharding_db")
        cur = c.cursor()
        cur.execute("SHOW TABLE STATUS")
        self.assertEqual(cur.description[0][0], "Name")
        self.assertEqual([r[0] for r in cur.fetchall()], ["t_order"])
        cur.execute("SHOW TABLE STATUS FROM sharding_db LIKE 't_order%'")
        self.assertEqual([r[0] for r in cur.fetchall()], ["t_order"])
        cur.execute("SHOW TABLE STATUS LIKE 't_order_0'")
        self.assertEqual(cur.fetchall(), ())

    def test_field_list_of_logical_tables_only(self):
        c = self.raw("root", db="sharding_db", caps=h.DEFAULT_CAPS & ~CLIENT.DEPRECATE_EOF)
        c.send_command(h.COM_FIELD_LIST, b"t_order\0")
        res = c.read_field_list()
        self.assertEqual(res.kind, "rs", res)
        self.assertEqual([col["name"] for col in res.columns], ["order_id", "user_id", "status"])
        self.assertEqual({(col["schema"], col["table"], col["org_table"]) for col in res.columns},
                         {(b"sharding_db", b"t_order", b"t_order")})
        c.send_command(h.COM_FIELD_LIST, b"t_order_0\0")
        res = c.read_field_list()
        self.assertEqual((res.kind, res.errno), ("err", 1146))

    def test_database_statements_never_reach_a_backend(self):
        root = self.conn("root")
        self.assertEqual(self.error_of(root, "DROP DATABASE shop"), 1235)
        self.assertEqual(self.error_of(root, "CREATE DATABASE it_sec_probe"), 1235)
        self.assertEqual(self.error_of(self.conn("app"), "DROP DATABASE sharding_db"), 1044)

    # ---- what app may do still works --------------------------------------------------------
    def test_app_works_in_shop(self):
        c = self.conn("app")
        h.query(c, "INSERT INTO item VALUES (50, 'fifty')")
        h.query(c, "UPDATE shop.item SET name = 'FIFTY' WHERE id = 50")
        self.assertEqual(h.query(c, "SELECT `shop`.item.name FROM shop.item WHERE id = 50"),
                         (("FIFTY",),))
        self.assertEqual(h.query(c, "SELECT i.name FROM shop.item i JOIN item j USING (id) "
                                    "WHERE id = 50"), (("FIFTY",),))
        h.query(c, "DELETE FROM shop.item WHERE id = 50")
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM item"), ((2,),))
        # from no database at all, the qualified name says where the statement runs
        none = self.conn("app", db=None)
        self.assertEqual(h.query(none, "SELECT name FROM shop.item WHERE id = 1"), (("one",),))
        self.assertEqual(h.query(none, "SELECT DATABASE()"), ((None,),))
        # column metadata shows logical names
        cur = c.cursor()
        cur.execute("SELECT name FROM shop.item WHERE id = 1")
        self.assertEqual(cur.fetchall(), (("one",),))

    def test_backend_errors_speak_logical_names(self):
        c = self.conn("app")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELECT * FROM nosuch")
        self.assertMySQLError(cm.exception, 1146, "42S02", message="Table 'shop.nosuch' doesn't exist")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELECT * FROM shop.nosuch")
        self.assertMySQLError(cm.exception, 1146, "42S02", message="Table 'shop.nosuch' doesn't exist")

    def test_warnings_speak_logical_names(self):
        c = self.conn("app")
        h.query(c, "DROP TABLE IF EXISTS nosuch_table")
        rows = h.query(c, "SHOW WARNINGS")
        self.assertTrue(rows)
        self.assertIn("shop.nosuch_table", rows[0][2])
        self.assertNotIn(SHOP, rows[0][2])

    def test_root_reaches_sharding_db_from_elsewhere(self):
        c = self.conn("root")
        self.assertEqual(sorted(h.query(c, "SELECT order_id FROM sharding_db.t_order")),
                         [(10,), (11,)])
        self.assertEqual(h.query(c, "SELECT DATABASE()"), (("shop",),))

    # ---- the backends, read directly -------------------------------------------------------
    def test_zz_backends_untouched(self):
        # (named to run last in this class)
        self.assertEqual(h.query(h.direct(self.p0, SECRET), "SELECT id, v FROM s ORDER BY id"),
                         ((1, "secret-1"), (2, "secret-2")))
        self.assertEqual(h.query(h.direct(self.p0, DS0), "SELECT order_id, status FROM t_order_0"),
                         ((10, "NEW"),))
        self.assertEqual(h.query(h.direct(self.p0, DS0),
                                 "SELECT COUNT(*) FROM information_schema.tables "
                                 "WHERE table_schema = '%s' AND table_name = 'probe'" % DS0), ((0,),))
        for port in (self.p0, self.p1):
            d = h.direct(port)
            dbs = {r[0] for r in h.query(d, "SHOW DATABASES")}
            self.assertNotIn("it_sec_probe", dbs)
            self.assertIn(SECRET if port == self.p0 else DS1, dbs)
            me = h.query(d, "SELECT CONNECTION_ID()")[0][0]
            # Nothing that reached a backend named the secret database, or an actual table with
            # a physical qualifier, or wrote a file or changed the server.
            rows = h.query(d, "SELECT argument FROM mysql.general_log WHERE event_time >= %s "
                              "AND thread_id <> %s AND command_type = 'Query' "
                              "AND user_host LIKE %s",
                           (self.log_start[port], me, BACKEND_USER + "[%"))
            self.assertTrue(rows, "the proxy's statements are in the general log")
            for (argument,) in rows:
                text = argument.decode() if isinstance(argument, bytes) else argument
                # (a name inside a string literal is data, e.g. SET @sqltext = '...')
                names = re.sub(r"'(?:[^'\\]|''|\\.)*'", "''", text)
                self.assertNotIn(SECRET, names, text)
                self.assertNotIn("%s.t_order" % DS0, names, text)
                for marker in ("it_sec_probe", "general_log_file", "INSTALL", "GRANT ",
                               "OUTFILE", "DUMPFILE", "CHANGE MASTER", "SHUTDOWN"):
                    self.assertNotIn(marker, text, text)
                # LOAD_FILE() became NULL (its text survives only as the column's name)
                self.assertIsNone(re.search(r"(?<!`)LOAD_FILE\(", text, re.I), text)
            d.close()


if __name__ == "__main__":
    h.main()
