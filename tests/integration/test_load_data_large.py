"""LOAD DATA LOCAL INFILE of a 1-million-row file (about 80 MB) into a sharded table through the
proxy, and of the same file straight into MariaDB: both times and their ratio printed, the proxy's
peak resident size (VmHWM) before and after printed. The proxy streams the file (rows cut as
packets arrive, bounded INSERT batches per actual table), so its peak may grow by far less than
the file: asserted below half of it. The loaded table must equal the reference's (count and
sums); no timing is asserted.
"""
# ctest-labels: slow

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

LOGICAL = "load_big"
ACTUAL = ("it_loadbig_ds0", "it_loadbig_ds1")
REFERENCE = "it_loadbig_ref"
DATA_SOURCES = ("ds_0", "ds_1")
ROWS = 1_000_000

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: database_inline
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    t_order_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
"""
DDL = ("(order_id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, status VARCHAR(32), "
       "note VARCHAR(64), amount DECIMAL(10,2), created DATETIME)")
SQL = ("LOAD DATA LOCAL INFILE '%s' INTO TABLE t_order FIELDS TERMINATED BY ',' "
       "OPTIONALLY ENCLOSED BY '\"'")
CHECK = "SELECT COUNT(*), SUM(order_id), SUM(user_id), SUM(amount), SUM(LENGTH(note)) FROM t_order"


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU time the process has used."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LoadDataLargeTest(h.TestCase):
    def test_million_rows(self):
        ports = h.cluster_ports()[:2]
        self.enterContext(h.actual_databases(list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE)]))
        for port, actual in zip(ports, ACTUAL):
            h.direct_exec(port, actual, *["CREATE TABLE t_order_%d %s" % (i, DDL) for i in (0, 1)])
        h.direct_exec(ports[0], REFERENCE, "CREATE TABLE t_order %s" % DDL)
        sources = {ds: (port, actual) for ds, port, actual in zip(DATA_SOURCES, ports, ACTUAL)}
        proxy = self.enterContext(h.Proxy(
            h.global_yaml(props={"sql-show": False}),
            {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="load_big"))

        tmp = tempfile.mkdtemp(prefix="load_big_")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "orders.csv")
        started = time.monotonic()
        with open(path, "wb") as f:
            chunk = []
            for i in range(1, ROWS + 1):
                chunk.append(b'%d,%d,"status-%d","note for order %d, some text",%d.%02d,'
                             b'2024-%02d-%02d 12:34:56\n'
                             % (i, i * 7 % 100003, i % 13, i, i % 100000, i % 100, i % 12 + 1, i % 28 + 1))
                if len(chunk) == 50000:
                    f.write(b"".join(chunk))
                    chunk = []
            f.write(b"".join(chunk))
        size = os.path.getsize(path)
        print("file: %d rows, %.1f MB, written in %.1f s" % (ROWS, size / 1e6, time.monotonic() - started))

        c = h.connect(proxy, db=LOGICAL, local_infile=True, read_timeout=1200)
        self.addCleanup(c.close)
        before = vm_hwm_kib(proxy.proc.pid)
        cpu_before = cpu_seconds(proxy.proc.pid)
        started = time.monotonic()
        with c.cursor() as cur:
            cur.execute(SQL % path)
            info = cur._result.message[1:]  # (pymysql keeps the info's length byte)
        through_proxy = time.monotonic() - started
        after = vm_hwm_kib(proxy.proc.pid)
        proxy_cpu = cpu_seconds(proxy.proc.pid) - cpu_before

        ref = h.direct(ports[0], REFERENCE, local_infile=True, read_timeout=1200)
        self.addCleanup(ref.close)
        started = time.monotonic()
        with ref.cursor() as cur:
            cur.execute(SQL % path)
            ref_info = cur._result.message[1:]
        direct = time.monotonic() - started

        growth = after - before
        print("LOAD DATA LOCAL of %d rows (%.1f MB): through the proxy %.2f s (%s), straight into "
              "MariaDB %.2f s (%s): ratio %.2fx"
              % (ROWS, size / 1e6, through_proxy, info, direct, ref_info, through_proxy / direct))
        print("proxy CPU during the load: %.2f s (%.1f us per row)" % (proxy_cpu, proxy_cpu * 1e6 / ROWS))
        print("proxy peak RSS (VmHWM): %.1f MB before, %.1f MB after: grew %.1f MB for a %.1f MB file"
              % (before / 1024, after / 1024, growth / 1024, size / 1e6))
        self.assertEqual(info, ref_info)
        self.assertEqual(h.query(c, CHECK), h.query(ref, CHECK))
        self.assertEqual(h.query(c, CHECK)[0][0], ROWS)
        self.assertLess(growth * 1024, size / 2)


if __name__ == "__main__":
    h.main()
