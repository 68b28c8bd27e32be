"""The mariadb command-line client's tab completion (`--auto-rehash`: at connect it reads SHOW
DATABASES, SHOW TABLES and each table's columns with COM_FIELD_LIST) and `mariadb-show` on a
sharded logical database (shop_schema.py): completing `shop_`, `shop_order.` and `order_n` must
offer through the proxy what it offers on a reference MariaDB holding the same tables unsharded
(the logical tables and their columns, no actual table), and mariadb-show of the database, of a
table, and with --count must print the same. The client runs on a pseudo-terminal (Python's pty
module), as a user at a terminal runs it.
"""
# ctest-labels: slow

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import shop_schema as shop  # noqa: E402

MARIADB_SHOW = shutil.which("mariadb-show") or "/usr/bin/mariadb-show"
ESCAPES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\([AB0-9]|\x07")
# what is typed, then TAB TAB (list the completions) or one TAB (complete)
COMPLETIONS = [("SELECT shop_", "\t\t"), ("SELECT shop_order.", "\t\t"), ("SELECT shop_order_item.", "\t\t"),
               ("SELECT order_n", "\t"), ("SELECT * FROM shop_d", "\t")]


class Terminal:
    """The mariadb client on a pseudo-terminal."""

    def __init__(self, port, db):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(h.MARIADB_CLI, ["mariadb", "--no-defaults", "--protocol=TCP", "-h127.0.0.1",
                                     "-P%d" % port, "-uroot", "-proot", "--auto-rehash", db])

    def read(self, timeout, until=None):
        buf = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                if until is not None and until in buf:
                    break
        return buf.decode("utf-8", errors="replace")

    def settled(self, first=15.0, quiet=0.7):
        """What the terminal shows once it starts answering and then stays quiet for `quiet`
        seconds (a loaded machine may take long to start, never to finish a line)."""
        buf = self.read(first, until=b"")    # returns with the first bytes
        while True:
            more = self.read(quiet)
            if not more:
                return buf
            buf += more

    def close(self):
        try:
            os.write(self.fd, b"\x15\\q\n")
            self.read(2)
        except OSError:
            pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


class CliTest(shop.ShopFixture):
    PREFIX = "it_cli"
    PROXY_NAME = "cli"

    def completions(self, port):
        """{typed text: what the terminal shows after the tabs, escapes removed}."""
        term = Terminal(port, self.LOGICAL)
        try:
            banner = term.read(20, until=b"]> ")
            if "]> " not in banner:
                self.fail("no prompt from the mariadb client on port %d:\n%s" % (port, banner))
            out = {}
            for typed, tabs in COMPLETIONS:
                os.write(term.fd, typed.encode())
                term.settled(first=5, quiet=0.4)     # the echo of what was typed
                os.write(term.fd, tabs.encode())
                shown = term.settled()
                out[typed] = ESCAPES.sub("", shown).replace("\r", "")
                os.write(term.fd, b"\x15")   # clear the line
                term.settled(first=5, quiet=0.4)
            return out
        finally:
            term.close()

    def test_auto_rehash_completion_matches_the_reference(self):
        ref = self.completions(self.ref_port)
        got = self.completions(self.proxy.port)
        for typed in ref:
            print("%r + tab:\n  proxy:     %r\n  reference: %r" % (typed, got[typed], ref[typed]))
        # the reference offers the logical tables and their columns (this proves the driving)
        self.assertIn("shop_order_item.qty", ref["SELECT shop_"])
        self.assertEqual(ref["SELECT order_n"].strip(), "o", "order_n completed to order_no")
        words = set(re.findall(r"shop_[A-Za-z0-9_.]*", got["SELECT shop_"]))
        actual = sorted(w for w in words if re.match(r"shop_order(_item)?_\d", w))
        self.assertEqual(actual, [], "actual tables offered for completion")
        self.assertEqual(got, ref)

    def show(self, port, *args):
        r = subprocess.run([MARIADB_SHOW, "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P%d" % port,
                            "-uroot", "-proot"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
        return r.returncode, r.stdout

    def test_mariadb_show_matches_the_reference(self):
        problems = []
        for args in ([self.LOGICAL], [self.LOGICAL, "shop_order"], ["--keys", self.LOGICAL, "shop_order_item"],
                     ["--count", self.LOGICAL]):
            ref, got = self.show(self.ref_port, *args), self.show(self.proxy.port, *args)
            print("mariadb-show %s: exit %d through the proxy, %d on the reference"
                  % (" ".join(args), got[0], ref[0]))
            self.assertEqual(ref[0], 0, ref[1])
            if got != ref:
                problems.append("mariadb-show %s\n--- proxy (exit %d):\n%s--- reference (exit %d):\n%s"
                                % (" ".join(args), got[0], got[1], ref[0], ref[1]))
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    h.main()
