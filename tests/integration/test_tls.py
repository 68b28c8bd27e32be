"""TLS on the front end and to the backends.

Front end: the proxy generates a CA and a server certificate in its data directory on first start
and reuses them; pymysql, the mariadb CLI and the raw client connect with and without TLS on the
same port, verify the certificate and the host name 127.0.0.1 against the generated ca.pem, and
fail against another CA; configured names are in the certificate; SHOW STATUS LIKE 'Ssl_cipher' /
'Ssl_version' and the CLI's status report the client's TLS; ShardingSphere's version and cipher
props; proxy-frontend-ssl-required refuses plain TCP with 3159 (TLS and Unix sockets pass);
caching_sha2_password full authentication sends the clear password over TLS, never over plain TCP.

Backends: a MariaDB with TLS (certificates from a proxy's data directory) behind data sources
whose JDBC URLs ask for sslMode=VERIFY_CA / VERIFY_IDENTITY / REQUIRED (useSSL + requireSSL), or
useSSL=false; a wrong CA fails verification, and REQUIRED against a server without TLS fails
instead of going on in plain text.
"""

import os
import shutil
import struct
import ssl
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import pymysql  # noqa: E402

DB = "it_tls_db"
TLS_PROPS = {"proxy-frontend-ssl-enabled": True}
CIPHER_SQL = "SHOW STATUS LIKE 'Ssl_cipher'"
VERSION_SQL = "SHOW SESSION STATUS LIKE 'Ssl_version'"
SECURE_TRANSPORT_REQUIRED = ("Connections using insecure transport are prohibited while "
                             "proxy-frontend-ssl-required is true")


def status(conn, sql):
    rows = h.query(conn, sql)
    return rows[0][1] if rows else None


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def tls_connect(proxy, ca=None, **kw):
    return h.connect(proxy, ssl={"ca": ca or proxy.ca_path}, **kw)


class FrontendTlsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(p0, DB)]))
        h.direct_exec(p0, DB, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
                      "INSERT INTO t VALUES (1, 'one')")
        cls.databases = {"db1": h.database_yaml("db1", {"ds_0": (p0, DB)})}
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(props=dict(TLS_PROPS, **{"proxy-frontend-ssl-host-names":
                                                   "db.example.test, 10.99.0.1"})),
            cls.databases, name="tls"))
        # Another proxy, with a CA of its own: what a client trusting the wrong CA has.
        cls.other = cls.enterClassContext(h.Proxy(h.global_yaml(props=TLS_PROPS), cls.databases,
                                                  name="tls-other"))

    # ---- pymysql ----
    def test_pymysql_plain_and_tls_on_one_port(self):
        plain = h.connect(self.proxy, db="db1")
        try:
            self.assertEqual(h.query(plain, "SELECT v FROM t WHERE id = 1"), (("one",),))
            self.assertEqual(status(plain, CIPHER_SQL), "")
            self.assertEqual(status(plain, VERSION_SQL), "")
        finally:
            plain.close()
        secure = tls_connect(self.proxy, db="db1")
        try:
            self.assertEqual(h.query(secure, "SELECT v FROM t WHERE id = 1"), (("one",),))
            cipher = status(secure, CIPHER_SQL)
            self.assertEqual(cipher, secure._sock.cipher()[0])  # what the client negotiated
            self.assertTrue(cipher.startswith("TLS_"), cipher)
            self.assertEqual(status(secure, VERSION_SQL), "TLSv1.3")
            # The backend's own values never show through.
            self.assertEqual(h.query(secure, "SHOW STATUS WHERE Variable_name = 'Ssl_version'"),
                             (("Ssl_version", "TLSv1.3"),))
        finally:
            secure.close()

    def test_pymysql_fails_with_a_wrong_ca(self):
        with self.assertRaises(pymysql.err.OperationalError) as cm:
            tls_connect(self.proxy, ca=self.other.ca_path).close()
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(cm.exception))

    def test_certificate_names(self):
        # Verified by name: 127.0.0.1 and localhost always, and the configured names.
        for name in ("127.0.0.1", "localhost", "db.example.test", "10.99.0.1"):
            c = h.RawClient(self.proxy.port, tls=True, server_hostname=name)
            try:
                c.login("root", "root")
                self.assertEqual(c.query1("SELECT 1").rows, [[b"1"]])
            finally:
                c.close()
        for name in ("other.example.test", "10.99.0.2"):
            c = h.RawClient(self.proxy.port, tls=True, server_hostname=name)
            try:
                with self.assertRaises(ssl.SSLCertVerificationError):
                    c.login("root", "root")
            finally:
                c.close()

    # ---- the mariadb command line client ----
    def test_mariadb_cli_with_and_without_tls(self):
        verified = ["--ssl", "--ssl-ca=%s" % self.proxy.ca_path, "--ssl-verify-server-cert"]
        r = h.mariadb_cli(self.proxy.port, verified + ["--batch", "--skip-column-names", "-e",
                                                       CIPHER_SQL + "; SELECT v FROM t"], db="db1")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("Ssl_cipher\tTLS_"), r.stdout)
        self.assertEqual(lines[1], "one")
        r = h.mariadb_cli(self.proxy.port, verified + ["-e", "status"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"SSL:\s+Cipher in use is TLS_")

        # (This client uses TLS whenever the server offers it, unless told not to.)
        r = h.mariadb_cli(self.proxy.port, ["--skip-ssl", "--batch", "--skip-column-names", "-e",
                                            CIPHER_SQL])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "Ssl_cipher\t\n")
        r = h.mariadb_cli(self.proxy.port, ["--skip-ssl", "-e", "status"])
        self.assertRegex(r.stdout, r"SSL:\s+Not in use")

    def test_mariadb_cli_fails_with_a_wrong_ca(self):
        r = h.mariadb_cli(self.proxy.port, ["--ssl", "--ssl-ca=%s" % self.other.ca_path,
                                            "--ssl-verify-server-cert", "-e", "SELECT 1"])
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stderr,
                         "ERROR 2026 (HY000): TLS/SSL error: unable to get local issuer certificate\n")

    def test_mariadb_cli_caching_sha2_over_tls(self):
        r = h.mariadb_cli(self.proxy.port, ["--ssl", "--ssl-ca=%s" % self.proxy.ca_path,
                                            "--ssl-verify-server-cert",
                                            "--default-auth=caching_sha2_password", "--batch",
                                            "--skip-column-names", "-e", "SELECT v FROM t"],
                          user="sha2user", password="sha2pass", db="db1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "one\n")

    # ---- caching_sha2_password full authentication ----
    def full_auth(self, tls, password):
        """A login whose fast path misses (a token that matches nothing), so the proxy asks
        for the password itself; returns the first packet after the clear password."""
        c = h.RawClient(self.proxy.port, tls=tls)
        c.open()
        try:
            c.read_greeting()
            if tls:
                c.start_tls()
            c.handshake_response("sha2user", "", db="db1", plugin="caching_sha2_password",
                                 auth_data=b"\x01" * 32)
            self.assertEqual(c.read_packet(), b"\x01\x04")  # perform_full_authentication
            c.send_packet(password.encode() + b"\0")
            reply = c.read_packet()
            if reply[:1] == b"\x00":
                self.assertEqual(c.query1("SELECT v FROM t").rows, [[b"one"]])
            return reply
        finally:
            c.close()

    def test_caching_sha2_full_authentication_over_tls(self):
        self.assertEqual(self.full_auth(True, "sha2pass")[:1], b"\x00")
        errno, _, message = h.parse_err(self.full_auth(True, "wrong"))
        self.assertEqual((errno, message), (1045, "Access denied for user 'sha2user'@'127.0.0.1' "
                                                  "(using password: YES)"))

    def test_caching_sha2_clear_password_is_refused_without_tls(self):
        errno, _, _ = h.parse_err(self.full_auth(False, "sha2pass"))
        self.assertEqual(errno, 1045)

    # ---- protocol ----
    def test_ssl_capability_only_when_tls_is_on(self):
        with h.Proxy(h.global_yaml(), self.databases, name="tls-off") as plain:
            c = h.RawClient(plain.port, tls=False).open()
            try:
                self.assertFalse(c.read_greeting()["capabilities"] & h.CAP_SSL)
                # Asking anyway ends the handshake.
                c.send_packet(struct.pack("<IIB", h.DEFAULT_CAPS | h.CAP_SSL, 1 << 24, 45)
                              + b"\0" * 23)
                self.assertEqual(h.parse_err(c.read_packet())[:2], (1043, "08S01"))
            finally:
                c.close()
        c = h.RawClient(self.proxy.port, tls=False).open()
        try:
            self.assertTrue(c.read_greeting()["capabilities"] & h.CAP_SSL)
        finally:
            c.close()

    def test_generated_files_are_kept_across_restarts(self):
        proxy = h.Proxy(h.global_yaml(props=TLS_PROPS), self.databases, name="tls-restart")
        proxy.start()
        try:
            files = {name: read_file(os.path.join(proxy.data_dir, name))
                     for name in ("ca.pem", "ca-key.pem", "server-cert.pem", "server-key.pem")}
            for key in ("ca-key.pem", "server-key.pem"):
                self.assertEqual(os.stat(os.path.join(proxy.data_dir, key)).st_mode & 0o777, 0o600)
            proxy.close()
            proxy.start()
            for name, content in files.items():
                self.assertEqual(read_file(os.path.join(proxy.data_dir, name)), content, name)
            self.assertIn("generated earlier", proxy.log())
            tls_connect(proxy).close()
        finally:
            proxy.close()

    def test_version_and_cipher_props(self):
        props = dict(TLS_PROPS, **{"proxy-frontend-ssl-version": "TLSv1.2",
                                   "proxy-frontend-ssl-cipher":
                                   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"})
        with h.Proxy(h.global_yaml(props=props), self.databases, name="tls-props") as proxy:
            c = tls_connect(proxy)
            try:
                self.assertEqual(status(c, VERSION_SQL), "TLSv1.2")
                self.assertEqual(status(c, CIPHER_SQL), "ECDHE-RSA-AES128-GCM-SHA256")
            finally:
                c.close()
            # A client that only speaks TLS 1.3 is turned away.
            ctx = ssl.create_default_context(cafile=proxy.ca_path)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
            with self.assertRaises(pymysql.err.OperationalError):
                h.connect(proxy, ssl=ctx).close()

    def test_configured_certificate(self):
        # The generated files of the other proxy, configured by path (relative to the conf dir).
        conf = tempfile.mkdtemp(prefix="shardproxy-it-tls-cert-")
        try:
            shutil.copy(os.path.join(self.other.data_dir, "server-cert.pem"), conf)
            shutil.copy(os.path.join(self.other.data_dir, "server-key.pem"), conf)
            props = dict(TLS_PROPS, **{"proxy-frontend-ssl-cert": os.path.join(conf, "server-cert.pem"),
                                       "proxy-frontend-ssl-key": os.path.join(conf, "server-key.pem")})
            with h.Proxy(h.global_yaml(props=props), self.databases, name="tls-cert") as proxy:
                self.assertFalse(os.path.exists(proxy.ca_path))  # nothing generated
                tls_connect(proxy, ca=self.other.ca_path).close()
                with self.assertRaises(pymysql.err.OperationalError):
                    tls_connect(proxy, ca=self.proxy.ca_path).close()
        finally:
            shutil.rmtree(conf, ignore_errors=True)


class RequiredTlsTest(h.TestCase):
    @classmethod
    def setUpClass(cls):
        p0 = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(p0, DB + "_req")]))
        cls.socket_dir = tempfile.mkdtemp(prefix="shardproxy-it-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.socket_dir, True)
        cls.socket_path = os.path.join(cls.socket_dir, "proxy.sock")
        cls.proxy = cls.enterClassContext(h.Proxy(
            h.global_yaml(props=dict(TLS_PROPS, **{"proxy-frontend-ssl-required": True})),
            {"db1": h.database_yaml("db1", {"ds_0": (p0, DB + "_req")})},
            args=["--socket", cls.socket_path], name="tls-required"))

    def test_plain_tcp_is_refused(self):
        with self.assertRaises(pymysql.MySQLError) as cm:
            h.connect(self.proxy).close()
        self.assertMySQLError(cm.exception, 3159, message=SECURE_TRANSPORT_REQUIRED)
        err = self.raw_error(h.raw_client, self.proxy.port, tls=False)
        self.assertEqual(err, (3159, "HY000", SECURE_TRANSPORT_REQUIRED))
        r = h.mariadb_cli(self.proxy.port, ["--skip-ssl", "-e", "SELECT 1"])
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stderr, "ERROR 3159 (HY000): %s\n" % SECURE_TRANSPORT_REQUIRED)

    def test_a_wrong_password_is_denied_first(self):
        err = self.raw_error(h.raw_client, self.proxy.port, password="wrong", tls=False)
        self.assertEqual(err[0], 1045)

    def test_tls_and_unix_socket_pass(self):
        c = tls_connect(self.proxy)
        try:
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
        finally:
            c.close()
        r = h.mariadb_cli(self.proxy.port, ["--ssl", "--ssl-ca=%s" % self.proxy.ca_path,
                                            "--ssl-verify-server-cert", "-N", "-e", "SELECT 1"])
        self.assertEqual((r.returncode, r.stdout), (0, "1\n"), r.stderr)
        c = pymysql.connect(unix_socket=self.socket_path, user="root", password="root",
                            connect_timeout=h.CONNECT_TIMEOUT, read_timeout=h.READ_TIMEOUT)
        try:
            self.assertEqual(h.query(c, "SELECT 1"), ((1,),))
            self.assertEqual(status(c, CIPHER_SQL), "")
        finally:
            c.close()


