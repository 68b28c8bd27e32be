"""Django's ORM (Debian python3-django) with the mysqlclient driver (python3-mysqldb) as an
application uses it, on a sharded table. Run by test_app_django.py with /usr/bin/python3 on a
reference MariaDB and through the proxy:

    python3 django_app.py PORT USER PASSWORD DATABASE

DATABASE holds t_order (order_id, user_id, status, amount, note), created and loaded by the test;
the program creates t_note itself with raw SQL, uses it and drops it. The models are unmanaged:
Django neither creates nor introspects tables. One JSON line per step:
{"step": ..., "result": ...} or {"step": ..., "error": [errno, message]}; the last step is "done".
"""

import json
import sys
from decimal import Decimal

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

from django.db import connection, models, transaction  # noqa: E402
from django.db.models import Count, F, Max, Sum  # noqa: E402


class Order(models.Model):
    order_id = models.BigIntegerField(primary_key=True)
    user_id = models.IntegerField()      # the sharding key of the data sources
    status = models.CharField(max_length=32)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    note = models.CharField(max_length=64, null=True)

    class Meta:
        app_label = "shop"
        db_table = "t_order"
        managed = False


class Note(models.Model):
    """A table the program itself creates with raw SQL through its connection."""
    note_id = models.BigIntegerField(primary_key=True)
    user_id = models.IntegerField()
    body = models.CharField(max_length=64)

    class Meta:
        app_label = "shop"
        db_table = "t_note"
        managed = False


def plain(v):
    if isinstance(v, Order):
        return [v.order_id, v.user_id, v.status, plain(v.amount), v.note]
    if isinstance(v, Note):
        return [v.note_id, v.user_id, v.body]
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def emit(record):
    print(json.dumps(record, ensure_ascii=False, sort_keys=True), flush=True)


def step(name, body):
    """Runs one step; an error is recorded (errno and message of the driver's error) and the next
    step goes on."""
    try:
        result = body()
    except Order.DoesNotExist:
        emit({"step": name, "result": "DoesNotExist"})
    except django.db.Error as e:
        args = e.args
        errno = args[0] if args and isinstance(args[0], int) else 0
        emit({"step": name, "error": [errno, str(args[1] if len(args) > 1 else e)]})
    else:
        emit({"step": name, "result": plain(result)})


class Rollback(Exception):
    pass


def save_existing():
    o = Order.objects.get(order_id=1005)
    o.status = "PAID_TWICE"
    o.amount += Decimal("1.25")
    o.save()       # UPDATE of every column, user_id (the sharding key) to the value it has
    return Order.objects.get(order_id=1005)


def save_new_with_pk():
    # a pk set on a new instance: Django tries the UPDATE first, then INSERTs
    Order(order_id=2005, user_id=9, status="NEW", amount=Decimal("3.00")).save()
    return Order.objects.get(order_id=2005)


def update_fields():
    o = Order.objects.get(order_id=1008)
    o.note = "only this column"
    o.save(update_fields=["note"])
    return Order.objects.filter(user_id=4).order_by("order_id")


def atomic_commit():
    with transaction.atomic():
        Order.objects.create(order_id=2011, user_id=10, status="NEW", amount=Decimal("2.50"), note="tx")
        o = Order.objects.get(order_id=1001)
        o.status = "IN_TX"
        o.save()
    return Order.objects.filter(order_id__in=[2011, 1001]).order_by("order_id")


def atomic_rollback():
    inside = None
    try:
        with transaction.atomic():
            Order.objects.create(order_id=2012, user_id=11, status="NEW")
            Order.objects.filter(user_id=2).update(status="LOST")
            inside = list(Order.objects.filter(order_id__in=[2012, 1003, 1004]).order_by("order_id"))
            raise Rollback()
    except Rollback:
        pass
    return {"inside": inside, "after": list(Order.objects.filter(order_id__in=[2012, 1003, 1004]).order_by("order_id"))}


def nested_atomic():
    with transaction.atomic():
        Order.objects.create(order_id=2013, user_id=12, status="OUTER")
        try:
            with transaction.atomic():       # a savepoint
                Order.objects.create(order_id=2014, user_id=13, status="INNER")
                raise Rollback()
        except Rollback:
            pass
        Order.objects.filter(order_id=1002).update(note="outer kept")
    return Order.objects.filter(order_id__in=[2013, 2014, 1002]).order_by("order_id")


