"""Differential test of SELECTs on a sharded logical database: seeded random queries run through
the proxy (sharding_db over two MariaDB servers) and, verbatim, on one unsharded reference
database holding the same rows; the results must be the same.

Schema (sharding_db; ds_0 on the first server, ds_1 on the second):
  t_order       ds_${user_id % 2}.t_order_${order_id % 2}            } binding tables
  t_order_item  ds_${user_id % 2}.t_order_item_${order_id % 2}       }
  t_user        ds_${(user_id + 1) % 2}.t_user_${user_id MOD 3}      (sharded differently)
  t_address     broadcast
  t_config      single table on ds_1
Columns of INT/BIGINT, DECIMAL(10,2), VARCHAR (utf8mb4_general_ci, values in mixed case, so
'new' = 'NEW'), DATE, DATETIME, with NULLs in every non-key column. The reference database is on
the first server and has the five logical tables unsharded.

Each query is compared by rows: in order when its ORDER BY determines the order completely
(it ends with a unique key), else as a multiset (and then, if every ORDER BY item is an output
column, the sequence of sort keys must still agree). Values are compared exactly as Python values
(every number as a Decimal: DECIMAL, SUM and AVG exactly); strings exactly, except where MySQL
itself may return any member of a group of case-insensitively equal strings (a grouped or
DISTINCT VARCHAR column, MIN/MAX of one), which are compared case-folded. Column names and
counts are compared too.

A query the proxy refuses with ER_NOT_SUPPORTED_YET (1235) or a ShardingSphere-style 2xxxx code is
counted as unsupported and listed at the end, not failed; any other proxy error, or a different
result, fails the test (the query and both results are printed).

    /usr/bin/python3 tests/integration/test_differential.py [--seed N] [--count N]
(or DIFF_SEED / DIFF_COUNT in the environment) runs another seed or more queries.
"""

import collections
import datetime
import os
import random
import re
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DEFAULT_SEED = 20240611
DEFAULT_COUNT = 8000
SHOW_ROWS = 10          # rows of each result printed for a mismatch
SHOW_FAILURES = 25      # failures printed in full
MAX_RESTARTS = 10       # proxy crashes survived (each is a failure) before the test stops


def _take_cli_options():
    """Moves --seed/--count (or --seed=N) from argv into DIFF_SEED/DIFF_COUNT before unittest
    parses argv."""
    for flag, env in (("--seed", "DIFF_SEED"), ("--count", "DIFF_COUNT")):
        i = 1
        while i < len(sys.argv):
            arg = sys.argv[i]
            if arg == flag and i + 1 < len(sys.argv):
                os.environ[env] = sys.argv[i + 1]
                del sys.argv[i:i + 2]
            elif arg.startswith(flag + "="):
                os.environ[env] = arg.split("=", 1)[1]
                del sys.argv[i]
            else:
                i += 1


LOGICAL = "sharding_db"
ACTUAL = ("it_diff_ds0", "it_diff_ds1")  # ds_0 (first server), ds_1 (second server)
REFERENCE = "it_diff_ref"                # on the first server
DATA_SOURCES = ("ds_0", "ds_1")

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
    t_user:
      actualDataNodes: ds_${0..1}.t_user_${0..2}
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: user_database_inline
      tableStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: user_table_mod
  bindingTables:
    - t_order,t_order_item
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: database_inline
  defaultTableStrategy:
    none:
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
        allow-range-query-with-inline-sharding: true
    t_order_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
        allow-range-query-with-inline-sharding: true
    t_order_item_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_item_${order_id % 2}
        allow-range-query-with-inline-sharding: true
    user_database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${(user_id + 1) % 2}
        allow-range-query-with-inline-sharding: true
    user_table_mod:
      type: MOD
      props:
        sharding-count: 3
- !BROADCAST
  tables:
    - t_address
- !SINGLE
  tables:
    - "*.*"
