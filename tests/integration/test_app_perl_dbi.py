"""Perl DBI (DBD::MariaDB) as an application uses it, on a sharded table: placeholders with the
default binding (every value a string, integers included) in the driver's client-side mode and with
mariadb_server_prepare=1; SELECT by sharding key, INSERT with bound values, UPDATE and DELETE by
key, cross-shard SELECTs with ORDER BY, transactions. Each mode's run through the proxy must answer
what the same program gets from a reference MariaDB holding the same data (see app_harness.py).
"""
# ctest-labels: clients perl

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_harness as app  # noqa: E402
import harness as h  # noqa: E402

PERL = shutil.which("perl") or "/usr/bin/perl"
PROGRAM = os.path.join(app.APPS_DIR, "dbi_app.pl")


class PerlDbiTest(app.AppTestCase):
    PREFIX = "app_dbi"

    def command(self, mode):
        r = subprocess.run([PERL, "-MDBI", "-MDBD::MariaDB", "-e", "1"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
        if r.returncode != 0:
            self.fail("Perl DBI or DBD::MariaDB missing (Debian libdbi-perl, libdbd-mariadb-perl; "
                      "scripts/install-deps.sh installs them):\n" + r.stdout)
        return lambda t: [PERL, PROGRAM, str(t["port"]), "root", "root", t["sharded"], mode]

    def test_client_side_placeholders(self):
        self.check_program(self.command("client"), "dbi_app.pl (client-side placeholders)")

    def test_server_side_prepare(self):
        self.check_program(self.command("server"), "dbi_app.pl (mariadb_server_prepare=1)")


if __name__ == "__main__":
    h.main()