def duplicate_in_atomic():
    with transaction.atomic():
        Order.objects.create(order_id=1003, user_id=2, status="DUP")


def raw_sql(*statements):
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)
        return cur.rowcount


def notes():
    Note.objects.create(note_id=1, user_id=1, body="one")
    Note.objects.bulk_create([Note(note_id=2, user_id=2, body="two"), Note(note_id=3, user_id=3, body="three")])
    n = Note.objects.get(note_id=2)
    n.body = "two, saved"
    n.save(update_fields=["body"])
    Note.objects.filter(user_id=3).delete()
    return {"count": Note.objects.count(), "rows": list(Note.objects.order_by("-note_id")),
            "of user 1": list(Note.objects.filter(user_id=1))}


steps = [
    ("create a table with raw SQL", lambda: raw_sql(
        "DROP TABLE IF EXISTS t_note",
        "CREATE TABLE t_note (note_id BIGINT NOT NULL PRIMARY KEY, user_id INT NOT NULL, body VARCHAR(64) NOT NULL)"
        " DEFAULT CHARSET=utf8mb4")),
    ("use the new table through a model", notes),
    ("drop it with raw SQL", lambda: raw_sql("DROP TABLE t_note")),

    ("filter by user_id", lambda: Order.objects.filter(user_id=3).order_by("order_id")),
    ("get by pk", lambda: Order.objects.get(order_id=1004)),
    ("get by both keys", lambda: Order.objects.get(user_id=2, order_id=1004)),
    ("get that finds nothing", lambda: Order.objects.get(order_id=9999)),
    ("filter user_id__in", lambda: Order.objects.filter(user_id__in=[1, 6]).order_by("-amount", "order_id")),
    ("count", lambda: Order.objects.count()),
    ("count with a filter", lambda: Order.objects.filter(status="NEW").count()),
    ("exists", lambda: [Order.objects.filter(user_id=5).exists(), Order.objects.filter(user_id=99).exists()]),
    ("cross-shard order_by", lambda: Order.objects.order_by("-user_id", "order_id")),
    ("cross-shard slice", lambda: list(Order.objects.order_by("-amount", "order_id").values_list("order_id", "amount")[2:5])),
    ("aggregate", lambda: Order.objects.aggregate(total=Sum("amount"), top=Max("amount"), n=Count("order_id"))),
    ("values annotate (GROUP BY)", lambda: list(
        Order.objects.values("user_id").annotate(n=Count("order_id"), total=Sum("amount")).order_by("user_id"))),
    ("objects.create", lambda: Order.objects.create(order_id=2001, user_id=7, status="NEW", amount=Decimal("11.11"))),
    ("bulk_create over both shards", lambda: len(Order.objects.bulk_create([
        Order(order_id=2002, user_id=8, status="PAID", amount=Decimal("0.99"), note="second"),
        Order(order_id=2003, user_id=7, status="NEW", amount=Decimal("5"), note="bound 'quotes' \u00e9")]))),
    ("read the created rows", lambda: Order.objects.filter(user_id__in=[7, 8]).order_by("order_id")),
    ("save() of an existing row", save_existing),
    ("save() of a new row with its pk", save_new_with_pk),
    ("save(update_fields)", update_fields),
    ("queryset update with F()", lambda: Order.objects.filter(user_id=6).update(amount=F("amount") * 2)),
    ("queryset update by pk", lambda: Order.objects.filter(order_id=1002).update(note="edited")),
    ("instance delete", lambda: Order.objects.get(order_id=1006).delete()),
    ("queryset delete by user_id", lambda: Order.objects.filter(user_id=5).delete()),
    ("atomic block committed", atomic_commit),
    ("atomic block rolled back", atomic_rollback),
    ("nested atomic, inner rolled back", nested_atomic),
    ("error: duplicate pk in an atomic block", duplicate_in_atomic),
    ("final contents", lambda: Order.objects.order_by("order_id")),
]
for name, body in steps:
    step(name, lambda body=body: (lambda r: list(r) if isinstance(r, models.QuerySet) else r)(body()))
emit({"step": "done", "result": True})
