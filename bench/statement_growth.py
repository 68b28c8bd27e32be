#!/usr/bin/python3
"""End-to-end cost of large statements: the same statement through the proxy (a table sharded
over two MariaDB servers) and on MariaDB directly (each shard in turn, the slower one counted),
for IN lists on the sharding key and on another column and for AND chains, at growing sizes.
Prints the times and the proxy/MariaDB ratio; asserts nothing.

    scripts/mariadb-cluster.sh start 2 .work/test-cluster
    SHARDPROXY_CLUSTER_ENV=.work/test-cluster/cluster.env /usr/bin/python3 bench/statement_growth.py [SIZE...]

SIZE defaults to 1000 10000 100000. The proxy binary is build/shardproxy (SHARDPROXY_BUILD_DIR).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import harness as h  # noqa: E402

LOGICAL = "growth_db"
ACTUAL = ("bench_growth_ds0", "bench_growth_ds1")
ROWS = 200_000
REPEAT = 3

RULES = """\
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
"""


def shapes(n):
    values = ", ".join(str(i * 7) for i in range(n))
    return [
        ("IN on sharding key", "SELECT COUNT(*), SUM(amount) FROM t_order WHERE id IN (%s)" % values),
        ("IN on other column", "SELECT COUNT(*), SUM(amount) FROM t_order WHERE amount IN (%s)" % values),
        ("AND chain", "SELECT COUNT(*) FROM t_order WHERE id = 7" +
         "".join(" AND amount <> %d" % (100000 + i) for i in range(1, n))),
    ]


def best(conn, sql):
    """The least time of REPEAT runs, and the rows."""
    times = []
    rows = None
    for _ in range(REPEAT):
        started = time.monotonic()
        rows = h.query(conn, sql)
        times.append(time.monotonic() - started)
    return min(times), rows


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 100000]
    ports = h.cluster_ports()[:2]
    with h.actual_databases(zip(ports, ACTUAL)):
        for k, (port, db) in enumerate(zip(ports, ACTUAL)):
            h.direct_exec(port, db,
                          "CREATE TABLE t_order (id BIGINT NOT NULL PRIMARY KEY, amount INT NOT NULL, "
                          "KEY (amount))",
                          "INSERT INTO t_order SELECT seq, seq %% 1000 FROM seq_0_to_%d WHERE seq %% 2 = %d"
                          % (ROWS - 1, k))
        sources = {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])}
        with h.Proxy(h.global_yaml(props={"sql-show": False}),
                     {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)},
                     name="statement-growth") as proxy:
            via = h.connect(proxy, db=LOGICAL, max_allowed_packet=64 << 20, read_timeout=600)
            direct = [h.direct(p, db, max_allowed_packet=64 << 20, read_timeout=600)
                      for p, db in zip(ports, ACTUAL)]
            print("%-20s %8s %10s %12s %12s %7s" % ("statement", "items", "bytes", "proxy", "MariaDB",
                                                     "ratio"))
            for n in sizes:
                for name, sql in shapes(n):
                    t_proxy, rows = best(via, sql)
                    t_direct = max(best(d, sql)[0] for d in direct)
                    print("%-20s %8d %10d %10.1fms %10.1fms %6.1fx   %s"
                          % (name, n, len(sql), t_proxy * 1e3, t_direct * 1e3, t_proxy / t_direct,
                             rows[0]))
                    sys.stdout.flush()
            via.close()
            for d in direct:
                d.close()


if __name__ == "__main__":
    main()
