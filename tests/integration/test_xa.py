"""XA transactions through the proxy, with real processes.

XaTest: the transaction type statements (SET / SHOW [DIST] VARIABLE transaction_type), XA commit
and rollback over two shards checked on the servers, one-phase commit for one shard, a failed
PREPARE rolling back every branch, a disconnect rolling back.

XaCrashTest: the proxy killed by failpoints (a) after PREPARE, (b) after the decision is logged,
(c) after the first of two XA COMMITs; after a restart every transaction is all-or-nothing and
no branch stays prepared. A backend MariaDB killed with SIGKILL during the commit and restarted
(private servers). The bank test: clients transfer between accounts on both shards in XA
transactions while the proxy is killed and restarted; afterwards money is neither made nor lost
and every transfer a client saw committed is there on both sides. BANK_SECONDS and BANK_KILLS
(default 12 s, 2 kills; the full run is BANK_SECONDS=60 BANK_KILLS=3) set its length.

XaOneServerTest: both data sources on one server, each with its own account; after a crash,
recovery settles each branch once.
"""

import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "xa_db"
DATA_SOURCES = ("ds_0", "ds_1")
FORMAT_ID = 0x53505859
ACCOUNTS = 20
START_BALANCE = 1000

RULES = """
- !SHARDING
  tables:
    t_account:
      actualDataNodes: ds_${0..1}.t_account
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
    t_ledger:
      actualDataNodes: ds_${0..1}.t_ledger
      databaseStrategy:
        standard:
          shardingColumn: account
          shardingAlgorithmName: by_account
  shardingAlgorithms:
    by_id:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 2}
    by_account:
      type: INLINE
      props:
        algorithm-expression: ds_${account % 2}
"""

TABLES = ("CREATE TABLE t_account (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
          "CREATE TABLE t_ledger (id BIGINT PRIMARY KEY, account BIGINT NOT NULL, "
          "transfer BIGINT NOT NULL, amount BIGINT NOT NULL)")


def our_prepared(port):
    """This test's prepared XA branches on a server: (gtrid, bqual) of formatID 'SPXY'."""
    c = h.direct(port)
    try:
        with c.cursor() as cur:
            cur.execute("XA RECOVER")
            out = []
            for fmt, glen, blen, data in cur.fetchall():
                if int(fmt) == FORMAT_ID:
                    data = data if isinstance(data, bytes) else data.encode()
                    out.append((data[:glen].decode(), data[glen:glen + blen].decode()))
            return out
    finally:
        c.close()


