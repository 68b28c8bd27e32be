"""The shardproxy command line: --help, --version, --check-config (good and bad configurations,
`file:line: key: message` errors), refusing to start with a bad configuration, props
proxy-default-port, --socket, SIGTERM / SIGINT (exit code 0, port closed), and the sql-show log
(`Logic SQL: ...` / `Actual SQL: ds_0 ::: ...` on stderr).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_cli_db"


def project_version():
    with open(os.path.join(h.SOURCE_DIR, "CMakeLists.txt")) as f:
        m = re.search(r"project\(\s*shardproxy\s+VERSION\s+([0-9.]+)", f.read())
    return m.group(1) if m else None


class ConfDir:
    """A temporary configuration directory."""

    def __init__(self, files):
        self.path = tempfile.mkdtemp(prefix="shardproxy-it-cli-")
        for name, text in files.items():
            with open(os.path.join(self.path, name), "w") as f:
                f.write(text)

    def __enter__(self):
        return self.path

    def __exit__(self, *a):
        shutil.rmtree(self.path, ignore_errors=True)


def line_of(text, needle):
    """1-based line number of the first line containing needle."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError("%r not in text" % needle)


class CliTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.port0, DB)]))
        h.direct_exec(cls.port0, DB, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))",
                      "INSERT INTO t VALUES (1, 'one'), (2, 'two')")
        cls.good_global = h.global_yaml()
        cls.good_db = h.database_yaml("db1", {"ds_0": (cls.port0, DB)})

    def good_files(self):
        return {"global.yaml": self.good_global, "database-db1.yaml": self.good_db}

    # ---- --help / --version ----
    def test_help(self):
        r = h.run_proxy_cli(["--help"])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout + r.stderr
        self.assertRegex(out.lower(), r"usage")
        for opt in ("--conf", "--port", "--bind", "--socket", "--data-dir", "--workers", "--log-level",
                    "--check-config", "--version"):
            self.assertIn(opt, out)

    def test_parse_command(self):
        r = h.run_proxy_cli(["parse", "SELECT c FROM sbtest1 WHERE id = 5"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("select (select"), r.stdout)
        self.assertIn("(lit int 5 #0", r.stdout)
        r = h.run_proxy_cli(["parse", "SELEC 1"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("ERROR 1064 (42000)", r.stdout)
        self.assertIn("near 'SELEC 1' at line 1", r.stdout)

    def parse_json(self, args, stdin=None):
        """Runs `shardproxy parse --json ARGS` (stdin bytes if given); returns (rc, [documents])."""
        h.require_proxy_bin()
        r = subprocess.run([h.PROXY_BIN, "parse", "--json"] + list(args), input=stdin or b"",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        lines = r.stdout.decode("utf-8").splitlines()  # strict: the output must be UTF-8
        return r.returncode, [json.loads(line) for line in lines]

    def test_parse_json(self):
        rc, docs = self.parse_json(["SELECT c FROM sbtest1 WHERE id = ?"])
        self.assertEqual(rc, 0)
        self.assertEqual(len(docs), 1)
        d = docs[0]
        self.assertEqual((d["kind"], d["sql"], d["span"], d["paramCount"]),
                         ("select", "SELECT c FROM sbtest1 WHERE id = ?", [0, 34], 1))
        q = d["select"]
        self.assertEqual(q["from"][0]["name"], {"value": "sbtest1", "span": [14, 21]})
        where = q["where"]
        self.assertEqual((where["expr"], where["op"]), ("binaryOp", "="))
        self.assertEqual(where["args"][0]["column"]["value"], "id")
        self.assertEqual(where["args"][1], {"expr": "parameterMarker", "span": [33, 34], "paramIndex": 0})

        rc, docs = self.parse_json(["SELEC 1"])
        self.assertEqual(rc, 1)
        self.assertEqual(docs[0]["error"]["code"], 1064)
        self.assertEqual(docs[0]["error"]["sqlstate"], "42000")
        self.assertIn("near 'SELEC 1' at line 1", docs[0]["error"]["message"])
        self.assertIn("parse [--json]", h.run_proxy_cli(["--help"]).stdout)

    def test_parse_json_lines(self):
        # One document per input line; bytes that are not UTF-8 (in the SQL text and in the
        # error message quoting it) come out as \u00XX, so every line is valid JSON.
        stdin = (b"UPDATE t SET v = 'x\xe9\x01\"' WHERE id = 1\n"
                 b"\n"
                 b"SELEC 'a\xff'\n"
                 b"BEGIN\n")
        rc, docs = self.parse_json([], stdin)
        self.assertEqual(rc, 1)
        self.assertEqual(len(docs), 3)
        self.assertEqual(docs[0]["kind"], "update")
        self.assertEqual(docs[0]["sql"], "UPDATE t SET v = 'x\u00e9\x01\"' WHERE id = 1")
        self.assertEqual(docs[0]["update"]["set"][0]["column"]["column"]["value"], "v")
        self.assertEqual(docs[0]["literalCount"], 2)
        self.assertEqual(docs[1]["error"]["code"], 1064)
        self.assertIn("SELEC 'a\u00ff'", docs[1]["error"]["message"])
        self.assertEqual(docs[2]["transaction"], {"tclKind": "begin"})

    def test_version(self):
        r = h.run_proxy_cli(["--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout + r.stderr
        self.assertIn("shardproxy", out.lower())
        v = project_version()
        self.assertTrue(v, "no VERSION in CMakeLists.txt")
        self.assertIn(v, out)

    def test_unknown_option(self):
        r = h.run_proxy_cli(["--no-such-option"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--no-such-option", r.stdout + r.stderr)

    def test_missing_conf_dir(self):
        r = h.run_proxy_cli(["--check-config", "--conf", "/nonexistent/shardproxy-conf"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("/nonexistent/shardproxy-conf", r.stdout + r.stderr)

    # ---- --check-config ----
    def test_check_config_good(self):
        with ConfDir(self.good_files()) as d:
            r = h.run_proxy_cli(["--check-config", "--conf", d])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout + r.stderr
        self.assertIn("db1", out)
        self.assertIn("ds_0", out)

    def check_bad(self, files, file_name, line, key):
        with ConfDir(files) as d:
            r = h.run_proxy_cli(["--check-config", "--conf", d])
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, "bad config accepted:\n" + out)
        pattern = r"%s:%d: [^\n]*%s" % (re.escape(file_name), line, re.escape(key))
        self.assertRegex(out, pattern, "expected `%s:%d: ...%s...` in:\n%s" % (file_name, line, key, out))
        return out

    def test_check_config_bad_yaml(self):
        text = ("authority:\n"
                "  users:\n"
                "    - user: root@%\n"
                "      password: [unclosed\n"
                "props:\n"
                "  sql-show: true\n")
        files = self.good_files()
        files["global.yaml"] = text
        with ConfDir(files) as d:
            r = h.run_proxy_cli(["--check-config", "--conf", d])
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        self.assertRegex(out, r"global\.yaml:[4-6]\b", out)

    def test_check_config_unknown_privilege_type(self):
        text = self.good_global.replace("type: DATABASE_PERMITTED", "type: SUPER_PERMITTED")
        self.assertIn("SUPER_PERMITTED", text)
        files = self.good_files()
        files["global.yaml"] = text
        out = self.check_bad(files, "global.yaml", line_of(text, "SUPER_PERMITTED"), "type")
        self.assertIn("SUPER_PERMITTED", out)

    def test_check_config_bad_jdbc_url(self):
        for bad in ("jdbc:postgresql://127.0.0.1:5432/x", "not-a-url", "jdbc:mysql://127.0.0.1:notaport/x",
                    "jdbc:mysql://127.0.0.1:99999/x"):
            with self.subTest(url=bad):
                text = re.sub(r"url: \S+", "url: " + bad, self.good_db)
                files = self.good_files()
                files["database-db1.yaml"] = text
                self.check_bad(files, "database-db1.yaml", line_of(text, "url:"), "url")

    def test_check_config_bad_pool_size(self):
        text = self.good_db.replace("maxPoolSize: 50", "maxPoolSize: lots")
        files = self.good_files()
        files["database-db1.yaml"] = text
        self.check_bad(files, "database-db1.yaml", line_of(text, "maxPoolSize"), "maxPoolSize")

    def test_check_config_refuses_rules_not_acted_on(self):
        # the proxy would run as if the rule were not there: plain text for !ENCRYPT, unmasked
        # values for !MASK ... so it says which rule, where, and fails
        rules = {
            "ENCRYPT": ("  tables:\n    t:\n      columns:\n        v:\n          cipher:\n"
                        "            name: v_cipher\n            encryptorName: aes\n"
                        "  encryptors:\n    aes:\n      type: AES\n      props:\n"
                        "        aes-key-value: 123456abc\n", "encryption is not implemented"),
            "MASK": ("  tables:\n    t:\n      columns:\n        v:\n"
                     "          maskAlgorithm: mask_v\n", "data masking is not implemented"),
            "SHADOW": ("  dataSources:\n    shadow_group:\n      productionDataSourceName: ds_0\n"
                       "      shadowDataSourceName: ds_0\n", "shadow databases are not implemented"),
            "SOMETHING_NEW": ("  x: 1\n", "unknown rule"),
        }
        for kind, (body, message) in rules.items():
            with self.subTest(rule=kind):
                text = self.good_db.rstrip("\n") + "\n"
                if "\nrules:" not in text:
                    text += "rules:\n"
                text += "- !%s\n%s" % (kind, body)
                files = self.good_files()
                files["database-db1.yaml"] = text
                out = self.check_bad(files, "database-db1.yaml", line_of(text, "!" + kind), "!" + kind)
                self.assertIn(message, out)
                self.assertNotIn("configuration OK", out)
        # and the proxy does not start with one
        text = self.good_db.rstrip("\n") + "\n"
        if "\nrules:" not in text:
            text += "rules:\n"
        text += "- !ENCRYPT\n" + rules["ENCRYPT"][0]
        with ConfDir({"global.yaml": self.good_global, "database-db1.yaml": text}) as d:
            port = h.free_port()
            r = subprocess.run([h.PROXY_BIN, "--conf", d, "--port", str(port), "--data-dir",
                                os.path.join(d, "data")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=15)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stdout + r.stderr, r"database-db1\.yaml:%d: !ENCRYPT: encryption is not"
                         % line_of(text, "!ENCRYPT"))

    def test_check_config_warns_about_readwrite_splitting(self):
        text = self.good_db.rstrip("\n") + "\n"
        if "\nrules:" not in text:
            text += "rules:\n"
        text += ("- !READWRITE_SPLITTING\n  dataSources:\n    rw_ds:\n"
                 "      writeDataSourceName: ds_0\n      readDataSourceNames: [ds_0]\n")
        with ConfDir({"global.yaml": self.good_global, "database-db1.yaml": text}) as d:
            r = h.run_proxy_cli(["--check-config", "--conf", d])
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out)
        self.assertIn("configuration OK", out)
        self.assertRegex(out, r"database-db1\.yaml:%d: !READWRITE_SPLITTING: read/write splitting is "
                         r"not implemented yet" % line_of(text, "!READWRITE_SPLITTING"))

    def test_refuses_to_start_with_bad_config(self):
        text = self.good_global.replace("type: DATABASE_PERMITTED", "type: SUPER_PERMITTED")
        with ConfDir({"global.yaml": text, "database-db1.yaml": self.good_db}) as d:
            port = h.free_port()
            proc = subprocess.Popen([h.PROXY_BIN, "--conf", d, "--port", str(port),
                                     "--data-dir", os.path.join(d, "data")], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
            try:
                out, err = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                listening = h.port_open(port)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                self.fail("proxy kept running with a bad config (listening: %s)" % listening)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("SUPER_PERMITTED", out + err)
        self.assertFalse(h.port_open(port))

    # ---- listening ----
    def test_default_port_from_props(self):
        port = h.free_port()
        files = self.good_files()
        files["global.yaml"] = h.global_yaml(props={"proxy-default-port": port})
        with ConfDir(files) as d:
            # (--data-dir inside the temporary directory: the proxy keeps its XA log there.)
            proc = subprocess.Popen([h.PROXY_BIN, "--conf", d, "--workers", "1",
                                     "--data-dir", os.path.join(d, "data")], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                h.wait_until(lambda: proc.poll() is not None or h.port_open(port), 15,
                             what="proxy on proxy-default-port %d" % port)
                self.assertIsNone(proc.poll(), "proxy exited")
                c = h.connect(port, db="db1")
                try:
                    self.assertEqual(h.query(c, "SELECT v FROM t WHERE id = 2"), (("two",),))
                finally:
                    c.close()
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()

    def test_unix_socket(self):
        sock_dir = tempfile.mkdtemp(prefix="sp-sock-")
        sock = os.path.join(sock_dir, "proxy.sock")
        try:
            with h.Proxy(self.good_global, {"db1": self.good_db}, args=["--socket", sock], name="cli-socket") as p:
                h.wait_until(lambda: os.path.exists(sock), 10, what="unix socket file")
                c = pymysql.connect(unix_socket=sock, user="root", password="root", database="db1",
                                    connect_timeout=10, read_timeout=30)
                try:
                    self.assertEqual(h.query(c, "SELECT v FROM t WHERE id = 1"), (("one",),))
                finally:
                    c.close()
                r = subprocess.run([h.MARIADB_CLI, "--no-defaults", "-S", sock, "-uroot", "-proot", "-N", "-B",
                                    "-e", "SELECT COUNT(*) FROM t", "db1"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, timeout=60)
                self.assertEqual((r.returncode, r.stdout.strip()), (0, "2"), r.stderr)
                # TCP keeps working alongside
                c = h.connect(p, db="db1")
                c.close()
                self.assertEqual(p.stop(signal.SIGTERM), 0)
        finally:
            shutil.rmtree(sock_dir, ignore_errors=True)

    # ---- signals ----
    def test_sigterm_with_idle_client(self):
        with h.Proxy(self.good_global, {"db1": self.good_db}, name="cli-term") as p:
            c = h.connect(p, db="db1")
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
            port = p.port
            self.assertEqual(p.stop(signal.SIGTERM), 0, p.log_tail())
            self.assertFalse(h.port_open(port), "port still open after exit")
            with self.assertRaises(pymysql.MySQLError):
                h.query(c, "SELECT 1")
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass

    def test_sigint(self):
        with h.Proxy(self.good_global, {"db1": self.good_db}, name="cli-int") as p:
            c = h.connect(p, db="db1")
            h.query(c, "SELECT 1")
            c.close()
            port = p.port
            self.assertEqual(p.stop(signal.SIGINT), 0, p.log_tail())
            self.assertFalse(h.port_open(port))

    def test_sigterm_during_queries(self):
        with h.Proxy(self.good_global, {"db1": self.good_db}, name="cli-term-busy") as p:
            c = h.connect(p, db="db1", read_timeout=30)
            h.query(c, "SELECT 1")
            # a statement in flight while the signal arrives
            errs = []

            def run():
                try:
                    h.query(c, "SELECT SLEEP(2)")
                except Exception as e:  # noqa: BLE001
                    errs.append(e)

            t = threading.Thread(target=run)
            t.start()
            time.sleep(0.5)
            t0 = time.monotonic()
            self.assertEqual(p.stop(signal.SIGTERM, timeout=20), 0, p.log_tail())
            self.assertLess(time.monotonic() - t0, 20)
            t.join(40)
            self.assertFalse(t.is_alive())
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass

    # ---- sql-show ----
    def test_sql_show(self):
        with h.Proxy(self.good_global, {"db1": self.good_db}, name="cli-sqlshow") as p:
            c = h.connect(p, db="db1")
            try:
                sql = "SELECT v FROM t WHERE id = 2"
                self.assertEqual(h.query(c, sql), (("two",),))
                marker = "SELECT 'sql-show-marker-%d' AS m" % os.getpid()
                h.query(c, marker)
            finally:
                c.close()
            h.wait_until(lambda: ("Actual SQL: ds_0 ::: " + marker) in p.log(), 10, what="sql-show lines in the log")
            log = p.log()
            self.assertIn("Logic SQL: " + sql, log)
            self.assertIn("Actual SQL: ds_0 ::: " + sql, log)
            self.assertIn("Logic SQL: " + marker, log)
            self.assertLess(log.index("Logic SQL: " + sql), log.index("Actual SQL: ds_0 ::: " + sql))
            self.assertEqual(p.stop(), 0)

    def test_sql_show_off(self):
        glob = h.global_yaml(props={"sql-show": False})
        with h.Proxy(glob, {"db1": self.good_db}, name="cli-sqlshow-off") as p:
            c = h.connect(p, db="db1")
            try:
                h.query(c, "SELECT v FROM t WHERE id = 1")
            finally:
                c.close()
            time.sleep(0.5)
            self.assertEqual(p.stop(), 0)
            self.assertNotIn("Logic SQL:", p.log())
            self.assertNotIn("Actual SQL:", p.log())


if __name__ == "__main__":
    h.main()
