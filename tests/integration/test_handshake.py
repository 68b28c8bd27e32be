"""The greeting, read with plain sockets, field by field against a backend MariaDB's own, and the
capabilities the proxy announces: exactly the set below, each exercised by a client test.

Greeting: protocol 10; the server version is the backend's as it greets (MariaDB's `5.5.5-`
prefix included, which MySQL drivers such as Connector/J read as "not MySQL 8") followed by
`-shardproxy-<version>`; the connection id is the proxy's (CONNECTION_ID() of the session that
logs in on that socket); 8 + 13 bytes of auth plugin data (length byte 21, filler 0); character
set utf8mb4_general_ci; status AUTOCOMMIT; auth plugin mysql_native_password. The capabilities
differ from the backend's by design: the proxy announces what it implements, with CLIENT_MYSQL
(LONG_PASSWORD) set and MariaDB's extended capabilities (the greeting's last 4 reserved bytes:
bulk execution, progress, extended metadata ...) zero, as none is implemented.

Announced capability -> the client test that exercises it (here unless a file is named):
  LONG_PASSWORD (CLIENT_MYSQL)  test_greeting_against_backend (no extended capabilities follow);
                                libmariadb and Connector/J log in: test_prepared_clients.py
  FOUND_ROWS                    test_found_rows (UPDATE's affected rows are matched rows);
                                test_passthrough.py test_found_rows_client_flag
  LONG_FLAG                     test_long_flag (column flags as the backend's)
  CONNECT_WITH_DB               test_connect_with_db
  LOCAL_FILES                   test_load_data.py (LOAD DATA LOCAL INFILE, mariadb-import
                                --local; 1148 for a client that does not announce it)
  PROTOCOL_41                   every login here (the raw client speaks 4.1 only)
  INTERACTIVE                   test_interactive (interactive_timeout for the client);
                                test_timeouts.py (the session closed after it)
  TRANSACTIONS                  test_transaction_status (IN_TRANS in OK packets)
  RESERVED (old 4.1 flag)       test_reserved_flag_accepted
  SECURE_CONNECTION             every login here (20-byte scramble, length-prefixed response)
  MULTI_STATEMENTS              test_multi_statements; test_passthrough.py test_multi_statements
  MULTI_RESULTS                 test_multi_statements (MORE_RESULTS_EXISTS between results)
  PS_MULTI_RESULTS              test_call_in_prepared_statement
  PLUGIN_AUTH                   test_plugin_auth_switch; test_auth.py
  CONNECT_ATTRS                 test_connect_attrs; test_change_user.py
  PLUGIN_AUTH_LENENC_DATA       test_plugin_auth_lenenc
  DEPRECATE_EOF                 test_deprecate_eof (with and without); test_passthrough.py
  SSL (when TLS is on)          test_tls.py test_ssl_capability_only_when_tls_is_on
"""

import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402
import test_prepared_protocol as pp  # noqa: E402

ACTUAL = "it_hs_0"
LOGICAL = "hs_db"

CAP_NAMES = {
    0: "LONG_PASSWORD", 1: "FOUND_ROWS", 2: "LONG_FLAG", 3: "CONNECT_WITH_DB", 4: "NO_SCHEMA",
    5: "COMPRESS", 6: "ODBC", 7: "LOCAL_FILES", 8: "IGNORE_SPACE", 9: "PROTOCOL_41",
    10: "INTERACTIVE", 11: "SSL", 12: "IGNORE_SIGPIPE", 13: "TRANSACTIONS", 14: "RESERVED",
    15: "SECURE_CONNECTION", 16: "MULTI_STATEMENTS", 17: "MULTI_RESULTS", 18: "PS_MULTI_RESULTS",
    19: "PLUGIN_AUTH", 20: "CONNECT_ATTRS", 21: "PLUGIN_AUTH_LENENC_DATA",
    22: "CAN_HANDLE_EXPIRED_PASSWORDS", 23: "SESSION_TRACK", 24: "DEPRECATE_EOF",
}
BIT = {name: 1 << bit for bit, name in CAP_NAMES.items()}
# The table in the docstring, as the set the greeting must announce (SSL only with TLS on).
ANNOUNCED = {"LONG_PASSWORD", "FOUND_ROWS", "LONG_FLAG", "CONNECT_WITH_DB", "LOCAL_FILES",
             "PROTOCOL_41",
             "INTERACTIVE", "TRANSACTIONS", "RESERVED", "SECURE_CONNECTION", "MULTI_STATEMENTS",
             "MULTI_RESULTS", "PS_MULTI_RESULTS", "PLUGIN_AUTH", "CONNECT_ATTRS",
             "PLUGIN_AUTH_LENENC_DATA", "DEPRECATE_EOF"}
