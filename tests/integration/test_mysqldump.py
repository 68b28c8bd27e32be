"""mariadb-dump round trip through the proxy on a sharded logical database.

dump_src and dump_dst have the same rules over their own actual databases on both servers:
t_order and t_order_item sharded (user_id % 2, order_id % 2, bound), t_address broadcast,
t_single a single table. dump_src holds rows in every shard (NULLs, quotes, backslashes, accents
and emoji among them). For each mode (default: LOCK TABLES; --single-transaction;
--lock-all-tables: FLUSH TABLES WITH READ LOCK; --skip-lock-tables) the test dumps dump_src
through the proxy, checks the dump (exit 0, every row of every logical table once, no physical
name anywhere), reloads it through the proxy into dump_dst as mariadb-dump wrote it (the mariadb
client, and once as one multi-statement batch), and compares each logical table's rows in order,
by checksum, with dump_src's, and each actual table's row count with dump_src's (the rows went
where the rules place them).
"""
# ctest-labels: slow

import hashlib
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

SRC, DST = "dump_src", "dump_dst"
ACTUAL = {SRC: ("it_dump_src0", "it_dump_src1"), DST: ("it_dump_dst0", "it_dump_dst1")}
TABLES = {  # logical table -> ORDER BY of a full read
    "t_order": "order_id",
    "t_order_item": "order_item_id",
    "t_address": "address_id",
    "t_single": "id",
}
PHYSICAL = re.compile(r"it_dump_|t_order_\d|t_order_item_\d")

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
    t_order_item:
      actualDataNodes: ds_${0..1}.t_order_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_item_inline
  bindingTables:
    - t_order,t_order_item
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
    t_order_item_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_item_${order_id % 2}