class BackendTlsTest(h.TestCase):
    """Data sources on a MariaDB with TLS, reached as their JDBC URLs ask."""

    @classmethod
    def setUpClass(cls):
        # Certificates for the backend: what a proxy generates, valid for 127.0.0.1.
        certs = cls.enterClassContext(h.Proxy(h.global_yaml(props=TLS_PROPS), {}, name="tls-certs"))
        wrong = cls.enterClassContext(h.Proxy(h.global_yaml(props=TLS_PROPS), {}, name="tls-wrong"))
        cls.ca = certs.ca_path
        cls.wrong_ca = wrong.ca_path
        extra = "\n".join(["ssl-ca=%s" % certs.ca_path,
                           "ssl-cert=%s" % os.path.join(certs.data_dir, "server-cert.pem"),
                           "ssl-key=%s" % os.path.join(certs.data_dir, "server-key.pem")])
        tls_server = cls.enterClassContext(h.private_mariadb(1, extra_cnf=extra))
        cls.tls_port = tls_server.ports[0]
        plain_port = h.cluster_ports()[0]
        cls.enterClassContext(h.actual_databases([(cls.tls_port, DB), (plain_port, DB + "_plain")]))
        h.direct_exec(cls.tls_port, DB, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)")

        def on_tls_server(name, params):
            return h.database_yaml(name, {"ds_0": (cls.tls_port, DB)}, url_params=params)

        cls.proxy = cls.enterClassContext(h.Proxy(h.global_yaml(), {
            "verify_ca": on_tls_server("verify_ca", "sslMode=VERIFY_CA&trustCertificateKeyStoreUrl="
                                       "file:" + cls.ca),
            "verify_identity": on_tls_server("verify_identity", "sslMode=VERIFY_IDENTITY&"
                                             "trustCertificateKeyStoreUrl=file:" + cls.ca),
            "required": on_tls_server("required", "useSSL=true&requireSSL=true"),
            "mariadb_url": on_tls_server("mariadb_url", "useSsl=true&serverSslCert=" + cls.ca)
            .replace("jdbc:mysql:", "jdbc:mariadb:"),
            "plain": on_tls_server("plain", "useSSL=false"),
            "wrong_ca": on_tls_server("wrong_ca", "sslMode=VERIFY_CA&trustCertificateKeyStoreUrl="
                                      "file:" + cls.wrong_ca),
            "required_no_tls": h.database_yaml("required_no_tls", {"ds_0": (plain_port, DB + "_plain")},
                                               url_params="sslMode=REQUIRED"),
        }, name="tls-backend"))

    def backend_cipher(self, db):
        """The cipher of the backend connection the proxy uses for `db` (as the backend sees it)."""
        c = h.connect(self.proxy, db=db)
        try:
            return h.query(c, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                              "WHERE VARIABLE_NAME = 'Ssl_cipher'")[0][0]
        finally:
            c.close()

    def test_tls_modes(self):
        for db in ("verify_ca", "verify_identity", "required", "mariadb_url"):
            self.assertNotEqual(self.backend_cipher(db), "", db)
        self.assertEqual(self.backend_cipher("plain"), "")
        c = h.connect(self.proxy, db="verify_ca")
        try:
            self.assertEqual(h.query(c, "SELECT id FROM t"), ((1,),))
        finally:
            c.close()

    def test_a_wrong_ca_fails_verification(self):
        c = h.connect(self.proxy, db="wrong_ca")
        try:
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.query(c, "SELECT id FROM t")
            # 1429: the data source cannot be reached (the library's 2026, as a server code).
            self.assertEqual(cm.exception.args[0], 1429)
            # ("self-signed certificate in certificate chain": the server's chain ends in its CA)
            self.assertIn("data source ds_0: TLS/SSL error: ", cm.exception.args[1])
        finally:
            c.close()

    def test_required_tls_against_a_server_without_tls_fails(self):
        c = h.connect(self.proxy, db="required_no_tls")
        try:
            with self.assertRaises(pymysql.MySQLError) as cm:
                h.query(c, "SELECT 1")
            self.assertEqual(cm.exception.args[0], 1429)
            self.assertIn("sslMode=REQUIRED but the server at 127.0.0.1:", cm.exception.args[1])
        finally:
            c.close()


if __name__ == "__main__":
    h.main()
