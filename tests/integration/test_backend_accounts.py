"""Backend accounts (README "Backend accounts"): the start-up check of each data source account's
grants. A least-privilege account (the harness's default) starts quietly and serves DDL, DML and
XA through the proxy; root gets one warning naming ALL PRIVILEGES and GRANT OPTION on *.*; an
account with extra privileges gets a warning that names each one (global ones, privileges on
another database, GRANT OPTION, a role's privileges read with SHOW GRANTS FOR, PUBLIC's) and not
the global privileges the proxy's features may use; a data source that cannot be reached is
reported and the proxy still starts.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

DB = "it_accounts_db"
OTHER = "it_accounts_other"
EXTRA_USER = "it_accounts_extra"
ROLE = "it_accounts_role"
WARNING = "may do more than the proxy needs"


def warnings_of(proxy):
    """The grant warnings in a proxy's log: {"db.ds": list of what exceeds}."""
    out = {}
    for m in re.finditer(r"data source (\S+) \([^)]*\): the account may do more than the proxy "
                         r"needs, which is every privilege on `[^`]*` and nothing else "
                         r"\(README: Backend accounts\): (.*)", proxy.log()):
        out[m.group(1)] = m.group(2).strip().split("; ")
    return out


class BackendAccountsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p0, cls.p1 = h.cluster_ports()[:2]
        cls.enterClassContext(h.actual_databases([(cls.p0, DB), (cls.p0, OTHER), (cls.p1, DB)]))
        c = h.direct(cls.p0)
        try:
            for sql in (
                "DROP USER IF EXISTS '%s'@'127.0.0.1'" % EXTRA_USER,
                "DROP ROLE IF EXISTS %s" % ROLE,
                "CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY 'extra'" % EXTRA_USER,
                "GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'127.0.0.1' WITH GRANT OPTION"
                % (DB.replace("_", "\\_"), EXTRA_USER),
                # What the proxy's features may use: named in the README, never warned about.
                "GRANT PROCESS, RELOAD, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO '%s'@'127.0.0.1'"
                % EXTRA_USER,
                "GRANT FILE ON *.* TO '%s'@'127.0.0.1'" % EXTRA_USER,
                "GRANT SELECT ON `%s`.* TO '%s'@'127.0.0.1'" % (OTHER, EXTRA_USER),
                # A role that is not the default one: plain SHOW GRANTS does not list its grants.
                "CREATE ROLE %s" % ROLE,
                "GRANT SUPER ON *.* TO %s" % ROLE,
                "GRANT %s TO '%s'@'127.0.0.1'" % (ROLE, EXTRA_USER),
            ):
                h.query(c, sql)
        finally:
            c.close()

    @classmethod
    def tearDownClass(cls):
        c = h.direct(cls.p0)
        try:
            h.query(c, "DROP USER IF EXISTS '%s'@'127.0.0.1'" % EXTRA_USER)
            h.query(c, "DROP ROLE IF EXISTS %s" % ROLE)
        finally:
            c.close()

    def proxy(self, sources, rules=None, **kw):
        p = h.Proxy(h.global_yaml(transaction="XA"),
                    {"db1": h.database_yaml("db1", sources, rules=rules, **kw)}, name="accounts")
        p.start()
        self.addCleanup(p.close)
        return p

    def test_least_privilege_accounts_start_quietly_and_serve(self):
        user, password = h.backend_account(DB)
        c = h.direct(self.p0, user=user, password=password)
        try:
            grants = sorted(r[0] for r in h.query(c, "SHOW GRANTS"))
        finally:
            c.close()
        self.assertEqual(len(grants), 2, grants)
        self.assertRegex(grants[0], r"^GRANT ALL PRIVILEGES ON `it\\_accounts\\_db`\.\* TO ")
        self.assertRegex(grants[1], r"^GRANT USAGE ON \*\.\* TO ")

        rules = """
        - !SHARDING
          tables:
            t:
              actualDataNodes: ds_${0..1}.t
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
        p = self.proxy({"ds_0": (self.p0, DB), "ds_1": (self.p1, DB)}, rules=rules)
        self.assertNotIn(WARNING, p.log())
        self.assertNotIn("cannot read the account's grants", p.log())
        conn = h.connect(p, db="db1")
        self.addCleanup(conn.close)
        h.query(conn, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
        # An XA transaction over both servers, each branch under its own account.
        h.query(conn, "BEGIN")
        h.query(conn, "INSERT INTO t (id, v) VALUES (1, 'one'), (2, 'two')")
        h.query(conn, "COMMIT")
        self.assertIn("XA PREPARE", p.log())
        self.assertEqual(h.query(conn, "SELECT id, v FROM t ORDER BY id"), ((1, "one"), (2, "two")))
        h.query(conn, "DROP TABLE t")

    def test_root_is_warned(self):
        p = self.proxy({"ds_0": (self.p0, DB)}, user="root", password="root")
        found = warnings_of(p)
        self.assertEqual(list(found), ["db1.ds_0"], p.log())
        self.assertIn("ALL PRIVILEGES, GRANT OPTION on *.*", found["db1.ds_0"])
        self.assertIn("(127.0.0.1:%d, user root)" % self.p0, p.log())

    def test_each_excess_is_named(self):
        p = self.proxy({"ds_0": (self.p0, DB)}, user=EXTRA_USER, password="extra")
        found = warnings_of(p)
        self.assertEqual(list(found), ["db1.ds_0"], p.log())
        self.assertEqual(sorted(found["db1.ds_0"]), sorted([
            "FILE on *.*",
            "GRANT OPTION on `it\\_accounts\\_db`.*",
            "SELECT on `%s`.*" % OTHER,
            "SUPER on *.* (through role `%s`)" % ROLE,
        ]))
        # The proxy runs anyway.
        conn = h.connect(p, db="db1")
        self.addCleanup(conn.close)
        self.assertEqual(h.query(conn, "SELECT 1"), ((1,),))

    def test_unreachable_data_source_is_reported(self):
        port = h.free_port()
        p = self.proxy({"ds_0": (self.p0, DB), "ds_1": (port, DB)}, timeout_ms=1000)
        # Probed once at start-up, all servers at once; a silent one is asked nothing more.
        self.assertRegex(p.log(), r"server 127\.0\.0\.1:%d does not answer: .*grants are not "
                                  r"checked" % port)
        self.assertNotIn(WARNING, p.log())


if __name__ == "__main__":
    h.main()