- !BROADCAST
  tables:
    - t_address
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_0
"""

ORDER = ("CREATE TABLE {t} (order_id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, "
         "status VARCHAR(32), note TEXT, amount DECIMAL(10,2) NOT NULL DEFAULT 0, "
         "KEY idx_user (user_id)) DEFAULT CHARSET=utf8mb4")
ITEM = ("CREATE TABLE {t} (order_item_id BIGINT NOT NULL PRIMARY KEY, order_id BIGINT NOT NULL, "
        "user_id INT NOT NULL, quantity INT) DEFAULT CHARSET=utf8mb4")
ADDRESS = ("CREATE TABLE t_address (address_id BIGINT NOT NULL PRIMARY KEY, address_name VARCHAR(64)) "
           "DEFAULT CHARSET=utf8mb4")
SINGLE = "CREATE TABLE t_single (id INT NOT NULL PRIMARY KEY, label VARCHAR(32)) DEFAULT CHARSET=utf8mb4"

NOTES = [None, "plain", "it's \"quoted\"", "back\\slash", "café ☕ 😀", "line\nbreak"]
ORDERS = [(u * 100 + o, u, "NEW" if o % 3 else "PAID", NOTES[(u + o) % len(NOTES)], "%d.%02d" % (o, u))
          for u in range(6) for o in range(7)]
ITEMS = [(u * 1000 + o * 10 + k, u * 100 + o, u, None if k == 2 else k)
         for u in range(6) for o in range(7) for k in range(3)]
ADDRESSES = [(i, "street %d" % i) for i in range(1, 6)]
SINGLES = [(i, None if i == 3 else "label-%d" % i) for i in range(1, 9)]
DATA = {"t_order": ORDERS, "t_order_item": ITEMS, "t_address": ADDRESSES, "t_single": SINGLES}


def checksum(rows):
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(str(v) if v is not None else None for v in row)).encode())
    return digest.hexdigest()[:16]


class MysqldumpTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        ports = h.cluster_ports()[:2]
        specs = [(p, a) for db in (SRC, DST) for p, a in zip(ports, ACTUAL[db])]
        cls.enterClassContext(h.actual_databases(specs))
        for i, (port, actual) in enumerate(zip(ports, ACTUAL[SRC])):
            statements = [ADDRESS] + [ORDER.format(t="t_order_%d" % k) for k in (0, 1)] + \
                [ITEM.format(t="t_order_item_%d" % k) for k in (0, 1)]
            if i == 0:
                statements.append(SINGLE)
            h.direct_exec(port, actual, *statements)
        # --lock-all-tables: FLUSH TABLES [WITH READ LOCK] needs RELOAD (README: Backend accounts);
        # the dump connects without a database, so it runs on every logical database's data sources
        for port, actual in specs:
            user, _ = h.backend_account(actual)
            h.direct_exec(port, None, "GRANT RELOAD ON *.* TO '%s'@'%s'" % (user, h.BACKEND_HOST))
        databases = {db: h.database_yaml(db, {"ds_0": (ports[0], ACTUAL[db][0]),
                                              "ds_1": (ports[1], ACTUAL[db][1])}, rules=RULES)
                     for db in (SRC, DST)}
        cls.proxy = h.Proxy(databases=databases).start()
        cls.addClassCleanup(cls.proxy.close)
        c = h.connect(cls.proxy, db=SRC)
        try:
            with c.cursor() as cur:
                for table, rows in DATA.items():
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cur.executemany("INSERT INTO %s VALUES (%s)" % (table, marks), rows)
            cls.source = {t: cls.rows(c, t) for t in TABLES}
        finally:
            c.close()
        # rows in several shards of each sharded table
        for port, actual in zip(ports, ACTUAL[SRC]):
            for k in (0, 1):
                n = h.query(h.direct(port, actual), "SELECT COUNT(*) FROM t_order_%d" % k)[0][0]
                assert n > 0, (actual, k)

    @staticmethod
    def rows(conn, table):
        return h.query(conn, "SELECT * FROM %s ORDER BY %s" % (table, TABLES[table]))

    def dump(self, *options):
        cmd = ["mariadb-dump", "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P%d" % self.proxy.port,
               "-uroot", "-proot"] + list(options) + [SRC]
        started = time.monotonic()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        print("mariadb-dump %s: exit %d, %d bytes in %.2f s" % (" ".join(options), r.returncode,
                                                               len(r.stdout), time.monotonic() - started))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "")
        return r.stdout

    def check_dump(self, text):
        physical = PHYSICAL.findall(text)
        self.assertEqual(physical, [], "physical names in the dump")
        for table, rows in DATA.items():
            self.assertEqual(len(re.findall(r"^CREATE TABLE `%s` \(" % table, text, re.M)), 1, table)
            # extended INSERTs without a column list (a tuple per line): each row once
            inserts = re.findall(r"^INSERT INTO `%s` VALUES\n((?:\(.*\)[,;]\n)+)" % table, text, re.M)
            self.assertTrue(inserts, table)
            tuples = sum(block.count("\n") for block in inserts)
            self.assertEqual(tuples, len(rows), table)

    def reload(self, text, batch=False):
        conn = h.connect(self.proxy, db=DST)
        try:
            with conn.cursor() as cur:
                for table in TABLES:
                    cur.execute("DROP TABLE IF EXISTS %s" % table)
        finally:
            conn.close()
        if batch:
            # the whole dump as one multi-statement batch
            conn = h.connect(self.proxy, db=DST, client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
            try:
                with conn.cursor() as cur:
                    cur.execute(text)
                    while cur.nextset():
                        pass
            finally:
                conn.close()
        else:
            r = h.mariadb_cli(self.proxy.port, ["--default-character-set=utf8mb4"], input=text, db=DST,
                              timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
        ports = h.cluster_ports()[:2]
        for port, src, dst in zip(ports, ACTUAL[SRC], ACTUAL[DST]):
            for table in ("t_order_0", "t_order_1", "t_order_item_0", "t_order_item_1", "t_address"):
                count = "SELECT COUNT(*) FROM %s" % table
                self.assertEqual(h.query(h.direct(port, dst), count), h.query(h.direct(port, src), count),
                                 (dst, table))
        conn = h.connect(self.proxy, db=DST)
        try:
            for table in TABLES:
                got = self.rows(conn, table)
                print("  %-13s %3d rows  source %s  reloaded %s" % (
                    table, len(got), checksum(self.source[table]), checksum(got)))
                self.assertEqual(checksum(got), checksum(self.source[table]), table)
                self.assertEqual(len(got), len(DATA[table]), table)
        finally:
            conn.close()

    def test_default_mode_lock_tables(self):
        text = self.dump()
        self.assertIn("LOCK TABLES `t_order` WRITE;", text)
        self.check_dump(text)
        self.reload(text)

    def test_single_transaction(self):
        text = self.dump("--single-transaction")
        self.check_dump(text)
        self.reload(text, batch=True)

    def test_lock_all_tables(self):
        # FLUSH TABLES WITH READ LOCK on every data source of the database, until the dump ends
        text = self.dump("--lock-all-tables")
        self.check_dump(text)
        self.reload(text)

    def test_skip_lock_tables(self):
        text = self.dump("--skip-lock-tables")
        self.check_dump(text)
        self.reload(text)


if __name__ == "__main__":
    h.main()
