"""The proxy's life as a container platform sees it: start-up, shutdown, sockets, descriptors.

StartupTest: one data source's server accepts TCP but never greets (a host that drops packets
looks the same to a client). The proxy listens within seconds, not after a connect timeout per
question asked at start-up; statements outside any database (SELECT 1, what the mariadb CLI
sends) and those of the other data sources are answered; a statement for the silent one gets
1429 at once (a server code: libmariadb turns a client-range code sent by a server into 2027
"malformed packet"); once the server answers, its tables' metadata is read and it serves.
DrainTest: SIGTERM with sessions idle, in a statement, in a transaction and in an XA
transaction: readiness goes first (new clients still taken for proxy-shutdown-delay-seconds),
then the listeners close, idle sessions close, the statement finishes, both transactions commit
and are on the backends, and the process exits 0 once the last session has gone, well before
the grace period; a transaction left open past the grace period is rolled back.
ReloadTest: SIGHUP reads the configuration again: a changed sharding rule, a new account and a new
logical database take effect for new sessions at once and for existing ones at their next
statement outside a transaction (a session in a transaction keeps the old rule until it ends);
a configuration that does not load is refused and the one in force stays.
SocketTest: --socket-mode, a stale socket file replaced, a live one or a non-socket refused.
OpenFilesTest: the soft open-files limit is raised to the hard one; clients past what it leaves
room for are refused with 1040 in place of the greeting, and the others are served.
"""

import os
import re
import select
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB0 = "it_life_ds0"
DB1 = "it_life_ds1"
PLAIN = "it_life_plain"
START_BOUND = 15.0  # s; before the parallel probe a silent server held start-up about 40 s


class Gate:
    """A TCP port in front of a MariaDB server that at first accepts connections and says
    nothing (a server that does not answer), and later forwards them (the server is back)."""

    def __init__(self, target_port):
        self.target = target_port
        self.forwarding = False
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.held = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.forwarding:
                self.held.append(client)  # silent: never greets, never closes
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 60)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            pass
        finally:
            a.close()
            b.close()

    def open(self):
        self.forwarding = True
        for c in self.held:
            c.close()
        self.held = []

    def close(self):
        self.closed = True
        self.listener.close()
        for c in self.held:
            c.close()


def sharded_rules():
    return """
    - !SHARDING
      tables:
        t_order:
          actualDataNodes: ds_${0..1}.t_order
          databaseStrategy:
            standard:
              shardingColumn: id
              shardingAlgorithmName: by_id
      shardingAlgorithms:
        by_id:
          type: INLINE
          props:
            algorithm-expression: ds_${id % 2}
    - !SINGLE
      tables:
        - "*.*"
    """


def setup_backends(port_a, port_b):
    for port, name in ((port_a, DB0), (port_b, DB1), (port_a, PLAIN)):
        h.create_actual_db(port, name)
    h.direct_exec(port_a, DB0, "CREATE TABLE t_order (id INT PRIMARY KEY, v VARCHAR(20))",
                  "INSERT INTO t_order VALUES (2, 'two'), (4, 'four')")
    h.direct_exec(port_b, DB1, "CREATE TABLE t_order (id INT PRIMARY KEY, v VARCHAR(20))",
                  "INSERT INTO t_order VALUES (1, 'one'), (3, 'three')",
                  "CREATE TABLE t_late (id INT PRIMARY KEY)", "INSERT INTO t_late VALUES (7)")
    h.direct_exec(port_a, PLAIN, "CREATE TABLE t (a INT)", "INSERT INTO t VALUES (1), (2)")


def error_of(fn):
    try:
        fn()
    except pymysql.MySQLError as e:
        return e
    return None


