"""Metamorphic differential test: each random SELECT of test_differential.py's generator that the
proxy answers is run again in a few variants that must mean the same (comments, a trailing `;`,
other whitespace, keyword case, quoted or qualified identifiers, integers written as strings,
sql_mode ANSI_QUOTES or NO_BACKSLASH_ESCAPES, combinations; see metamorphic.py), through the proxy
and on the unsharded reference database, and both answers must agree as test_differential's
compare() judges them.

Two protocols: text (pymysql, COM_QUERY) and binary (apps/binary_runner.php: PHP PDO with
server-side prepares, COM_STMT_EXECUTE, integer literals turned into `?` parameters bound as
strings). The same runner runs against the proxy and against the reference.

Every variant is checked on the reference first: its rows must be the original query's rows
(column names may differ: MariaDB names an expression column by its text). A variant that fails
this is a bug of metamorphic.py, and fails the test too.

A query the proxy refuses (1235 or a 2xxxx code) is not varied; it is counted as refused, per
query kind. Any other failure is printed in full (the variant's SQL on both sides and both
answers) and fails the test.

    /usr/bin/python3 tests/integration/test_differential_variants.py [--seed N] [--count N]
(or DIFF_SEED / DIFF_VARIANT_COUNT in the environment). The default count is smaller when the
proxy is the sanitizer build (SHARDPROXY_BIN under build-asan/, or SHARDPROXY_ASAN=1).
"""

import collections
import datetime
import json
import os
import random
import select
import subprocess
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import metamorphic as mm  # noqa: E402
import pymysql  # noqa: E402
import test_differential as d  # noqa: E402  (its TestCase is not imported by name: not run here)

DEFAULT_COUNT = 6000          # queries: about 50 s on two idle cores (90 s busy), release build
DEFAULT_COUNT_ASAN = 1500    # the sanitizer build is slower, and its pass runs the whole suite again
TEXT_VARIANTS_PER_QUERY = 3
BINARY_VARIANTS_PER_QUERY = 1
SHOW_FAILURES = 25
MAX_RESTARTS = 5

LOGICAL = d.LOGICAL
ACTUAL = ("it_var_ds0", "it_var_ds1")    # ds_0 (first server), ds_1 (second server)
REFERENCE = "it_var_ref"                 # on the first server
DATA_SOURCES = d.DATA_SOURCES
SHARDING_COLUMNS = ("user_id", "order_id")
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps", "binary_runner.php")



# ------------------------------------------------------------------------------------------
# Known proxy bugs
# ------------------------------------------------------------------------------------------

def parameter_in_select_list(sql, modes):
    """Whether a `?` parameter marker stands in the (outermost) select list of sql."""
    toks = mm.tokenize(sql, "ANSI_QUOTES" in modes, "NO_BACKSLASH_ESCAPES" in modes)
    depth, inside = 0, False
    for t in toks:
        if t.kind == mm.WORD and t.text.upper() == "SELECT" and depth == 0:
            inside = True
        elif t.kind == mm.WORD and t.text.upper() == "FROM" and depth == 0 and inside:
            return False
        elif t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.text == "?" and inside:
            return True
    return False


class KnownBug:
    def __init__(self, name, description, matches):
        self.name = name
        self.description = description
        self.matches = matches        # (original Query, Variant) -> whether the bug explains a failure


# Proxy bugs this test has found and that are not fixed yet. A failure of a variant that one of
# them explains is counted and printed under its name (with one example), not failed; any other
# failure fails the test. Remove an entry when its bug is fixed.
KNOWN_PROXY_BUGS = [
    KnownBug("parameter-in-select-item-name",
             "a prepared statement whose select item holds a ? parameter: the column is named with the "
             "bound value ('MAX(x) > '10''), where MariaDB names it as prepared ('MAX(x) > ?'): "
             "statements reach the backends as text with the values inlined",
             lambda q, v: "params" in v.transforms and parameter_in_select_list(v.proxy_sql, v.modes)),
]


def _take_cli_options():
    for flag, env in (("--seed", "DIFF_SEED"), ("--count", "DIFF_VARIANT_COUNT")):
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