class XaBase(h.TestCase):
    NAME = "xa"

    @classmethod
    def make_sources(cls, ports):
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.actual = {ds: "it_%s_%s" % (cls.NAME, ds) for ds in DATA_SOURCES}
        cls.enterClassContext(h.actual_databases([(cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES]))
        for ds in DATA_SOURCES:
            h.direct_exec(cls.ports[ds], cls.actual[ds], *TABLES)
        return {ds: (cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES}

    def reset_accounts(self):
        for k, ds in enumerate(DATA_SOURCES):
            values = ", ".join("(%d, %d)" % (i, START_BALANCE) for i in range(1, ACCOUNTS + 1) if i % 2 == k)
            h.direct_exec(self.ports[ds], self.actual[ds], "DELETE FROM t_account", "DELETE FROM t_ledger",
                          "INSERT INTO t_account VALUES " + values)

    def balance(self, account):
        ds = DATA_SOURCES[account % 2]
        c = h.direct(self.ports[ds], self.actual[ds])
        try:
            return h.query(c, "SELECT balance FROM t_account WHERE id = %s", (account,))[0][0]
        finally:
            c.close()

    def all_rows(self, table):
        out = []
        for ds in DATA_SOURCES:
            c = h.direct(self.ports[ds], self.actual[ds])
            try:
                out += list(h.query(c, "SELECT * FROM %s ORDER BY id" % table))
            finally:
                c.close()
        return out

    def wait_no_prepared(self, timeout=40):
        h.wait_until(lambda: not any(our_prepared(p) for p in self.ports.values()), timeout,
                     what="no prepared XA branch left")

    def transfer(self, conn, src, dst, amount, transfer_id=None):
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            # Odd accounts (ds_1) first: every transaction locks in the same order across shards.
            for account, delta in sorted(((src, -amount), (dst, amount)), key=lambda a: -(a[0] % 2)):
                cur.execute("UPDATE t_account SET balance = balance + %s WHERE id = %s", (delta, account))
                if transfer_id is not None:
                    cur.execute("INSERT INTO t_ledger (id, account, transfer, amount) VALUES (%s, %s, %s, %s)",
                                (transfer_id * 2 + (account % 2), account, transfer_id, delta))
            cur.execute("COMMIT")


class XaTest(XaBase):
    NAME = "xa"

    @classmethod
    def setUpClass(cls):
        sources = cls.make_sources(h.cluster_ports()[:2])
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="xa"))

    def setUp(self):
        self.reset_accounts()

    def conn(self, xa=True):
        c = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(c.close)
        if xa:
            h.query(c, "SET VARIABLE transaction_type = 'XA'")
        return c

    def test_transaction_type_statements(self):
        c = self.conn(xa=False)
        self.assertEqual(h.query(c, "SHOW VARIABLE transaction_type"), (("LOCAL",),))
        h.query(c, "SET VARIABLE transaction_type = XA")
        self.assertEqual(h.query(c, "SHOW VARIABLE transaction_type"), (("XA",),))
        h.query(c, "set dist variable transaction_type = 'local'")
        self.assertEqual(h.query(c, "SHOW DIST VARIABLE WHERE NAME = transaction_type"),
                         (("transaction_type", "LOCAL"),))
        names = [r[0] for r in h.query(c, "SHOW DIST VARIABLES")]
        self.assertIn("xa_recovery_in_doubt", names)
        for sql, errno in (("SET VARIABLE transaction_type = 'BASE'", 1235),
                           ("SET VARIABLE transaction_type = 'NONE'", 1231),
                           ("SET VARIABLE no_such_thing = 1", 1193),
                           ("SHOW VARIABLE no_such_thing", 1193)):
            with self.assertRaises(pymysql.MySQLError) as e:
                h.query(c, sql)
            self.assertEqual(e.exception.args[0], errno, sql)
        h.query(c, "BEGIN")
        with self.assertRaises(pymysql.MySQLError) as e:
            h.query(c, "SET VARIABLE transaction_type = 'XA'")
        self.assertEqual(e.exception.args[0], 1568)
        h.query(c, "ROLLBACK")
        # Another session keeps the default.
        self.assertEqual(h.query(self.conn(xa=False), "SHOW VARIABLE transaction_type"), (("LOCAL",),))

    def test_transaction_type_statements_as_clients_write_them(self):
        # The DistSQL grammar takes comments of each style, any case, quoting and a trailing `;`.
        c = self.conn(xa=False)
        h.query(c, "/* c */ sEt dist /* d */ VARIABLE `Transaction_Type` = \"XA\" -- tail")
        self.assertEqual(h.query(c, "# lead\nshow variable 'transaction_type';"), (("XA",),))
        self.assertEqual(h.query(c, "SHOW DIST VARIABLE WHERE NAME = `transaction_type` ;"),
                         (("transaction_type", "XA"),))
        # DistSQL the grammar knows but the proxy does not answer yet, and MySQL statements that
        # start like DistSQL, go the MySQL way (here: a backend's syntax error).
        for sql in ("SHOW DIST VARIABLES LIKE 'xa%'", "SHOW SHARDING TABLE RULES",
                    "SET DIST VARIABLE a = 1, b = 2"):
            with self.assertRaises(pymysql.MySQLError) as e:
                h.query(c, sql)
            self.assertEqual(e.exception.args[0], 1064, sql)
        self.assertTrue(h.query(c, "SHOW STORAGE ENGINES"))

    def test_commit_over_two_shards(self):
        c = self.conn()
        before = len(self.proxy.log())
        self.transfer(c, 1, 2, 30)
        self.assertEqual((self.balance(1), self.balance(2)), (START_BALANCE - 30, START_BALANCE + 30))
        log = self.proxy.log()[before:]
        for verb in ("XA START", "XA END", "XA PREPARE", "XA COMMIT"):
            self.assertIn(verb, log)
        self.assertNotIn("ONE PHASE", log)
        self.assertEqual([our_prepared(p) for p in self.ports.values()], [[], []])

    def test_rollback_over_two_shards(self):
        c = self.conn()
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("UPDATE t_account SET balance = 0 WHERE id IN (3, 4)")
            cur.execute("SELECT balance FROM t_account WHERE id IN (3, 4) ORDER BY id")
            self.assertEqual(cur.fetchall(), ((0,), (0,)))
            cur.execute("ROLLBACK")
        self.assertEqual((self.balance(3), self.balance(4)), (START_BALANCE, START_BALANCE))

    def test_one_shard_commits_in_one_phase(self):
        c = self.conn()
        before = len(self.proxy.log())
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("UPDATE t_account SET balance = balance - 5 WHERE id = 5")
            cur.execute("UPDATE t_account SET balance = balance + 5 WHERE id = 7")
            cur.execute("COMMIT")
        log = self.proxy.log()[before:]
        self.assertIn("ONE PHASE", log)
        self.assertNotIn("XA PREPARE", log)
        self.assertEqual((self.balance(5), self.balance(7)), (START_BALANCE - 5, START_BALANCE + 5))

    def test_autocommit_off_is_xa(self):
        c = self.conn()
        before = len(self.proxy.log())
        with c.cursor() as cur:
            cur.execute("SET autocommit = 0")
            cur.execute("UPDATE t_account SET balance = balance - 1 WHERE id = 9")
            cur.execute("UPDATE t_account SET balance = balance + 1 WHERE id = 10")
            cur.execute("COMMIT")
            cur.execute("UPDATE t_account SET balance = 0 WHERE id IN (9, 10)")
            cur.execute("ROLLBACK")
            cur.execute("SET autocommit = 1")
        self.assertIn("XA PREPARE", self.proxy.log()[before:])
        self.assertEqual((self.balance(9), self.balance(10)), (START_BALANCE - 1, START_BALANCE + 1))

    def test_failed_prepare_rolls_back_everywhere(self):
        c = self.conn()
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("UPDATE t_account SET balance = balance - 7 WHERE id = 11")
            cur.execute("UPDATE t_account SET balance = balance + 7 WHERE id = 12")
            # The ds_0 branch's connection dies before COMMIT: its PREPARE cannot succeed.
            killer = h.direct(self.ports["ds_0"])
            try:
                rows = h.query(killer, "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s "
                                       "AND ID <> CONNECTION_ID()", (self.actual["ds_0"],))
                for (tid,) in rows:
                    h.query(killer, "KILL %d" % tid)
            finally:
                killer.close()
            with self.assertRaises(pymysql.MySQLError):
                cur.execute("COMMIT")
        self.assertEqual((self.balance(11), self.balance(12)), (START_BALANCE, START_BALANCE))
        self.assertEqual([our_prepared(p) for p in self.ports.values()], [[], []])

    def test_savepoints_on_every_shard(self):
        for xa in (False, True):
            with self.subTest(xa=xa):
                self.reset_accounts()
                c = self.conn(xa=xa)
                with c.cursor() as cur:
                    cur.execute("BEGIN")
                    cur.execute("UPDATE t_account SET balance = 1 WHERE id = 1")      # ds_1
                    cur.execute("SAVEPOINT a")
                    cur.execute("UPDATE t_account SET balance = 2 WHERE id IN (1, 2)")  # ds_0 joins
                    cur.execute("SAVEPOINT b")
                    cur.execute("UPDATE t_account SET balance = 3 WHERE id IN (1, 2, 4)")
                    cur.execute("ROLLBACK TO SAVEPOINT b")
                    cur.execute("SELECT id, balance FROM t_account WHERE id IN (1, 2, 4) ORDER BY id")
                    self.assertEqual(cur.fetchall(), ((1, 2), (2, 2), (4, START_BALANCE)))
                    # ds_0 joined after `a`: rolling back to `a` undoes all of its work.
                    cur.execute("ROLLBACK TO SAVEPOINT a")
                    cur.execute("SELECT id, balance FROM t_account WHERE id IN (1, 2) ORDER BY id")
                    self.assertEqual(cur.fetchall(), ((1, 1), (2, START_BALANCE)))
                    with self.assertRaises(pymysql.MySQLError) as e:
                        cur.execute("ROLLBACK TO SAVEPOINT b")  # gone with the rollback to `a`
                    self.assertEqual(e.exception.args[0], 1305)
                    cur.execute("RELEASE SAVEPOINT a")
                    with self.assertRaises(pymysql.MySQLError) as e:
                        cur.execute("RELEASE SAVEPOINT a")
                    self.assertEqual(e.exception.args[0], 1305)
                    cur.execute("COMMIT")
                self.assertEqual((self.balance(1), self.balance(2)), (1, START_BALANCE))

    def test_read_only_transactions(self):
        for xa in (False, True):
            with self.subTest(xa=xa):
                c = self.conn(xa=xa)
                with c.cursor() as cur:
                    cur.execute("START TRANSACTION READ ONLY")
                    cur.execute("SELECT SUM(balance) FROM t_account")   # both shards
                    self.assertEqual(cur.fetchall()[0][0], ACCOUNTS * START_BALANCE)
                    with self.assertRaises(pymysql.MySQLError) as e:
                        cur.execute("UPDATE t_account SET balance = 0 WHERE id = 2")
                    self.assertEqual(e.exception.args[0], 1792)
                    cur.execute("COMMIT")
                self.assertEqual(self.balance(2), START_BALANCE)
                self.assertEqual([our_prepared(p) for p in self.ports.values()], [[], []])

    def test_set_transaction_reaches_every_shard(self):
        c = self.conn(xa=False)
        before = len(self.proxy.log())
        with c.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            cur.execute("BEGIN")
            cur.execute("SELECT COUNT(*) FROM t_account")   # both shards
            with self.assertRaises(pymysql.MySQLError) as e:
                cur.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            self.assertEqual(e.exception.args[0], 1568)
            cur.execute("COMMIT")
        log = self.proxy.log()[before:]
        for ds in DATA_SOURCES:
            self.assertIn("%s ::: SET TRANSACTION ISOLATION LEVEL SERIALIZABLE" % ds, log)
        # The next transaction only.
        before = len(self.proxy.log())
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT COUNT(*) FROM t_account")
            cur.execute("COMMIT")
        self.assertNotIn("SERIALIZABLE", self.proxy.log()[before:])

    def test_disconnect_rolls_back(self):
        c = h.connect(self.proxy, db=LOGICAL)
        h.query(c, "SET VARIABLE transaction_type = 'XA'")
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("UPDATE t_account SET balance = 1 WHERE id IN (13, 14)")
        c.close()
        h.wait_until(lambda: (self.balance(13), self.balance(14)) == (START_BALANCE, START_BALANCE), 10,
                     what="the branches rolled back")
        self.assertEqual([our_prepared(p) for p in self.ports.values()], [[], []])