class StartupTest(h.TestCase):
    def test_silent_server_at_start(self):
        port_a, port_b = h.cluster_ports()[:2]
        setup_backends(port_a, port_b)
        gate = Gate(port_b)
        try:
            dbs = {
                "shard": h.database_yaml("shard", {"ds_0": (port_a, DB0), "ds_1": (gate.port, DB1)},
                                         user="root", rules=sharded_rules()),
                "plain": h.database_yaml("plain", {"ds_0": (port_a, PLAIN)}, user="root"),
            }
            props = {"proxy-backend-health-check-interval-milliseconds": 500}
            t0 = time.monotonic()
            with h.Proxy(h.global_yaml(props=props), dbs, name="silent",
                         start_timeout=60) as proxy:
                started = time.monotonic() - t0
                print("listening %.2f s after start with one server silent" % started)
                self.assertLess(started, START_BOUND)
                c = h.connect(proxy)
                self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
                cli = h.mariadb_cli(proxy.port, ["-N", "-e", "SELECT 1; SELECT @@version_comment"])
                self.assertEqual(cli.returncode, 0, cli.stderr)
                self.assertEqual(cli.stdout.splitlines()[0], "1")
                self.assertEqual(h.query(c, "SELECT a FROM plain.t ORDER BY a"), ((1,), (2,)))
                self.assertEqual(h.query(c, "SELECT v FROM shard.t_order WHERE id = 2"), (("two",),))
                t1 = time.monotonic()
                e = error_of(lambda: h.query(c, "SELECT v FROM shard.t_order WHERE id = 1"))
                waited = time.monotonic() - t1
                print("statement for the silent data source: %.2f s, %r" % (waited, e))
                self.assertIsNotNone(e)
                self.assertEqual(e.args[0], 1429)
                self.assertIn("ds_1", e.args[1])
                self.assertLess(waited, 5.0)
                cli = h.mariadb_cli(proxy.port, ["-N", "-e", "SELECT v FROM shard.t_order WHERE id = 1"])
                self.assertIn("ERROR 1429", cli.stderr)
                # t_late lives only on the silent server: unknown until its metadata is read.
                self.assertIsNotNone(error_of(lambda: h.query(c, "SELECT id FROM shard.t_late")))

                gate.open()
                t2 = time.monotonic()

                def served():
                    try:
                        return (h.query(c, "SELECT id FROM shard.t_late") == ((7,),) and
                                h.query(c, "SELECT v FROM shard.t_order WHERE id = 1") == (("one",),))
                    except pymysql.MySQLError:
                        return False

                h.wait_until(served, 30, interval=0.25, what="the server back and its tables known")
                print("served %.2f s after the server answered" % (time.monotonic() - t2))
                self.assertEqual(h.query(c, "SELECT id, v FROM shard.t_order ORDER BY id"),
                                 ((1, "one"), (2, "two"), (3, "three"), (4, "four")))
                self.assertIn("reading the metadata again", proxy.log())
                c.close()
        finally:
            gate.close()