"""


# ------------------------------------------------------------------------------------------
# Schema
# ------------------------------------------------------------------------------------------

class Col:
    def __init__(self, table, name, kind, nullable=True):
        self.table = table
        self.name = name
        self.kind = kind          # int, bigint, dec, str, date, datetime
        self.nullable = nullable

    @property
    def numeric(self):
        return self.kind in ("int", "bigint", "dec")


SQL_TYPES = {"int": "INT", "bigint": "BIGINT", "dec": "DECIMAL(10,2)", "str": "VARCHAR(32)",
             "date": "DATE", "datetime": "DATETIME"}


class Table:
    def __init__(self, name, key, columns, group_by):
        self.name = name
        self.key = key                                        # the unique key column
        self.cols = [Col(name, n, k, nullable) for n, k, nullable in columns]
        self.by_name = {c.name: c for c in self.cols}
        self.group_by = [self.by_name[n] for n in group_by]   # columns with repeated values

    def ddl(self, actual_name):
        cols = ", ".join("%s %s%s" % (c.name, SQL_TYPES[c.kind], "" if c.nullable else " NOT NULL")
                         for c in self.cols)
        return ("CREATE TABLE %s (%s, PRIMARY KEY (%s)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                "COLLATE=utf8mb4_general_ci" % (actual_name, cols, self.key))


TABLES = {t.name: t for t in [
    Table("t_order", "order_id",
          [("order_id", "bigint", False), ("user_id", "int", False), ("address_id", "int", True),
           ("status", "str", True), ("amount", "dec", True), ("created", "date", True),
           ("note", "str", True)],
          ["user_id", "address_id", "status", "amount", "created", "note"]),
    Table("t_order_item", "item_id",
          [("item_id", "bigint", False), ("order_id", "bigint", False), ("user_id", "int", False),
           ("product", "str", True), ("quantity", "int", True), ("price", "dec", True),
           ("updated", "datetime", True)],
          ["order_id", "user_id", "product", "quantity", "price", "updated"]),
    Table("t_user", "user_id",
          [("user_id", "int", False), ("name", "str", True), ("city", "str", True),
           ("score", "int", True), ("balance", "dec", True), ("birthday", "date", True)],
          ["name", "city", "score", "balance", "birthday"]),
    Table("t_address", "address_id",
          [("address_id", "int", False), ("city", "str", True), ("zip", "str", True)],
          ["city", "zip"]),
    Table("t_config", "id",
          [("id", "int", False), ("name", "str", True), ("value", "int", True),
           ("ratio", "dec", True)],
          ["name", "value", "ratio"]),
]}

# actual tables: (data source, logical table, actual name)
ACTUAL_TABLES = [(ds, "t_order", "t_order_%d" % i) for ds in DATA_SOURCES for i in (0, 1)] + \
    [(ds, "t_order_item", "t_order_item_%d" % i) for ds in DATA_SOURCES for i in (0, 1)] + \
    [(ds, "t_user", "t_user_%d" % i) for ds in DATA_SOURCES for i in (0, 1, 2)] + \
    [(ds, "t_address", "t_address") for ds in DATA_SOURCES] + \
    [("ds_1", "t_config", "t_config")]


# ------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------

STATUSES = ["new", "NEW", "New", "paid", "Paid", "PAID", "shipped", "SHIPPED", "cancelled", ""]
NOTES = ["abc", "ABC", "Abc", "x", "X", "hello", "Hello World", "zz", "a", "B"]
PRODUCTS = ["apple", "Apple", "APPLE", "banana", "Banana", "cherry", "kiwi", "KIWI", "plum"]
NAMES = ["alice", "Alice", "ALICE", "bob", "Bob", "carol", "dave", "Dave", "eve", "zoe"]
CITIES = ["Paris", "paris", "PARIS", "Berlin", "berlin", "Rome", "Oslo", "oslo", "Lima"]
AMOUNTS = [Decimal(x) for x in ("0.00", "1.50", "1.50", "9.99", "10.00", "10.01", "-5.25", "99.90",
                                 "100.00", "250.75", "1234.56", "0.01", "-0.01", "77.70", "3.33")]


def _maybe(rng, value, p_null=0.15):
    return None if rng.random() < p_null else value


def generate_data(rng):
    """{table: [row tuples in column order]}: a few hundred rows with ties and NULLs."""
    base_day = datetime.date(2024, 1, 1)
    data = {}
    users = []
    for uid in range(0, 40):
        users.append((uid, _maybe(rng, rng.choice(NAMES)), _maybe(rng, rng.choice(CITIES)),
                      _maybe(rng, rng.randint(-3, 12)), _maybe(rng, rng.choice(AMOUNTS)),
                      _maybe(rng, base_day - datetime.timedelta(days=rng.randint(0, 12) * 300))))
    data["t_user"] = users
    data["t_address"] = [(aid, _maybe(rng, rng.choice(CITIES)), _maybe(rng, rng.choice(["1000", "2000", "A1", "a1"])))
                         for aid in range(1, 11)]
    orders = []
    for oid in rng.sample(range(1, 4000), 240):
        orders.append((oid, rng.randint(0, 39), _maybe(rng, rng.randint(1, 12)), _maybe(rng, rng.choice(STATUSES)),
                       _maybe(rng, rng.choice(AMOUNTS)),
                       _maybe(rng, base_day + datetime.timedelta(days=rng.randint(0, 19))),
                       _maybe(rng, rng.choice(NOTES), 0.4)))
    data["t_order"] = orders
    items = []
    item_ids = iter(rng.sample(range(1, 100000), 600))
    for o in orders:
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            items.append((next(item_ids), o[0], o[1], _maybe(rng, rng.choice(PRODUCTS)),
                          _maybe(rng, rng.randint(0, 5)), _maybe(rng, rng.choice(AMOUNTS)),
                          _maybe(rng, datetime.datetime(2024, 2, 1, 12, 0, 0)
                                 + datetime.timedelta(minutes=rng.randint(0, 40) * 15))))
    data["t_order_item"] = items
    data["t_config"] = [(cid, _maybe(rng, rng.choice(NAMES + ["limit", "LIMIT"])), _maybe(rng, rng.randint(0, 12)),
                         _maybe(rng, rng.choice(AMOUNTS))) for cid in range(1, 16)]
    return data


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
    if isinstance(v, datetime.datetime):
        return "'%s'" % v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, datetime.date):
        return "'%s'" % v.isoformat()
    return str(v)


def insert_statements(table, rows, chunk=25):
    t = TABLES[table]
    names = ", ".join(c.name for c in t.cols)
    for i in range(0, len(rows), chunk):
        values = ", ".join("(%s)" % ", ".join(sql_literal(v) for v in r) for r in rows[i:i + chunk])
        yield "INSERT INTO %s (%s) VALUES %s" % (table, names, values)


# ------------------------------------------------------------------------------------------
# Query generator
# ------------------------------------------------------------------------------------------

class Query:
    """sql; ordered: the ORDER BY fixes the row order; modes[i]: 'ci' when output column i may be
    any of case-insensitively equal strings; sort_idx: output indexes of the ORDER BY items
    (None unless all are output columns)."""

    def __init__(self, sql, ordered, modes, sort_idx, kind):
        self.sql = sql
        self.ordered = ordered
        self.modes = modes
        self.sort_idx = sort_idx
        self.kind = kind
        self.source = "subquery"


class Source:
    """A FROM clause: (qualified expr, Col) pairs, the unique key of its rows, join conditions."""

    def __init__(self, name, from_sql, parts, key, conds=(), key_conds=None, weight=1):
        self.name = name
        self.from_sql = from_sql
        self.parts = parts                 # [(alias or '', Table)]
        self.key = key                     # exprs that together are unique per row
        self.conds = list(conds)           # WHERE conditions a comma join needs
        self.key_conds = key_conds         # fn(gen) -> conditions that route to one shard
        self.weight = weight

    def cols(self):
        out = []
        for alias, t in self.parts:
            for c in t.cols:
                out.append(("%s.%s" % (alias, c.name) if alias else c.name, c))
        return out

    def group_cols(self):
        out = []
        for alias, t in self.parts:
            for c in t.group_by:
                out.append(("%s.%s" % (alias, c.name) if alias else c.name, c))
        return out


class Generator:
    def __init__(self, rng, data):
        self.rng = rng
        self.data = data
        self.pools = {}
        for tname, rows in data.items():
            for i, c in enumerate(TABLES[tname].cols):
                self.pools[(tname, c.name)] = sorted({r[i] for r in rows if r[i] is not None},
                                                     key=lambda v: (str(type(v)), v))
        self.orders = [(r[1], r[0]) for r in data["t_order"]]            # (user_id, order_id)
        self.items = [(r[2], r[1]) for r in data["t_order_item"]]        # (user_id, order_id)
        self.sources = self._sources()
        self.alias_counter = 0

    # ---- literals and predicates ----
    def lit(self, col):
        rng = self.rng
        pool = self.pools.get((col.table, col.name)) or [0]
        if rng.random() < 0.85:
            v = rng.choice(pool)
        elif col.kind in ("int", "bigint"):
            v = rng.randint(-2, max(50, max(pool) + 2))
        elif col.kind == "dec":
            v = Decimal(rng.randint(-1000, 200000)) / 100
        elif col.kind == "str":
            v = rng.choice(["zzz", "", "A", "m"])
        elif col.kind == "date":
            v = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(-30, 30))
        else:
            v = datetime.datetime(2024, 2, 1, 12) + datetime.timedelta(minutes=rng.randint(-60, 700))
        if isinstance(v, str) and v and rng.random() < 0.5:
            v = rng.choice([v.upper(), v.lower(), v.title(), v.swapcase()])
        return sql_literal(v)

    def pred(self, cols, depth=0):
        rng = self.rng
        r = rng.random()
        if depth < 2 and r < 0.12:
            return "(%s OR %s)" % (self.pred(cols, depth + 1), self.pred(cols, depth + 1))
        if depth < 2 and r < 0.20:
            return "(%s AND %s)" % (self.pred(cols, depth + 1), self.pred(cols, depth + 1))
        if depth < 2 and r < 0.23:
            return "NOT (%s)" % self.pred(cols, depth + 1)
        expr, col = rng.choice(cols)
        r = rng.random()
        if r < 0.35:
            return "%s %s %s" % (expr, rng.choice(["=", "=", "<>", "<", "<=", ">", ">="]), self.lit(col))
        if r < 0.55:
            return "%s %sIN (%s)" % (expr, "NOT " if rng.random() < 0.15 else "",
                                     ", ".join(self.lit(col) for _ in range(rng.randint(1, 5))))
        if r < 0.72:
            a, b = self.lit(col), self.lit(col)
            return "%s BETWEEN %s AND %s" % (expr, a, b)
        if r < 0.85 and col.nullable:
            return "%s IS %sNULL" % (expr, rng.choice(["", "NOT "]))
        if col.kind == "str":
            v = rng.choice(self.pools.get((col.table, col.name)) or ["a"])
            return "%s LIKE %s" % (expr, sql_literal((v[:1] or "a").swapcase() + "%"))
        return "%s = %s" % (expr, self.lit(col))

    def where(self, src, extra=()):
        """WHERE clause: src's join conditions, `extra` (a subquery's routing conditions) or
        sharding conditions for one shard or a few, and random predicates."""
        rng = self.rng
        conds = list(src.conds) + list(extra)
        r = rng.random()
        if extra:
            if r < 0.4:
                conds.append(self.pred(src.cols()))
        elif src.key_conds and r < 0.45:
            conds += src.key_conds(self)          # one shard
            if rng.random() < 0.4:
                conds.append(self.pred(src.cols()))
        elif r < 0.65 and self.sharding_cols(src):
            conds.append(self.shard_range(src))   # a few shards, chosen by sharding values
            if rng.random() < 0.5:
                conds.append(self.pred(src.cols()))
        elif r < 0.85:
            conds.append(self.pred(src.cols()))
        return (" WHERE " + " AND ".join(conds)) if conds else ""

    @staticmethod
    def sharding_cols(src):
        return [(e, c) for e, c in src.cols()
                if c.name in ("user_id", "order_id") and c.table in ("t_order", "t_order_item", "t_user")]

    def shard_range(self, src):
        rng = self.rng
        expr, col = rng.choice(self.sharding_cols(src))
        r = rng.random()
        if r < 0.4:
            return "%s IN (%s)" % (expr, ", ".join(self.lit(col) for _ in range(rng.randint(2, 4))))
        if r < 0.6:
            return "%s BETWEEN %s AND %s" % (expr, self.lit(col), self.lit(col))
        if r < 0.8:
            return "(%s = %s OR %s = %s)" % (expr, self.lit(col), expr, self.lit(col))
        return "%s %s %s" % (expr, rng.choice(["<", ">", "<=", ">=", "<>"]), self.lit(col))

    # ---- sources ----
    def _sources(self):
        T = TABLES

        def order_key(prefixes):
            def f(gen):
                uid, oid = gen.rng.choice(gen.items if "i" in prefixes and gen.rng.random() < 0.7 else gen.orders)
                conds = []
                for p in prefixes:
                    conds.append("%suser_id = %d" % (p, uid))
                    conds.append("%sorder_id = %d" % (p, oid))
                if gen.rng.random() < 0.3:   # the full key of one of the two tables is enough
                    conds = conds[:2]
                return conds
            return f

        def user_key(prefix):
            return lambda gen: ["%suser_id = %d" % (prefix, gen.rng.randint(0, 41))]

        def config_any(gen):
            return []

        return [
            Source("t_order", "t_order", [("", T["t_order"])], ["order_id"],
                   key_conds=order_key([""]), weight=14),
            Source("t_order o", "t_order o", [("o", T["t_order"])], ["o.order_id"],
                   key_conds=order_key(["o."]), weight=5),
            Source("t_order_item", "t_order_item", [("", T["t_order_item"])], ["item_id"],
                   key_conds=order_key([""]), weight=10),
            Source("t_user", "t_user", [("", T["t_user"])], ["user_id"], key_conds=user_key(""), weight=10),
            Source("t_address", "t_address", [("", T["t_address"])], ["address_id"], weight=4),
            Source("t_config", "t_config", [("", T["t_config"])], ["id"], key_conds=config_any, weight=5),
            Source("binding join", "t_order o JOIN t_order_item i ON o.order_id = i.order_id",
                   [("o", T["t_order"]), ("i", T["t_order_item"])], ["i.item_id"],
                   key_conds=order_key(["o.", "i."]), weight=7),
            Source("binding join (both keys)",
                   "t_order o INNER JOIN t_order_item i ON o.user_id = i.user_id AND o.order_id = i.order_id",
                   [("o", T["t_order"]), ("i", T["t_order_item"])], ["i.item_id"],
                   key_conds=order_key(["o.", "i."]), weight=5),
            Source("binding comma join", "t_order o, t_order_item i",
                   [("o", T["t_order"]), ("i", T["t_order_item"])], ["i.item_id"],
                   conds=["o.order_id = i.order_id"], key_conds=order_key(["o.", "i."]), weight=3),
            Source("binding left join", "t_order o LEFT JOIN t_order_item i ON o.order_id = i.order_id",
                   [("o", T["t_order"]), ("i", T["t_order_item"])], ["o.order_id", "i.item_id"],
                   key_conds=order_key(["o."]), weight=4),
            Source("broadcast join", "t_order o JOIN t_address a ON o.address_id = a.address_id",
                   [("o", T["t_order"]), ("a", T["t_address"])], ["o.order_id"],
                   key_conds=order_key(["o."]), weight=6),
            Source("binding + broadcast join",
                   "t_order_item i JOIN t_order o ON i.order_id = o.order_id "
                   "LEFT JOIN t_address a ON a.address_id = o.address_id",
                   [("i", T["t_order_item"]), ("o", T["t_order"]), ("a", T["t_address"])], ["i.item_id"],
                   key_conds=order_key(["i.", "o."]), weight=3),
            Source("user broadcast join", "t_user u JOIN t_address a ON u.city = a.city",
                   [("u", T["t_user"]), ("a", T["t_address"])], ["u.user_id", "a.address_id"],
                   key_conds=user_key("u."), weight=3),
            Source("single broadcast join", "t_config c LEFT JOIN t_address a ON c.value = a.address_id",
                   [("c", T["t_config"]), ("a", T["t_address"])], ["c.id"], key_conds=config_any, weight=2),
            # t_user is sharded unlike t_order: a proxy must refuse this or join across data sources
            Source("non-binding join", "t_order o JOIN t_user u ON o.user_id = u.user_id",
                   [("o", T["t_order"]), ("u", T["t_user"])], ["o.order_id"],
                   key_conds=order_key(["o."]), weight=2),
        ]

    def pick_source(self):
        return self.rng.choices(self.sources, weights=[s.weight for s in self.sources])[0]

    # ---- query kinds ----
    def query(self):
        rng = self.rng
        r = rng.random()
        if r < 0.08:
            return self.subquery()
        src = self.pick_source()
        kind = rng.choices(["plain", "aggregate", "group", "distinct"], weights=[38, 17, 30, 15])[0]
        q = getattr(self, "q_" + kind)(src)
        q.source = src.name
        return q

    def _order_tail(self, src, items):
        """Appends the source's unique key to ORDER BY items (-> total order)."""
        for k in src.key:
            if k not in [e for e, _ in items]:
                items.append((k, self.rng.choice(["", " ASC", " DESC"])))
        return items

    def _finish(self, sql, select, items, total, kind, modes):
        """ORDER BY items [(expr, dir)] over output `select` [expr]; LIMIT only with a total order."""
        rng = self.rng
        sort_idx = None
        if items:
            sql += " ORDER BY " + ", ".join(e + d for e, d in items)
            idx = [select.index(e) if e in select else None for e, _ in items]
            sort_idx = None if None in idx else idx
            if total and rng.random() < 0.45:
                n = rng.randint(0, 25)
                off = rng.randint(0, 40)
                sql += rng.choice([" LIMIT %d" % n, " LIMIT %d, %d" % (off, n), " LIMIT %d OFFSET %d" % (n, off)])
        return Query(sql, bool(items) and total, modes, sort_idx, kind)

    def q_plain(self, src, extra=(), kind="plain"):
        rng = self.rng
        cols = src.cols()
        if len(src.parts) == 1 and rng.random() < 0.15:
            select_sql, select, modes = "*", [e for e, _ in cols], ["exact"] * len(cols)
        else:
            chosen = rng.sample(cols, rng.randint(1, min(5, len(cols))))
            select = [e for e, _ in chosen]
            select_sql, modes = ", ".join(select), ["exact"] * len(select)
        sql = "SELECT %s FROM %s%s" % (select_sql, src.from_sql, self.where(src, extra))
        items, total = [], False
        if rng.random() < 0.7:
            pool = [(e, c) for e, c in cols if rng.random() < 0.6] or cols
            picked = rng.sample(pool, rng.randint(1, min(3, len(pool))))
            items = [(e, rng.choice(["", " ASC", " DESC"])) for e, _ in picked]
            if rng.random() < 0.6:
                items = self._order_tail(src, items)
            total = all(k in [e for e, _ in items] for k in src.key)
        return self._finish(sql, select, items, total, kind, modes)

    AGGREGATES = ["COUNT(*)", "COUNT(%s)", "SUM(%s)", "MIN(%s)", "MAX(%s)", "AVG(%s)",
                  "COUNT(DISTINCT %s)", "SUM(DISTINCT %s)", "AVG(DISTINCT %s)",
                  "MIN(DISTINCT %s)", "MAX(DISTINCT %s)", "COUNT(DISTINCT %s, %s)",
                  "GROUP_CONCAT(%s ORDER BY %s%s)", "GROUP_CONCAT(DISTINCT %s ORDER BY %s%s)"]

    def aggregate(self, src):
        """(text, mode) of one aggregate over src's columns."""
        rng = self.rng
        cols = src.cols()
        numeric = [(e, c) for e, c in cols if c.numeric]
        fn = rng.choice(self.AGGREGATES)
        if fn == "COUNT(*)":
            if rng.random() < 0.3:
                return self.aggregate_expression(src), "exact"
            return fn, "exact"
        if "SUM" in fn or "AVG" in fn:
            expr, col = rng.choice(numeric)
        else:
            expr, col = rng.choice(cols)
        if fn == "COUNT(DISTINCT %s, %s)":
            other, _ = rng.choice(cols)
            return fn % (expr, other), "exact"
        if fn.startswith("GROUP_CONCAT"):
            # Ordered by the value itself, so the order is MySQL's too (values equal under the
            # collation, 'new' and 'NEW', may come in any order: compared case-folded).
            sep = rng.choice(["", " SEPARATOR '|'", " SEPARATOR ''", " SEPARATOR ', '"])
            text = fn % (expr, expr + rng.choice(["", " DESC", " ASC"]), sep)
            return text, "ci" if col.kind == "str" else "exact"
        mode = "ci" if col.kind == "str" and fn in ("MIN(%s)", "MAX(%s)", "MIN(DISTINCT %s)",
                                                    "MAX(DISTINCT %s)") else "exact"
        return fn % expr, mode

    def aggregate_expression(self, src):
        """An expression over aggregates, which the proxy must evaluate after merging."""
        rng = self.rng
        x = rng.choice([e for e, c in src.cols() if c.numeric])
        return rng.choice([
            "COUNT(*) * 2", "COUNT(*) + 1", "SUM(%s) / COUNT(*)" % x, "ROUND(AVG(%s), 1)" % x,
            "ABS(SUM(%s))" % x, "IFNULL(MAX(%s), 0) - MIN(%s)" % (x, x), "COUNT(%s) DIV 2" % x,
            "SUM(%s) * 1.5" % x, "COUNT(DISTINCT %s) - 1" % x, "MAX(%s) > 10" % x,
            "COALESCE(SUM(%s), -1)" % x, "FLOOR(AVG(%s))" % x, "COUNT(*) % 3"])

    @staticmethod
    def feature_kind(kind, sql):
        """The query kind, with the merge feature it exercises (the first that applies)."""
        features = [
            ("GROUP_CONCAT", "GROUP_CONCAT"),
            ("expression of aggregates", lambda s: any(t in s for t in (
                "COUNT(*) *", "COUNT(*) +", ") / COUNT", "ROUND(", "ABS(", "IFNULL(", "DIV 2",
                "* 1.5", ") - 1", ") > 10", "COALESCE(", "FLOOR(", "% 3", "NOT (COUNT"))),
            ("DISTINCT beside other aggregates", lambda s: "(DISTINCT" in s and s.count("(") > 2),
            ("alias or position", lambda s: "`" in s or "GROUP BY 1" in s or "BY 2" in s
             or "BY 3" in s),
        ]
        for name, test in features:
            if (test(sql) if callable(test) else test in sql):
                return "%s: %s" % (kind, name)
        return kind

    def q_aggregate(self, src, extra=()):
        rng = self.rng
        aggs = [self.aggregate(src) for _ in range(rng.randint(1, 4))]
        select = [a for a, _ in aggs]
        sql = "SELECT %s FROM %s%s" % (", ".join(select), src.from_sql, self.where(src, extra))
        return Query(sql, True, [m for _, m in aggs], None, self.feature_kind("aggregate", sql))

    def q_group(self, src, extra=()):
        rng = self.rng
        groups = rng.sample(src.group_cols(), rng.randint(1, 2))
        aggs = []
        for _ in range(rng.randint(1, 3)):
            a = self.aggregate(src)
            if a[0] not in [x for x, _ in aggs]:
                aggs.append(a)
        aliases = {}
        select_items = []
        # A group column may be selected under an alias (plain, backquoted, a keyword), and
        # GROUP BY / ORDER BY may name it by that alias or by its position.
        group_alias = {}
        for e, c in groups:
            if rng.random() < 0.25:
                a = rng.choice(["g%d" % len(group_alias), "`key`", "`order`", "`grp %d`" % len(group_alias),
                                "`Sel`"])
                if a not in group_alias.values():
                    group_alias[e] = a
                    select_items.append((e, "%s AS %s" % (e, a), "ci" if c.kind == "str" else "exact"))
                    continue
            select_items.append((e, e, "ci" if c.kind == "str" else "exact"))
        for i, (a, m) in enumerate(aggs):
            if rng.random() < 0.3:
                aliases[a] = "agg%d" % i
                select_items.append((a, "%s AS agg%d" % (a, i), m))
            else:
                select_items.append((a, a, m))
        rng.shuffle(select_items)
        select = [s for s, _, _ in select_items]

        def group_ref(e):
            r = rng.random()
            if r < 0.25:
                return str(select.index(e) + 1)
            if e in group_alias and r < 0.75:
                return group_alias[e]
            return e
        sql = "SELECT %s FROM %s%s GROUP BY %s" % (
            ", ".join(t for _, t, _ in select_items), src.from_sql, self.where(src, extra),
            ", ".join(group_ref(e) for e, _ in groups))
        if rng.random() < 0.3:
            a, _ = rng.choice(aggs) if rng.random() < 0.7 else self.aggregate(src)
            if a.startswith("GROUP_CONCAT"):
                a = "COUNT(*)"
            ref = aliases.get(a, a)
            numeric = [e for e, c in src.cols() if c.numeric]
            if rng.random() < 0.25:
                # expressions of aggregates, evaluated after merging
                x = rng.choice(numeric)
                sql += " HAVING " + rng.choice([
                    "COUNT(*) * 2 > %d" % rng.randint(1, 6),
                    "SUM(%s) / COUNT(*) > %s" % (x, rng.choice(["0", "1.5", "10"])),
                    "ABS(SUM(%s)) >= %d" % (x, rng.randint(0, 50)),
                    "IFNULL(MAX(%s), 0) - MIN(%s) < %d" % (x, x, rng.randint(0, 20)),
                    "ROUND(AVG(%s), 1) <> 0" % x,
                    "NOT (COUNT(*) + 1 < 3)",
                    "COUNT(DISTINCT %s) > 1 OR SUM(%s) IS NULL" % (x, x)])
            elif a.startswith("COUNT"):
                sql += " HAVING %s %s %d" % (ref, rng.choice([">", ">=", "=", "<"]), rng.randint(0, 3))
            elif re.match(r"^(MIN|MAX)\((DISTINCT )?[\w.]+\)$", a):
                col = dict(src.cols())[a[4:-1].replace("DISTINCT ", "")]
                sql += " HAVING %s %s %s" % (ref, rng.choice([">", "<=", "<>"]), self.lit(col))
            else:
                sql += " HAVING %s > %s" % (ref, rng.choice(["0", "10", "100.5", "-1"]))
        items, total = [], False
        r = rng.random()
        group_exprs = [e for e, _ in groups]
        if r < 0.35:
            items = [(group_ref(e), rng.choice(["", " DESC"])) for e in rng.sample(group_exprs, len(group_exprs))]
            total = True
        elif r < 0.6:
            a, _ = rng.choice(aggs)
            items = [(rng.choice([aliases.get(a, a), str(select.index(a) + 1)]), rng.choice(["", " DESC"]))]
            if rng.random() < 0.7:
                items += [(group_ref(e), rng.choice(["", " DESC"])) for e in group_exprs]
                total = True
        elif r < 0.7:
            items = [(group_ref(group_exprs[0]), rng.choice(["", " DESC"]))]
            total = len(group_exprs) == 1
        elif r < 0.8:
            # an expression of aggregates, evaluated after merging, then every group column
            items = [(self.aggregate_expression(src), rng.choice(["", " DESC"]))]
            items += [(group_ref(e), rng.choice(["", " DESC"])) for e in group_exprs]
            total = True
        # an alias or a position in ORDER BY stands for its output column
        sort_select = select + [aliases.get(s, group_alias.get(s, s)) for s in select] + \
            [str(i + 1) for i in range(len(select))]
        q = self._finish(sql, sort_select, items, total, self.feature_kind("group", sql),
                         [m for _, _, m in select_items])
        if q.sort_idx is not None:
            q.sort_idx = [i % len(select) for i in q.sort_idx]
        return q

    def q_distinct(self, src, extra=()):
        rng = self.rng
        chosen = rng.sample(src.group_cols(), rng.randint(1, 2))
        select = [e for e, _ in chosen]
        modes = ["ci" if c.kind == "str" else "exact" for _, c in chosen]
        sql = "SELECT DISTINCT %s FROM %s%s" % (", ".join(select), src.from_sql, self.where(src, extra))
        items, total = [], False
        if rng.random() < 0.6:
            items = [(e, rng.choice(["", " ASC", " DESC"])) for e in rng.sample(select, rng.randint(1, len(select)))]
            total = len(items) == len(select)
        return self._finish(sql, select, items, total, "distinct", modes)

    def subquery(self):
        """Subqueries whose tables all route to the one shard the full sharding key names (or to
        broadcast/single tables)."""
        rng = self.rng
        T = TABLES
        outer = self.sources[0] if rng.random() < 0.6 else self.sources[2]
        uid, oid = rng.choice(self.items if rng.random() < 0.8 else self.orders)
        key = "user_id = %d AND order_id = %d" % (uid, oid)
        r = rng.random()
        if r < 0.25:
            inner_table = "t_order_item" if outer.name == "t_order" else "t_order"
            inner_cols = Source("", "", [("", T[inner_table])], []).cols()
            inner_where = key + ((" AND " + self.pred(inner_cols)) if rng.random() < 0.5 else "")
            cond = "order_id IN (SELECT order_id FROM %s WHERE %s)" % (inner_table, inner_where)
            extra = [key, cond]
        elif r < 0.45:
            city = self.lit(T["t_address"].by_name["city"])
            cond = "%s IN (SELECT address_id FROM t_address WHERE city = %s)" % (
                "address_id" if outer.name == "t_order" else "quantity", city)
            extra = [cond] + ([key] if rng.random() < 0.7 else [])
        elif r < 0.6:
            ucol = rng.choice(["score", "balance"])
            u = rng.randint(0, 39)
            q = self.q_plain(self.sources[3], extra=[
                "user_id = %d" % u,
                "%s >= (SELECT %s(%s) FROM t_user WHERE user_id = %d)"
                % (ucol, rng.choice(["MIN", "MAX", "AVG"]), ucol, u)],
                kind="subquery")
            return q
        elif r < 0.75:
            other = "t_order_item" if outer.name == "t_order" else "t_order"
            a = "x" if other == "t_order" else "y"
            cond = ("%sEXISTS (SELECT 1 FROM %s %s WHERE %s.user_id = %d AND %s.order_id = %d "
                    "AND %s.order_id = %s.order_id)"
                    % (rng.choice(["", "NOT "]), other, a, a, uid, a, oid, a, outer.name))
            extra = [key, cond]
        elif r < 0.88:
            cols = rng.sample(outer.group_cols(), rng.randint(1, 2))
            names = [c.name for _, c in cols]
            outer_cols = ", ".join("d." + n for n in names)
            sql = "SELECT %s, COUNT(*) FROM (SELECT %s FROM %s WHERE %s) d GROUP BY %s" % (
                outer_cols, ", ".join(names), outer.name, key, outer_cols)
            modes = ["ci" if c.kind == "str" else "exact" for _, c in cols] + ["exact"]
            return Query(sql, False, modes, None, "subquery")
        else:
            q = getattr(self, "q_" + rng.choice(["plain", "aggregate", "group"]))(
                self.sources[5], extra=["value IN (SELECT MAX(value) FROM t_config GROUP BY name)"])
            q.kind = "subquery"
            return q
        q = getattr(self, "q_" + rng.choice(["plain", "plain", "aggregate", "group", "distinct"]))(outer, extra=extra)
        q.kind = "subquery"
        return q


