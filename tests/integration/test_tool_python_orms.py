"""Python ORMs' introspection on a sharded logical database (shop_schema.py), compared with a
reference MariaDB holding the same tables unsharded:

* SQLAlchemy (Debian python3-sqlalchemy, pymysql driver): inspect() get_table_names,
  get_view_names, get_columns, get_indexes, get_pk_constraint, get_foreign_keys; has_table;
  metadata.create_all() of a model set (a table the sharding rules shard but that does not exist
  yet, which must become its actual tables, and a plain one) then drop_all();
* Django (Debian python3-django, mysqlclient): `inspectdb --include-views` writes the same models.
"""
# ctest-labels: slow

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import shop_schema as shop  # noqa: E402

PYTHON = "/usr/bin/python3"
INSPECTDB = os.path.join(h.HERE, "apps", "django_inspectdb.py")

# shop_invoice: sharded by the rules, created by SQLAlchemy's create_all() through the proxy.
INVOICE_RULE = """    shop_invoice:
      actualDataNodes: ds_${0..1}.shop_invoice_${0..1}
      tableStrategy:
        standard:
          shardingColumn: invoice_id
          shardingAlgorithmName: invoice_table
"""
INVOICE_ALGORITHM = """    invoice_table:
      type: INLINE
      props:
        algorithm-expression: shop_invoice_${invoice_id % 2}
"""


def rules_with_invoice():
    r = shop.RULES.replace("  bindingTables:", INVOICE_RULE + "  bindingTables:", 1)
    return r.replace("  shardingAlgorithms:\n", "  shardingAlgorithms:\n" + INVOICE_ALGORITHM, 1)


def sqlalchemy():
    try:
        import sqlalchemy as sa
    except ImportError:
        raise AssertionError("SQLAlchemy missing (Debian python3-sqlalchemy; scripts/install-deps.sh)")
    return sa


class OrmMixin:
    def engine(self, port):
        sa = sqlalchemy()
        return sa.create_engine("mysql+pymysql://root:root@127.0.0.1:%d/%s?charset=utf8mb4"
                                % (port, self.LOGICAL), poolclass=sa.pool.NullPool)