class DrainTest(h.TestCase):
    def make_proxy(self, port_a, port_b, delay, grace, name):
        dbs = {"shard": h.database_yaml("shard", {"ds_0": (port_a, DB0), "ds_1": (port_b, DB1)},
                                        user="root", rules=sharded_rules())}
        props = {"proxy-shutdown-delay-seconds": delay, "proxy-shutdown-grace-seconds": grace}
        return h.Proxy(h.global_yaml(props=props), dbs, name=name)

    def rows_on_backends(self, port_a, port_b):
        rows = []
        for port, db in ((port_a, DB0), (port_b, DB1)):
            with h.direct(port, db) as d, d.cursor() as cur:
                cur.execute("SELECT id FROM t_order WHERE id >= 100")
                rows += [r[0] for r in cur.fetchall()]
        return sorted(rows)

    def test_sigterm_drains_sessions_and_transactions(self):
        port_a, port_b = h.cluster_ports()[:2]
        setup_backends(port_a, port_b)
        proxy = self.make_proxy(port_a, port_b, delay=2, grace=30, name="drain")
        with proxy:
            idle = h.connect(proxy, db="shard")
            local = h.connect(proxy, db="shard")
            xa = h.connect(proxy, db="shard")
            sleeper = h.connect(proxy, db="shard")
            h.query(local, "BEGIN")
            h.query(local, "INSERT INTO t_order VALUES (100, 'local')")
            h.query(xa, "SET VARIABLE transaction_type = 'XA'")
            h.query(xa, "BEGIN")
            h.query(xa, "INSERT INTO t_order VALUES (101, 'xa'), (102, 'xa')")
            slept = {}
            t = threading.Thread(target=lambda: slept.update(
                r=h.query(sleeper, "SELECT SLEEP(4)")))
            t.start()
            time.sleep(0.3)
            t0 = time.monotonic()
            proxy.proc.send_signal(signal.SIGTERM)
            # Within the delay: still accepting (a load balancer may not know yet).
            late = h.connect(proxy, db="shard")
            self.assertEqual(h.query(late, "SELECT 1"), ((1,),))
            late.close()
            # After it: the listeners are closed.
            h.wait_until(lambda: not h.port_open(proxy.port, timeout=0.2), 10,
                         what="the listener closed")
            print("listener closed %.2f s after SIGTERM" % (time.monotonic() - t0))
            self.assertGreaterEqual(time.monotonic() - t0, 1.5)
            # The idle session was closed.
            self.assertIsNotNone(error_of(lambda: h.query(idle, "SELECT 1")))
            # The transactions go on and commit.
            h.query(local, "INSERT INTO t_order VALUES (103, 'local')")
            h.query(local, "COMMIT")
            h.query(xa, "INSERT INTO t_order VALUES (104, 'xa')")
            h.query(xa, "COMMIT")
            # ... and their sessions close after.
            self.assertIsNotNone(error_of(lambda: h.query(local, "SELECT 1")))
            self.assertIsNotNone(error_of(lambda: h.query(xa, "SELECT 1")))
            t.join(20)
            self.assertEqual(slept.get("r"), ((0,),))
            code = proxy.proc.wait(timeout=20)
            took = time.monotonic() - t0
            print("exited %.2f s after SIGTERM with %d" % (took, code))
            self.assertEqual(code, 0)
            self.assertLess(took, 25.0)  # the last session's end, not the 30 s grace period
            self.assertEqual(self.rows_on_backends(port_a, port_b), [100, 101, 102, 103, 104])
            self.assertIn("sessions draining", proxy.log())

    def test_grace_period_rolls_back_what_is_left(self):
        port_a, port_b = h.cluster_ports()[:2]
        setup_backends(port_a, port_b)
        proxy = self.make_proxy(port_a, port_b, delay=0, grace=2, name="grace")
        with proxy:
            open_txn = h.connect(proxy, db="shard")
            h.query(open_txn, "BEGIN")
            h.query(open_txn, "INSERT INTO t_order VALUES (110, 'left open'), (111, 'left open')")
            t0 = time.monotonic()
            proxy.proc.send_signal(signal.SIGTERM)
            code = proxy.proc.wait(timeout=30)
            took = time.monotonic() - t0
            print("exited %.2f s after SIGTERM with %d (grace 2 s)" % (took, code))
            self.assertEqual(code, 0)
            self.assertGreaterEqual(took, 1.5)
            self.assertIsNotNone(error_of(lambda: h.query(open_txn, "SELECT 1")))
            h.wait_until(lambda: self.rows_on_backends(port_a, port_b) == [], 10,
                         what="the open transaction rolled back")
            self.assertIn("grace period is over", proxy.log())