# ------------------------------------------------------------------------------------------
# Comparison
# ------------------------------------------------------------------------------------------

def norm_value(v, mode):
    if v is None:
        return None
    if isinstance(v, bool):
        return ("n", Decimal(int(v)))
    if isinstance(v, (int, Decimal)):
        return ("n", Decimal(v))
    if isinstance(v, float):
        return ("n", Decimal(repr(v)))
    if isinstance(v, str):
        return ("s", v.casefold() if mode == "ci" else v)
    if isinstance(v, (bytes, bytearray)):
        return ("b", bytes(v))
    if isinstance(v, datetime.datetime):
        return ("dt", v)
    if isinstance(v, datetime.date):
        return ("d", v)
    return ("?", repr(v))


def norm_rows(rows, modes):
    return [tuple(norm_value(v, m) for v, m in zip(r, modes)) for r in rows]


def compare(q, ref, got):
    """None when equal, else a description. ref/got: (column names, rows)."""
    ref_names, ref_rows = ref
    got_names, got_rows = got
    if ref_names != got_names:
        return "column names differ: expected %r, got %r" % (ref_names, got_names)
    modes = q.modes if len(q.modes) == len(ref_names) else ["exact"] * len(ref_names)
    a, b = norm_rows(ref_rows, modes), norm_rows(got_rows, modes)
    if q.ordered:
        if a != b:
            first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return "rows differ (ordered; %d expected, %d got; first difference at row %d)" % (len(a), len(b), first)
        return None
    ca, cb = collections.Counter(a), collections.Counter(b)
    if ca != cb:
        missing = list((ca - cb).elements())[:SHOW_ROWS]
        extra = list((cb - ca).elements())[:SHOW_ROWS]
        return "rows differ (multiset; %d expected, %d got)\n    missing: %r\n    unexpected: %r" % (
            len(a), len(b), missing, extra)
    if q.sort_idx is not None:
        # ties under the collation ('new' = 'NEW') may come in any order: sort keys case-folded
        ci = ["ci"] * len(ref_names)
        ka = [tuple(r[i] for i in q.sort_idx) for r in norm_rows(ref_rows, ci)]
        kb = [tuple(r[i] for i in q.sort_idx) for r in norm_rows(got_rows, ci)]
        if ka != kb:
            first = next(i for i, (x, y) in enumerate(zip(ka, kb)) if x != y)
            return "same rows, but not in ORDER BY order (sort keys differ first at row %d)" % first
    return None