class PythonOrmTest(OrmMixin, shop.ShopFixture):
    PREFIX = "it_orm"
    PROXY_NAME = "python_orms"

    def reflect(self, port):
        """Everything inspect() says of the database, as plain data."""
        sa = sqlalchemy()
        insp = sa.inspect(self.engine(port))
        out = {"tables": sorted(insp.get_table_names()), "views": sorted(insp.get_view_names())}
        for t in out["tables"]:
            out[t] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"),
                             c.get("autoincrement"), c.get("comment")) for c in insp.get_columns(t)],
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                  for i in insp.get_indexes(t)),
                "pk": insp.get_pk_constraint(t),
                "fks": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_schema"],
                               f["referred_table"], tuple(f["referred_columns"]))
                              for f in insp.get_foreign_keys(t)),
            }
        return out

    def test_sqlalchemy_inspect_matches_the_reference(self):
        ref = self.reflect(self.ref_port)
        self.assertEqual(ref["tables"], sorted(shop.BASE_TABLES))
        try:
            got = self.reflect(self.proxy.port)
        except Exception as e:  # noqa: BLE001 - the failure is what the proxy answered
            self.fail("inspect() through the proxy failed: %r" % (e,))
        print("tables through the proxy: %r, views: %r" % (got["tables"], got["views"]))
        self.assertEqual(got["tables"], ref["tables"])
        self.assertEqual(got["views"], ref["views"])
        for t in ref["tables"]:
            self.assertEqual(got[t], ref[t], "inspect() of %s" % t)

    def test_sqlalchemy_has_table(self):
        sa = sqlalchemy()
        for port, where in ((self.ref_port, "reference"), (self.proxy.port, "proxy")):
            insp = sa.inspect(self.engine(port))
            self.assertTrue(insp.has_table("shop_order"), "has_table(shop_order) on the " + where)
            self.assertTrue(insp.has_table("shop_note"), "has_table(shop_note) on the " + where)
            self.assertFalse(insp.has_table("shop_missing"), "has_table(shop_missing) on the " + where)

    def inspectdb(self, port, what):
        r = subprocess.run([PYTHON, INSPECTDB, str(port), "root", "root", self.LOGICAL],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        print("inspectdb %s: exit %d, %d lines" % (what, r.returncode, len(r.stdout.splitlines())))
        return r

    def test_django_inspectdb_matches_the_reference(self):
        ref = self.inspectdb(self.ref_port, "on the reference")
        self.assertEqual(ref.returncode, 0, ref.stderr)
        for model in ("class ShopOrder(", "class ShopOrderItem(", "class ShopDict(", "class ShopNote(",
                      "class ShopNoteV("):
            self.assertIn(model, ref.stdout)
        got = self.inspectdb(self.proxy.port, "through the proxy")
        self.assertEqual(got.returncode, 0, "inspectdb through the proxy failed:\n" + got.stderr[-3000:])
        self.assertEqual(got.stdout, ref.stdout)



class CreateAllTest(OrmMixin, shop.ShopFixture):
    """create_all() of a table the rules shard but that does not exist yet, and of a plain one."""
    PREFIX = "it_orm_create"
    PROXY_NAME = "python_orms_create_all"
    RULES = rules_with_invoice()

    def actual_tables(self, like):
        found = []
        for port, db in zip(self.ports, self.ACTUAL):
            c = h.direct(port, db)
            try:
                found += ["%s.%s" % (db, r[0]) for r in h.query(c, "SHOW TABLES LIKE %s", (like,))]
            finally:
                c.close()
        return sorted(found)

    def test_sqlalchemy_create_all_and_drop_all(self):
        sa = sqlalchemy()
        md = sa.MetaData()
        invoice = sa.Table("shop_invoice", md,
                           sa.Column("invoice_id", sa.BigInteger, primary_key=True, autoincrement=False),
                           sa.Column("user_id", sa.Integer, nullable=False),
                           sa.Column("total", sa.Numeric(10, 2)),
                           sa.Index("idx_invoice_user", "user_id"))
        audit = sa.Table("shop_audit", md,
                         sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                         sa.Column("what", sa.String(40)))
        engine = self.engine(self.proxy.port)
        try:
            md.create_all(engine)
        except Exception as e:  # noqa: BLE001
            self.fail("create_all() through the proxy failed: %r" % (e,))
        try:
            created = self.actual_tables("shop\\_invoice%")
            print("actual tables after create_all(): %r; shop_audit: %r"
                  % (created, self.actual_tables("shop\\_audit")))
            self.assertEqual(created, sorted("%s.shop_invoice_%d" % (db, k)
                                             for db in self.ACTUAL for k in (0, 1)))
            self.assertEqual(len(self.actual_tables("shop\\_audit")), 1)
            with engine.begin() as conn:
                conn.execute(invoice.insert(), [{"invoice_id": i, "user_id": i, "total": i}
                                                for i in range(1, 9)])
                conn.execute(audit.insert(), [{"id": 1, "what": "made"}])
            with engine.connect() as conn:
                self.assertEqual(conn.execute(sa.select(sa.func.count()).select_from(invoice)).scalar(), 8)
                self.assertEqual(conn.execute(sa.select(audit.c.what)).scalars().all(), ["made"])
            insp = sa.inspect(engine)
            self.assertIn("shop_invoice", insp.get_table_names())
            self.assertIn("shop_audit", insp.get_table_names())
            self.assertEqual([c["name"] for c in insp.get_columns("shop_invoice")],
                             ["invoice_id", "user_id", "total"])
            self.assertTrue(insp.has_table("shop_invoice"), "has_table(shop_invoice) after create_all()")
        finally:
            try:
                md.drop_all(engine)
            except Exception as e:  # noqa: BLE001
                self.fail("drop_all() through the proxy failed: %r" % (e,))
        self.assertEqual(self.actual_tables("shop\\_invoice%"), [])
        self.assertEqual(self.actual_tables("shop\\_audit"), [])
        names = sa.inspect(engine).get_table_names()
        self.assertNotIn("shop_audit", names, "a dropped single table is still listed")
        self.assertNotIn("shop_invoice", names, "a sharded table without actual tables is listed")
        self.assertFalse(sa.inspect(engine).has_table("shop_invoice"))


if __name__ == "__main__":
    h.main()
