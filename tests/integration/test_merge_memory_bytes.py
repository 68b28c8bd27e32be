"""Merges within a memory budget in bytes, on one worker shared by every session.

A GROUP BY of wide rows over 2 shards, merged in memory (ORDER BY differs from GROUP BY), with
proxy-merge-max-memory-bytes of 16 MiB: the statement gets 1038 within seconds, the proxy's
resident memory grows by a few times the budget at most and comes back down, a SELECT 1 on
another connection meanwhile answers at once, and the same session then runs a normal query.
A long merge that holds nothing (every group filtered by HAVING) does not keep the worker from
its other sessions either. With proxy-memory-limit, of two such statements at once the one that
reaches the process's limit gets 1041, and each runs alone afterwards; an open cursor's rows
count towards that limit until it closes, and a cursor past the statement's budget gets 1038.

The sanitizer pass (a build directory ending in -asan) checks everything but the RSS figures:
AddressSanitizer's quarantine holds freed memory.
"""
import os
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_prepared_protocol as pp  # noqa: E402  (COM_STMT_* helpers)

LOGICAL = "membytes_db"
ACTUAL = ("it_membytes_ds0", "it_membytes_ds1")
SANITIZED = os.environ.get("SHARDPROXY_BUILD_DIR", "").rstrip("/").endswith("-asan")
ROWS_PER_SHARD = 60_000 if SANITIZED else 150_000
PAD = 450
BUDGET = 16 << 20
PROCESS_LIMIT = 24 << 20

RULES = """\
- !SHARDING
  tables:
    t_wide:
      actualDataNodes: ds_${0..1}.t_wide
      databaseStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: by_id
  shardingAlgorithms:
    by_id:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 2}
        allow-range-query-with-inline-sharding: true
"""

# Every (id, pad) its own group, merged in memory: far more than the budget if it were held.
BIG_GROUP_BY = "SELECT id, pad, COUNT(*) FROM t_wide GROUP BY id, pad ORDER BY COUNT(*), id"


def sources():
    ports = h.cluster_ports()[:2]
    return {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])}


def one_worker_proxy(name, props):
    props = dict(props, **{"proxy-frontend-executor-size": 1, "sql-show": False})
    return h.Proxy(h.global_yaml(props=props), {LOGICAL: h.database_yaml(LOGICAL, sources(), rules=RULES)},
                   workers=1, name=name)


class Probe:
    """SELECT 1 on its own connection, over and over, until stopped: the slowest answer."""

    def __init__(self, proxy):
        self.conn = h.connect(proxy, db=LOGICAL)
        self.latencies = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            h.query(self.conn, "SELECT 1")
            self.latencies.append(time.monotonic() - t0)
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)
        self.conn.close()


class RssSampler(threading.Thread):
    def __init__(self, proxy):
        super().__init__()
        self.proxy = proxy
        self.peak = proxy.rss_kib()
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.peak = max(self.peak, self.proxy.rss_kib())
            time.sleep(0.005)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.halt.set()
        self.join(10)


class MergeMemoryBytesTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases(zip(ports, ACTUAL)))
        for k, (port, db) in enumerate(zip(ports, ACTUAL)):
            # ds_k holds the ids with id % 2 == k; g = id DIV 2 puts one row of each g on each shard.
            h.direct_exec(port, db,
                          "CREATE TABLE t_wide (id BIGINT NOT NULL PRIMARY KEY, g BIGINT NOT NULL, "
                          "pad VARCHAR(%d) NOT NULL, KEY (g))" % PAD,
                          "INSERT INTO t_wide SELECT seq * 2 + %d, seq, REPEAT(CHAR(97 + seq %% 26), %d) "
                          "FROM seq_0_to_%d" % (k, PAD, ROWS_PER_SHARD - 1))

    def test_statement_budget(self):
        with one_worker_proxy("membytes", {"proxy-merge-max-memory-bytes": "16M"}) as proxy:
            c = h.connect(proxy, db=LOGICAL, read_timeout=120)
            try:
                self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_wide"), ((2 * ROWS_PER_SHARD,),))
                # A merge within the budget works.
                rows = h.query(c, "SELECT id, pad, COUNT(*) FROM t_wide WHERE id < 1000 "
                                  "GROUP BY id, pad ORDER BY COUNT(*), id")
                self.assertEqual(len(rows), 1000)
                self.assertEqual(rows[7], (7, chr(97 + 3) * PAD, 1))
                before = proxy.rss_kib()
                with RssSampler(proxy) as rss, Probe(proxy) as probe:
                    time.sleep(0.05)
                    t0 = time.monotonic()
                    with self.assertRaises(h.pymysql.MySQLError) as cm:
                        h.query(c, BIG_GROUP_BY)
                    seconds = time.monotonic() - t0
                    time.sleep(0.1)
                self.assertMySQLError(cm.exception, 1038, prefix="Out of merge memory: more than %d bytes" % BUDGET)
                time.sleep(0.3)
                after = proxy.rss_kib()
                worst = max(probe.latencies)
                print("1038 after %.2f s; proxy RSS %d KiB before, %d KiB peak (+%d), %d KiB after (+%d); "
                      "SELECT 1 on another connection meanwhile: %d answers, slowest %.1f ms"
                      % (seconds, before, rss.peak, rss.peak - before, after, after - before,
                         len(probe.latencies), worst * 1000), file=sys.stderr)
                # Main read the whole GROUP BY (minutes for 4.5 GB) before its row limit.
                self.assertLess(seconds, 20)
                self.assertLess(worst, 1.0)
                if not SANITIZED:
                    self.assertLess(rss.peak - before, 4 * BUDGET // 1024)
                    self.assertLess(after - before, BUDGET // 1024)
                # The same session goes on, on clean backend connections.
                self.assertEqual(h.query(c, "SELECT COUNT(*), SUM(id) FROM t_wide WHERE id < 10"),
                                 ((10, 45),))
                self.assertEqual(len(h.query(c, "SELECT id, pad, COUNT(*) FROM t_wide WHERE id < 500 "
                                                "GROUP BY id, pad ORDER BY COUNT(*), id")), 500)
            finally:
                c.close()

    def test_long_merge_leaves_the_worker_to_others(self):
        # Every row of both shards goes through the merge (groups span the shards, HAVING is
        # merged in the proxy) and none comes out: nothing is written to the client meanwhile.
        with one_worker_proxy("membytes-yield", {}) as proxy:
            c = h.connect(proxy, db=LOGICAL, read_timeout=120)
            try:
                with Probe(proxy) as probe:
                    time.sleep(0.05)
                    t0 = time.monotonic()
                    rows = h.query(c, "SELECT g, COUNT(*), MAX(pad) FROM t_wide GROUP BY g "
                                      "HAVING COUNT(*) > 2")
                    seconds = time.monotonic() - t0
                self.assertEqual(rows, ())
                during = probe.latencies
                print("merge of %d rows read in %.2f s; SELECT 1 meanwhile: %d answers, slowest %.1f ms"
                      % (2 * ROWS_PER_SHARD, seconds, len(during), max(during) * 1000), file=sys.stderr)
                self.assertLess(max(during), 1.0)
                self.assertGreater(len(during), 1)
            finally:
                c.close()

    def test_process_limit(self):
        # Each statement alone holds about 19 MiB (within the process's 24 MiB, as the runs
        # alone show); two at once, interleaved on the one worker, pass it.
        sql = ("SELECT id, pad, COUNT(*) FROM t_wide WHERE id < %d GROUP BY id, pad "
               "ORDER BY COUNT(*), id")
        limit = 9_000
        props = {"proxy-merge-max-memory-bytes": "64M", "proxy-memory-limit": PROCESS_LIMIT}
        with one_worker_proxy("membytes-process", props) as proxy:
            conns = [h.connect(proxy, db=LOGICAL, read_timeout=120) for _ in range(2)]
            try:
                for c in conns:
                    self.assertEqual(len(h.query(c, sql % limit)), limit)
                errors = []
                # The two must overlap; on a loaded machine one may finish before the other
                # starts, so a few tries.
                for attempt in range(3):
                    outcome = [None, None]
                    start = threading.Barrier(2)

                    def run(i):
                        start.wait()
                        try:
                            outcome[i] = len(h.query(conns[i], sql % limit))
                        except h.pymysql.MySQLError as e:
                            outcome[i] = e

                    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join(60)
                    print("two statements at once under proxy-memory-limit %d (try %d): %r"
                          % (PROCESS_LIMIT, attempt + 1, outcome), file=sys.stderr)
                    for o in outcome:
                        if not isinstance(o, Exception):
                            self.assertEqual(o, limit)
                    errors = [o for o in outcome if isinstance(o, Exception)]
                    if errors:
                        break
                self.assertGreaterEqual(len(errors), 1)
                for e in errors:
                    self.assertMySQLError(e, 1041, prefix="Out of memory: the proxy's statements hold")
                # What they held went back: each runs alone again.
                for c in conns:
                    self.assertEqual(len(h.query(c, sql % limit)), limit)
            finally:
                for c in conns:
                    c.close()

    def test_cursor_rows_count(self):
        # A cursor's rows are held by the proxy until it closes: within the statement's budget,
        # and counted in the process's memory meanwhile.
        sql = ("SELECT id, pad, COUNT(*) FROM t_wide WHERE id < 6000 GROUP BY id, pad "
               "ORDER BY COUNT(*), id")
        props = {"proxy-merge-max-memory-bytes": "16M", "proxy-memory-limit": PROCESS_LIMIT}
        with one_worker_proxy("membytes-cursor", props) as proxy:
            raw = h.raw_client(proxy.port, db=LOGICAL)
            other = h.connect(proxy, db=LOGICAL, read_timeout=120)
            try:
                s = pp.prepare(raw, "SELECT id, pad FROM t_wide WHERE id < ? ORDER BY id")
                # Every row of the table: past the statement's 16 MiB.
                res = pp.execute(raw, s, [(pp.T_LONGLONG, False, 2 * ROWS_PER_SHARD)], flags=1)
                self.assertMySQLError(res, 1038, prefix="Out of merge memory: more than %d bytes" % BUDGET)
                # About 15 MiB of rows: the cursor opens and holds them.
                res = pp.execute(raw, s, [(pp.T_LONGLONG, False, 28_000)], flags=1)
                self.assertNotEqual(res.kind, "err", getattr(res, "message", ""))
                self.assertTrue(res.status & pp.CURSOR_EXISTS)
                # Meanwhile a merge that fits alone (about 13 MiB) passes the process's limit.
                with self.assertRaises(h.pymysql.MySQLError) as cm:
                    h.query(other, sql)
                self.assertMySQLError(cm.exception, 1041, prefix="Out of memory")
                raw.send_command(pp.COM_STMT_FETCH, struct.pack("<II", s.id, 2))
                part = h.Result("rs")
                part.columns = res.columns
                part = pp.read_rows(raw, part)
                self.assertEqual([r[0] for r in part.rows], [0, 1])
                # Closed, the cursor's memory is the others' again.
                raw.send_command(pp.COM_STMT_CLOSE, struct.pack("<I", s.id))
                self.assertEqual(len(h.query(other, sql)), 6000)
            finally:
                raw.close()
                other.close()


if __name__ == "__main__":
    h.main()
