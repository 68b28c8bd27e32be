"""PHP PDO and mysqli (mysqlnd) as an application uses them, on a sharded table: PDO with its
default emulated prepares and with ATTR_EMULATE_PREPARES=false, both binding integers as strings
(PDO::PARAM_STR, the default); mysqli prepared statements (bind_param, execute([...])) and plain
queries. SELECT by sharding key, INSERT with bound values, UPDATE and DELETE by key, cross-shard
SELECTs with ORDER BY, transactions. Each mode's run through the proxy must answer what the same
program gets from a reference MariaDB holding the same data (see app_harness.py).
"""
# ctest-labels: clients php

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_harness as app  # noqa: E402
import harness as h  # noqa: E402

PHP = shutil.which("php") or "/usr/bin/php"
PROGRAM = os.path.join(app.APPS_DIR, "pdo_app.php")


class PhpTest(app.AppTestCase):
    PREFIX = "app_php"

    def command(self, mode):
        if not os.path.exists(PHP):
            self.fail("php missing (Debian php-cli, php-mysql; scripts/install-deps.sh installs them)")
        r = subprocess.run([PHP, "-r", "exit(extension_loaded('pdo_mysql') && extension_loaded('mysqli') ? 0 : 1);"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        if r.returncode != 0:
            self.fail("PHP's pdo_mysql or mysqli extension missing (Debian php-mysql; scripts/install-deps.sh "
                      "installs it):\n" + r.stdout)
        return lambda t: [PHP, "-d", "display_errors=stderr", PROGRAM, str(t["port"]), "root", "root", t["sharded"],
                          mode]

    def test_pdo_emulated_prepares(self):
        self.check_program(self.command("pdo-emulated"), "pdo_app.php (PDO, emulated prepares)")

    def test_pdo_native_prepares(self):
        self.check_program(self.command("pdo-native"), "pdo_app.php (PDO, ATTR_EMULATE_PREPARES=false)")

    def test_mysqli(self):
        self.check_program(self.command("mysqli"), "pdo_app.php (mysqli)")


if __name__ == "__main__":
    h.main()
