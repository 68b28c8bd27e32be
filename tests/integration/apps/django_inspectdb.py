"""Django's `inspectdb` (Debian python3-django with mysqlclient) on one database: prints the
models it writes. Run by test_tool_python_orms.py through the proxy and on a reference MariaDB.

    /usr/bin/python3 django_inspectdb.py PORT USER PASSWORD DB
"""

import io
import sys

import django
from django.conf import settings

port, user, password, db = sys.argv[1:5]
settings.configure(
    DATABASES={"default": {
        "ENGINE": "django.db.backends.mysql", "NAME": db, "USER": user, "PASSWORD": password,
        "HOST": "127.0.0.1", "PORT": port,
        "OPTIONS": {"charset": "utf8mb4", "connect_timeout": 10, "read_timeout": 60, "write_timeout": 60},
    }},
    INSTALLED_APPS=[], USE_TZ=False, DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()

from django.core.management import call_command  # noqa: E402

out = io.StringIO()
call_command("inspectdb", "--include-views", stdout=out)
sys.stdout.write(out.getvalue())
