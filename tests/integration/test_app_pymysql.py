"""pymysql as an application uses it, with its default autocommit=0 (no autocommit argument:
pymysql turns autocommit off when it connects, so every statement runs in a transaction that
commit() or rollback() ends): reads and writes on a sharded database and on a pass-through
database in one connection and in the same transactions, with qualified table names and with USE,
commit and rollback, what another connection sees before and after. The run through the proxy must
answer what the same session gets from a reference MariaDB holding the same data (see
app_harness.py).
"""
# ctest-labels: clients python

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app_harness as app  # noqa: E402
import harness as h  # noqa: E402
import pymysql  # noqa: E402

COLS = app.ORDER_COLUMNS


def session(port, sharded, plain):
    """The application's session; returns its transcript [(step, ("result"|"error", value))]."""
    steps = []
    # no autocommit argument: pymysql's default (False) is what is under test
    c = pymysql.connect(host="127.0.0.1", port=port, user="root", password="root", database=sharded,
                        charset="utf8mb4", connect_timeout=h.CONNECT_TIMEOUT, read_timeout=h.READ_TIMEOUT,
                        write_timeout=h.READ_TIMEOUT)
    observer = pymysql.connect(host="127.0.0.1", port=port, user="root", password="root", database=sharded,
                               charset="utf8mb4", autocommit=True, connect_timeout=h.CONNECT_TIMEOUT,
                               read_timeout=h.READ_TIMEOUT, write_timeout=h.READ_TIMEOUT)

    def q(conn, sql, args=None):
        with conn.cursor() as cur:
            n = cur.execute(sql, args)
            rows = cur.fetchall()
            return [list(r) for r in rows] if cur.description else n

    def plain_value(v):
        if isinstance(v, list):
            return [plain_value(x) for x in v]
        if isinstance(v, dict):
            return {k: plain_value(x) for k, x in v.items()}
        return v if v is None or isinstance(v, (int, str, bool)) else str(v)

    def step(name, body):
        try:
            steps.append((name, ("result", plain_value(body()))))
        except pymysql.MySQLError as e:
            steps.append((name, ("error", [e.args[0], e.args[1] if len(e.args) > 1 else ""])))
            try:
                c.rollback()
            except pymysql.MySQLError:
                pass

    def seen(conn):
        """What conn sees of the rows the session writes."""
        return {"orders": q(conn, "SELECT %s FROM `%s`.t_order WHERE order_id IN (1001, 1004, 2001, 2002, 2003)"
                            " ORDER BY order_id" % (COLS, sharded)),
                "ledger": q(conn, "SELECT id, order_id, entry FROM `%s`.t_ledger ORDER BY id" % plain)}

    try:
        step("autocommit is off", lambda: q(c, "SELECT @@autocommit"))
        step("read the sharded database", lambda: q(c, "SELECT %s FROM t_order WHERE user_id = %%s ORDER BY order_id"
                                                    % COLS, (3,)))
        step("read the pass-through database in the same transaction",
             lambda: q(c, "SELECT id, order_id, entry FROM `%s`.t_ledger ORDER BY id" % plain))
        step("cross-shard read", lambda: q(c, "SELECT order_id, user_id, amount FROM t_order WHERE status = %s"
                                           " ORDER BY amount DESC, order_id", ("NEW",)))
        step("commit the reads", lambda: c.commit())

        def write_both():
            n = q(c, "INSERT INTO t_order (" + COLS + ") VALUES (%s, %s, %s, %s, %s)", (2001, 7, "NEW", "11.11", None))
            m = q(c, "INSERT INTO `%s`.t_ledger (order_id, entry) VALUES (%%s, %%s)" % plain, (2001, "created"))
            return [n, m, c.insert_id()]
        step("write both databases", write_both)
        step("uncommitted: the session sees its writes", lambda: seen(c))
        step("uncommitted: another connection does not", lambda: seen(observer))
        step("commit", lambda: c.commit())
        step("committed: another connection sees both writes", lambda: seen(observer))

        def write_then_rollback():
            out = [q(c, "UPDATE t_order SET status = %s WHERE user_id = %s AND order_id = %s", ("LOST", 1, 1001)),
                   q(c, "INSERT INTO `%s`.t_ledger (order_id, entry) VALUES (%%s, %%s)" % plain, (1001, "lost")),
                   q(c, "DELETE FROM t_order WHERE order_id = %s", (1004,))]
            out.append(seen(c))
            c.rollback()
            return out
        step("write both databases, then rollback", write_then_rollback)
        step("rolled back: the session sees the old rows", lambda: seen(c))
        step("rolled back: another connection too", lambda: seen(observer))

        def with_use():
            out = [q(c, "USE `%s`" % plain),
                   q(c, "INSERT INTO t_ledger (order_id, entry) VALUES (%s, %s)", (2002, "via USE")),
                   # Each side under its own name for the database.
                   q(c, "SELECT DATABASE() = %s", (plain,)),
                   q(c, "USE `%s`" % sharded),
                   q(c, "INSERT INTO t_order (" + COLS + ") VALUES (%s, %s, %s, %s, %s), (%s, %s, %s, %s, %s)",
                     (2002, 8, "PAID", "0.99", "second", 2003, 7, "NEW", "5", "third")),
                   q(c, "UPDATE t_order SET amount = amount + 1 WHERE user_id IN (%s, %s)", (1, 2))]
            out.append(seen(observer))
            c.commit()
            return out
        step("USE each database in one transaction, commit", with_use)
        step("after the commit", lambda: seen(observer))

        def rollback_after_use():
            out = [q(c, "DELETE FROM `%s`.t_ledger WHERE order_id = %%s" % plain, (2002,)),
                   q(c, "UPDATE t_order SET note = %s WHERE order_id = %s", ("gone", 2003))]
            c.rollback()
            return out + [seen(c)]
        step("rollback over both databases", rollback_after_use)
        step("final orders", lambda: q(observer, "SELECT %s FROM t_order ORDER BY order_id" % COLS))
        step("final ledger", lambda: q(observer, "SELECT id, order_id, entry FROM `%s`.t_ledger ORDER BY id" % plain))
    finally:
        c.close()
        observer.close()
    steps.append(("done", ("result", True)))
    return steps


class PymysqlDefaultsTest(app.AppTestCase):
    PREFIX = "app_pymysql"

    def test_autocommit_default_two_databases(self):
        transcripts = {name: session(t["port"], t["sharded"], t["plain"]) for name, t in self.targets().items()}
        ref_errors = [(s, r) for s, r in transcripts["reference"] if r[0] == "error"]
        self.assertEqual(ref_errors, [], "the session fails on the reference MariaDB itself")
        self.compare(transcripts, "pymysql session")


if __name__ == "__main__":
    h.main()
