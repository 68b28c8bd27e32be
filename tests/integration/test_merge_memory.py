"""A 2-shard ORDER BY SELECT of 5 million rows streams through the proxy: every row arrives in
order and the proxy's resident memory grows by less than 64 MiB.

The rows are made on the servers with the sequence engine (seconds), read through the proxy by
the mariadb client in --quick mode (no buffering on its side) and checked as they arrive. The
sanitizer pass (a build directory ending in -asan) reads a tenth of the rows and checks them,
but not the memory: AddressSanitizer's quarantine holds freed memory.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

LOGICAL = "merge_db"
ACTUAL = ("it_memt_ds0", "it_memt_ds1")
SANITIZED = os.environ.get("SHARDPROXY_BUILD_DIR", "").rstrip("/").endswith("-asan")
ROWS = 500_000 if SANITIZED else 5_000_000
GROWTH_LIMIT_KIB = 64 * 1024

RULES = """\
- !SHARDING
  tables:
    t_big:
      actualDataNodes: ds_${0..1}.t_big
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


def rss_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s for pid %d" % (field, pid))


class MergeMemoryTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases(zip(ports, ACTUAL)))
        half = ROWS // 2
        for k, (port, db) in enumerate(zip(ports, ACTUAL)):
            # ds_k holds the ids with id % 2 == k.
            h.direct_exec(port, db,
                          "CREATE TABLE t_big (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(24) NOT NULL)",
                          "INSERT INTO t_big SELECT seq * 2 + %d, CONCAT('row-', seq * 2 + %d) "
                          "FROM seq_0_to_%d" % (k, k, half - 1))
        sources = {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(props={"sql-show": False}),
            {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="merge-memory"))

    def test_ordered_select_streams_in_bounded_memory(self):
        pid = self.proxy.proc.pid
        # Warm up the session, pools and statement cache, then take the baseline.
        warm = h.mariadb_cli(self.proxy.port, ["--quick", "-N", "-e", "SELECT id FROM t_big ORDER BY id LIMIT 10"],
                             db=LOGICAL)
        self.assertEqual(warm.returncode, 0, warm.stderr)
        self.assertEqual(warm.stdout.split(), [str(i) for i in range(10)])
        before = rss_kib(pid, "VmRSS")
        cmd = [h.MARIADB_CLI, "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P%d" % self.proxy.port,
               "-uroot", "-proot", "--quick", "-N", "-e", "SELECT id, v FROM t_big ORDER BY id", LOGICAL]
        started = time.monotonic()
        peak = before
        count = 0
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
            for line in p.stdout:
                ident, value = line.rstrip("\n").split("\t")
                # Every row, in order, with its own value.
                if int(ident) != count or value != "row-%d" % count:
                    p.kill()
                    self.fail("row %d: got %r" % (count, line))
                count += 1
                if count % 200_000 == 0:
                    peak = max(peak, rss_kib(pid, "VmRSS"))
            stderr = p.stderr.read()
        self.assertEqual(p.returncode, 0, stderr)
        self.assertEqual(count, ROWS)
        peak = max(peak, rss_kib(pid, "VmRSS"))
        seconds = time.monotonic() - started
        print("merged %d rows from 2 shards in %.1f s; proxy RSS %d KiB before, %d KiB peak (+%d KiB)"
              % (ROWS, seconds, before, peak, peak - before), file=sys.stderr)
        # AddressSanitizer keeps freed memory in quarantine (256 MiB by default): RSS says
        # nothing about the proxy there, so only the uninstrumented build is held to the bound.
        if not SANITIZED:
            self.assertLess(peak - before, GROWTH_LIMIT_KIB)
        self.assertTrue(self.proxy.alive())

    def test_memory_merges_stop_at_the_configured_bound(self):
        # GROUP BY merged in memory (ORDER BY differs from GROUP BY): past
        # proxy-merge-max-memory-rows groups the statement fails cleanly, the session goes on.
        sources = {"ds_0": (h.cluster_ports()[0], ACTUAL[0]), "ds_1": (h.cluster_ports()[1], ACTUAL[1])}
        with h.Proxy(h.global_yaml(props={"proxy-merge-max-memory-rows": 1000}),
                     {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="merge-bound") as small:
            c = h.connect(small, db=LOGICAL)
            try:
                self.assertEqual(h.query(c, "SELECT v, COUNT(*) FROM t_big WHERE id < 1000 GROUP BY v "
                                            "ORDER BY COUNT(*), v LIMIT 1"), (("row-0", 1),))
                with self.assertRaises(h.pymysql.MySQLError) as cm:
                    h.query(c, "SELECT v, COUNT(*) FROM t_big WHERE id < 1002 GROUP BY v ORDER BY COUNT(*), v")
                self.assertMySQLError(cm.exception, 1038, prefix="Out of merge memory: more than 1000 rows")
                self.assertEqual(h.query(c, "SELECT COUNT(*) FROM t_big"), ((ROWS,),))
            finally:
                c.close()

    def test_kill_query_stops_every_shard(self):
        # Each shard sleeps 3 s per matching row: KILL QUERY must stop both at once.
        import threading
        victim = h.connect(self.proxy, db=LOGICAL, read_timeout=30)
        killer = h.connect(self.proxy, db=LOGICAL)
        outcome = {}

        def run():
            t0 = time.monotonic()
            try:
                outcome["rows"] = h.query(victim, "SELECT id FROM t_big WHERE id < 4 AND SLEEP(3) = 0 ORDER BY id")
            except h.pymysql.MySQLError as e:
                outcome["error"] = e.args[0]
            outcome["seconds"] = time.monotonic() - t0

        try:
            th = threading.Thread(target=run)
            th.start()
            time.sleep(1.0)
            h.query(killer, "KILL QUERY %d" % victim.thread_id())
            th.join(20)
            self.assertFalse(th.is_alive())
            self.assertLess(outcome["seconds"], 4.5, outcome)   # not the 6 s each shard would take
            # no shard is still running it
            for port in h.cluster_ports()[:2]:
                procs = h.direct(port, None)
                try:
                    running = [r for r in h.query(procs, "SHOW FULL PROCESSLIST") if r[7] and "SLEEP(3)" in r[7]]
                finally:
                    procs.close()
                self.assertEqual(running, [])
            self.assertEqual(h.query(victim, "SELECT COUNT(*) FROM t_big WHERE id < 4"), ((4,),))
        finally:
            victim.close()
            killer.close()


if __name__ == "__main__":
    h.main()
