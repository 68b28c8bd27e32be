"""Node.js ORMs and query builders reading a sharded logical database's structure
(apps/node_metadata.js): Sequelize showAllTables, describeTable, getForeignKeyReferencesForTable,
showIndex and Model.count, Knex hasTable, hasColumn, columnInfo and count must answer through the
proxy what they answer on a reference MariaDB holding the same tables unsharded (shop_schema.py).
The libraries come from npm (apps/package.json and its lock file, installed by
scripts/install-deps.sh into .work/node-apps).
"""
# ctest-labels: slow

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import shop_schema as shop  # noqa: E402

NODE = shutil.which("node") or "/usr/bin/node"
NODE_MODULES = os.environ.get("SHARDPROXY_NODE_MODULES") or os.path.join(h.SOURCE_DIR, ".work", "node-apps",
                                                                          "node_modules")
PROGRAM = os.path.join(h.HERE, "apps", "node_metadata.js")


class NodeMetadataTest(shop.ShopFixture):
    PREFIX = "it_node"
    PROXY_NAME = "node_tools"

    def run_program(self, port, what):
        if not os.path.exists(NODE):
            self.fail("node missing (Debian nodejs, npm; scripts/install-deps.sh installs them)")
        env = dict(os.environ, NODE_PATH=NODE_MODULES)
        r = subprocess.run([NODE, PROGRAM, str(port), "root", "root", self.LOGICAL], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120, env=env)
        print("node_metadata.js %s: exit %d" % (what, r.returncode))
        try:
            return json.loads(r.stdout)
        except ValueError:
            self.fail("node_metadata.js %s printed no JSON (exit %d):\n%s\n%s"
                      % (what, r.returncode, r.stdout[-2000:], r.stderr[-2000:]))

    def test_sequelize_and_knex_match_the_reference(self):
        ref = self.run_program(self.ref_port, "on the reference")
        self.assertEqual(ref["errors"], [], "the program failed on the reference")
        self.assertEqual(ref["sequelize_showAllTables"], sorted(shop.BASE_TABLES))
        got = self.run_program(self.proxy.port, "through the proxy")
        differ = [k for k in sorted(set(ref) | set(got)) if ref.get(k) != got.get(k)]
        for k in differ:
            print("%s\n  proxy:     %s\n  reference: %s" % (k, json.dumps(got.get(k)), json.dumps(ref.get(k))))
        self.assertEqual(differ, [], "Sequelize/Knex answers that differ from the reference (printed above)")


if __name__ == "__main__":
    h.main()
