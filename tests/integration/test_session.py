"""Statements and commands the proxy emulates or must answer itself.

SHOW DATABASES (per-user visibility, no actual names leak), USE / COM_INIT_DB, SELECT DATABASE(),
SHOW [FULL] TABLES (Tables_in_<logical>), COM_PING, COM_STATISTICS (and mariadb-admin status),
COM_FIELD_LIST, COM_RESET_CONNECTION, COM_SET_OPTION, COM_STMT_PREPARE errors, unknown commands ->
1047 with the connection still usable, COM_QUIT.
"""

import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402

A1 = "it_sess_db1"
A2 = "it_sess_db2"
SYSTEM_SCHEMAS = {"information_schema", "mysql", "performance_schema", "sys", "shardingsphere"}


def _alive(c):
    try:
        h.query(c, "SELECT 1")
        return True
    except pymysql.MySQLError:
        return False


class SessionTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.p0 = p0
        cls.enterClassContext(h.actual_databases([(p0, A1), (p1, A2)]))
        h.direct_exec(p0, A1,
                      "CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'n', amount DECIMAL(8,2))",
                      "CREATE TABLE t2 (k BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, j JSON)",
                      "CREATE VIEW v1 AS SELECT id FROM t1",
                      "INSERT INTO t1 VALUES (1, 'a', 1.50), (2, 'b', NULL)")
        h.direct_exec(p1, A2, "CREATE TABLE other (x INT)", "INSERT INTO other VALUES (42)")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(),
            {"db1": h.database_yaml("db1", {"ds_0": (p0, A1)}),
             "db2": h.database_yaml("db2", {"ds_0": (p1, A2)})},
            name="session"))

    def conn(self, user="root", password="root", db=None, **kw):
        c = h.connect(self.proxy, user, password, db, **kw)
        self.addCleanup(c.close)
        return c

    def raw(self, user="root", password="root", db=None, **kw):
        c = h.raw_client(self.proxy.port, user, password, db, **kw)
        self.addCleanup(c.close)
        return c

    def assert_usable(self, rc):
        self.assertEqual(rc.query1("SELECT 1 + 1").rows, [[b"2"]])

    # ---- SHOW DATABASES ----
    def show_databases(self, c):
        cur = c.cursor()
        cur.execute("SHOW DATABASES")
        self.assertEqual(cur.description[0][0], "Database")
        names = [r[0] for r in cur.fetchall()]
        self.assertEqual(len(names), len(set(names)), names)
        return set(names)

    def test_show_databases_root(self):
        names = self.show_databases(self.conn())
        self.assertTrue({"db1", "db2"} <= names, names)
        self.assertEqual(names - {"db1", "db2"} - SYSTEM_SCHEMAS, set(), "unexpected databases")
        self.assertNotIn(A1, names)
        self.assertNotIn(A2, names)

    def test_show_databases_app(self):
        names = self.show_databases(self.conn("app", "app"))
        self.assertIn("db1", names)
        self.assertNotIn("db2", names)
        self.assertEqual(names - {"db1"} - SYSTEM_SCHEMAS, set(), "unexpected databases")

    def test_show_databases_like(self):
        rows = h.query(self.conn(), "SHOW DATABASES LIKE 'db%'")
        self.assertEqual(sorted(r[0] for r in rows), ["db1", "db2"])
        self.assertEqual(h.query(self.conn("app", "app"), "SHOW DATABASES LIKE 'db%'"), (("db1",),))

    # ---- USE / COM_INIT_DB / DATABASE() ----
    def test_use_and_select_database(self):
        c = self.conn()
        cur = c.cursor()
        cur.execute("SELECT DATABASE()")
        self.assertEqual(cur.fetchall(), ((None,),))
        self.assertEqual(cur.description[0][0], "DATABASE()")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELECT * FROM t1")
        self.assertMySQLError(cm.exception, 1046, message="No database selected")
        h.query(c, "USE db1")
        self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db1",),))
        self.assertEqual(h.query(c, "SELECT id, name FROM t1 ORDER BY id"), ((1, "a"), (2, "b")))
        h.query(c, "USE `db2`")
        self.assertEqual(h.query(c, "SELECT database()"), (("db2",),))
        self.assertEqual(h.query(c, "SELECT x FROM other"), ((42,),))
        c.select_db("db1")                        # COM_INIT_DB
        self.assertEqual(h.query(c, "SELECT DATABASE() AS d"), (("db1",),))
        self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t1"), ((2,),))
        h.query(c, "use db2;")
        self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db2",),))
        with self.assertRaises(pymysql.MySQLError) as cm:
            c.select_db("nodb")
        self.assertMySQLError(cm.exception, 1049, message="Unknown database 'nodb'")
        self.assertEqual(h.query(c, "SELECT DATABASE()"), (("db2",),))

    def test_database_function_in_expressions(self):
        # DATABASE() must name the logical database wherever it appears, e.g. in the statement the
        # mariadb CLI sends for `status`: "select DATABASE(), USER() limit 1"
        c = self.conn(db="db1")
        rows = h.query(c, "select DATABASE(), USER() limit 1")
        self.assertEqual(rows[0][0], "db1")
        self.assertEqual(h.query(c, "SELECT 1 AS one, DATABASE() AS d"), ((1, "db1"),))
        c2 = self.conn()
        self.assertEqual(h.query(c2, "SELECT DATABASE() IS NULL"), ((1,),))

    def test_use_raw(self):
        rc = self.raw(db="db1")
        r = rc.query1("SELECT DATABASE()")
        self.assertEqual(r.rows, [[b"db1"]])
        self.assertEqual(r.columns[0]["name"], "DATABASE()")
        self.assertEqual(rc.command(h.COM_INIT_DB, "db2").kind, "ok")
        self.assertEqual(rc.query1("SELECT DATABASE()").rows, [[b"db2"]])
        r = rc.command(h.COM_INIT_DB, "nodb")
        self.assertMySQLError(r, 1049, "42000", message="Unknown database 'nodb'")
        r = rc.query("USE nodb")[0]
        self.assertMySQLError(r, 1049, "42000", message="Unknown database 'nodb'")
        self.assertEqual(rc.query1("SELECT DATABASE()").rows, [[b"db2"]])

    # ---- SHOW TABLES ----
    def test_show_tables(self):
        c = self.conn(db="db1")
        cur = c.cursor()
        cur.execute("SHOW TABLES")
        self.assertEqual([d[0] for d in cur.description], ["Tables_in_db1"])
        self.assertEqual(sorted(r[0] for r in cur.fetchall()), ["t1", "t2", "v1"])
        cur.execute("SHOW FULL TABLES")
        self.assertEqual([d[0] for d in cur.description], ["Tables_in_db1", "Table_type"])
        self.assertEqual(sorted(cur.fetchall()), [("t1", "BASE TABLE"), ("t2", "BASE TABLE"), ("v1", "VIEW")])
        cur.execute("SHOW TABLES LIKE 't%'")
        self.assertTrue(cur.description[0][0].startswith("Tables_in_db1"), cur.description)
        self.assertEqual(sorted(r[0] for r in cur.fetchall()), ["t1", "t2"])
        cur.execute("SHOW TABLES FROM db2")
        self.assertEqual([d[0] for d in cur.description], ["Tables_in_db2"])
        self.assertEqual(cur.fetchall(), (("other",),))
        c.select_db("db2")
        cur.execute("SHOW TABLES")
        self.assertEqual([d[0] for d in cur.description], ["Tables_in_db2"])
        self.assertEqual(cur.fetchall(), (("other",),))
        # no database selected
        c2 = self.conn()
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c2, "SHOW TABLES")
        self.assertMySQLError(cm.exception, 1046, message="No database selected")

    def test_show_tables_raw_metadata(self):
        rc = self.raw(db="db1")
        r = rc.query1("SHOW FULL TABLES")
        self.assertEqual([col["name"] for col in r.columns], ["Tables_in_db1", "Table_type"])
        for col in r.columns:
            self.assertIn(col["type"], (253, 254, 15), col)     # string types
        self.assertNotIn(A1.encode(), b"".join(rc_packet for rc_packet in r.column_packets + r.row_packets))

    # ---- COM_PING / COM_STATISTICS ----
    def test_ping(self):
        c = self.conn()
        for _ in range(3):
            c.ping(reconnect=False)
        rc = self.raw()
        r = rc.command(h.COM_PING)
        self.assertEqual(r.kind, "ok", r)
        self.assert_usable(rc)

    def test_statistics(self):
        rc = self.raw()
        rc.send_command(h.COM_STATISTICS)
        text = rc.read_packet()
        self.assertTrue(text.startswith(b"Uptime: "), text)
        self.assert_usable(rc)
        for cmd, check in (("status", lambda out: out.startswith("Uptime:")),
                           ("ping", lambda out: "mysqld is alive" in out)):
            res = subprocess.run(
                [h.MARIADB_ADMIN, "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P%d" % self.proxy.port,
                 "-uroot", "-proot", "--connect-timeout=10", cmd],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, text=True)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertTrue(check(res.stdout), res.stdout)

    # ---- COM_FIELD_LIST ----
    def test_field_list(self):
        rc = self.raw(db="db1")
        rc.send_command(h.COM_FIELD_LIST, b"t1\0")
        got = rc.read_field_list()
        self.assertEqual(got.kind, "rs", got)
        # same definitions as the backend's own answer, schema = logical name
        rd = h.raw_client(self.p0, db=A1)
        self.addCleanup(rd.close)
        rd.send_command(h.COM_FIELD_LIST, b"t1\0")
        want = rd.read_field_list()
        self.assertEqual([c["name"] for c in got.columns], ["id", "name", "amount"])
        for a, b in zip(got.columns, want.columns):
            a, b = dict(a), dict(b)
            self.assertEqual(a.pop("schema"), b"db1")
            b.pop("schema")
            self.assertEqual(a, b)
        # wildcard
        rc.send_command(h.COM_FIELD_LIST, b"t1\0na%")
        got = rc.read_field_list()
        self.assertEqual([c["name"] for c in got.columns], ["name"])
        # unknown table: ERR, connection usable
        rc.send_command(h.COM_FIELD_LIST, b"nosuch\0")
        got = rc.read_field_list()
        self.assertMySQLError(got, 1146, "42S02")
        self.assert_usable(rc)

    # ---- COM_RESET_CONNECTION ----
    def test_reset_connection(self):
        rc = self.raw(db="db1")
        for sql in ("SET @x = 5", "SET time_zone = '+01:00'", "SET sql_mode = 'ANSI_QUOTES'",
                    "SET autocommit = 0", "INSERT INTO t1 (id, name) VALUES (100, 'tmp')"):
            rc.query1(sql)
        r = rc.command(h.COM_RESET_CONNECTION)
        self.assertEqual(r.kind, "ok", r)
        r = rc.query1("SELECT @x, @@time_zone, @@autocommit")
        self.assertEqual(r.rows, [[None, b"SYSTEM", b"1"]])
        self.assertEqual(rc.query1("SELECT DATABASE()").rows, [[b"db1"]])     # the database is kept
        default_mode = h.query(h.direct(self.p0), "SELECT @@GLOBAL.sql_mode")[0][0]
        self.assertEqual(rc.query1("SELECT @@sql_mode").rows, [[default_mode.encode()]])
        # the open transaction was rolled back
        self.assertEqual(h.query(h.direct(self.p0, A1), "SELECT COUNT(*) FROM t1 WHERE id = 100"), ((0,),))
        self.assertEqual(rc.query1("SELECT COUNT(*) FROM t1 WHERE id = 100").rows, [[b"0"]])

    # ---- COM_SET_OPTION ----
    def test_set_option(self):
        rc = self.raw(db="db1", caps=h.DEFAULT_CAPS | h.CAP_MULTI_STATEMENTS)
        res = rc.query("SELECT 1; SELECT 2")
        self.assertEqual([r.kind for r in res], ["rs", "rs"], res)
        r = rc.command(h.COM_SET_OPTION, b"\x01\x00")          # MYSQL_OPTION_MULTI_STATEMENTS_OFF
        self.assertIn(r.kind, ("eof", "ok"), r)
        res = rc.query("SELECT 1; SELECT 2")
        self.assertEqual(len(res), 1, res)
        self.assertMySQLError(res[0], 1064, "42000", prefix="You have an error in your SQL syntax")
        self.assert_usable(rc)
        r = rc.command(h.COM_SET_OPTION, b"\x00\x00")          # ON again
        self.assertIn(r.kind, ("eof", "ok"), r)
        res = rc.query("SELECT 1; SELECT 2")
        self.assertEqual([x.rows for x in res], [[[b"1"]], [[b"2"]]])
        r = rc.command(h.COM_SET_OPTION, b"\x05\x00")          # unknown option
        self.assertMySQLError(r, 1047, "08S01")
        self.assert_usable(rc)
        # pymysql without CLIENT_MULTI_STATEMENTS
        c = self.conn(db="db1")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELECT 1; SELECT 2")
        self.assertEqual(cm.exception.args[0], 1064)
        c = self.conn(db="db1", client_flag=CLIENT.MULTI_STATEMENTS)
        cur = c.cursor()
        cur.execute("SELECT 1; SELECT 2")
        self.assertEqual(cur.fetchall(), ((1,),))
        self.assertTrue(cur.nextset())
        self.assertEqual(cur.fetchall(), ((2,),))

    # ---- KILL uses the proxy's connection ids ----
    def test_kill_ids_are_the_proxys(self):
        c = self.conn(db="db1")
        other = self.conn(db="db1")
        own_id = c.thread_id()
        # an id that is not one of the proxy's sessions is unknown, and nothing else is hit
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "KILL QUERY 987654")
        self.assertMySQLError(cm.exception, 1094, message="Unknown thread id: 987654")
        self.assertEqual(h.query(other, "SELECT 1"), ((1,),))
        # CONNECTION_ID() is the greeting's id, the one KILL takes
        self.assertEqual(h.query(c, "SELECT CONNECTION_ID()"), ((own_id,),))
        h.query(c, "KILL QUERY %d" % own_id)     # one's own query: OK
        self.assertEqual(h.query(c, "SELECT 2"), ((2,),))
        with self.assertRaises(pymysql.MySQLError):
            h.query(c, "KILL %d" % own_id)        # one's own connection: it goes away
            h.query(c, "SELECT 3")
        self.assertEqual(h.query(other, "SELECT 4"), ((4,),))

    def test_kill_connection_id_function(self):
        c = self.conn(db="db1")
        h.query(c, "KILL QUERY CONNECTION_ID()")      # one's own query: OK
        self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
        # other expressions are refused rather than evaluated on some backend
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "KILL 1 + 1")
        self.assertMySQLError(cm.exception, 1235, prefix="unsupported: KILL takes")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "KILL 99999999999999999999")
        self.assertMySQLError(cm.exception, 1094, message="Unknown thread id: 99999999999999999999")
        with self.assertRaises(pymysql.MySQLError):
            h.query(c, "KILL CONNECTION_ID()")         # one's own connection: it goes away
            h.query(c, "SELECT 3")

    # ---- text the grammar does not take is the backend's to judge ----
    def test_unparsed_statements_never_reach_a_backend(self):
        c = self.conn(db="db1")
        # Syntax the proxy's grammar does not take (here MariaDB's LIMIT ROWS EXAMINED) is a
        # syntax error from the proxy: nothing unparsed reaches a backend.
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELECT id FROM t1 ORDER BY id LIMIT ROWS EXAMINED 100")
        self.assertMySQLError(cm.exception, 1064, "42000", prefix="You have an error in your SQL syntax")
        self.assertIn("near 'ROWS EXAMINED 100' at line 1", cm.exception.args[1])
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SELEC 1")
        self.assertMySQLError(cm.exception, 1064, "42000", prefix="You have an error in your SQL syntax")
        # the session goes on
        self.assertEqual(h.query(c, "SELECT 2"), ((2,),))

    def test_show_databases_where(self):
        # the backend evaluates the condition, over the logical names only
        c = self.conn()
        self.assertEqual(h.query(c, "SHOW DATABASES WHERE `Database` = 'db2'"), (("db2",),))
        self.assertEqual(h.query(c, "SHOW DATABASES WHERE `Database` = 'mysql'"), ())
        self.assertEqual(sorted(h.query(c, "SHOW DATABASES WHERE `Database` LIKE 'db%'")),
                         [("db1",), ("db2",)])
        cur = c.cursor()
        cur.execute("SHOW DATABASES WHERE `Database` <> 'x'")
        self.assertEqual(cur.description[0][0], "Database")
        self.assertEqual({r[0] for r in cur.fetchall()}, self.show_databases(c))
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, "SHOW DATABASES WHERE nope = 1")
        self.assertEqual(cm.exception.args[0], 1054)

    def test_multi_statement_state_keeps_its_connection(self):
        # Several statements in one COM_QUERY, each run on its own: the user variable one of
        # them sets stays on the client's connection; nothing leaks to other clients.
        c = self.conn(db="db1", client_flag=CLIENT.MULTI_STATEMENTS)
        cur = c.cursor()
        cur.execute("SET @v = 7; SELECT 1")
        while cur.nextset():
            pass
        others = [self.conn(db="db1") for _ in range(4)]
        for _ in range(5):
            for o in others:
                self.assertEqual(h.query(o, "SELECT @v"), ((None,),))
            self.assertEqual(h.query(c, "SELECT @v"), ((7,),))

    def test_kill_another_sessions_query(self):
        victim = self.conn(db="db1", read_timeout=30)
        killer = self.conn(db="db1")
        victim_id = victim.thread_id()
        outcome = {}

        def run_long():
            t0 = time.monotonic()
            try:
                h.query(victim, "SELECT SLEEP(20)")
                outcome["result"] = "finished"
            except pymysql.MySQLError as e:
                outcome["result"] = e.args[0]
            outcome["seconds"] = time.monotonic() - t0

        th = threading.Thread(target=run_long)
        th.start()
        time.sleep(1.0)
        h.query(killer, "KILL QUERY %d" % victim_id)
        th.join(25)
        self.assertFalse(th.is_alive())
        # MariaDB ends an interrupted SLEEP() early: the row says 1, or the query fails with 1317
        self.assertLess(outcome["seconds"], 10, outcome)
        self.assertEqual(h.query(victim, "SELECT 5"), ((5,),))   # the session goes on
        # another user may not kill root's session
        app = self.conn(user="app", password="app", db="db1")
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(app, "KILL %d" % victim_id)
        self.assertMySQLError(cm.exception, 1095, prefix="You are not owner of thread")
        # KILL CONNECTION ends it
        h.query(killer, "KILL CONNECTION %d" % victim_id)
        h.wait_until(lambda: not _alive(victim), 10, what="the killed connection to close")

    # ---- a transaction stays on one backend connection ----
    def test_transaction_spans_databases(self):
        # As on one MySQL server (more in test_cross_database_txn.py).
        c = self.conn(db="db1")
        h.query(c, "BEGIN")
        h.query(c, "SELECT COUNT(*) FROM t1")
        h.query(c, "USE db2")
        self.assertEqual(h.query(c, "SELECT x FROM other"), ((42,),))
        h.query(c, "USE db1")
        h.query(c, "ROLLBACK")
        h.query(c, "USE db2")
        self.assertEqual(h.query(c, "SELECT x FROM other"), ((42,),))

    # ---- unsupported commands ----
    def test_stmt_prepare_errors(self):
        # (Prepared statements themselves: test_prepared_protocol.py.)
        rc = self.raw(db="db1")
        r = rc.command(h.COM_STMT_PREPARE, "")
        self.assertMySQLError(r, 1065, "42000")
        self.assert_usable(rc)
        r = rc.command(h.COM_STMT_PREPARE, "DEALLOCATE PREPARE x")
        self.assertMySQLError(r, 1295, "HY000")
        self.assert_usable(rc)

    def test_unknown_commands(self):
        rc = self.raw(db="db1")
        for cmd in (0x1D, 0x99, 0xFF, 0x00, 0x12, 0x20, 0x7F):
            with self.subTest(cmd=hex(cmd)):
                r = rc.command(cmd, b"whatever")
                self.assertMySQLError(r, 1047, "08S01")
                self.assert_usable(rc)
        rc.send_packet(b"", seq=0)          # empty command packet
        r = rc.read_result()
        self.assertMySQLError(r, 1047, "08S01")
        self.assert_usable(rc)
        self.assertEqual(rc.query1("SELECT DATABASE()").rows, [[b"db1"]])

    def test_quit(self):
        rc = self.raw()
        rc.send_command(h.COM_QUIT)
        try:
            data = rc.read_until_closed(timeout=5)
        except socket.timeout:
            self.fail("connection still open 5 s after COM_QUIT")
        self.assertEqual(data, b"")
        self.assertTrue(self.proxy.alive())
        c = self.conn()
        self.assertEqual(h.query(c, "SELECT 1"), ((1,),))


if __name__ == "__main__":
    h.main()
