"""Client-side timeouts, statement time limits across shards, and the admin's reserved connection.

- wait_timeout: an idle session is closed once it passes (SET per session); interactive_timeout
  is the wait_timeout of a client that logs in with CLIENT_INTERACTIVE; the values are the
  proxy's (SELECT @@, SHOW VARIABLES), never the backend connections' own.
- net_read_timeout: a client that stops in the middle of a ~60 MiB packet is closed, and the
  proxy's memory for the half-read packet goes with it (RSS printed before, during, after).
- net_write_timeout: a client that stops reading a large result is closed.
- max_statement_time (MariaDB, 1969; also SET STATEMENT ... FOR), max_execution_time and its
  optimizer hint (MySQL, 3024):
  a statement sleeping on both shards is stopped on both (their PROCESSLIST shows no query left)
  and the session goes on.
- proxy-frontend-max-connections reached: an admin user still gets in (one connection more), a
  normal user gets 1040.

Each wait is kept short with timeouts of 1-2 s; bounds on elapsed times are far from the times
the failures they guard would take.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

import pymysql  # noqa: E402

LOGICAL = "to_db"
ACTUAL = ("it_timeouts_ds0", "it_timeouts_ds1")
MAPPINGS = "root@%=*, app@%=" + LOGICAL
CAP_INTERACTIVE = 1 << 10
SANITIZED = os.environ.get("SHARDPROXY_BUILD_DIR", "").rstrip("/").endswith("-asan")
ROWS_PER_SHARD = 20000  # of 1000 bytes: a 40 MB result

RULES = """\
- !SHARDING
  tables:
    t_sleep:
      actualDataNodes: ds_${0..1}.t_sleep
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
    t_rows:
      actualDataNodes: ds_${0..1}.t_rows
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
  shardingAlgorithms:
    by_id:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 2}