CAP_INTERACTIVE = BIT["INTERACTIVE"]
CAP_RESERVED = BIT["RESERVED"]


def names(caps):
    return {CAP_NAMES.get(b, "bit%d" % b) for b in range(32) if caps >> b & 1}


def raw_greeting(port):
    """The first packet a server sends, read with a plain socket and decoded field by field."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = b""
        while len(head) < 4:
            chunk = s.recv(4 - len(head))
            if not chunk:
                raise AssertionError("connection closed before the greeting")
            head += chunk
        length = head[0] | head[1] << 8 | head[2] << 16
        payload = b""
        while len(payload) < length:
            chunk = s.recv(length - len(payload))
            if not chunk:
                raise AssertionError("greeting cut short")
            payload += chunk
    r = h.Reader(payload)
    g = {"sequence": head[3], "protocol": r.u8(), "version": r.nul_str().decode(),
         "connection_id": r.u32()}
    g["auth_data_1"] = r.bytes(8)
    g["filler"] = r.u8()
    caps = r.u16()
    g["charset"] = r.u8()
    g["status"] = r.u16()
    g["capabilities"] = caps | r.u16() << 16
    g["auth_data_length"] = r.u8()
    reserved = r.bytes(10)
    g["reserved"] = reserved[:6]
    g["extended_capabilities"] = struct.unpack("<I", reserved[6:])[0]
    g["auth_data_2"] = r.bytes(max(13, g["auth_data_length"] - 8))
    g["auth_plugin"] = r.nul_str().decode()
    g["trailing"] = r.rest()
    return g


class HandshakeTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port, ACTUAL)]))
        h.direct_exec(cls.port, ACTUAL,
                      "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT, name VARCHAR(10))",
                      "INSERT INTO t VALUES (1, 5, 'a')",
                      "CREATE PROCEDURE two(x INT) BEGIN SELECT x AS a; SELECT x + 1 AS b; END")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(mappings="root@%=*, app@%=" + LOGICAL + ", sha2user@%=" + LOGICAL,
                          props={"proxy-frontend-interactive-timeout-seconds": 77}),
            {LOGICAL: h.database_yaml(LOGICAL, {"ds_0": (cls.port, ACTUAL)})},
            name="handshake"))

    def raw(self, caps=h.DEFAULT_CAPS, direct=False, **kw):
        port = self.port if direct else self.proxy.port
        db = ACTUAL if direct else LOGICAL
        kw.setdefault("db", db)
        c = h.RawClient(port)
        self.addCleanup(c.close)
        c.open()
        c.login(kw.pop("user", "root"), kw.pop("password", "root"), caps=caps, **kw)
        return c

    # ---- the greeting ----
    def test_greeting_against_backend(self):
        backend, proxy = raw_greeting(self.port), raw_greeting(self.proxy.port)
        for k in backend:
            h.log("%-22s backend %-45r proxy %r" % (k, backend[k], proxy[k]))
        self.assertEqual((proxy["sequence"], proxy["protocol"]), (0, 10))
        self.assertEqual((backend["sequence"], backend["protocol"]), (0, 10))
        # The backend's version as it greets, then the proxy's suffix.
        self.assertTrue(backend["version"].startswith("5.5.5-10."), backend["version"])
        self.assertRegex(proxy["version"], "^" + re.escape(backend["version"])
                         + r"-shardproxy-\d+\.\d+\.\d+\S*$")
        # Auth plugin data: 8 + 12 bytes and a NUL, as MariaDB sends it.
        for g in (backend, proxy):
            self.assertEqual((len(g["auth_data_1"]), g["filler"], g["auth_data_length"],
                              len(g["auth_data_2"]), g["auth_data_2"][-1:]),
                             (8, 0, 21, 13, b"\0"))
            self.assertEqual(g["reserved"], b"\0" * 6)
            self.assertEqual(g["trailing"], b"")
        self.assertEqual(proxy["charset"], 45)  # utf8mb4_general_ci
        self.assertEqual(proxy["status"], backend["status"])
        self.assertEqual(proxy["status"], h.SERVER_STATUS_AUTOCOMMIT)
        self.assertEqual(proxy["auth_plugin"], backend["auth_plugin"])
        self.assertEqual(proxy["auth_plugin"], "mysql_native_password")
        # MariaDB clears CLIENT_MYSQL and sends extended capabilities; the proxy has none.
        self.assertFalse(backend["capabilities"] & BIT["LONG_PASSWORD"])
        self.assertNotEqual(backend["extended_capabilities"], 0)
        self.assertTrue(proxy["capabilities"] & BIT["LONG_PASSWORD"])
        self.assertEqual(proxy["extended_capabilities"], 0)
        h.log("capabilities the backend announces and the proxy does not: %s"
              % sorted(names(backend["capabilities"]) - names(proxy["capabilities"])))
        # The connection id is the proxy's: what the session on that socket calls its own.
        c = h.RawClient(self.proxy.port)
        self.addCleanup(c.close)
        c.open()
        c.login("root", "root", db=LOGICAL)
        (row,) = c.query1("SELECT CONNECTION_ID()").rows
        self.assertEqual(int(row[0]), c.greeting["connection_id"])
        self.assertNotEqual(c.greeting["connection_id"], 0)

    def test_announced_capabilities(self):
        expected = set(ANNOUNCED)
        if h.TLS_SUITE:
            expected.add("SSL")
        announced = names(raw_greeting(self.proxy.port)["capabilities"])
        self.assertEqual(announced, expected,
                         "announced but not in the table: %s; in the table but not announced: %s"
                         % (sorted(announced - expected), sorted(expected - announced)))

    def test_version_functions(self):
        # VERSION(), @@version and SHOW VARIABLES' version: the greeting's version without
        # MariaDB's "5.5.5-", as MariaDB answers them (and ShardingSphere-Proxy VERSION()).
        greeted = raw_greeting(self.proxy.port)["version"]
        expected = greeted[len("5.5.5-"):]
        c = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(c.close)
        self.assertEqual(c.get_server_info(), greeted)
        (row,) = h.query(c, "SELECT VERSION(), @@version, @@global.version, VERSION() LIKE '%-shardproxy-%'")
        self.assertEqual(list(row), [expected, expected, expected, 1])
        self.assertEqual(h.query(c, "SHOW VARIABLES LIKE 'version'"), (("version", expected),))
        self.assertEqual(h.query(c, "SHOW GLOBAL VARIABLES WHERE Variable_name = 'version'"),
                         (("version", expected),))

    # ---- each capability ----
    def test_found_rows(self):
        for flag, expected in ((0, 0), (CLIENT.FOUND_ROWS, 1)):
            c = h.connect(self.proxy, db=LOGICAL, client_flag=flag)
            self.addCleanup(c.close)
            with c.cursor() as cur:
                self.assertEqual(cur.execute("UPDATE t SET v = 5 WHERE id = 1"), expected, flag)

    def test_long_flag(self):
        cols = []
        for direct in (True, False):
            c = self.raw(direct=direct)
            c.send_command(h.COM_QUERY, "SELECT id, v FROM t")
            res = c.read_result()
            cols.append([(col["name"], col["flags"]) for col in res.columns])
        self.assertEqual(cols[0], cols[1])
        self.assertTrue(cols[1][0][1] & 2, cols)  # PRI_KEY_FLAG

    def test_connect_with_db(self):
        c = self.raw(caps=h.DEFAULT_CAPS | h.CAP_CONNECT_WITH_DB)
        self.assertEqual(c.query1("SELECT DATABASE()").rows, [[LOGICAL.encode()]])

    def test_interactive(self):
        for caps, expected in ((h.DEFAULT_CAPS, None), (h.DEFAULT_CAPS | CAP_INTERACTIVE, b"77")):
            c = self.raw(caps=caps)
            (row,) = c.query1("SELECT @@wait_timeout").rows
            if expected is None:
                self.assertNotEqual(row[0], b"77")
            else:
                self.assertEqual(row[0], expected)

    def test_transaction_status(self):
        c = self.raw()
        self.assertTrue(c.query1("BEGIN").status & h.SERVER_STATUS_IN_TRANS)
        self.assertTrue(c.query1("SELECT v FROM t").status & h.SERVER_STATUS_IN_TRANS)
        self.assertFalse(c.query1("COMMIT").status & h.SERVER_STATUS_IN_TRANS)

    def test_reserved_flag_accepted(self):
        c = self.raw(caps=h.DEFAULT_CAPS | CAP_RESERVED)
        self.assertEqual(c.query1("SELECT 1").rows, [[b"1"]])

    def test_multi_statements(self):
        c = self.raw(caps=h.DEFAULT_CAPS | h.CAP_MULTI_STATEMENTS | h.CAP_MULTI_RESULTS)
        results = c.query("SELECT 1; SELECT 2")
        self.assertEqual([r.rows for r in results], [[[b"1"]], [[b"2"]]])
        self.assertTrue(results[0].status & h.SERVER_MORE_RESULTS_EXISTS)
        self.assertFalse(results[1].status & h.SERVER_MORE_RESULTS_EXISTS)

    def test_call_in_prepared_statement(self):
        answers = []
        for direct in (True, False):
            for eof in (False, True):
                caps = h.DEFAULT_CAPS | h.CAP_PS_MULTI_RESULTS | (h.CAP_DEPRECATE_EOF if eof else 0)
                c = self.raw(caps=caps, direct=direct)
                st = pp.prepare(c, "CALL two(?)")
                res = pp.execute(c, st, [(pp.T_LONG, False, 7)])
                out = [res]
                while res.kind != "err" and res.status & h.SERVER_MORE_RESULTS_EXISTS:
                    res = pp.read_binary_result(c)
                    out.append(res)
                answers.append([(r.kind, r.rows) for r in out])
        h.log("CALL two(7) prepared: %s" % answers)
        self.assertEqual(answers[0], [("rs", [[7]]), ("rs", [[8]]), ("ok", [])])
        self.assertEqual(answers[1:], [answers[0]] * 3)

    def test_plugin_auth_switch(self):
        # sha2user must log in with caching_sha2_password: the proxy switches the client to it.
        c = self.raw(user="sha2user", password="sha2pass", db=LOGICAL)
        self.assertEqual(c.switched_to, "caching_sha2_password")
        self.assertEqual(c.query1("SELECT CURRENT_USER()").rows, [[b"sha2user@%"]])

    def test_connect_attrs(self):
        c = self.raw(attrs={"_client_name": "test_handshake", "program_name": "x" * 300})
        self.assertEqual(c.query1("SELECT 1").rows, [[b"1"]])

    def test_plugin_auth_lenenc(self):
        for caps in (h.DEFAULT_CAPS, h.DEFAULT_CAPS & ~h.CAP_PLUGIN_AUTH_LENENC):
            c = self.raw(caps=caps)
            self.assertEqual(c.query1("SELECT 1").rows, [[b"1"]])

    def test_deprecate_eof(self):
        for eof in (False, True):
            packets = []
            for direct in (True, False):
                c = self.raw(caps=h.DEFAULT_CAPS | (h.CAP_DEPRECATE_EOF if eof else 0),
                             direct=direct)
                c.send_command(h.COM_QUERY, "SELECT id FROM t")
                seen = []
                while True:
                    p = c.read_packet()
                    seen.append(p[:1])
                    if p[:1] == b"\xfe" and (eof or len(seen) > 3):
                        break
                packets.append(seen)
            self.assertEqual(packets[0], packets[1], eof)
            # column count, column, [EOF,] row, EOF or OK (0xfe)
            self.assertEqual(len(packets[1]), 4 if eof else 5, packets)


if __name__ == "__main__":
    h.main()
