"""A small shop schema on a sharded logical database and the same tables unsharded in a reference
MariaDB database of the same name: the fixture of the tests that compare what tools see through
the proxy with what they see on MariaDB (test_information_schema.py, test_tool_*.py).

ShopFixture (a TestCase base) makes, for a test class with PREFIX = "p":

* logical database p_shop on two data sources (p_ds0 on the first server, p_ds1 on the second):
  shop_order, sharded 2 x 2 by user_id / order_id, with a primary key, a unique and a secondary
  index and a table comment; shop_order_item, its binding table, with a foreign key to it (the
  actual tables pair by suffix, so the key holds on each data node); shop_dict, a broadcast
  table; shop_note, a single table on ds_0 with a view (shop_note_v), a trigger (shop_note_bi), a
  function (shop_double) and a procedure (shop_count). Sharded and broadcast tables are created
  through the proxy; the single table and its objects on ds_0 by the backend account (so it is
  their definer, as when they are created through the proxy);
* logical database p_other (one single table other_t), which the user `shopper` may not use;
* the reference database p_shop on the second server with the same tables and rows. Its objects
  are made by an account of the same name as ds_0's backend account, so DEFINER columns agree;
  that account exists on the second server for the reference database only, and the proxy never
  connects there with it, so nothing the proxy sends can read the reference.

Users of the proxy: root/root (admin, every database), shopper/shopper (p_shop only).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

TABLES = ("shop_order", "shop_order_item", "shop_dict", "shop_note", "shop_note_v")
BASE_TABLES = ("shop_order", "shop_order_item", "shop_dict", "shop_note")

RULES = """
- !SHARDING
  tables:
    shop_order:
      actualDataNodes: ds_${0..1}.shop_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: order_table
    shop_order_item:
      actualDataNodes: ds_${0..1}.shop_order_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: order_item_table
  bindingTables:
    - shop_order,shop_order_item
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: by_user
  defaultTableStrategy:
    none:
  shardingAlgorithms:
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    order_table:
      type: INLINE
      props:
        algorithm-expression: shop_order_${order_id % 2}
    order_item_table:
      type: INLINE
      props:
        algorithm-expression: shop_order_item_${order_id % 2}
- !BROADCAST
  tables:
    - shop_dict
- !SINGLE
  tables:
    - "*.*"