def sanitizer_build():
    return os.environ.get("SHARDPROXY_ASAN") == "1" or "asan" in os.path.basename(
        os.path.dirname(os.path.abspath(h.PROXY_BIN)))


class QueryError(Exception):
    """An error answer: errno, message."""

    def __init__(self, errno, message):
        super().__init__(errno, message)
        self.errno = errno
        self.message = message

    def __str__(self):
        return "%d %s" % (self.errno, self.message)


LOST = (0, 2002, 2006, 2013, 2014)


def text_run(conn, sql):
    try:
        return d.run(conn, sql)
    except pymysql.MySQLError as e:
        errno = e.args[0] if e.args and isinstance(e.args[0], int) else -1
        raise QueryError(errno, e.args[1] if len(e.args) > 1 else str(e))
    except (ValueError, TypeError, UnicodeDecodeError) as e:
        raise QueryError(-1, "undecodable result: %r" % e)


# ------------------------------------------------------------------------------------------
# The binary protocol runner (PHP PDO, server-side prepares)
# ------------------------------------------------------------------------------------------

INT_TYPES = ("TINY", "SHORT", "LONG", "LONGLONG", "INT24", "YEAR")


def binary_value(v, native_type):
    """A value of the runner's answer as the Python type pymysql gives for the column type, so
    that compare() normalizes both protocols alike."""
    if v is None:
        return None
    try:
        if native_type in INT_TYPES:
            return int(v)
        if native_type in ("NEWDECIMAL", "DECIMAL"):
            return Decimal(v)
        if native_type in ("DOUBLE", "FLOAT"):
            return float(v)
        if native_type == "DATE":
            return datetime.date.fromisoformat(v)
        if native_type in ("DATETIME", "TIMESTAMP"):
            return datetime.datetime.fromisoformat(v)
    except (ValueError, TypeError):
        return ("undecodable %s" % native_type, v)
    return v


class BinaryRunner:
    """One binary_runner.php process with one connection; a request is one JSON line each way."""

    TIMEOUT = 30

    def __init__(self, port, db, base_mode):
        self.base_mode = base_mode
        self.mode = base_mode
        self.proc = subprocess.Popen(["php", RUNNER, "127.0.0.1", str(port), "root", "root", db],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     bufsize=0, start_new_session=True)
        self.buf = b""
        hello = self._read()
        if hello.get("native") is not True:
            self.close()
            raise AssertionError("binary runner on port %d: prepares are not the server's: %r" % (port, hello))

    def _read(self):
        deadline = time.monotonic() + self.TIMEOUT
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise QueryError(-1, "binary runner: no answer within %ds" % self.TIMEOUT)
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:]
                raise QueryError(-1, "binary runner exited: %s" % err)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, req):
        try:
            self.proc.stdin.write((json.dumps(req) + "\n").encode())
        except OSError as e:
            raise QueryError(-1, "binary runner gone: %s" % e)
        answer = self._read()
        if "error" in answer:
            raise QueryError(*answer["error"])
        return answer

    def set_flags(self, flags):
        mode = self.base_mode + ("," + flags if flags else "")
        if mode != self.mode:
            self.request({"mode": mode})
            self.mode = mode

    def run(self, sql, params):
        a = self.request({"sql": sql, "params": params})
        types = [t for _, t in a["columns"]]
        names = [n for n, _ in a["columns"]]
        return names, [tuple(binary_value(v, t) for v, t in zip(r, types)) for r in a["rows"]]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()


# ------------------------------------------------------------------------------------------
# One side (the proxy or the reference): text connections per sql_mode, one binary runner
# ------------------------------------------------------------------------------------------