class XaCrashBase(XaBase):
    def setUp(self):
        self.reset_accounts()

    def proxy_with(self, failpoints=None, sources=None, name="xa-crash"):
        env = {"SHARDPROXY_FAILPOINTS": failpoints} if failpoints else None
        p = h.Proxy(h.global_yaml(transaction="XA"),
                    {LOGICAL: h.database_yaml(LOGICAL, sources or self.sources, rules=RULES)},
                    env=env, name=name)
        p.start()
        self.addCleanup(p.close)
        return p

    def crash_then_recover(self, failpoint, expect_committed, prepared_before):
        p = self.proxy_with(failpoint)
        c = h.connect(p, db=LOGICAL)
        with self.assertRaises(pymysql.MySQLError):
            self.transfer(c, 15, 16, 40)
        h.wait_until(lambda: not p.alive(), 10, what="the failpoint stopping the proxy")
        self.assertIn("failpoint %s: stopping" % failpoint, p.log())
        prepared = sum(len(our_prepared(port)) for port in set(self.ports.values()))
        self.assertEqual(prepared, prepared_before)
        p.env = None
        p.start()
        self.wait_no_prepared()
        want = (START_BALANCE - 40, START_BALANCE + 40) if expect_committed else (START_BALANCE, START_BALANCE)
        self.assertEqual((self.balance(15), self.balance(16)), want)
        c2 = h.connect(p, db=LOGICAL)
        self.addCleanup(c2.close)
        rows = dict(h.query(c2, "SHOW DIST VARIABLES"))
        self.assertGreaterEqual(int(rows["xa_recovery_runs"]), 1)
        self.assertEqual(int(rows["xa_recovery_in_doubt"]), prepared_before)
        return p