def run(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
        names = [d[0] for d in cur.description] if cur.description else []
    return names, [tuple(r) for r in rows]


LOST_CONNECTION = (0, 2006, 2013, 2014)  # pymysql's "connection gone" codes (0: closed socket)


class ReferenceLost(Exception):
    pass


def close_quietly(conn):
    if conn is not None:
        try:
            conn.close()
        except pymysql.MySQLError:   # already closed after a lost connection
            pass


def is_unsupported(errno):
    return errno == 1235 or 20000 <= errno <= 29999


# ------------------------------------------------------------------------------------------
# The test
# ------------------------------------------------------------------------------------------

class DifferentialTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.seed = int(os.environ.get("DIFF_SEED", DEFAULT_SEED))
        cls.count = int(os.environ.get("DIFF_COUNT", DEFAULT_COUNT))
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.ref_port = ports[0]
        cls.enterClassContext(h.actual_databases(list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE)]))
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            h.direct_exec(cls.ports[ds], actual,
                          *[TABLES[logic].ddl(name) for d, logic, name in ACTUAL_TABLES if d == ds])
        h.direct_exec(cls.ref_port, REFERENCE, *[t.ddl(t.name) for t in TABLES.values()])
        sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=RULES)}, name="differential"))
        cls.data = generate_data(random.Random(cls.seed))
        pc = h.connect(cls.proxy, db=LOGICAL)
        try:
            with pc.cursor() as cur:
                for table, rows in cls.data.items():
                    for stmt in insert_statements(table, rows):
                        cur.execute(stmt)
        finally:
            pc.close()
        h.direct_exec(cls.ref_port, REFERENCE,
                      *[s for table, rows in cls.data.items() for s in insert_statements(table, rows)])

    def test_data_landed_in_the_shards(self):
        counts = collections.Counter()
        for ds, logic, actual in ACTUAL_TABLES:
            c = h.direct(self.ports[ds], ACTUAL[DATA_SOURCES.index(ds)])
            try:
                (n,), = h.query(c, "SELECT COUNT(*) FROM %s" % actual)
            finally:
                c.close()
            counts[logic] += n
        expected = {t: len(rows) * (2 if t == "t_address" else 1) for t, rows in self.data.items()}
        self.assertEqual(dict(counts), expected)

    def run_reference(self, sql):
        """The reference result; a lost connection is opened again once (the shared servers may
        have been restarted), then it raises ReferenceLost."""
        for attempt in (1, 2):
            try:
                if self.ref is None or not self.ref.open:
                    self.ref = h.direct(self.ref_port, REFERENCE)
                    h.query(self.ref, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ONLY_FULL_GROUP_BY')")
                return run(self.ref, sql)
            except pymysql.MySQLError as e:
                if e.args and e.args[0] in LOST_CONNECTION or (self.ref and not self.ref.open):
                    close_quietly(self.ref)
                    self.ref = None
                    if attempt == 2:
                        raise ReferenceLost("the reference database cannot be reached: %s" % e)
                    continue
                raise

    def reconnect(self):
        """(a new connection to the proxy, None), or (one to a restarted proxy, the exit status of
        the one that died)."""
        exit_status = None
        deadline = time.monotonic() + 10
        while True:
            if not self.proxy.alive():
                exit_status = self.proxy.proc.poll()
                self.proxy.start()
            try:
                return h.connect(self.proxy, db=LOGICAL), exit_status
            except pymysql.MySQLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def test_random_selects_match_the_reference(self):
        rng = random.Random(self.seed * 1000003 + 1)
        gen = Generator(rng, self.data)
        proxy = h.connect(self.proxy, db=LOGICAL)
        self.addCleanup(lambda: close_quietly(proxy))  # the last one
        self.ref = None
        self.addCleanup(lambda: close_quietly(self.ref))
        stats = collections.Counter()
        outcomes = collections.defaultdict(collections.Counter)   # query kind, FROM clause -> outcome

        def tally(q, outcome):
            stats[outcome] += 1
            outcomes[q.kind][outcome] += 1
            outcomes["  from " + q.source][outcome] += 1

        unsupported = collections.Counter()                  # message -> queries
        errors = collections.Counter()                       # message -> queries
        failures = []
        restarts = 0
        start = time.monotonic()
        for n in range(self.count):
            q = gen.query()
            stats["run"] += 1
            try:
                expected = self.run_reference(q.sql)
            except pymysql.MySQLError as e:
                failures.append("query %d: the reference database refused it (a generator bug): %s\n  %s"
                                % (n, e, q.sql))
                continue
            except ReferenceLost as e:
                failures.append("query %d: %s; stopping\n  %s" % (n, e, q.sql))
                break
            try:
                got = run(proxy, q.sql)
            except pymysql.MySQLError as e:
                errno = e.args[0] if e.args and isinstance(e.args[0], int) else -1
                msg = e.args[1] if len(e.args) > 1 else str(e)
                if is_unsupported(errno):
                    tally(q, "unsupported")
                    unsupported["%d %s" % (errno, msg)] += 1
                    continue
                tally(q, "proxy error")
                errors["%d %s" % (errno, msg)] += 1
                failures.append("query %d: proxy error %d %s (the reference returned %d rows)\n  %s"
                                % (n, errno, msg, len(expected[1]), q.sql))
                broken = not proxy.open or errno in LOST_CONNECTION
            except (ValueError, TypeError, UnicodeDecodeError, pymysql.err.InterfaceError) as e:
                # rows the client library cannot decode as their column types say
                tally(q, "proxy error")
                errors["undecodable result: %s" % type(e).__name__] += 1
                failures.append("query %d: the proxy's result cannot be decoded: %r\n  %s" % (n, e, q.sql))
                broken = True
            else:
                broken = None
            if broken is not None:
                if broken:
                    close_quietly(proxy)
                    proxy, exit_status = self.reconnect()
                    if exit_status is not None:
                        # a new proxy was started, so one crash does not hide the other results
                        restarts += 1
                        failures[-1] += "\n  (the proxy died: exit status %s)" % exit_status
                        if restarts > MAX_RESTARTS:
                            failures.append("the proxy died %d times; stopping" % restarts)
                            break
                continue
            problem = compare(q, expected, got)
            if problem is None:
                tally(q, "identical")
                stats["identical, with rows"] += bool(expected[1])
            else:
                tally(q, "mismatch")
                failures.append("query %d: %s\n  %s\n  expected %s: %r\n  got      %s: %r" % (
                    n, problem, q.sql, expected[0], expected[1][:SHOW_ROWS], got[0], got[1][:SHOW_ROWS]))
        elapsed = time.monotonic() - start

        out = ["", "differential: seed %d, %d queries in %.1f s: %d identical (%d of them with rows), "
               "%d unsupported, %d failed" % (self.seed, stats["run"], elapsed, stats["identical"],
                                              stats["identical, with rows"], stats["unsupported"], len(failures))]
        for kind in sorted(k for k in outcomes if not k.startswith(" ")) + \
                sorted(k for k in outcomes if k.startswith(" ")):
            out.append("  %-34s %s" % (kind, dict(sorted(outcomes[kind].items()))))
        if unsupported:
            out.append("unsupported (%d distinct messages):" % len(unsupported))
            for msg, k in unsupported.most_common():
                out.append("  %5d  %s" % (k, msg))
        if errors:
            out.append("proxy errors (%d distinct messages):" % len(errors))
            for msg, k in errors.most_common():
                out.append("  %5d  %s" % (k, msg))
        for f in failures[:SHOW_FAILURES]:
            out.append("FAIL " + f)
        if len(failures) > SHOW_FAILURES:
            out.append("... and %d more failures" % (len(failures) - SHOW_FAILURES))
        if failures:
            out.append("reproduce: /usr/bin/python3 %s --seed %d --count %d" % (__file__, self.seed, self.count))
        sys.stderr.write("\n".join(out) + "\n")
        sys.stderr.flush()
        if failures:
            self.fail("%d of %d queries failed (see above)" % (len(failures), stats["run"]))


if __name__ == "__main__":
    _take_cli_options()
    h.main()