class ReloadTest(h.TestCase):
    def preview_source(self, c, sql):
        rows = h.query(c, "PREVIEW " + sql)
        return sorted({r[0] for r in rows})

    def test_sighup_reloads_rules_accounts_and_databases(self):
        port_a, port_b = h.cluster_ports()[:2]
        setup_backends(port_a, port_b)
        dbs = {"shard": h.database_yaml("shard", {"ds_0": (port_a, DB0), "ds_1": (port_b, DB1)},
                                        user="root", rules=sharded_rules())}
        with h.Proxy(h.global_yaml(), dbs, name="reload") as proxy:
            in_txn = h.connect(proxy, db="shard")
            idle = h.connect(proxy, db="shard")
            point = "SELECT v FROM t_order WHERE id = 1"
            self.assertEqual(self.preview_source(idle, point), ["ds_1"])
            h.query(in_txn, "BEGIN")
            self.assertEqual(h.query(in_txn, point), (("one",),))
            # The rule now sends odd ids to ds_0; an account and a database are added.
            with open(os.path.join(proxy.conf_dir, "database-shard.yaml"), "w") as f:
                f.write(h.database_yaml("shard", {"ds_0": (port_a, DB0), "ds_1": (port_b, DB1)},
                                        user="root",
                                        rules=sharded_rules().replace("ds_${id % 2}",
                                                                      "ds_${(id + 1) % 2}")))
            with open(os.path.join(proxy.conf_dir, "database-plain.yaml"), "w") as f:
                f.write(h.database_yaml("plain", {"ds_0": (port_a, PLAIN)}, user="root"))
            users = h.DEFAULT_USERS + [{"user": "newbie@%", "password": "newpass"}]
            with open(os.path.join(proxy.conf_dir, "global.yaml"), "w") as f:
                f.write(h.global_yaml(users=users, mappings=h.DEFAULT_MAPPINGS + ", newbie@%=plain",
                                      props={"proxy-frontend-executor-size": 3}))
            with self.assertRaises(pymysql.MySQLError):
                h.connect(proxy, user="newbie", password="newpass")
            proxy.proc.send_signal(signal.SIGHUP)
            h.wait_until(lambda: "configuration 1 in force" in proxy.log(), 20,
                         what="the reload logged")
            print([l for l in proxy.log().splitlines() if "reload" in l or "in force" in l])
            self.assertIn("props.proxy-frontend-executor-size changed", proxy.log())
            # A new session and an idle one: the new rule.
            fresh = h.connect(proxy, db="shard")
            self.assertEqual(self.preview_source(fresh, point), ["ds_0"])
            self.assertEqual(self.preview_source(idle, point), ["ds_0"])
            self.assertEqual(h.query(fresh, point), ())  # id 1 lives on ds_1
            # The session in a transaction: the old rule until the transaction ends.
            self.assertEqual(self.preview_source(in_txn, point), ["ds_1"])
            self.assertEqual(h.query(in_txn, point), (("one",),))
            h.query(in_txn, "COMMIT")
            self.assertEqual(self.preview_source(in_txn, point), ["ds_0"])
            # The new account and database.
            newbie = h.connect(proxy, user="newbie", password="newpass", db="plain")
            self.assertEqual(h.query(newbie, "SELECT COUNT(*) FROM t"), ((2,),))
            self.assertEqual(h.query(fresh, "SELECT COUNT(*) FROM plain.t"), ((2,),))
            # A configuration that does not load: refused, the one in force stays.
            with open(os.path.join(proxy.conf_dir, "database-shard.yaml"), "w") as f:
                f.write("databaseName: shard\ndataSources: [unclosed\n")
            proxy.proc.send_signal(signal.SIGHUP)
            h.wait_until(lambda: "reload refused" in proxy.log(), 20, what="the refusal logged")
            self.assertNotIn("configuration 2 in force", proxy.log())
            self.assertEqual(self.preview_source(fresh, point), ["ds_0"])
            again = h.connect(proxy, db="shard")
            self.assertEqual(self.preview_source(again, point), ["ds_0"])
            for c in (in_txn, idle, fresh, newbie, again):
                c.close()