class XaCrashTest(XaCrashBase):
    NAME = "xacrash"

    @classmethod
    def setUpClass(cls):
        cls.sources = cls.make_sources(h.cluster_ports()[:2])

    def test_a_killed_after_prepare_rolls_back(self):
        self.crash_then_recover("xa-after-prepare", expect_committed=False, prepared_before=2)

    def test_b_killed_after_decision_commits(self):
        self.crash_then_recover("xa-after-log", expect_committed=True, prepared_before=2)

    def test_c_killed_after_first_commit_commits(self):
        self.crash_then_recover("xa-after-first-commit", expect_committed=True, prepared_before=1)

    def test_backend_killed_during_commit(self):
        with h.private_mariadb(2) as cl:
            ports = cl.ports
            actual = "it_xacrash_private"
            for port in ports:
                h.create_actual_db(port, actual)
                h.direct_exec(port, actual, *TABLES)
            h.direct_exec(ports[0], actual, "INSERT INTO t_account VALUES (2, 1000)")
            h.direct_exec(ports[1], actual, "INSERT INTO t_account VALUES (1, 1000)")
            sources = {"ds_0": (ports[0], actual), "ds_1": (ports[1], actual)}
            p = self.proxy_with("xa-after-log=pause:4000", sources=sources, name="xa-backend-kill")
            c = h.connect(p, db=LOGICAL)
            self.addCleanup(c.close)
            result = {}

            def commit():
                try:
                    self.transfer(c, 1, 2, 25)
                    result["ok"] = True
                except pymysql.MySQLError as e:
                    result["error"] = e

            t = threading.Thread(target=commit)
            t.start()
            h.wait_until(lambda: "failpoint xa-after-log: pausing" in p.log(), 20, what="the commit paused")
            cl.kill9(ports[1])   # ds_1, whose branch is prepared and not committed yet
            t.join(60)
            self.assertFalse(t.is_alive())
            # The decision was logged before the backend died: the transaction is committed.
            self.assertEqual(result, {"ok": True})
            cl.restart_node(ports[1])

            def settled():
                c1 = h.direct(ports[1], actual)
                c0 = h.direct(ports[0], actual)
                try:
                    return (h.query(c1, "SELECT balance FROM t_account WHERE id = 1")[0][0],
                            h.query(c0, "SELECT balance FROM t_account WHERE id = 2")[0][0])
                finally:
                    c1.close()
                    c0.close()
            h.wait_until(lambda: not our_prepared(ports[1]) and settled() == (975, 1025), 60,
                         what="recovery committing the restarted server's branch")

    def test_bank(self):
        seconds = float(os.environ.get("BANK_SECONDS", "12"))
        kills = int(os.environ.get("BANK_KILLS", "2"))
        p = self.proxy_with(name="xa-bank")
        stop = threading.Event()
        acknowledged = set()
        attempts = [0]
        lock = threading.Lock()

        def client(n):
            rng = random.Random(n)
            conn = None
            seq = 0
            while not stop.is_set():
                if conn is None:
                    try:
                        conn = h.connect(p, db=LOGICAL)
                        h.query(conn, "SET SESSION innodb_lock_wait_timeout = 5")
                    except Exception:
                        conn = None
                        time.sleep(0.1)
                        continue
                seq += 1
                tid = n * 1000000 + seq
                src = rng.randrange(1, ACCOUNTS + 1, 2)       # odd: ds_1
                dst = rng.randrange(2, ACCOUNTS + 1, 2)       # even: ds_0
                if rng.random() < 0.5:
                    src, dst = dst, src
                with lock:
                    attempts[0] += 1
                try:
                    self.transfer(conn, src, dst, rng.randint(1, 50), tid)
                    with lock:
                        acknowledged.add(tid)
                except Exception:
                    try:
                        conn.close()
                    except Exception:
                        pass
                    conn = None

        threads = [threading.Thread(target=client, args=(n,)) for n in range(1, 9)]
        for t in threads:
            t.start()
        try:
            for _ in range(kills):
                time.sleep(seconds / (kills + 1))
                p._kill()   # SIGKILL, in the middle of whatever the clients were doing
                p.start()
            time.sleep(seconds / (kills + 1))
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        self.wait_no_prepared()
        accounts = dict(self.all_rows("t_account"))
        ledger = self.all_rows("t_ledger")
        self.assertEqual(sum(accounts.values()), ACCOUNTS * START_BALANCE, "money made or lost")
        by_transfer = {}
        for _, account, transfer, amount in ledger:
            by_transfer.setdefault(transfer, []).append((account, amount))
        half = [t for t, sides in by_transfer.items() if len(sides) != 2 or sum(a for _, a in sides) != 0]
        self.assertEqual(half, [], "transfers with one side only")
        missing = sorted(acknowledged - set(by_transfer))
        self.assertEqual(missing, [], "acknowledged transfers not on both sides")
        for account, balance in accounts.items():
            moved = sum(a for acc, a in (s for sides in by_transfer.values() for s in sides) if acc == account)
            self.assertEqual(balance, START_BALANCE + moved, "account %d" % account)
        self.assertGreater(len(acknowledged), 20, "too few transfers to mean anything")
        h.log("bank: %d attempts, %d acknowledged, %d in the ledger, %d proxy kills"
              % (attempts[0], len(acknowledged), len(by_transfer), kills))


class XaOneServerTest(XaCrashBase):
    """Both data sources on one server, each with its own account (the harness's default): XA
    RECOVER lists the server's branches to either account, so recovery asks the server once and
    settles each branch once."""
    NAME = "xaone"

    @classmethod
    def setUpClass(cls):
        port = h.cluster_ports()[0]
        cls.sources = cls.make_sources([port, port])

    def test_killed_after_decision_commits_each_branch_once(self):
        log = self.crash_then_recover("xa-after-log", expect_committed=True, prepared_before=2).log()
        self.assertEqual(len(re.findall(r"XA recovery: committed branch", log)), 2, log)
        self.assertNotIn("failed on", log)


if __name__ == "__main__":
    h.main()
