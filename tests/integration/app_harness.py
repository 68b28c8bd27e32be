"""What the real-application client tests (test_app_*.py) share: one data set, the topology that
shards it, and the comparison of a client program's run through the proxy with its run on a
reference MariaDB.

Topology (one proxy per test script, on the two servers of the cluster):
  * logical database ``app_db`` shards ``t_order`` over ds_0 (first server) and ds_1 (second
    server) by ``user_id % 2``, then over ``t_order_0`` / ``t_order_1`` by ``order_id % 2``;
  * logical database ``app_plain`` is pass-through (no sharding rule) on the second server and
    holds ``t_ledger`` (AUTO_INCREMENT id);
  * ``app_db.t_note`` is sharded by ``user_id % 2`` only and does not exist at first: a client
    program may create it through the proxy (on the reference, the same statement makes one table).
The reference is the same data loaded directly into two databases of the first server, with the
same table names (``t_order`` there is one table).

A client program is run twice, on the reference and through the proxy, with the same arguments
but the port and the database names. It prints one JSON object per line and per step,
``{"step": NAME, "result": ...}`` or ``{"step": NAME, "error": [ERRNO, MESSAGE]}``; the test
compares the two transcripts step by step (the reference run must have no error but in steps whose
name starts with ``error:``), then what the tables hold at the end: the proxy's shards merged must
equal the reference, each row on the shard and table its keys choose.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

APPS_DIR = os.path.join(h.HERE, "apps")
SHARDED = "app_db"
PLAIN = "app_plain"
DATA_SOURCES = ("ds_0", "ds_1")

ORDER_COLUMNS = "order_id, user_id, status, amount, note"
ORDER_DDL = ("CREATE TABLE %s (order_id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL,"
             " status VARCHAR(32) NOT NULL, amount DECIMAL(10,2) NOT NULL DEFAULT 0, note VARCHAR(64) NULL,"
             " KEY idx_user (user_id)) DEFAULT CHARSET=utf8mb4")
LEDGER_DDL = ("CREATE TABLE t_ledger (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL,"
              " entry VARCHAR(64) NOT NULL) DEFAULT CHARSET=utf8mb4")

# user and order parities vary independently, so that each of the four actual tables has rows
ORDERS = [
    (1001, 1, "NEW", "10.00", None),
    (1002, 1, "PAID", "25.50", "gift"),
    (1003, 2, "NEW", "7.25", "gr\u00f6\u00dfe \u2713"),
    (1004, 2, "SHIPPED", "99.99", None),
    (1005, 3, "PAID", "15.00", None),
    (1006, 3, "NEW", "42.00", "rush"),
    (1007, 4, "PAID", "3.50", None),
    (1008, 4, "NEW", "60.00", None),
    (1009, 5, "CANCELLED", "0.00", "x"),
    (1010, 6, "NEW", "12.75", None),
    (1011, 6, "PAID", "33.30", None),
    (1012, 5, "SHIPPED", "8.00", "it's \U0001F600"),
]
LEDGER = [(1001, "opened"), (1004, "shipped")]

RULES = """
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
    t_note:
      actualDataNodes: ds_${0..1}.t_note
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
    t_order_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
"""

PROGRAM_TIMEOUT = 120   # seconds for one run of a client program
MAX_SHOWN_DIFFS = 12    # differing steps shown in full in a failure message


def run_program(cmd, timeout=PROGRAM_TIMEOUT, env=None):
    """Runs a client program; returns (exit code or None on timeout, stdout, stderr)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, text=True, errors="replace", cwd=h.SOURCE_DIR, env=e)
    except subprocess.TimeoutExpired as ex:
        out = ex.stdout.decode(errors="replace") if isinstance(ex.stdout, bytes) else (ex.stdout or "")
        err = ex.stderr.decode(errors="replace") if isinstance(ex.stderr, bytes) else (ex.stderr or "")
        return None, out, err + "\n(killed after %ds)" % timeout
    return r.returncode, r.stdout, r.stderr


