"""MariaDB Connector/J's DatabaseMetaData on a sharded logical database (MetadataClient.java):
getCatalogs, getTables, getColumns, getPrimaryKeys, getIndexInfo, getImportedKeys and
getExportedKeys must answer through the proxy what they answer on a reference MariaDB holding the
same tables unsharded (shop_schema.py), except table comments and index sizes; getTables lists
each logical table once, and getCatalogs the logical databases (no actual database).
"""
# ctest-labels: slow

import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import shop_schema as shop  # noqa: E402

JAVA = "/usr/bin/java"
CONNECTOR_J = "/usr/share/java/mariadb-java-client.jar"
CLIENT = os.path.join(h.HERE, "MetadataClient.java")


def parse(out):
    """{call: [row dicts]} of MetadataClient's output."""
    calls = collections.defaultdict(list)
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0] == "error":
            calls["error"].append({"call": parts[1], "message": "\t".join(parts[2:])})
            continue
        calls[parts[0]].append(dict(p.split("=", 1) for p in parts[1:]))
    return calls


class JdbcMetadataTest(shop.ShopFixture):
    PREFIX = "it_jdbc"
    PROXY_NAME = "jdbc"

    def metadata(self, port, what):
        for path in (JAVA, CONNECTOR_J):
            if not os.path.exists(path):
                self.fail("%s missing (Debian default-jdk-headless, libmariadb-java)" % path)
        url = ("jdbc:mariadb://127.0.0.1:%d/%s?user=root&password=root&useSSL=false"
               % (port, self.LOGICAL))
        r = subprocess.run([JAVA, "-cp", CONNECTOR_J, CLIENT, url], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        print("%s: exit %d, %d lines" % (what, r.returncode, len(r.stdout.splitlines())))
        return r, parse(r.stdout)

    def test_database_metadata_matches_the_reference(self):
        ref_run, ref = self.metadata(self.ref_port, "MetadataClient.java on the reference")
        self.assertEqual(ref_run.returncode, 0, "the reference run failed:\n" + ref_run.stdout)
        got_run, got = self.metadata(self.proxy.port, "MetadataClient.java through the proxy")
        problems = []
        if got.get("error"):
            problems.append("calls that threw through the proxy: %r" % got["error"])
        # getCatalogs: the logical databases, information_schema (and the proxy's own schema)
        catalogs = sorted(r["TABLE_CAT"] for r in got.get("getCatalogs", []))
        expected = sorted(["information_schema", self.LOGICAL, self.OTHER])
        if [c for c in catalogs if c != "shardingsphere"] != expected:
            problems.append("getCatalogs: %r, expected %r" % (catalogs, expected))
        # getTables lists every logical table once
        names = collections.Counter(r["TABLE_NAME"] for r in got.get("getTables", []))
        if names != collections.Counter(shop.TABLES):
            problems.append("getTables names: %r, expected each of %r once" % (dict(names), shop.TABLES))
        for call in ("getTables", "getColumns", "getPrimaryKeys", "getIndexInfo", "getImportedKeys",
                     "getExportedKeys"):
            g, r = got.get(call, []), ref.get(call, [])
            if g != r:
                missing = [row for row in r if row not in g]
                extra = [row for row in g if row not in r]
                problems.append("%s: %d rows through the proxy, %d on the reference%s\n  missing: %r\n"
                                "  extra: %r" % (call, len(g), len(r),
                                                 " (same rows, other order)" if not missing and not extra
                                                 else "", missing[:8], extra[:8]))
        if problems:
            self.fail("Connector/J metadata through the proxy differs from the reference:\n"
                      + "\n".join(problems))


if __name__ == "__main__":
    h.main()