class Side:
    def __init__(self, name, connect, port, db, base_mode):
        self.name = name
        self.connect = connect          # () -> a pymysql connection
        self.port = port
        self.db = db
        self.base_mode = base_mode      # the session sql_mode without variant flags
        self.text = {}                  # flags -> connection
        self.runner = None

    def text_conn(self, flags):
        c = self.text.get(flags)
        if c is None or not c.open:
            c = self.connect()
            h.query(c, "SET SESSION sql_mode = %s", (self.base_mode + ("," + flags if flags else ""),))
            self.text[flags] = c
        return c

    def run_text(self, sql, flags=None):
        return text_run(self.text_conn(flags), sql)

    def run_binary(self, sql, params, flags=None):
        if self.runner is None:
            self.runner = BinaryRunner(self.port, self.db, self.base_mode)
        self.runner.set_flags(flags)
        return self.runner.run(sql, params)

    def close(self):
        for c in self.text.values():
            d.close_quietly(c)
        self.text = {}
        if self.runner is not None:
            self.runner.close()
            self.runner = None


def show(result):
    if isinstance(result, QueryError):
        return "error %s" % result
    names, rows = result
    more = " ... (%d rows)" % len(rows) if len(rows) > d.SHOW_ROWS else ""
    return "%r %r%s" % (names, rows[:d.SHOW_ROWS], more)


class DifferentialVariantsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.seed = int(os.environ.get("DIFF_SEED", d.DEFAULT_SEED))
        cls.count = int(os.environ.get("DIFF_VARIANT_COUNT",
                                       DEFAULT_COUNT_ASAN if sanitizer_build() else DEFAULT_COUNT))
        ports = h.cluster_ports()[:2]
        cls.ports = dict(zip(DATA_SOURCES, ports))
        cls.ref_port = ports[0]
        cls.enterClassContext(h.actual_databases(list(zip(ports, ACTUAL)) + [(ports[0], REFERENCE)]))
        for ds, actual in zip(DATA_SOURCES, ACTUAL):
            h.direct_exec(cls.ports[ds], actual,
                          *[d.TABLES[logic].ddl(name) for dsn, logic, name in d.ACTUAL_TABLES if dsn == ds])
        h.direct_exec(cls.ref_port, REFERENCE, *[t.ddl(t.name) for t in d.TABLES.values()])
        sources = {ds: (cls.ports[ds], actual) for ds, actual in zip(DATA_SOURCES, ACTUAL)}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(), {LOGICAL: h.database_yaml(LOGICAL, sources, rules=d.RULES)},
            name="differential-variants"))
        cls.data = d.generate_data(random.Random(cls.seed))
        pc = h.connect(cls.proxy, db=LOGICAL)
        try:
            with pc.cursor() as cur:
                for table, rows in cls.data.items():
                    for stmt in d.insert_statements(table, rows):
                        cur.execute(stmt)
        finally:
            pc.close()
        h.direct_exec(cls.ref_port, REFERENCE,
                      *[s for table, rows in cls.data.items() for s in d.insert_statements(table, rows)])
        c = h.direct(cls.ref_port)
        try:
            (cls.server_mode,), = h.query(c, "SELECT @@GLOBAL.sql_mode")
        finally:
            c.close()

    def restart_proxy_if_dead(self):
        """The exit status of a proxy that died (a new one is started), else None."""
        if self.proxy.alive():
            return None
        status = self.proxy.proc.poll()
        self.proxy.start()
        return status

    def test_variants_answer_like_the_original(self):
        tables = list(d.TABLES)
        proxy_ctx = mm.Context(LOGICAL, tables, SHARDING_COLUMNS)
        ref_ctx = mm.Context(REFERENCE, tables, SHARDING_COLUMNS)
        # The reference adds ONLY_FULL_GROUP_BY, as test_differential does (a generator bug
        # shows there); the proxy's sessions keep the servers' mode.
        ref_mode = ",".join(filter(None, [self.server_mode, "ONLY_FULL_GROUP_BY"]))
        proxy = Side("proxy", lambda: h.connect(self.proxy, db=LOGICAL), None, LOGICAL, self.server_mode)
        ref = Side("reference", lambda: h.direct(self.ref_port, REFERENCE), self.ref_port, REFERENCE, ref_mode)
        self.addCleanup(proxy.close)
        self.addCleanup(ref.close)

        rng = random.Random(self.seed * 1000003 + 17)
        gen = d.Generator(rng, self.data)
        vrng = random.Random(self.seed * 7919 + 3)
        stats = collections.Counter()
        runs = collections.Counter()          # (protocol, variant kind) -> variants compared
        transform_runs = collections.Counter()  # (protocol, transform) -> variants that used it
        not_applicable = collections.Counter()
        refused = collections.Counter()       # query kind -> originals the proxy refused
        refusals = collections.Counter()      # message -> originals
        known = collections.Counter()      # known bug name -> variants it explains
        known_example = {}
        failures = []
        failed_kinds = collections.Counter()
        restarts = 0
        start = time.monotonic()

        def fail(what, kind, text):
            failed_kinds[what, kind] += 1
            failures.append(text)

        for n in range(self.count):
            if restarts > MAX_RESTARTS:
                failures.append("the proxy died %d times; stopping" % restarts)
                break
            q = gen.query()
            stats["queries"] += 1
            try:
                expected = ref.run_text(q.sql)
            except QueryError as e:
                fail("reference refused the original", q.kind,
                     "query %d: the reference refused it (a generator bug): %s\n  %s" % (n, e, q.sql))
                continue
            proxy.port = self.proxy.port
            try:
                got = proxy.run_text(q.sql)
            except QueryError as e:
                if d.is_unsupported(e.errno):
                    refused[q.kind] += 1
                    refusals[str(e)] += 1
                    continue
                fail("proxy error on the original", q.kind,
                     "query %d: proxy error on the original: %s\n  %s" % (n, e, q.sql))
                status = self.restart_proxy_if_dead()
                if status is not None or e.errno in LOST:
                    restarts += status is not None
                    proxy.close()
                continue
            problem = d.compare(q, expected, got)
            if problem is not None:
                fail("original differs", q.kind, "query %d: the original differs (as test_differential "
                     "would report): %s\n  %s\n  reference: %s\n  proxy:     %s"
                     % (n, problem, q.sql, show(expected), show(got)))
                continue
            stats["queries varied"] += 1

            kinds = [("text", k) for k in vrng.sample(mm.TEXT_KINDS, TEXT_VARIANTS_PER_QUERY)] + \
                    [("binary", k) for k in vrng.sample(mm.BINARY_KINDS, BINARY_VARIANTS_PER_QUERY)]
            for protocol, kind in kinds:
                v = mm.variant(kind, q.sql, proxy_ctx, ref_ctx, vrng.getrandbits(32))
                if v is None:
                    not_applicable[protocol, kind] += 1
                    continue
                label = "%s %s %s" % (protocol, kind, "+".join(v.transforms) or "as is")
                if v.modes:
                    label += " (sql_mode +%s)" % v.mode_flags
                if v.params:
                    label += " params %r" % (v.params,)
                if protocol == "text":
                    run_ref = lambda: ref.run_text(v.reference_sql, v.mode_flags)  # noqa: E731
                    run_proxy = lambda: proxy.run_text(v.proxy_sql, v.mode_flags)  # noqa: E731
                else:
                    run_ref = lambda: ref.run_binary(v.reference_sql, v.params, v.mode_flags)  # noqa: E731
                    run_proxy = lambda: proxy.run_binary(v.proxy_sql, v.params, v.mode_flags)  # noqa: E731
                runs[protocol, kind] += 1
                for t in v.transforms:
                    transform_runs[protocol, t] += 1
                try:
                    ref_answer = run_ref()
                except QueryError as e:
                    fail("variant refused by the reference", kind,
                         "query %d, %s: the reference refused the variant (a metamorphic.py bug): %s\n"
                         "  original:  %s\n  variant:   %s" % (n, label, e, q.sql, v.reference_sql))
                    if e.errno in LOST:
                        ref.close()
                    continue
                # The variant means the original: the same rows (names may differ with the text).
                problem = d.compare(q, (ref_answer[0], expected[1]), ref_answer)
                if problem is not None:
                    fail("variant changes the rows on the reference", kind,
                         "query %d, %s: the variant's rows differ from the original's on the reference "
                         "(a metamorphic.py bug): %s\n  original:  %s\n  variant:   %s\n  original rows: %s\n"
                         "  variant rows:  %s" % (n, label, problem, q.sql, v.reference_sql, show(expected),
                                                  show(ref_answer)))
                    continue
                try:
                    proxy_answer = run_proxy()
                except QueryError as e:
                    proxy_answer = e
                    problem = "the proxy answered the original but not the variant: %s" % e
                else:
                    problem = d.compare(q, ref_answer, proxy_answer)
                if problem is None:
                    stats["variants identical"] += 1
                    continue
                text = ("query %d, %s: %s\n  reference SQL: %s\n  proxy SQL:     %s\n  reference: %s\n"
                        "  proxy:     %s" % (n, label, problem, v.reference_sql, v.proxy_sql, show(ref_answer),
                                             show(proxy_answer)))
                bug = next((b for b in KNOWN_PROXY_BUGS if b.matches(q, v)), None)
                if bug is not None:
                    known[bug.name] += 1
                    known_example.setdefault(bug.name, text)
                else:
                    fail("mismatch", "%s %s" % (protocol, kind), text)
                if isinstance(proxy_answer, QueryError) and (
                        proxy_answer.errno in LOST or not self.proxy.alive()):
                    status = self.restart_proxy_if_dead()
                    if status is not None:
                        restarts += 1
                        fail("proxy died", "%s %s" % (protocol, kind),
                             "query %d, %s: the proxy died (exit status %s) on the variant\n  %s"
                             % (n, label, status, v.proxy_sql))
                    proxy.close()
        elapsed = time.monotonic() - start

        out = ["", "differential variants: seed %d, %d queries in %.1f s (%s build): %d answered by the "
               "proxy and varied, %d refused; %d variants compared, %d identical, %d failures"
               % (self.seed, stats["queries"], elapsed, "sanitizer" if sanitizer_build() else "release",
                  stats["queries varied"], sum(refused.values()), sum(runs.values()),
                  stats["variants identical"], len(failures))]
        out.append("variants run (protocol, kind: compared, not applicable):")
        for protocol, kind in sorted(set(runs) | set(not_applicable)):
            out.append("  %-6s %-24s %5d  %5d" % (protocol, kind, runs[protocol, kind],
                                                  not_applicable[protocol, kind]))
        out.append("transforms used (protocol, transform: variants, alone or in a combination):")
        for protocol, t in sorted(transform_runs):
            out.append("  %-6s %-24s %5d" % (protocol, t, transform_runs[protocol, t]))
        out.append("mismatches: %d" % sum(k for (what, _), k in failed_kinds.items() if what == "mismatch"))
        for (what, kind), k in sorted(failed_kinds.items()):
            out.append("  %5d  %s: %s" % (k, what, kind))
        out.append("refused originals per query kind: %s" % dict(sorted(refused.items())))
        for msg, k in refusals.most_common():
            out.append("  %5d  %s" % (k, msg))
        if KNOWN_PROXY_BUGS:
            out.append("KNOWN PROXY BUGS (failures they explain are not failed; remove an entry once fixed):")
            for b in KNOWN_PROXY_BUGS:
                out.append("  %-24s %5d variants  %s" % (b.name, known[b.name], b.description))
                if b.name in known_example:
                    out.append("    e.g. " + known_example[b.name].replace("\n", "\n    "))
        for f in failures[:SHOW_FAILURES]:
            out.append("FAIL " + f)
        if len(failures) > SHOW_FAILURES:
            out.append("... and %d more failures" % (len(failures) - SHOW_FAILURES))
        if failures:
            out.append("reproduce: /usr/bin/python3 %s --seed %d --count %d" % (__file__, self.seed, self.count))
        sys.stderr.write("\n".join(out) + "\n")
        sys.stderr.flush()
        self.assertGreater(sum(runs.values()), 0, "no variant was run")
        if failures:
            self.fail("%d failures in %d queries (see above)" % (len(failures), stats["queries"]))


if __name__ == "__main__":
    _take_cli_options()
    h.main()
