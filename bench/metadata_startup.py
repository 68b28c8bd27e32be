#!/usr/bin/env python3
"""Start-up time of the logical table metadata: how long the proxy takes to read the definitions
of N logical tables (default 1,000), each sharded over 2 data sources x 2 tables (4 actual tables
per logical table, 4,000 in all), from two MariaDB servers.

    /usr/bin/python3 bench/metadata_startup.py [N]

Starts two MariaDB servers (scripts/mariadb-cluster.sh, in .work/bench-metadata), creates the
actual tables directly on them (each with a primary key, a unique and a plain index, seven
columns), writes a configuration with one !SHARDING table rule per logical table, then starts
build/shardproxy three times and prints what each start logged ("definitions of N logical tables
read in X ms"), the time until the port accepted connections, and checks through the proxy that
an INSERT without a column list into the last table works (its columns came from the metadata).
The servers are stopped at the end.
"""

import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
CLUSTER_DIR = os.path.join(ROOT, ".work", "bench-metadata")
os.environ["SHARDPROXY_CLUSTER_ENV"] = os.path.join(CLUSTER_DIR, "cluster.env")

import harness as h  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
ACTUAL = ("bench_meta_ds0", "bench_meta_ds1")
TABLE = ("CREATE TABLE {name} (id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, "
         "code VARCHAR(32) NOT NULL, amount DECIMAL(12,2) NOT NULL DEFAULT 0, note TEXT, "
         "created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, flag TINYINT, "
         "UNIQUE KEY uk_code (code), KEY idx_user (user_id))")


def main():
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "mariadb-cluster.sh"), "start", "2",
                    CLUSTER_DIR], check=True, stdout=subprocess.DEVNULL)
    try:
        ports = h.cluster_ports()[:2]
        with h.actual_databases(list(zip(ports, ACTUAL))):
            started = time.monotonic()
            for port, actual in zip(ports, ACTUAL):
                c = h.direct(port, actual, autocommit=True)
                with c.cursor() as cur:
                    for i in range(N):
                        for k in (0, 1):
                            cur.execute(TABLE.format(name="t%d_%d" % (i, k)))
                c.close()
            print("created %d actual tables in %.1f s" % (4 * N, time.monotonic() - started))
            sources = {"ds_0": (ports[0], ACTUAL[0]), "ds_1": (ports[1], ACTUAL[1])}
            db = h.database_yaml("meta_db", sources, rules=per_table(N))
            for run in range(3):
                proxy = h.Proxy(h.global_yaml(), {"meta_db": db}, name="metadata")
                t0 = time.monotonic()
                proxy.start()
                listening = time.monotonic() - t0
                m = re.search(r"definitions of (\d+) logical tables read in (\d+) ms", proxy.log())
                print("start %d: %s; listening after %.2f s" % (
                    run + 1, "read %s tables in %s ms" % m.groups() if m else "no metadata line",
                    listening))
                if run == 2:
                    c = h.connect(proxy, db="meta_db")
                    with c.cursor() as cur:
                        cur.execute("INSERT INTO t%d VALUES (3, 5, 'x', 1.5, NULL, NOW(), 1)" % (N - 1))
                        cur.execute("SELECT id, user_id, code FROM t%d" % (N - 1))
                        print("INSERT without a column list into t%d: %r" % (N - 1, cur.fetchall()))
                    c.close()
                proxy.close()
    finally:
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "mariadb-cluster.sh"), "stop",
                        CLUSTER_DIR], stdout=subprocess.DEVNULL)


def per_table(n):
    """One rule per logical table, each with its own inline algorithms for its table names."""
    out = ["- !SHARDING", "  tables:"]
    for i in range(n):
        out += ["    t%d:" % i, "      actualDataNodes: ds_${0..1}.t%d_${0..1}" % i,
                "      tableStrategy:", "        standard:", "          shardingColumn: id",
                "          shardingAlgorithmName: t%d_inline" % i]
    out += ["  defaultDatabaseStrategy:", "    standard:", "      shardingColumn: user_id",
            "      shardingAlgorithmName: db_inline", "  shardingAlgorithms:", "    db_inline:",
            "      type: INLINE", "      props:", "        algorithm-expression: ds_${user_id % 2}"]
    for i in range(n):
        out += ["    t%d_inline:" % i, "      type: INLINE", "      props:",
                "        algorithm-expression: t%d_${id %% 2}" % i]
    return "\n".join(out)


if __name__ == "__main__":
    main()
