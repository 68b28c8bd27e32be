"""Adminer (Debian package adminer, served by `php -S` on loopback) in headless Chromium (Debian
chromium driven by npm playwright-core, apps/adminer_browse.js): log in through the proxy, open
the sharded logical database (shop_schema.py) and browse shop_order. The DOM must show exactly
the logical tables, in the menu and on the database page, and every row of shop_order, as the
same run shows for the reference MariaDB holding the tables unsharded. Screenshots are kept under
<build dir>/test-artifacts/adminer/ (their paths are printed).
"""
# ctest-labels: slow

import json
import re
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import shop_schema as shop  # noqa: E402

NODE = shutil.which("node") or "/usr/bin/node"
PHP = shutil.which("php") or "/usr/bin/php"
CHROMIUM = "/usr/bin/chromium"
ADMINER_ROOT = "/usr/share/adminer"    # Adminer's pages under adminer/, its scripts beside
NODE_MODULES = os.environ.get("SHARDPROXY_NODE_MODULES") or os.path.join(h.SOURCE_DIR, ".work", "node-apps",
                                                                          "node_modules")
PROGRAM = os.path.join(h.HERE, "apps", "adminer_browse.js")
ARTIFACTS = os.path.join(h.BUILD_DIR, "test-artifacts", "adminer")


class AdminerTest(shop.ShopFixture):
    PREFIX = "it_adm"
    PROXY_NAME = "adminer"

    @classmethod
    def setUpClass(cls):
        for path, what in ((PHP, "php-cli"), (ADMINER_ROOT, "adminer"), (CHROMIUM, "chromium"),
                           (NODE, "nodejs")):
            if not os.path.exists(path):
                raise AssertionError("%s missing (Debian %s; scripts/install-deps.sh installs it)" % (path, what))
        super().setUpClass()
        cls.web_dir = tempfile.mkdtemp(prefix="shardproxy-adminer-")
        cls.addClassCleanup(shutil.rmtree, cls.web_dir, True)
        cls.web_port = h.free_port()
        cls.web_log = open(os.path.join(cls.web_dir, "php.log"), "wb")
        cls.addClassCleanup(cls.web_log.close)
        cls.web = subprocess.Popen([PHP, "-S", "127.0.0.1:%d" % cls.web_port, "-t", ADMINER_ROOT,
                                    "-d", "session.save_path=%s" % cls.web_dir],
                                   stdin=subprocess.DEVNULL, stdout=cls.web_log, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls._stop_web)
        h.wait_until(lambda: h.port_open(cls.web_port), 15, what="php -S serving Adminer")
        os.makedirs(ARTIFACTS, exist_ok=True)

    @classmethod
    def _stop_web(cls):
        cls.web.terminate()
        try:
            cls.web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.web.kill()
            cls.web.wait(timeout=10)

    def browse(self, port, side):
        env = dict(os.environ, NODE_PATH=NODE_MODULES, CHROMIUM=CHROMIUM)
        r = subprocess.run([NODE, PROGRAM, "http://127.0.0.1:%d/adminer/" % self.web_port, str(port), "root", "root",
                            self.LOGICAL, "shop_order", os.path.join(ARTIFACTS, side)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180, env=env)
        try:
            out = json.loads(r.stdout)
        except ValueError:
            self.fail("adminer_browse.js (%s) printed no JSON (exit %d):\n%s\n%s"
                      % (side, r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
        for path in out["screenshots"]:
            print("screenshot (%s): %s" % (side, path))
        print("%s: menu %r; %d rows of shop_order; database page %r"
              % (side, out.get("menu_tables"), len(out.get("select_rows", [])), out.get("content_status")))
        return out

    def test_adminer_shows_the_logical_tables_and_all_rows(self):
        ref = self.browse(self.ref_port, "reference")
        self.assertEqual(ref["errors"], [])
        self.assertEqual(ref["menu_tables"], sorted(shop.TABLES), "the run on the reference")
        self.assertEqual(len(ref["select_rows"]), shop.ROWS_ORDERS, "the run on the reference")
        got = self.browse(self.proxy.port, "proxy")
        # every check runs, so one run shows all that differs
        checks = [
            ("the browser run through the proxy", got["errors"], []),
            ("errors shown after logging in", got.get("login_errors"), []),
            ("the table list of Adminer's menu", got.get("menu_tables"), ref["menu_tables"]),
            ("the tables of the database page", got.get("content_tables"), ref["content_tables"]),
            ("the engines on the database page",
             {t: v["engine"] for t, v in got.get("content_status", {}).items()},
             {t: v["engine"] for t, v in ref["content_status"].items()}),
            ("tables whose rows the database page does not show",
             sorted(t for t, v in got.get("content_status", {}).items()
                    if not t.endswith("_v") and not re.search(r"\d", v["rows"] or "")), []),
            ("errors shown when browsing shop_order", got.get("select_errors"), []),
            ("the columns of shop_order's rows", got.get("select_columns"), ref["select_columns"]),
            ("the rows of shop_order (as a multiset)",
             sorted(map(tuple, got.get("select_rows", []))), sorted(map(tuple, ref["select_rows"]))),
            ("errors shown on shop_order's structure page", got.get("structure_errors"), []),
            ("shop_order's structure page", got.get("structure_columns"), ref["structure_columns"]),
        ]
        problems = ["%s: %r, expected %r" % (what, g, e) for what, g, e in checks if g != e]
        self.assertEqual(problems, [], "Adminer through the proxy:\n" + "\n".join(problems))

if __name__ == "__main__":
    h.main()
