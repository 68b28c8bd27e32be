#!/usr/bin/python3
"""Bank transfers across two shards, with and without the proxy's deadlock detection.

20 accounts (id % 2 picks the shard), 8 clients; each transfer is one transaction that updates
two random accounts in random order (so transactions on both servers deadlock across them), and
is retried after a deadlock (1213) or a lock wait timeout (1205). Each configuration runs
BANK_SECONDS (30) s with the servers' innodb_lock_wait_timeout (50 s by default), once with
proxy-deadlock-detection-milliseconds: 0 (what a proxy without detection does: each cycle lasts
until the timeout) and once with the default (500). Prints transfers/s, retries and the longest
transfer; the total of all balances is checked at the end.

  SHARDPROXY_CLUSTER_ENV=.work/test-cluster/cluster.env /usr/bin/python3 bench/bank_transfer.py

Without SHARDPROXY_CLUSTER_ENV a private 2-server cluster is started. Uses build/shardproxy and
tests/integration/harness.py. BANK_CLIENTS, BANK_ACCOUNTS, BANK_SECONDS, BANK_THRESHOLDS ("0,500")
change the set-up.
"""

import os
import random
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

CLIENTS = int(os.environ.get("BANK_CLIENTS", "8"))
ACCOUNTS = int(os.environ.get("BANK_ACCOUNTS", "20"))
SECONDS = float(os.environ.get("BANK_SECONDS", "30"))
THRESHOLDS = [int(t) for t in os.environ.get("BANK_THRESHOLDS", "0,500").split(",")]
START = 1000

RULES = """
- !SHARDING
  tables:
    account:
      actualDataNodes: ds_${0..1}.account
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


def run(threshold, actual):
    with h.Proxy(h.global_yaml(props={"proxy-deadlock-detection-milliseconds": threshold,
                                      "sql-show": False}),
                 {"bank": h.database_yaml("bank", actual, rules=RULES)}, workers=2,
                 name="bank-%d" % threshold) as proxy:
        setup = h.connect(proxy, db="bank")
        h.query(setup, "DELETE FROM account")
        for i in range(ACCOUNTS):
            h.query(setup, "INSERT INTO account VALUES (%d, %d)" % (i, START))
        lock = threading.Lock()
        stats = {"done": 0, "late": 0, "deadlocks": 0, "timeouts": 0, "max": 0.0, "other": []}
        deadline = time.monotonic() + SECONDS

        def client(seed):
            rng = random.Random(seed)
            c = h.connect(proxy, db="bank", read_timeout=120)
            try:
                while time.monotonic() < deadline:
                    a, b = rng.sample(range(ACCOUNTS), 2)
                    amount = rng.randint(1, 10)
                    t0 = time.monotonic()
                    while True:
                        try:
                            h.query(c, "BEGIN")
                            h.query(c, "UPDATE account SET balance = balance - %d WHERE id = %d" % (amount, a))
                            h.query(c, "UPDATE account SET balance = balance + %d WHERE id = %d" % (amount, b))
                            h.query(c, "COMMIT")
                            break
                        except pymysql.MySQLError as e:
                            code = e.args[0]
                            with lock:
                                if code == 1213:
                                    stats["deadlocks"] += 1
                                elif code == 1205:
                                    stats["timeouts"] += 1
                                else:
                                    stats["other"].append(repr(e))
                            try:
                                h.query(c, "ROLLBACK")
                            except pymysql.MySQLError:
                                pass
                            if code not in (1213, 1205):
                                return
                    took = time.monotonic() - t0
                    with lock:
                        if time.monotonic() <= deadline:
                            stats["done"] += 1
                        else:
                            stats["late"] += 1
                        stats["max"] = max(stats["max"], took)
            finally:
                c.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        total = h.query(setup, "SELECT SUM(balance) FROM account")[0][0]
        setup.close()
        assert int(total) == ACCOUNTS * START, "money made or lost: %s" % total
        print("proxy-deadlock-detection-milliseconds=%-4d  %6.1f transfers/s  (%d in %.0f s, %d after)"
              "  deadlocks 1213: %d  lock wait timeouts 1205: %d  max transfer latency %.2f s"
              "  (run took %.0f s)%s"
              % (threshold, stats["done"] / SECONDS, stats["done"], SECONDS, stats["late"],
                 stats["deadlocks"], stats["timeouts"], stats["max"], wall,
                 ("  other errors: %s" % stats["other"][:3]) if stats["other"] else ""))
        sys.stdout.flush()


def main():
    ports = h.cluster_ports()
    actual = {"ds_0": (ports[0], "bank_0"), "ds_1": (ports[1 % len(ports)], "bank_1")}
    with h.actual_databases(actual.values()):
        for port, name in actual.values():
            user, _ = h.backend_account(name)
            h.direct_exec(port, name, "CREATE TABLE account (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                          "GRANT PROCESS ON *.* TO '%s'@'%s'" % (user, h.BACKEND_HOST))
        print("%d clients, %d accounts over 2 shards, %.0f s per run" % (CLIENTS, ACCOUNTS, SECONDS))
        for threshold in THRESHOLDS:
            run(threshold, actual)


if __name__ == "__main__":
    main()