def parse_transcript(out):
    """[(step, ("result", value) | ("error", [errno, message]))] from a program's stdout; other
    lines are ignored."""
    steps = []
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if "step" not in rec:
            continue
        if "error" in rec:
            steps.append((rec["step"], ("error", rec["error"])))
        else:
            steps.append((rec["step"], ("result", rec.get("result"))))
    return steps


def show(v, limit=600):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + "..."


class AppTestCase(h.TestCase):
    """Base of a real-client test: PREFIX names its actual databases (unique per script)."""

    PREFIX = None

    @classmethod
    def setUpClass(cls):
        p0, p1 = h.cluster_ports()[:2]
        cls.ports = {"ds_0": p0, "ds_1": p1}
        cls.ref_port = p0
        pre = "it_%s" % cls.PREFIX
        cls.actual = {"ds_0": pre + "_ds0", "ds_1": pre + "_ds1"}
        cls.plain_actual = (p1, pre + "_plain")
        cls.ref_sharded = pre + "_ref"
        cls.ref_plain = pre + "_ref_plain"
        cls.enterClassContext(h.actual_databases([
            (p0, cls.actual["ds_0"]), (p1, cls.actual["ds_1"]), cls.plain_actual,
            (p0, cls.ref_sharded), (p0, cls.ref_plain)]))
        for ds in DATA_SOURCES:
            h.direct_exec(cls.ports[ds], cls.actual[ds], *[ORDER_DDL % ("t_order_%d" % i) for i in (0, 1)])
        h.direct_exec(cls.plain_actual[0], cls.plain_actual[1], LEDGER_DDL)
        h.direct_exec(p0, cls.ref_sharded, ORDER_DDL % "t_order")
        h.direct_exec(p0, cls.ref_plain, LEDGER_DDL)
        sources = {ds: (cls.ports[ds], cls.actual[ds]) for ds in DATA_SOURCES}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(),
            {SHARDED: h.database_yaml(SHARDED, sources, rules=RULES),
             PLAIN: h.database_yaml(PLAIN, {"ds_0": cls.plain_actual})},
            name="app-" + cls.PREFIX))

    def setUp(self):
        self.reset_data()

    # ---- data ----
    @staticmethod
    def _load(port, db, statements):
        c = h.direct(port, db)
        try:
            with c.cursor() as cur:
                # a lock left by a broken client must fail the reset, not hang it
                cur.execute("SET SESSION innodb_lock_wait_timeout = 5, SESSION lock_wait_timeout = 5")
                for sql, args in statements:
                    if args is None:
                        cur.execute(sql)
                    else:
                        cur.executemany(sql, args)
        finally:
            c.close()

    def reset_data(self):
        insert = "INSERT INTO %s (" + ORDER_COLUMNS + ") VALUES (%%s, %%s, %%s, %%s, %%s)"
        for ds in DATA_SOURCES:
            k = DATA_SOURCES.index(ds)
            statements = []
            for i in (0, 1):
                table = "t_order_%d" % i
                rows = [r for r in ORDERS if r[1] % 2 == k and r[0] % 2 == i]
                statements.append(("TRUNCATE TABLE %s" % table, None))
                statements.append((insert % table, rows))
            self._load(self.ports[ds], self.actual[ds], statements)
        self._load(self.ref_port, self.ref_sharded,
                   [("TRUNCATE TABLE t_order", None), (insert % "t_order", ORDERS)])
        ledger = [("TRUNCATE TABLE t_ledger", None),
                  ("INSERT INTO t_ledger (order_id, entry) VALUES (%s, %s)", LEDGER)]
        self._load(self.plain_actual[0], self.plain_actual[1], ledger)
        self._load(self.ref_port, self.ref_plain, ledger)

    def targets(self):
        """{'reference': ..., 'proxy': ...}: port, sharded and plain database names of each run."""
        return {"reference": {"port": self.ref_port, "sharded": self.ref_sharded, "plain": self.ref_plain},
                "proxy": {"port": self.proxy.port, "sharded": SHARDED, "plain": PLAIN}}

    # ---- checks ----
    def run_both(self, make_cmd, what, env=None):
        """Runs make_cmd(target) on the reference, then through the proxy; returns both transcripts
        after checking the programs ran to their end."""
        transcripts = {}
        for name, target in self.targets().items():
            code, out, err = run_program(make_cmd(target), env=env)
            steps = parse_transcript(out)
            self.assertTrue(steps and steps[-1][0] == "done",
                            "%s on the %s did not finish (exit %s); last steps %s\nstderr:\n%s"
                            % (what, name, code, show(steps[-3:]), err[-3000:]))
            self.assertEqual(code, 0, "%s on the %s exited with %s\nstderr:\n%s" % (what, name, code, err[-3000:]))
            transcripts[name] = steps
        ref_errors = [(s, r) for s, r in transcripts["reference"] if r[0] == "error" and not s.startswith("error:")]
        self.assertEqual(ref_errors, [], "%s fails on the reference MariaDB itself" % what)
        return transcripts

    def assert_same_transcript(self, transcripts, what):
        ref, got = transcripts["reference"], transcripts["proxy"]
        self.assertEqual([s for s, _ in got], [s for s, _ in ref], "%s: the runs went through different steps" % what)
        diffs = [(step, expected, actual) for (step, expected), (_, actual) in zip(ref, got) if expected != actual]
        if diffs:
            shown = ["  step %r\n    reference: %s\n    proxy:     %s" % (step, show(expected), show(actual))
                     for step, expected, actual in diffs[:MAX_SHOWN_DIFFS]]
            more = [step for step, _, _ in diffs[MAX_SHOWN_DIFFS:]]
            self.fail("%s: %d of %d steps differ from the reference MariaDB:\n%s%s"
                      % (what, len(diffs), len(ref), "\n".join(shown),
                         "\n  and the steps %s" % ", ".join(repr(s) for s in more) if more else ""))

    def shard_rows(self):
        """Rows of t_order on every shard, checking each is where its keys send it."""
        merged = []
        misplaced = []
        for k, ds in enumerate(DATA_SOURCES):
            c = h.direct(self.ports[ds], self.actual[ds])
            try:
                for i in (0, 1):
                    for r in h.query(c, "SELECT %s FROM t_order_%d" % (ORDER_COLUMNS, i)):
                        if r[1] % 2 != k or r[0] % 2 != i:
                            misplaced.append((ds, "t_order_%d" % i, r[0], r[1]))
                        merged.append(tuple(r))
            finally:
                c.close()
        self.assertEqual(misplaced, [], "rows on a shard their keys do not choose")
        return sorted(merged)

    def assert_same_tables(self, what):
        c = h.direct(self.ref_port, self.ref_sharded)
        try:
            expected = [tuple(r) for r in h.query(c, "SELECT %s FROM t_order ORDER BY order_id" % ORDER_COLUMNS)]
        finally:
            c.close()
        self.assert_same_rows(self.shard_rows(), expected, "%s: t_order on the shards" % what)
        ledgers = []
        for port, db in (self.plain_actual, (self.ref_port, self.ref_plain)):
            c = h.direct(port, db)
            try:
                ledgers.append([tuple(r) for r in h.query(c, "SELECT id, order_id, entry FROM t_ledger ORDER BY id")])
            finally:
                c.close()
        self.assert_same_rows(ledgers[0], ledgers[1], "%s: t_ledger (pass-through)" % what)

    def assert_same_rows(self, got, expected, what):
        if got == expected:
            return
        missing = [r for r in expected if r not in got]
        extra = [r for r in got if r not in expected]
        self.fail("%s differs from the reference: rows only in the reference %r; rows only through the proxy %r"
                  % (what, missing, extra))

    def check_program(self, make_cmd, what, env=None):
        """The whole check of one client program: both runs, same transcript, same tables."""
        self.compare(self.run_both(make_cmd, what, env=env), what)

    def compare(self, transcripts, what):
        """Both checks against the reference, reported together: the transcripts, then the tables."""
        problems = []
        for check in (lambda: self.assert_same_transcript(transcripts, what), lambda: self.assert_same_tables(what)):
            try:
                check()
            except AssertionError as e:
                problems.append(str(e))
        if problems:
            self.fail("\n\n".join(problems))