"""


def running_sleeps(port):
    """Statements with SLEEP(20) still running on a backend (not counting this query)."""
    rows = h.query(h.direct(port),
                   "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                   "WHERE INFO LIKE '%SLEEP(20)%' AND ID <> CONNECTION_ID()")
    return rows[0][0]


class TimeoutsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ports = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases(zip(cls.ports, ACTUAL)))
        for k, (port, db) in enumerate(zip(cls.ports, ACTUAL)):
            h.direct_exec(port, db,
                          "CREATE TABLE t_sleep (id INT PRIMARY KEY)",
                          "INSERT INTO t_sleep VALUES (%d)" % k,
                          "CREATE TABLE t_rows (id INT PRIMARY KEY, v VARCHAR(1000) NOT NULL)",
                          "INSERT INTO t_rows SELECT seq * 2 + %d, REPEAT('x', 1000) "
                          "FROM seq_0_to_%d" % (k, ROWS_PER_SHARD - 1))
        sources = {"ds_0": (cls.ports[0], ACTUAL[0]), "ds_1": (cls.ports[1], ACTUAL[1])}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(mappings=MAPPINGS, props={
                "sql-show": False,
                # Interactive clients wait 1 s; the others keep the default.
                "proxy-frontend-interactive-timeout-seconds": 1}),
            {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="timeouts"))

    def raw(self, caps=h.DEFAULT_CAPS, user="root", password="root"):
        c = h.RawClient(self.proxy.port, timeout=30).open()
        c.login(user, password, LOGICAL, caps=caps)
        return c

    def closed_within(self, client, limit):
        """Seconds until the proxy closes `client`'s connection (which must not send more)."""
        started = time.monotonic()
        client.read_until_closed(timeout=limit)
        return time.monotonic() - started

    # ---- wait_timeout, interactive_timeout ----

    def test_idle_session_closed_after_wait_timeout(self):
        c = h.connect(self.proxy, db=LOGICAL)
        try:
            h.query(c, "SET SESSION wait_timeout = 1")
            self.assertEqual(h.query(c, "SELECT @@wait_timeout, @@session.wait_timeout"), ((1, 1),))
            self.assertEqual(h.query(c, "SHOW VARIABLES LIKE 'wait_timeout'"), (("wait_timeout", "1"),))
            self.assertEqual(h.query(c, "SHOW GLOBAL VARIABLES LIKE 'wait_timeout'"),
                             (("wait_timeout", "28800"),))
            # The backend connection that serves the session keeps its own timeout.
            backend = h.query(c, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_VARIABLES "
                                 "WHERE VARIABLE_NAME = 'WAIT_TIMEOUT'")
            print("backend connection's wait_timeout: %s" % backend[0][0])
            self.assertNotEqual(backend[0][0], "1")
            # Busy is not idle: a statement longer than wait_timeout is not cut.
            self.assertEqual(h.query(c, "SELECT SLEEP(1.5)"), ((0,),))
            time.sleep(3)
            with self.assertRaises(pymysql.err.OperationalError) as cm:
                h.query(c, "SELECT 1")
            self.assertIn(cm.exception.args[0], (2006, 2013))
        finally:
            c.close()
        self.assertIn("Got timeout reading communication packets", self.proxy.log())

    def test_idle_session_timing_and_default(self):
        c = self.raw()
        try:
            self.assertEqual(c.query1("SELECT @@wait_timeout").rows, [[b"28800"]])
            c.query1("SET wait_timeout = 2")
            elapsed = self.closed_within(c, 20)
            print("closed after %.2f s idle with wait_timeout = 2" % elapsed)
            self.assertGreaterEqual(elapsed, 1.8)
            self.assertLess(elapsed, 12)
        finally:
            c.close()
        # A session that does not ask for less is not closed.
        other = self.raw()
        try:
            time.sleep(2.5)
            self.assertEqual(other.query1("SELECT @@wait_timeout").rows, [[b"28800"]])
        finally:
            other.close()

    def test_idle_session_in_transaction_rolled_back_on_every_shard(self):
        c = self.raw()
        try:
            c.query1("SET wait_timeout = 1")
            c.query1("BEGIN")
            c.query1("INSERT INTO t_sleep (id) VALUES (10), (11)")  # one row on each shard
            elapsed = self.closed_within(c, 20)
            print("session in a transaction closed after %.2f s idle" % elapsed)
        finally:
            c.close()
        other = h.connect(self.proxy, db=LOGICAL)
        try:
            # Neither row stays, and no lock is left behind on either shard.
            h.query(other, "SET SESSION innodb_lock_wait_timeout = 5")
            self.assertEqual(h.query(other, "SELECT COUNT(*) FROM t_sleep WHERE id IN (10, 11)"), ((0,),))
            h.query(other, "INSERT INTO t_sleep (id) VALUES (10), (11)")
            h.query(other, "DELETE FROM t_sleep WHERE id IN (10, 11)")
        finally:
            other.close()

    def test_interactive_client_uses_interactive_timeout(self):
        c = self.raw(caps=h.DEFAULT_CAPS | CAP_INTERACTIVE)
        try:
            self.assertEqual(c.query1("SELECT @@wait_timeout, @@interactive_timeout").rows,
                             [[b"1", b"1"]])
            # The global values are the props' (a backend's would be its own 28800).
            self.assertEqual(c.query1("SELECT @@global.interactive_timeout, @@GLOBAL.wait_timeout").rows,
                             [[b"1", b"28800"]])
            elapsed = self.closed_within(c, 20)
            print("interactive client closed after %.2f s idle (interactive_timeout = 1)" % elapsed)
            self.assertLess(elapsed, 10)
        finally:
            c.close()

    def test_bad_values(self):
        c = h.connect(self.proxy, db=LOGICAL)
        try:
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.query(c, "SET wait_timeout = 'x'")
            self.assertMySQLError(cm.exception, 1232, message="Incorrect argument type to variable 'wait_timeout'")
            # Out of range is clamped, as MySQL does; DEFAULT is the global value.
            h.query(c, "SET net_read_timeout = 0, @@session.net_write_timeout = 99999999999")
            self.assertEqual(h.query(c, "SELECT @@net_read_timeout, @@net_write_timeout"), ((1, 31536000),))
            h.query(c, "SET net_read_timeout = DEFAULT, net_write_timeout = DEFAULT, autocommit = 1")
            self.assertEqual(h.query(c, "SELECT @@net_read_timeout, @@net_write_timeout"), ((30, 60),))
            # Mixed with a backend's variable: both set, or neither when one fails.
            h.query(c, "SET wait_timeout = 77, sql_mode = 'ANSI_QUOTES'")
            self.assertEqual(h.query(c, "SELECT @@wait_timeout, @@sql_mode"), ((77, "ANSI_QUOTES"),))
            with self.assertRaises(pymysql.MySQLError):
                h.query(c, "SET wait_timeout = 5, sql_mode = 'NO_SUCH_MODE'")
            self.assertEqual(h.query(c, "SELECT @@wait_timeout"), ((77,),))
        finally:
            c.close()

    # ---- net_read_timeout ----

    def test_client_stalled_mid_packet_closed_and_memory_freed(self):
        c = self.raw()
        try:
            c.query1("SET net_read_timeout = 1")
            rss_before = self.proxy.rss_kib()
            # A COM_QUERY of ~60 MiB announced in 16 MiB frames, of which 3 frames and a bit come.
            sql = b"SELECT '" + b"x" * (60 * 1024 * 1024) + b"'"
            payload = bytes([h.COM_QUERY]) + sql
            frames = bytearray()
            seq = 0
            for pos in range(0, 3 * 0xFFFFFF, 0xFFFFFF):
                frames += b"\xff\xff\xff" + bytes([seq]) + payload[pos:pos + 0xFFFFFF]
                seq += 1
            frames += (len(payload) - 3 * 0xFFFFFF).to_bytes(3, "little") + bytes([seq])
            frames += payload[3 * 0xFFFFFF:3 * 0xFFFFFF + 1024 * 1024]
            c.send_raw(bytes(frames))
            stalled = time.monotonic()
            rss_during = self.proxy.rss_kib()
            c.read_until_closed(timeout=20)
            elapsed = time.monotonic() - stalled
            # The memory goes with the session; glibc may return it a moment later.
            time.sleep(0.5)
            rss_after = self.proxy.rss_kib()
            print("stalled mid-packet: closed after %.2f s; proxy RSS before %d KiB, during %d KiB, "
                  "after %d KiB" % (elapsed, rss_before, rss_during, rss_after))
            self.assertLess(elapsed, 12)
            if not SANITIZED:  # AddressSanitizer's quarantine holds freed memory
                grown = rss_during - rss_before
                self.assertGreater(grown, 32 * 1024, "the half packet was not held as expected")
                self.assertLess(rss_after - rss_before, grown / 2)
        finally:
            c.close()
        # wait_timeout (default 8 hours) did not decide it: the stall inside a packet did.
        self.assertIn("Got timeout reading communication packets", self.proxy.log())

    # ---- net_write_timeout ----

    def test_client_that_stops_reading_is_closed(self):
        c = h.RawClient(self.proxy.port, timeout=30)
        c.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.sock.settimeout(30)
        c.sock.connect(("127.0.0.1", self.proxy.port))
        try:
            c.login("root", "root", LOGICAL)
            c.query1("SET net_write_timeout = 1")
            before = self.proxy.log().count("Got timeout writing communication packets")
            c.send_command(h.COM_QUERY, "SELECT id, v FROM t_rows")
            # The client reads nothing: the proxy's writes block, and it gives up.
            h.wait_until(lambda: self.proxy.log().count("Got timeout writing communication packets") > before,
                         20, interval=0.2, what="the proxy to give up writing")
            received = len(c.read_until_closed(timeout=20))
            print("client that stopped reading: closed after %d of about %d result bytes"
                  % (received, 2 * ROWS_PER_SHARD * 1010))
            self.assertLess(received, 2 * ROWS_PER_SHARD * 1000)
        finally:
            c.close()
        # The proxy goes on serving.
        self.assertEqual(h.query(h.connect(self.proxy, db=LOGICAL), "SELECT COUNT(*) FROM t_rows"),
                         ((2 * ROWS_PER_SHARD,),))

    # ---- statement time limits ----

    def assert_stopped(self, c, sql, errno, sqlstate, message):
        started = time.monotonic()
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.query(c, sql)
        elapsed = time.monotonic() - started
        print("%s: error %s after %.2f s" % (sql, cm.exception.args[0], elapsed))
        self.assertMySQLError(cm.exception, errno, sqlstate, message=message)
        self.assertLess(elapsed, 12)  # SLEEP(20) on both shards otherwise
        for port in self.ports:
            h.wait_until(lambda: running_sleeps(port) == 0, 5, what="no SLEEP left on %d" % port)
        # The session and its connections go on.
        self.assertEqual(h.query(c, "SELECT id FROM t_sleep ORDER BY id"), ((0,), (1,)))

    def test_max_statement_time_across_shards(self):
        c = h.connect(self.proxy, db=LOGICAL)
        try:
            h.query(c, "SET max_statement_time = 1")
            self.assert_stopped(c, "SELECT SLEEP(20), id FROM t_sleep", 1969, "70100",
                                "Query execution was interrupted (max_statement_time exceeded)")
            h.query(c, "SET max_statement_time = 0")
            self.assertEqual(h.query(c, "SELECT SLEEP(0.1), id FROM t_sleep ORDER BY id"), ((0, 0), (0, 1)))
            # For one statement (the proxy's limit alone: the backends see only the statement).
            self.assert_stopped(c, "SET STATEMENT max_statement_time = 1.5 FOR SELECT SLEEP(20), id FROM t_sleep",
                                1969, "70100", "Query execution was interrupted (max_statement_time exceeded)")
            self.assertEqual(h.query(c, "SET STATEMENT max_statement_time = 10 FOR SELECT id FROM t_sleep ORDER BY id"),
                             ((0,), (1,)))
        finally:
            c.close()

    def test_max_execution_time_across_shards(self):
        c = h.connect(self.proxy, db=LOGICAL)
        try:
            self.assertEqual(h.query(c, "SELECT @@max_execution_time"), ((0,),))
            h.query(c, "SET max_execution_time = 1000")
            self.assertEqual(h.query(c, "SELECT @@max_execution_time"), ((1000,),))
            message = "Query execution was interrupted, maximum statement execution time exceeded"
            self.assert_stopped(c, "SELECT SLEEP(20), id FROM t_sleep", 3024, "HY000", message)
            # In a transaction: the statement stops, the transaction goes on.
            h.query(c, "BEGIN")
            self.assert_stopped(c, "SELECT SLEEP(20), id FROM t_sleep", 3024, "HY000", message)
            h.query(c, "COMMIT")
            h.query(c, "SET max_execution_time = 0")
            # The optimizer hint, for one statement.
            self.assert_stopped(c, "SELECT /*+ MAX_EXECUTION_TIME(1000) */ SLEEP(20), id FROM t_sleep",
                                3024, "HY000", message)
            self.assertEqual(h.query(c, "SELECT SLEEP(0.1), id FROM t_sleep ORDER BY id"), ((0, 0), (0, 1)))
        finally:
            c.close()


class ReservedAdminConnectionTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        port = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(port, ACTUAL[0] + "_m")]))
        h.direct_exec(port, ACTUAL[0] + "_m", "CREATE TABLE small (id INT PRIMARY KEY)",
                      "INSERT INTO small VALUES (7)")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(mappings=MAPPINGS, props={"proxy-frontend-max-connections": 2}),
            {LOGICAL: h.database_yaml(LOGICAL, {"ds_0": (port, ACTUAL[0] + "_m")})},
            name="reserved"))

    def test_admin_gets_the_extra_connection(self):
        held = []
        try:
            for _ in range(2):
                held.append(h.wait_until(lambda: h.connect(self.proxy, user="app", password="app", db=LOGICAL),
                                         10, interval=0.2, what="a free slot"))
            # Full: a normal user is refused after logging in, as by MySQL.
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.connect(self.proxy, user="app", password="app", db=LOGICAL).close()
            self.assertMySQLError(cm.exception, 1040, message="Too many connections")
            rc = h.RawClient(self.proxy.port).open()
            try:
                with self.assertRaises(h.MySQLError) as cm2:
                    rc.login("app", "app", LOGICAL)
                self.assertMySQLError(cm2.exception, 1040, "08004", message="Too many connections")
            finally:
                rc.close()
            # The admin gets the one connection more, and it works.
            admin = h.wait_until(lambda: h.connect(self.proxy, db=LOGICAL), 10, interval=0.2,
                                 what="the admin's reserved slot")
            held.append(admin)
            self.assertEqual(h.query(admin, "SELECT id FROM small"), ((7,),))
            # Only one: a second admin is refused too.
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.connect(self.proxy, db=LOGICAL).close()
            self.assertEqual(cm.exception.args[0], 1040)
            for c in held:
                self.assertEqual(h.query(c, "SELECT id FROM small"), ((7,),))
        finally:
            for c in held:
                c.close()


if __name__ == "__main__":
    h.main()
