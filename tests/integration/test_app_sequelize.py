"""Sequelize 6 with mysql2 (Node.js) on a sharded table: a model defined without sync(), count()
(whose statement ends with ';', as all of Sequelize's do), findAll with where / order / limit,
findByPk, aggregates, create and instance updates (server-side prepared statements), bulkCreate,
Model.update, destroy, managed and unmanaged transactions. The run through the proxy must answer
what the same program gets from a reference MariaDB holding the same data (see app_harness.py).

Node.js comes from Debian (nodejs, npm); Sequelize and mysql2 from npm, installed by
scripts/install-deps.sh into .work/node-apps at the versions of apps/package-lock.json
(SHARDPROXY_NODE_MODULES names another node_modules).
"""
# ctest-labels: clients node

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_harness as app  # noqa: E402
import harness as h  # noqa: E402

NODE = shutil.which("node") or "/usr/bin/node"
PROGRAM = os.path.join(app.APPS_DIR, "sequelize_app.js")
NODE_MODULES = os.environ.get("SHARDPROXY_NODE_MODULES") or os.path.join(h.SOURCE_DIR, ".work", "node-apps",
                                                                          "node_modules")


class SequelizeTest(app.AppTestCase):
    PREFIX = "app_sequelize"

    def test_sequelize(self):
        if not os.path.exists(NODE):
            self.fail("node missing (Debian nodejs, npm; scripts/install-deps.sh installs them)")
        env = {"NODE_PATH": NODE_MODULES}
        r = subprocess.run([NODE, "-e", "require('sequelize'); require('mysql2')"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60, env=dict(os.environ, **env))
        if r.returncode != 0:
            self.fail("sequelize or mysql2 missing from %s (scripts/install-deps.sh installs them with npm ci "
                      "from tests/integration/apps/package-lock.json):\n%s" % (NODE_MODULES, r.stdout[-2000:]))
        self.check_program(lambda t: [NODE, PROGRAM, str(t["port"]), "root", "root", t["sharded"]],
                           "sequelize_app.js", env=env)


if __name__ == "__main__":
    h.main()
