"""What a client that has not logged in may cost the proxy.

Covers: a packet before authentication larger than proxy-frontend-max-handshake-packet-size is
refused with ERR 1153 as soon as its header arrives (announced 16 KiB + 1, 64 KiB, 16 MiB; a whole
20 KiB handshake response), a handshake just under the limit logs in and the limit is the usual
one afterwards; 24 connections announcing 64 MiB each, twice, leave the proxy's memory where it
was; error messages are cut to MySQL's 511 bytes (1045 shows 48 characters of the user, an
unknown database name in 1049); failed logins of one account from one address are answered
later and later, then blocked (1129, the right password included), while the same account from
another address, and another account from the same address, stay fast; a success waits as long
and clears the count; the block ends with time; parallel guesses are capped at the block limit.
Clients come from 127.0.0.2 ... 127.0.0.8 (loopback). Delays are asserted as seconds against
milliseconds with wide margins, and by order (a fast login finishes while a delayed one waits).
"""

import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_login_db"

USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
    {"user": "alice@%", "password": "alice"},
    {"user": "victim@%", "password": "victim"},
]
MAPPINGS = "root@%=*, app@%=db1, alice@%=db1, victim@%=db1"

DELAY_AFTER = 2          # failures answered at once
MIN_DELAY = 2.0          # seconds: the first delayed answer
MAX_DELAY = 3.0          # seconds: every later one
BLOCK_AFTER = 5
BLOCK_SECONDS = 6
PROPS = {
    "proxy-frontend-login-failures-before-delay": DELAY_AFTER,
    "proxy-frontend-login-min-delay-milliseconds": int(MIN_DELAY * 1000),
    "proxy-frontend-login-max-delay-milliseconds": int(MAX_DELAY * 1000),
    "proxy-frontend-login-failures-before-block": BLOCK_AFTER,
    "proxy-frontend-login-block-seconds": BLOCK_SECONDS,
}
HANDSHAKE_LIMIT = 16384  # proxy-frontend-max-handshake-packet-size, default
FAST = 1.0               # seconds: far more than an undelayed login takes, far less than a delay


def frame(payload, seq):
    return struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


class SourceClient(h.RawClient):
    """The harness's raw client, connecting from a given loopback address."""

    def __init__(self, port, source="127.0.0.1", timeout=15):
        super().__init__(port, timeout=timeout)
        self.source = source

    def open(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout,
                                             source_address=(self.source, 0))
        self.sock.settimeout(self.timeout)
        return self


class LoginLimitsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        port0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(port0, DB)]))
        h.direct_exec(port0, DB, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=USERS, mappings=MAPPINGS, props=PROPS),
            {"db1": h.database_yaml("db1", {"ds_0": (port0, DB)})}, name="login-limits"))

    def tearDown(self):
        self.assertTrue(self.proxy.alive(), "proxy died\n" + self.proxy.log_tail())

    # ---- helpers ----
    def login(self, user, password, source):
        """Logs in with pymysql from `source`; returns (error or None, seconds taken)."""
        t0 = time.monotonic()
        try:
            c = h.connect(self.proxy, user, password, bind_address=source)
        except pymysql.MySQLError as e:
            return e, time.monotonic() - t0
        try:
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
        finally:
            c.close()
        return None, time.monotonic() - t0

    def assert_login(self, user, password, source, errno=None, fast=None, slow=None, what=""):
        err, took = self.login(user, password, source)
        label = "%s as %s from %s%s" % ("login", user, source, " (%s)" % what if what else "")
        if errno is None:
            self.assertIsNone(err, "%s failed: %r" % (label, err))
        else:
            self.assertIsNotNone(err, "%s succeeded" % label)
            self.assertEqual(err.args[0], errno, "%s: %r" % (label, err))
        if fast:
            self.assertLess(took, FAST, "%s took %.2f s" % (label, took))
        if slow is not None:
            self.assertGreaterEqual(took, slow, "%s took only %.2f s" % (label, took))
        return err

    def raw_open(self, source="127.0.0.1"):
        c = SourceClient(self.proxy.port, source).open()
        self.addCleanup(c.close)
        c.read_greeting()
        return c

    def expect_too_large(self, c, what):
        """ERR 1153 (sequence id after the client's frame), then the connection is closed."""
        c.seq = 2
        try:
            payload = c.read_packet()
        except (h.Closed, ConnectionResetError):
            self.fail("%s: closed without an ERR" % what)
        self.assertEqual(payload[:1], b"\xff", "%s: %r" % (what, payload[:40]))
        errno, state, msg = h.parse_err(payload)
        self.assertEqual((errno, state), (1153, "08S01"), "%s: %s" % (what, msg))
        self.assertEqual(c.read_until_closed(timeout=5), b"", what)

    # ---- before authentication: nothing big ----
    def test_pre_auth_packet_size_is_refused(self):
        for announced in (HANDSHAKE_LIMIT + 1, 64 * 1024, 0xFFFFFF):
            with self.subTest(announced=announced):
                c = self.raw_open()
                t0 = time.monotonic()
                # the header and a little: the proxy must not wait for (or buffer) the rest
                c.send_raw(struct.pack("<I", announced)[:3] + b"\x01" + b"\0" * 100)
                self.expect_too_large(c, "announced %d bytes" % announced)
                self.assertLess(time.monotonic() - t0, 5)
        # a whole handshake response past the limit (connect attributes make it 20 KiB)
        c = self.raw_open()
        with self.assertRaises((h.Closed, h.MySQLError, ConnectionResetError, BrokenPipeError)):
            c.handshake_response("app", "app", attrs={"padding": "x" * 20000})
            c.finish_auth("app")
        # (the ERR may be read above or the connection already gone; what matters: no login)
        # a handshake just under the limit logs in, and then packets may be large again
        c = self.raw_open()
        sent = c.handshake_response("app", "app", db="db1", attrs={"padding": "y" * 15000})
        self.assertGreater(len(sent), 15000)
        self.assertLess(len(sent), HANDSHAKE_LIMIT)
        c.finish_auth("app")
        big = "SELECT LENGTH('%s')" % ("z" * (1 << 20))
        self.assertEqual(c.query1(big).rows, [[str(1 << 20).encode()]])

    def test_pre_auth_memory_does_not_grow(self):
        pid = self.proxy.pid()
        before = rss_bytes(pid)
        for rnd in range(2):  # and again after reconnecting
            socks = []
            try:
                for _ in range(24):
                    c = SourceClient(self.proxy.port).open()
                    socks.append(c)
                    c.read_greeting()
                    # 64 MiB announced as 4 frames of 16 MiB - 1; the first 8 MiB of it sent
                    try:
                        c.send_raw(struct.pack("<I", 0xFFFFFF)[:3] + b"\x01" + b"\0" * (8 << 20))
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # refused before we finished sending: fine
                time.sleep(0.5)
                grown = rss_bytes(pid) - before
                self.assertLess(grown, 48 << 20, "round %d: the proxy grew by %d MiB" % (rnd, grown >> 20))
                for c in socks:
                    try:
                        data = c.read_until_closed(timeout=5)
                    except socket.timeout:
                        self.fail("connection neither refused nor closed within 5 s")
                    # ERR 1153; or nothing when the proxy closed with our bytes unread (a reset)
                    if data:
                        self.assertIn(b"\xff\x81\x04#08S01", data)
            finally:
                for c in socks:
                    c.close()
        self.assert_login("root", "root", "127.0.0.1")

    # ---- error messages: at most MySQL's 512 bytes ----
    def test_error_messages_are_cut(self):
        c = self.raw_open()
        user = "u" * 15000  # fits in a handshake packet
        with self.assertRaises(h.MySQLError) as cm:
            c.handshake_response(user, "x")
            c.finish_auth("x")
        e = cm.exception
        self.assertEqual((e.errno, e.sqlstate), (1045, "28000"))
        self.assertEqual(e.message, "Access denied for user '%s'@'127.0.0.1' (using password: YES)" % ("u" * 48))
        # after login: a 64 KiB database name in 1049 Unknown database
        r = h.raw_client(self.proxy.port)
        self.addCleanup(r.close)
        name = "d" * 65536
        for sql in ("USE `%s`" % name,):
            res = r.query(sql)[0]
            self.assertEqual(res.kind, "err")
            self.assertEqual(res.errno, 1049)
            self.assertEqual(len(res.message.encode()), 511, res.message[:80])
            self.assertTrue(res.message.startswith("Unknown database 'ddd"), res.message[:80])
        res = r.command(h.COM_INIT_DB, name)
        self.assertEqual((res.kind, res.errno, len(res.message.encode())), ("err", 1049, 511))

    # ---- failed logins: per account and host ----
    def test_delay_then_block_for_one_account_from_one_host(self):
        src, other = "127.0.0.2", "127.0.0.3"
        for i in range(DELAY_AFTER):
            self.assert_login("app", "wrong", src, 1045, fast=True, what="failure %d" % (i + 1))
        # the next failure waits; meanwhile the same account from another host, and another
        # account from this host, log in at once
        delayed = {}

        def attempt():
            delayed["result"] = self.login("app", "wrong", src)

        th = threading.Thread(target=attempt)
        th.start()
        time.sleep(0.3)  # let it reach the proxy
        self.assert_login("app", "app", other, fast=True, what="same account, other host")
        self.assert_login("root", "root", src, fast=True, what="other account, same host")
        self.assert_login("app", "wrong", other, 1045, fast=True, what="a first failure elsewhere")
        self.assertTrue(th.is_alive(), "the delayed failure was answered before the fast logins")
        th.join(30)
        err, took = delayed["result"]
        self.assertEqual(err.args[0], 1045)
        self.assertGreaterEqual(took, MIN_DELAY * 0.75)
        # further failures wait the maximum, up to the block limit
        for i in range(DELAY_AFTER + 1, BLOCK_AFTER):
            self.assert_login("app", "wrong", src, 1045, slow=MAX_DELAY * 0.75, what="failure %d" % (i + 1))
        # blocked: the right password is not even checked, and the answer is immediate
        err = self.assert_login("app", "app", src, 1129, fast=True, what="blocked")
        self.assertRegex(err.args[1], r"^Host '127\.0\.0\.2' is blocked because of many connection errors "
                                      r"\(5 failed logins as 'app'\); try again in \d+ s$")
        c = SourceClient(self.proxy.port, src).open()
        self.addCleanup(c.close)
        with self.assertRaises(h.MySQLError) as cm:
            c.login("app", "app")
        self.assertEqual((cm.exception.errno, cm.exception.sqlstate), (1129, "HY000"))
        # nobody else is blocked
        self.assert_login("app", "app", other, fast=True, what="same account, other host, during the block")
        self.assert_login("root", "root", src, fast=True, what="other account, same host, during the block")
        # the block ends with time, and the count starts afresh
        deadline = time.monotonic() + BLOCK_SECONDS + 20
        while True:
            err, _ = self.login("app", "app", src)
            if err is None:
                break
            self.assertEqual(err.args[0], 1129, repr(err))
            self.assertLess(time.monotonic(), deadline, "still blocked long after the block time")
            time.sleep(0.5)
        self.assert_login("app", "wrong", src, 1045, fast=True, what="after the block")

    def test_success_waits_as_long_and_clears_the_count(self):
        src = "127.0.0.4"
        for i in range(DELAY_AFTER):
            self.assert_login("alice", "wrong", src, 1045, fast=True)
        self.assert_login("alice", "wrong", src, 1045, slow=MIN_DELAY * 0.75)
        # a right password now waits as long as a wrong one would: speed gives nothing away
        self.assert_login("alice", "alice", src, slow=MAX_DELAY * 0.75, what="success after failures")
        # and the count is gone
        for i in range(DELAY_AFTER):
            self.assert_login("alice", "wrong", src, 1045, fast=True, what="failure %d after success" % (i + 1))
        self.assert_login("alice", "alice", src, slow=MIN_DELAY * 0.75)
        self.assert_login("alice", "alice", src, fast=True)

    def test_parallel_guesses_stop_at_the_block_limit(self):
        src, other = "127.0.0.5", "127.0.0.6"
        n = 20
        results = [None] * n
        barrier = threading.Barrier(n)

        def guess(i):
            barrier.wait(10)
            results[i] = self.login("victim", "guess%d" % i, src)[0]

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        codes = sorted(e.args[0] if e is not None else 0 for e in results)
        # exactly BLOCK_AFTER passwords were checked; every other guess was refused unchecked
        self.assertEqual(codes, [1045] * BLOCK_AFTER + [1129] * (n - BLOCK_AFTER))
        self.assert_login("victim", "victim", src, 1129, fast=True)
        self.assert_login("victim", "victim", other, fast=True)

    def test_unknown_users_are_counted_alike(self):
        src = "127.0.0.7"
        for i in range(DELAY_AFTER):
            self.assert_login("nobody", "x", src, 1045, fast=True)
        self.assert_login("nobody", "x", src, 1045, slow=MIN_DELAY * 0.75)
        # made-up names each start from zero: answered at once
        for i in range(10):
            self.assert_login("nobody%d" % i, "x", src, 1045, fast=True)


if __name__ == "__main__":
    h.main()