class SocketTest(h.TestCase):
    def test_socket_mode_and_stale_file(self):
        port_a, port_b = h.cluster_ports()[:2]
        setup_backends(port_a, port_b)
        dbs = {"plain": h.database_yaml("plain", {"ds_0": (port_a, PLAIN)}, user="root")}
        d = tempfile.mkdtemp(prefix="shardproxy-sock-")
        path = os.path.join(d, "mysql.sock")
        # A stale socket file: bound, then its process (here: its socket) gone.
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.close()
        self.assertTrue(stat.S_ISSOCK(os.lstat(path).st_mode))
        args = ["--socket", path, "--socket-mode", "0660"]
        with h.Proxy(h.global_yaml(), dbs, args=args, name="sock") as proxy:
            st = os.lstat(path)
            self.assertTrue(stat.S_ISSOCK(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            c = pymysql.connect(unix_socket=path, user="root", password="root", database="plain",
                                connect_timeout=10)
            self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t"), ((2,),))
            c.close()
            self.assertIn("replacing a stale socket file", proxy.log())
            # A second proxy on the same socket: refused, the first one keeps it.
            second = h.run_proxy_cli(["--conf", proxy.conf_dir, "--port", str(h.free_port()),
                                      "--data-dir", os.path.join(d, "data2"), "--socket", path])
            self.assertEqual(second.returncode, 1, second.stderr)
            self.assertIn("in use by another process", second.stderr + second.stdout)
            c = pymysql.connect(unix_socket=path, user="root", password="root", connect_timeout=10)
            c.close()
        # A path that is not a socket is never replaced.
        regular = os.path.join(d, "not-a-socket")
        with open(regular, "w") as f:
            f.write("keep me\n")
        out = h.run_proxy_cli(["--conf", proxy.conf_dir, "--port", str(h.free_port()),
                               "--data-dir", os.path.join(d, "data3"), "--socket", regular])
        self.assertEqual(out.returncode, 1)
        self.assertIn("not a socket", out.stderr + out.stdout)
        with open(regular) as f:
            self.assertEqual(f.read(), "keep me\n")
        bad = h.run_proxy_cli(["--conf", proxy.conf_dir, "--socket", path, "--socket-mode", "999"])
        self.assertEqual(bad.returncode, 2)


class LimitedProxy(h.Proxy):
    """A proxy started under prlimit: soft and hard open-files limits."""

    def __init__(self, soft, hard, *a, **kw):
        super().__init__(*a, **kw)
        self.limits = "--nofile=%d:%d" % (soft, hard)

    def command(self, port):
        return ["prlimit", self.limits, "--"] + super().command(port)


class OpenFilesTest(h.TestCase):
    def test_limit_raised_and_clients_past_it_refused(self):
        port_a, port_b = h.cluster_ports()[:2]
        setup_backends(port_a, port_b)
        dbs = {"plain": h.database_yaml("plain", {"ds_0": (port_a, PLAIN)}, user="root",
                                        max_pool=4)}
        with LimitedProxy(100, 160, h.global_yaml(), dbs, name="nofile") as proxy:
            with open("/proc/%d/limits" % proxy.pid()) as f:
                line = [l for l in f if l.startswith("Max open files")][0]
            print(line.strip())
            self.assertEqual(line.split()[3:5], ["160", "160"])
            m = re.search(r"room for (\d+) client connections", proxy.log())
            self.assertIsNotNone(m, proxy.log_tail())
            room = int(m.group(1))
            print("room for %d clients" % room)
            self.assertGreater(room, 10)
            clients, refused = [], []
            for _ in range(room + 5):
                try:
                    clients.append(h.connect(proxy, db="plain"))
                except pymysql.MySQLError as e:
                    refused.append(e.args[0])
            print("%d connected, refused: %r" % (len(clients), refused))
            self.assertEqual(len(clients), room)
            self.assertEqual(refused, [1040] * 5)
            # Those let in are served, on backend connections that still have descriptors.
            for c in clients[:: max(1, room // 8)]:
                self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t"), ((2,),))
            for c in clients:
                c.close()
            h.wait_until(lambda: self._one_more(proxy), 10, what="room again after closing")
            self.assertNotIn("Too many open files", proxy.log())

    @staticmethod
    def _one_more(proxy):
        try:
            c = h.connect(proxy, db="plain")
        except pymysql.MySQLError:
            return False
        c.close()
        return True


def tearDownModule():
    port_a, port_b = h.cluster_ports()[:2]
    for port, name in ((port_a, DB0), (port_b, DB1), (port_a, PLAIN)):
        h.drop_actual_db(port, name)


if __name__ == "__main__":
    h.main()
