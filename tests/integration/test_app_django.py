"""Django's ORM (Debian python3-django) with the mysqlclient driver (python3-mysqldb) on a sharded
table: an unmanaged model (tables made with SQL by the test, so Django never introspects),
objects.create, bulk_create, filter, get, count, aggregates, Model.save() of an existing row (an
UPDATE of every column, the sharding key set to the value it has), save(update_fields), queryset
update and delete, transaction.atomic() blocks with a savepoint. The run through the proxy must
answer what the same program gets from a reference MariaDB holding the same data (see
app_harness.py).
"""
# ctest-labels: clients python

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_harness as app  # noqa: E402
import harness as h  # noqa: E402

PYTHON = "/usr/bin/python3"   # Debian's, with Debian's Django and mysqlclient
PROGRAM = os.path.join(app.APPS_DIR, "django_app.py")


class DjangoTest(app.AppTestCase):
    PREFIX = "app_django"

    def test_django_orm(self):
        r = subprocess.run([PYTHON, "-c", "import django, MySQLdb"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        if r.returncode != 0:
            self.fail("Django or mysqlclient missing (Debian python3-django, python3-mysqldb; "
                      "scripts/install-deps.sh installs them):\n" + r.stdout)
        self.check_program(lambda t: [PYTHON, PROGRAM, str(t["port"]), "root", "root", t["sharded"]],
                           "django_app.py")


if __name__ == "__main__":
    h.main()