"""

# Through the proxy (and on the reference, with the same text).
SHARDED_DDL = [
    "CREATE TABLE shop_order (order_id BIGINT NOT NULL, user_id INT NOT NULL, "
    "order_no VARCHAR(32) NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'NEW', "
    "amount DECIMAL(10,2) NULL, created DATETIME NULL, PRIMARY KEY (order_id), "
    "UNIQUE KEY uk_order_no (order_no), KEY idx_user_status (user_id, status)) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='orders'",
    "CREATE TABLE shop_order_item (item_id BIGINT NOT NULL, order_id BIGINT NOT NULL, "
    "user_id INT NOT NULL, sku VARCHAR(20) NOT NULL, qty INT UNSIGNED NOT NULL DEFAULT 1, "
    "PRIMARY KEY (item_id), KEY idx_order (order_id), "
    "CONSTRAINT fk_item_order FOREIGN KEY (order_id) REFERENCES shop_order (order_id) "
    "ON DELETE CASCADE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE shop_dict (code VARCHAR(8) NOT NULL, label VARCHAR(64) NOT NULL, "
    "PRIMARY KEY (code)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
]
# On the first data source (and on the reference), as DEFINER.
SINGLE_DDL = [
    "CREATE TABLE shop_note (id INT NOT NULL AUTO_INCREMENT, note VARCHAR(200) NULL, "
    "created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id), KEY idx_created "
    "(created)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE VIEW shop_note_v AS SELECT id, note FROM shop_note WHERE note IS NOT NULL",
    "CREATE TRIGGER shop_note_bi BEFORE INSERT ON shop_note FOR EACH ROW "
    "SET NEW.note = TRIM(NEW.note)",
    "CREATE FUNCTION shop_double(x INT) RETURNS INT DETERMINISTIC NO SQL RETURN x * 2",
    "CREATE PROCEDURE shop_count(OUT n INT) READS SQL DATA SELECT COUNT(*) INTO n FROM shop_note",
]
ROWS_ORDERS = 24
ITEMS_PER_ORDER = 2


def data_statements():
    out = ["INSERT INTO shop_dict (code, label) VALUES ('NEW', 'new'), ('PAID', 'paid'), "
           "('SENT', 'sent')"]
    for i in range(1, ROWS_ORDERS + 1):
        user = 10 + i % 5
        out.append("INSERT INTO shop_order (order_id, user_id, order_no, status, amount, created) "
                   "VALUES (%d, %d, 'NO-%04d', '%s', %d.50, '2024-01-%02d 10:00:00')"
                   % (1000 + i, user, i, ("NEW", "PAID", "SENT")[i % 3], i * 3, 1 + i % 28))
        for k in range(ITEMS_PER_ORDER):
            out.append("INSERT INTO shop_order_item (item_id, order_id, user_id, sku, qty) "
                       "VALUES (%d, %d, %d, 'SKU-%d', %d)"
                       % (i * 10 + k, 1000 + i, user, k, k + 1))
    return out


NOTE_ROWS = ["INSERT INTO shop_note (note) VALUES (' first '), ('second'), (NULL)"]


class ShopFixture(h.TestCase):
    PREFIX = None          # set by the test class: names of its databases start with it
    PROXY_NAME = "shop"
    PROXY_PROPS = None     # more props for the proxy's global.yaml
    RULES = RULES          # the logical database's rules (a test may add tables)

    @classmethod
    def names(cls):
        p = cls.PREFIX
        return {"logical": p + "_shop", "other": p + "_other", "actual": (p + "_ds0", p + "_ds1"),
                "other_actual": p + "_other_ds"}

    @classmethod
    def setUpClass(cls):
        n = cls.names()
        cls.LOGICAL, cls.OTHER = n["logical"], n["other"]
        cls.ACTUAL, cls.OTHER_ACTUAL = n["actual"], n["other_actual"]
        cls.DEFINER = h.backend_account(cls.ACTUAL[0])
        ports = h.cluster_ports()[:2]
        cls.ports = ports
        cls.ref_port = ports[1]
        cls.enterClassContext(h.actual_databases([(ports[0], cls.ACTUAL[0]), (ports[1], cls.ACTUAL[1]),
                                                  (ports[0], cls.OTHER_ACTUAL)]))
        cls.addClassCleanup(cls._drop_reference)
        cls._make_reference()
        c = h.direct(ports[0], cls.ACTUAL[0], user=cls.DEFINER[0], password=cls.DEFINER[1])
        try:
            with c.cursor() as cur:
                for s in SINGLE_DDL + NOTE_ROWS:
                    cur.execute(s)
        finally:
            c.close()
        h.direct_exec(ports[0], cls.OTHER_ACTUAL, "CREATE TABLE other_t (id INT PRIMARY KEY)")
        sources = {"ds_0": (ports[0], cls.ACTUAL[0]), "ds_1": (ports[1], cls.ACTUAL[1])}
        users = [{"user": "root@%", "password": "root", "admin": True},
                 {"user": "shopper@%", "password": "shopper"}]
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(users=users, mappings="root@%%=*, shopper@%%=%s" % cls.LOGICAL,
                          props=cls.PROXY_PROPS),
            {cls.LOGICAL: h.database_yaml(cls.LOGICAL, sources, rules=cls.RULES),
             cls.OTHER: h.database_yaml(cls.OTHER, {"ds_0": (ports[0], cls.OTHER_ACTUAL)})},
            name=cls.PROXY_NAME))
        pc = h.connect(cls.proxy, db=cls.LOGICAL)
        try:
            with pc.cursor() as cur:
                for s in SHARDED_DDL + data_statements():
                    cur.execute(s)
        finally:
            pc.close()
        cls.proxy_conn = h.connect(cls.proxy, db=cls.LOGICAL)
        cls.ref_conn = h.direct(cls.ref_port, cls.LOGICAL)

    @classmethod
    def tearDownClass(cls):
        for c in (getattr(cls, "proxy_conn", None), getattr(cls, "ref_conn", None)):
            if c is not None:
                try:
                    c.close()
                except Exception:  # noqa: BLE001
                    pass
        super().tearDownClass()

    @classmethod
    def _make_reference(cls):
        port = cls.ref_port
        user, password = cls.DEFINER
        c = h.direct(port)
        try:
            with c.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS `%s`" % cls.LOGICAL)
                cur.execute("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % cls.LOGICAL)
                cur.execute("CREATE OR REPLACE USER '%s'@'%s' IDENTIFIED BY '%s'"
                            % (user, h.BACKEND_HOST, password))
                cur.execute("GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'%s'"
                            % (cls.LOGICAL.replace("_", "\\_"), user, h.BACKEND_HOST))
        finally:
            c.close()
        h.direct_exec(port, cls.LOGICAL, *SHARDED_DDL, *data_statements())
        c = h.direct(port, cls.LOGICAL, user=user, password=password)
        try:
            with c.cursor() as cur:
                for s in SINGLE_DDL + NOTE_ROWS:
                    cur.execute(s)
        finally:
            c.close()

    @classmethod
    def _drop_reference(cls):
        try:
            c = h.direct(cls.ref_port)
        except pymysql.MySQLError:
            return
        try:
            with c.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS `%s`" % cls.LOGICAL)
                cur.execute("DROP USER IF EXISTS '%s'@'%s'" % (cls.DEFINER[0], h.BACKEND_HOST))
        finally:
            c.close()
