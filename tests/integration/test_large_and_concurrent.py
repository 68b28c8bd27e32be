"""Large payloads and many connections.

- 20 MiB BLOB round trip: pymysql inlines the parameter, so the COM_QUERY itself is > 16 MiB and
  travels as several frames; the value is read back (a > 16 MiB row, several frames) and compared by
  SHA-256, also as computed by the backend.
- Frame-boundary edge cases: a COM_QUERY of exactly 16 MiB - 1 bytes (needs an empty trailing frame)
  and a row of exactly 16 MiB - 1 bytes, compared byte for byte with the backend's own answer.
- 1000 concurrent client connections (threads): each connects, runs SELECT 1 and a small query,
  waits until all are connected (barrier with timeout), then disconnects.
- proxy-frontend-max-connections: 5 -> the 6th connection of a normal user gets ERR 1040 and the
  first 5 keep working; after one disconnects a new one is accepted. (An admin user may take one
  connection more: see test_timeouts.py.)

It runs in both passes: a statement over 1 KiB is parsed off the worker and a long literal is
parsed as an empty one and bound back, so even under the sanitizers the 20 MiB statement takes a
few seconds of the client's 120 s read timeout (each round trip's time is printed).
"""

import hashlib
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_large_db"
MAX_PACKET = 128 << 20
N_CLIENTS = 1000


def setUpModule():
    h.raise_nofile_limit(8192)      # inherited by the proxy started below


class LargePayloadTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port0, DB)]))
        h.direct_exec(cls.port0, DB, "CREATE TABLE blobs (id INT PRIMARY KEY, data LONGBLOB)",
                      "CREATE TABLE small (id INT PRIMARY KEY, v VARCHAR(10))",
                      "INSERT INTO small VALUES (1, 'a'), (2, 'b')")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {"db1": h.database_yaml("db1", {"ds_0": (cls.port0, DB)})}, name="large"))

    def conn(self):
        c = h.connect(self.proxy, db="db1", max_allowed_packet=MAX_PACKET, read_timeout=120, write_timeout=120)
        self.addCleanup(c.close)
        return c

    def test_blob_20mib_roundtrip(self):
        data = os.urandom(20 << 20)
        digest = hashlib.sha256(data).hexdigest()
        c = self.conn()
        with c.cursor() as cur:
            cur.execute("DELETE FROM blobs WHERE id = 1")
            started = time.monotonic()
            n = cur.execute("INSERT INTO blobs (id, data) VALUES (%s, %s)", (1, data))
            inserted = time.monotonic() - started
            self.assertEqual(n, 1)
            # what the backend stored
            cur.execute("SELECT LENGTH(data), SHA2(data, 256) FROM blobs WHERE id = 1")
            self.assertEqual(cur.fetchall(), ((len(data), digest),))
            # and what comes back through the proxy (a row of > 16 MiB)
            started = time.monotonic()
            cur.execute("SELECT id, data FROM blobs WHERE id = 1")
            rows = cur.fetchall()
            selected = time.monotonic() - started
        print("\n  20 MiB INSERT %.2f s, SELECT %.2f s (client read timeout 120 s)" % (inserted, selected))
        self.assertEqual(len(rows), 1)
        self.assertEqual(len(rows[0][1]), len(data))
        self.assertEqual(hashlib.sha256(rows[0][1]).hexdigest(), digest)
        d = h.direct(self.port0, DB)
        try:
            self.assertEqual(h.query(d, "SELECT SHA2(data, 256) FROM blobs WHERE id = 1"), ((digest,),))
        finally:
            d.close()
        # the connection is still in sync
        self.assertEqual(h.query(c, "SELECT v FROM small ORDER BY id"), (("a",), ("b",)))

    def test_generated_large_result(self):
        c = self.conn()
        n = (20 << 20) + 7
        rows = h.query(c, "SELECT REPEAT('x', %d) AS big, 'after' AS tail" % n)
        self.assertEqual(len(rows[0][0]), n)
        self.assertEqual(rows[0][1], "after")
        # several large rows in one result
        rows = h.query(c, "SELECT seq, REPEAT(CHAR(64 + seq), 6000000) FROM seq_1_to_4")
        self.assertEqual([(r[0], len(r[1]), r[1][:1]) for r in rows],
                         [(i, 6000000, chr(64 + i).encode()) for i in range(1, 5)])

    def test_exact_frame_boundaries(self):
        rp = h.raw_client(self.proxy.port, db="db1")
        self.addCleanup(rp.close)
        rd = h.raw_client(self.port0, db=DB)
        self.addCleanup(rd.close)
        # a COM_QUERY payload of exactly 0xFFFFFF bytes: command byte + SQL
        head, tail = b"SELECT LENGTH('", b"') AS n"
        sql = head + b"q" * (0xFFFFFF - 1 - len(head) - len(tail)) + tail
        self.assertEqual(len(sql) + 1, 0xFFFFFF)
        for who, c in (("proxy", rp), ("direct", rd)):
            r = c.query1(sql)
            self.assertEqual(r.rows, [[str(0xFFFFFF - 1 - len(head) - len(tail)).encode()]], who)
        # and one byte more / less
        for extra in (-1, 1):
            s = head + b"q" * (0xFFFFFF - 1 - len(head) - len(tail) + extra) + tail
            self.assertEqual(rp.query1(s).rows, rd.query1(s).rows)
        # a row packet of exactly 0xFFFFFF bytes: lenenc(N) is 4 bytes for this N
        for n in (0xFFFFFF - 4, 0xFFFFFF - 5, 0xFFFFFF - 3):
            q = "SELECT REPEAT('r', %d)" % n
            a, b = rp.query1(q), rd.query1(q)
            self.assertEqual(a.row_packets, b.row_packets, "row of %d bytes" % n)
            self.assertEqual(len(a.rows[0][0]), n)
        self.assertEqual(rp.query1("SELECT 1").rows, [[b"1"]])

    def test_many_blob_rows(self):
        c = self.conn()
        with c.cursor() as cur:
            cur.execute("DELETE FROM blobs WHERE id >= 100")
            vals = {i: os.urandom(1 << 20) for i in range(100, 110)}
            cur.executemany("INSERT INTO blobs (id, data) VALUES (%s, %s)", list(vals.items()))
            cur.execute("SELECT id, data FROM blobs WHERE id >= 100 ORDER BY id")
            got = dict(cur.fetchall())
        self.assertEqual(got, vals)


class ConcurrentClientsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port0, DB + "_c")]))
        h.direct_exec(cls.port0, DB + "_c", "CREATE TABLE small (id INT PRIMARY KEY, v VARCHAR(10))",
                      "INSERT INTO small VALUES (1, 'a'), (2, 'b')")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {"db1": h.database_yaml("db1", {"ds_0": (cls.port0, DB + "_c")}, max_pool=50)},
            name="concurrent"))

    def test_1000_concurrent_clients(self):
        limit = h.raise_nofile_limit(8192)
        self.assertGreaterEqual(limit, N_CLIENTS + 200, "RLIMIT_NOFILE too low for this test")
        barrier = threading.Barrier(N_CLIENTS + 1)
        errors = []
        done = []
        lock = threading.Lock()

        def client(i):
            c = None
            try:
                c = h.connect(self.proxy, db="db1", connect_timeout=60, read_timeout=120, write_timeout=120)
                with c.cursor() as cur:
                    cur.execute("SELECT 1")
                    assert cur.fetchall() == ((1,),)
                    cur.execute("SELECT v FROM small WHERE id = %s", (1 + i % 2,))
                    assert cur.fetchall() == (("a" if i % 2 == 0 else "b",),)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append((i, repr(e)))
            try:
                barrier.wait(timeout=240)
            except threading.BrokenBarrierError:
                pass
            try:
                if c is not None:
                    with c.cursor() as cur:       # still alive while everyone is connected
                        cur.execute("SELECT %s", (i,))
                        assert cur.fetchall() == ((i,),)
                    c.close()
                    with lock:
                        done.append(i)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append((i, "after barrier: " + repr(e)))

        old = threading.stack_size(256 * 1024)
        try:
            threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(N_CLIENTS)]
            for t in threads:
                t.start()
        finally:
            threading.stack_size(old)
        try:
            barrier.wait(timeout=240)
        except threading.BrokenBarrierError:
            self.fail("not all %d clients reached the barrier within 240 s; errors so far: %s"
                      % (N_CLIENTS, errors[:10]))
        deadline = time.monotonic() + 120
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        self.assertFalse([t for t in threads if t.is_alive()], "client threads hung")
        self.assertEqual(errors[:20], [])
        self.assertEqual(len(done), N_CLIENTS)
        self.assertTrue(self.proxy.alive())
        c = h.connect(self.proxy, db="db1")
        try:
            self.assertEqual(h.query(c, "SELECT COUNT(*) FROM small"), ((2,),))
        finally:
            c.close()


class MaxConnectionsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port0, DB + "_m")]))
        h.direct_exec(cls.port0, DB + "_m", "CREATE TABLE small (id INT PRIMARY KEY)", "INSERT INTO small VALUES (7)")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(props={"proxy-frontend-max-connections": 5}),
            {"db1": h.database_yaml("db1", {"ds_0": (cls.port0, DB + "_m")})}, name="maxconn"))

    def app(self):
        # A normal user: an admin may take one connection past the limit.
        return h.connect(self.proxy, user="app", password="app", db="db1")

    def test_sixth_connection_refused(self):
        # Slots are freed when the proxy sees a disconnect, a moment after the client closed;
        # another test of this class may have closed its connections just now.
        first = []
        try:
            for _ in range(5):
                first.append(h.wait_until(self.app, 10, interval=0.2,
                                          what="a free slot for each of the first five"))
            with self.assertRaises(pymysql.MySQLError) as cm:
                self.app().close()
            self.assertMySQLError(cm.exception, 1040, message="Too many connections")
            # raw: code and SQLSTATE (MySQL: 08004)
            rc = h.RawClient(self.proxy.port).open()
            try:
                with self.assertRaises(h.MySQLError) as cm2:
                    rc.login("app", "app", "db1")
                self.assertMySQLError(cm2.exception, 1040, "08004", message="Too many connections")
            finally:
                rc.close()
            # the first five are unaffected
            for c in first:
                self.assertEqual(h.query(c, "SELECT id FROM small"), ((7,),))
            # a rejected connection does not count: close one, then one new client fits again
            first.pop().close()
            c6 = h.wait_until(self.app, 10, interval=0.2,
                              what="a free connection slot after a disconnect")
            first.append(c6)
            self.assertEqual(h.query(c6, "SELECT id FROM small"), ((7,),))
            with self.assertRaises(pymysql.MySQLError) as cm:
                self.app().close()
            self.assertEqual(cm.exception.args[0], 1040)
        finally:
            for c in first:
                c.close()
        # all closed: five fit again
        again = []
        try:
            for _ in range(5):
                again.append(h.wait_until(self.app, 10, interval=0.2,
                                          what="slots freed after disconnects"))
        finally:
            for c in again:
                c.close()

    def test_failed_logins_do_not_leak_slots(self):
        # a different (unknown) user each time: repeated failures of one account would be slowed
        # down and then blocked (test_login_limits.py)
        for i in range(10):
            with self.assertRaises(pymysql.MySQLError):
                h.connect(self.proxy, "intruder%d" % i, "wrong").close()
        conns = []
        try:
            for _ in range(5):
                conns.append(h.wait_until(self.app, 10, interval=0.2,
                                          what="slots after failed logins"))
        finally:
            for c in conns:
                c.close()


if __name__ == "__main__":
    h.main()
