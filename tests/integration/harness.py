"""Shared harness for shardproxy integration tests.

Every test_*.py in this folder is one ctest test, run as
``/usr/bin/python3 tests/integration/test_x.py`` from the repository root with
SHARDPROXY_BIN, SHARDPROXY_SOURCE_DIR and SHARDPROXY_BUILD_DIR set.  Tests run in
parallel, so each one starts its own proxy on a free port and uses its own actual
database names (prefixed with the test name), which it drops again at the end.

MariaDB servers:
  * SHARDPROXY_CLUSTER_ENV=/abs/cluster.env (written by ``scripts/mariadb-cluster.sh``,
    containing ``MARIADB_PORTS="p1 p2"``) -> use that cluster (scripts/test.sh does this);
  * unset -> a private 2-node cluster is started in a temp dir on first use and
    stopped at exit, so a single test can be run by hand.
  Servers are started with ``scripts/mariadb-cluster.sh`` when it exists; otherwise a
  built-in starter with the same layout (DIR/node<i>/port, DIR/node<i>/mariadbd.pid,
  DIR/cluster.env) is used.  Root password is ``root`` over TCP 127.0.0.1.  Tests talk to
  the servers directly as root; the proxies they start use one least-privilege account per
  actual database (see backend_account()), as a deployment should.

TLS: with SHARDPROXY_TEST_TLS=1 every proxy made from global_yaml() has TLS on and required
(proxy-frontend-ssl-enabled, proxy-frontend-ssl-required), and connect(), raw_client() /
RawClient and mariadb_cli() connect with TLS, verifying the proxy's generated CA
(<data dir>/ca.pem) and host name: a suite run this way goes through TLS for every statement,
and any connection that is not TLS fails (ctest runs test_session and test_sharding so).

Everything has a bounded timeout: a hang becomes a test failure, never a stuck CI job.
Use /usr/bin/python3 (pymysql comes from Debian's python3-pymysql).
"""

import atexit
import contextlib
import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

try:
    import pymysql
except ImportError:  # pragma: no cover
    sys.stderr.write("pymysql missing: run with /usr/bin/python3 (Debian python3-pymysql)\n")
    raise

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("SHARDPROXY_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.environ.get("SHARDPROXY_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
PROXY_BIN = os.environ.get("SHARDPROXY_BIN") or os.path.join(BUILD_DIR, "shardproxy")
CLUSTER_SCRIPT = os.path.join(SOURCE_DIR, "scripts", "mariadb-cluster.sh")
MARIADB_CLI = shutil.which("mariadb") or "/usr/bin/mariadb"
MARIADB_ADMIN = shutil.which("mariadb-admin") or "/usr/bin/mariadb-admin"
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"

CONNECT_TIMEOUT = 10     # seconds, pymysql connect_timeout
READ_TIMEOUT = 30        # seconds, pymysql read/write timeout
START_TIMEOUT = 15       # seconds for the proxy to accept TCP
STOP_TIMEOUT = 15        # seconds for the proxy to exit after a signal

VERBOSE = os.environ.get("SHARDPROXY_TEST_VERBOSE") == "1"
# Every client connection to a proxy goes through TLS (see the module's docstring).
TLS_SUITE = os.environ.get("SHARDPROXY_TEST_TLS") == "1"


def log(msg):
    if VERBOSE:
        sys.stderr.write("[harness] %s\n" % msg)
        sys.stderr.flush()


def raise_nofile_limit(want=8192):
    """Raise RLIMIT_NOFILE of this process (and its children) up to `want`."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1", timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(pred, timeout, interval=0.1, what="condition"):
    """Poll pred() until truthy or raise AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - keep polling
            last_exc = e
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s (last error: %r)" % (timeout, what, last_exc))


# ------------------------------------------------------------------------------------------
# MariaDB clusters
# ------------------------------------------------------------------------------------------

def _parse_env_file(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export "):]
            if "=" not in line:
                continue
            k, v = line.split("=", 1)
            try:
                parts = shlex.split(v)
                v = parts[0] if parts else ""
            except ValueError:
                v = v.strip("\"'")
            out[k.strip()] = v
    return out


class Cluster:
    """A set of MariaDB servers in DIR (node<i>/port, node<i>/mariadbd.pid, cluster.env)."""

    def __init__(self, directory, ports, owned, builtin, extra_cnf=None):
        self.dir = directory
        self.ports = list(ports)
        self.owned = owned          # we started it: we stop it
        self.builtin = builtin      # started by _BuiltinCluster rather than the script
        self.extra_cnf = extra_cnf  # more [mysqld] lines for each node (MARIADB_EXTRA_CNF)
        self._stopped = False

    # node directories, keyed by their number suffix; matched to ports via the port file
    def _node_dirs(self):
        nodes = []
        if self.dir and os.path.isdir(self.dir):
            for name in os.listdir(self.dir):
                m = re.fullmatch(r"node(\d+)", name)
                if m:
                    nodes.append((int(m.group(1)), os.path.join(self.dir, name)))
        return sorted(nodes)

    def node_for_port(self, port):
        for idx, d in self._node_dirs():
            try:
                with open(os.path.join(d, "port")) as f:
                    if int(f.read().strip()) == port:
                        return idx, d
            except (OSError, ValueError):
                pass
        raise KeyError("no node directory in %s for port %d" % (self.dir, port))

    def pid(self, port):
        _, d = self.node_for_port(port)
        with open(os.path.join(d, "mariadbd.pid")) as f:
            return int(f.read().strip())

    def kill9(self, port):
        pid = self.pid(port)
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not _pid_alive(pid), 15, what="mariadbd %d to die" % pid)
        wait_until(lambda: not port_open(port), 15, what="port %d to close" % port)
        return pid

    def restart_node(self, port):
        idx, _ = self.node_for_port(port)
        if self.builtin:
            _BuiltinCluster.restart_node(self.dir, idx)
        else:
            subprocess.run(["bash", CLUSTER_SCRIPT, "restart-node", self.dir, str(idx)],
                           check=True, timeout=120, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=_cluster_env(self.extra_cnf))
        wait_until(lambda: _mariadb_ready(port), 60, what="mariadb on %d after restart" % port)

    def stop(self):
        if self._stopped or not self.owned:
            return
        self._stopped = True
        try:
            if self.builtin:
                _BuiltinCluster.stop(self.dir)
            else:
                subprocess.run(["bash", CLUSTER_SCRIPT, "stop", self.dir], timeout=120,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        finally:
            # whatever the script did, make sure no server of ours survives
            for _, d in self._node_dirs():
                _kill_pidfile(os.path.join(d, "mariadbd.pid"))
            shutil.rmtree(self.dir, ignore_errors=True)

    @classmethod
    def start(cls, n, directory=None, extra_cnf=None):
        """extra_cnf: more lines for each node's [mysqld] section (needs scripts/mariadb-cluster.sh)."""
        directory = directory or tempfile.mkdtemp(prefix="shardproxy-mariadb-")
        use_script = os.path.exists(CLUSTER_SCRIPT) and os.environ.get("SHARDPROXY_BUILTIN_CLUSTER") != "1"
        if extra_cnf and not use_script:
            raise unittest.SkipTest("extra server options need scripts/mariadb-cluster.sh")
        try:
            if use_script:
                r = subprocess.run(["bash", CLUSTER_SCRIPT, "start", str(n), directory], timeout=300,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=_cluster_env(extra_cnf))
                if r.returncode != 0:
                    raise RuntimeError("mariadb-cluster.sh start failed (%d):\n%s"
                                       % (r.returncode, r.stdout.decode(errors="replace")))
            else:
                _BuiltinCluster.start(n, directory)
            env = _parse_env_file(os.path.join(directory, "cluster.env"))
            ports = [int(p) for p in env["MARIADB_PORTS"].split()]
        except BaseException:
            c = Cluster(directory, [], True, not use_script)
            c.stop()
            raise
        c = Cluster(directory, ports, True, not use_script, extra_cnf)
        for p in ports:
            wait_until(lambda p=p: _mariadb_ready(p), 60, what="mariadb on port %d" % p)
        return c


def _cluster_env(extra_cnf):
    env = dict(os.environ)
    env.pop("MARIADB_EXTRA_CNF", None)
    if extra_cnf:
        env["MARIADB_EXTRA_CNF"] = extra_cnf
    return env


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child counts as dead
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().split(")")[-1].split()[0] == "Z":
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
                return False
    except OSError:
        return False
    return True


def _kill_pidfile(path, timeout=30):
    try:
        with open(path) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return
    if not _pid_alive(pid):
        return
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"mariadbd" not in f.read():
                return          # a stale pid file; the pid now belongs to something else
    except OSError:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.1)
    if _pid_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _mariadb_ready(port):
    try:
        c = pymysql.connect(host="127.0.0.1", port=port, user="root", password="root",
                            connect_timeout=3, read_timeout=10, write_timeout=10)
    except pymysql.MySQLError:
        return False
    try:
        with c.cursor() as cur:
            cur.execute("SELECT 1")
            return cur.fetchone() == (1,)
    finally:
        c.close()


class _BuiltinCluster:
    """Fallback used when scripts/mariadb-cluster.sh does not exist (same on-disk layout)."""

    @staticmethod
    def _mariadbd_args(node_dir, port):
        return [MARIADBD, "--no-defaults", "--user=root",
                "--datadir=%s" % os.path.join(node_dir, "data"),
                "--port=%d" % port, "--bind-address=127.0.0.1",
                "--socket=%s" % os.path.join(node_dir, "mysqld.sock"),
                "--pid-file=%s" % os.path.join(node_dir, "mariadbd.pid"),
                "--log-error=%s" % os.path.join(node_dir, "error.log"),
                "--skip-name-resolve", "--skip-log-bin", "--performance-schema=OFF",
                "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2",
                "--max-allowed-packet=64M", "--max-connections=2000",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci"]

    @staticmethod
    def _launch(node_dir, port):
        with open(os.path.join(node_dir, "port"), "w") as f:
            f.write("%d\n" % port)
        pidfile = os.path.join(node_dir, "mariadbd.pid")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(pidfile)
        with open(os.devnull, "wb") as devnull:
            subprocess.Popen(_BuiltinCluster._mariadbd_args(node_dir, port), stdin=subprocess.DEVNULL,
                             stdout=devnull, stderr=devnull, start_new_session=True)
        sock = os.path.join(node_dir, "mysqld.sock")
        wait_until(lambda: os.path.exists(pidfile) and os.path.exists(sock), 60,
                   what="mariadbd in %s" % node_dir)

    @staticmethod
    def start(n, directory):
        os.makedirs(directory, exist_ok=True)
        ports = []
        for i in range(1, n + 1):
            node_dir = os.path.join(directory, "node%d" % i)
            os.makedirs(node_dir, exist_ok=True)
            r = subprocess.run([INSTALL_DB, "--no-defaults", "--user=root",
                                "--datadir=%s" % os.path.join(node_dir, "data"),
                                "--auth-root-authentication-method=normal", "--skip-test-db"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            if r.returncode != 0:
                raise RuntimeError("mariadb-install-db failed:\n" + r.stdout.decode(errors="replace"))
            port = free_port()
            _BuiltinCluster._launch(node_dir, port)
            sql = ("CREATE USER IF NOT EXISTS root@'%' IDENTIFIED BY 'root';"
                   "GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;"
                   "ALTER USER root@'127.0.0.1' IDENTIFIED BY 'root';"
                   "ALTER USER root@'localhost' IDENTIFIED BY 'root';"
                   "FLUSH PRIVILEGES;")
            deadline = time.monotonic() + 60
            while True:
                r = subprocess.run([MARIADB_CLI, "--no-defaults", "-uroot",
                                    "--socket=%s" % os.path.join(node_dir, "mysqld.sock"), "-e", sql],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
                if r.returncode == 0:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("cannot set root password:\n" + r.stdout.decode(errors="replace"))
                time.sleep(0.2)
            ports.append(port)
        with open(os.path.join(directory, "cluster.env"), "w") as f:
            f.write('MARIADB_PORTS="%s"\n' % " ".join(str(p) for p in ports))

    @staticmethod
    def restart_node(directory, idx):
        node_dir = os.path.join(directory, "node%d" % idx)
        _kill_pidfile(os.path.join(node_dir, "mariadbd.pid"))
        with open(os.path.join(node_dir, "port")) as f:
            port = int(f.read().strip())
        _BuiltinCluster._launch(node_dir, port)

    @staticmethod
    def stop(directory):
        if not os.path.isdir(directory):
            return
        for name in sorted(os.listdir(directory)):
            if re.fullmatch(r"node\d+", name):
                _kill_pidfile(os.path.join(directory, name, "mariadbd.pid"))


_shared_cluster = None
_shared_lock = threading.Lock()


def cluster():
    """The shared MariaDB cluster (see module doc)."""
    global _shared_cluster
    with _shared_lock:
        if _shared_cluster is None:
            env_path = os.environ.get("SHARDPROXY_CLUSTER_ENV")
            if env_path:
                env = _parse_env_file(env_path)
                ports = [int(p) for p in env["MARIADB_PORTS"].split()]
                _shared_cluster = Cluster(os.path.dirname(os.path.abspath(env_path)), ports,
                                          owned=False, builtin=False)
            else:
                log("SHARDPROXY_CLUSTER_ENV unset: starting a private 2-node cluster")
                _shared_cluster = Cluster.start(2)
                atexit.register(_shared_cluster.stop)
        return _shared_cluster


def cluster_ports():
    return cluster().ports


@contextlib.contextmanager
def private_mariadb(n=1, extra_cnf=None):
    """A cluster of n MariaDB servers of our own (to kill and restart), stopped on exit;
    extra_cnf: more lines for each server's [mysqld] section."""
    c = Cluster.start(n, extra_cnf=extra_cnf)
    try:
        yield c
    finally:
        c.stop()


# ------------------------------------------------------------------------------------------
# Backend (direct) helpers
# ------------------------------------------------------------------------------------------

def direct(port, db=None, user="root", password="root", **kw):
    """A pymysql connection straight to a backend MariaDB."""
    kw.setdefault("connect_timeout", CONNECT_TIMEOUT)
    kw.setdefault("read_timeout", READ_TIMEOUT)
    kw.setdefault("write_timeout", READ_TIMEOUT)
    kw.setdefault("autocommit", True)
    kw.setdefault("charset", "utf8mb4")
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password, database=db, **kw)


BACKEND_HOST = "127.0.0.1"  # where the proxy connects from


def backend_account(name):
    """(user, password) of the least-privilege account for actual database ``name``: what
    database_yaml gives the proxy for a data source on it unless told otherwise.  Created by
    create_actual_db on the database's server, granted every privilege on that database and
    nothing else (the README's "Backend accounts"), dropped by drop_actual_db.  Database names
    are unique per test, so the accounts are too."""
    return "sp_" + name, "pw_" + name


def create_actual_db(port, name, charset="utf8mb4"):
    user, password = backend_account(name)
    c = direct(port)
    try:
        with c.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS `%s`" % name)
            cur.execute("CREATE DATABASE `%s` CHARACTER SET %s" % (name, charset))
            cur.execute("CREATE OR REPLACE USER '%s'@'%s' IDENTIFIED BY '%s'" % (user, BACKEND_HOST, password))
            # In a GRANT, `_` in a database name is a wildcard: escaped, it names this database only.
            cur.execute("GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'%s'"
                        % (name.replace("_", "\\_"), user, BACKEND_HOST))
    finally:
        c.close()


def drop_actual_db(port, name):
    try:
        c = direct(port)
    except pymysql.MySQLError:
        return
    try:
        with c.cursor() as cur:
            # connections a (stopped or broken) proxy left behind would block DROP DATABASE on
            # metadata locks: end them first
            user, _ = backend_account(name)
            cur.execute("SELECT ID FROM information_schema.PROCESSLIST"
                        " WHERE (DB = %s OR USER = %s) AND ID <> CONNECTION_ID()", (name, user))
            for (thread_id,) in cur.fetchall():
                try:
                    cur.execute("KILL %d" % thread_id)
                except pymysql.MySQLError:
                    pass
            cur.execute("DROP DATABASE IF EXISTS `%s`" % name)
            cur.execute("DROP USER IF EXISTS '%s'@'%s'" % (user, BACKEND_HOST))
    finally:
        c.close()


@contextlib.contextmanager
def actual_databases(specs):
    """specs: iterable of (port, name).  Created fresh (dropped first), dropped on exit."""
    specs = list(specs)
    done = []
    try:
        for port, name in specs:
            create_actual_db(port, name)
            done.append((port, name))
        yield specs
    finally:
        for port, name in done:
            drop_actual_db(port, name)


def direct_exec(port, db, *statements):
    c = direct(port, db)
    try:
        with c.cursor() as cur:
            for s in statements:
                cur.execute(s)
    finally:
        c.close()


# ------------------------------------------------------------------------------------------
# Proxy configuration
# ------------------------------------------------------------------------------------------

DEFAULT_USERS = [
    {"user": "root@%", "password": "root", "admin": True},
    {"user": "app@%", "password": "app"},
    {"user": "sha2user@%", "password": "sha2pass", "authenticationMethodName": "caching_sha2_password"},
]
DEFAULT_MAPPINGS = "root@%=*, app@%=db1, sha2user@%=db1"


def global_yaml(users=None, privilege="DATABASE_PERMITTED", mappings=DEFAULT_MAPPINGS, props=None,
                transaction="LOCAL"):
    """Text of a ShardingSphere 5.x global.yaml."""
    users = DEFAULT_USERS if users is None else users
    # A short shutdown grace period: a test that ends with a transaction still open gets its
    # proxy stopped (Proxy.close) in seconds rather than the default's 20.
    p = {"proxy-default-port": 3307, "sql-show": True, "proxy-frontend-max-connections": 0,
         "proxy-shutdown-grace-seconds": 3}
    if TLS_SUITE:
        p.update({"proxy-frontend-ssl-enabled": True, "proxy-frontend-ssl-required": True})
    if props:
        p.update(props)
    lines = ["authority:", "  users:"]
    for u in users:
        first = True
        for k, v in u.items():
            lines.append("    %s %s: %s" % ("-" if first else " ", k, _yaml_scalar(v)))
            first = False
    lines.append("  privilege:")
    lines.append("    type: %s" % privilege)
    if mappings is not None and privilege == "DATABASE_PERMITTED":
        lines.append("    props:")
        lines.append("      user-database-mappings: %s" % mappings)
    lines.append("transaction:")
    lines.append("  defaultType: %s" % transaction)
    lines.append("props:")
    for k, v in p.items():
        lines.append("  %s: %s" % (k, _yaml_scalar(v)))
    return "\n".join(lines) + "\n"


def _yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    return "'" + s.replace("'", "''") + "'"


def database_yaml(name, sources, timeout_ms=3000, max_pool=50, min_pool=1, user=None, password=None,
                  url_params="serverTimezone=UTC&useSSL=false", rules=None):
    """Text of a database-<name>.yaml.  sources: {ds_name: (port, actual_db)} (ordered).

    user, password: the backend account of every data source; None -> each data source its own
    least-privilege account (backend_account(actual_db), made by create_actual_db), as the
    README asks of a deployment.  A test that needs more on a backend passes user="root".

    rules: YAML text of the list under ``rules:`` (``- !SHARDING`` ..., ``- !BROADCAST`` ...),
    written as given after dedenting; None -> one ``!SINGLE`` rule for all tables."""
    lines = ["databaseName: %s" % name, "dataSources:"]
    for ds, (port, actual) in sources.items():
        if user is None:
            ds_user, ds_password = backend_account(actual)
        else:
            ds_user, ds_password = user, "root" if password is None else password
        lines += [
            "  %s:" % ds,
            "    url: jdbc:mysql://127.0.0.1:%d/%s?%s" % (port, actual, url_params),
            "    username: %s" % ds_user,
            "    password: %s" % ds_password,
            "    maxPoolSize: %d" % max_pool,
            "    minPoolSize: %d" % min_pool,
            "    connectionTimeoutMilliseconds: %d" % timeout_ms,
        ]
    if rules is None:
        lines += ["rules:", "- !SINGLE", "  tables:", '    - "*.*"']
    else:
        lines += ["rules:", textwrap.dedent(rules).strip("\n")]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# Proxy process
# ------------------------------------------------------------------------------------------

_all_proxies = []
_proxies_by_port = {}


def ca_of(proxy):
    """The generated CA of a proxy (object or port) started by this harness."""
    if isinstance(proxy, int):
        proxy = _proxies_by_port[proxy]
    return proxy.ca_path


def require_proxy_bin():
    if not (os.path.isfile(PROXY_BIN) and os.access(PROXY_BIN, os.X_OK)):
        raise unittest.SkipTest("proxy binary not found: %s" % PROXY_BIN) if os.environ.get(
            "SHARDPROXY_SKIP_MISSING_BIN") == "1" else AssertionError("proxy binary not found: %s" % PROXY_BIN)


class ProxyStartError(AssertionError):
    pass


class Proxy:
    """A shardproxy process with its own conf dir, port and log file.

    global_conf: text of global.yaml (or a dict, dumped as YAML; None -> global_yaml()).
    databases:   {logical_name: text of database-<name>.yaml}; a key ending in ".yaml" is used
                 as the file name verbatim.
    """

    def __init__(self, global_conf=None, databases=None, workers=2, args=(), port=None, env=None,
                 start_timeout=START_TIMEOUT, name="proxy"):
        require_proxy_bin()
        self.name = name
        self.workdir = tempfile.mkdtemp(prefix="shardproxy-it-%s-" % name)
        self.conf_dir = os.path.join(self.workdir, "conf")
        self.data_dir = os.path.join(self.workdir, "data")
        os.makedirs(self.conf_dir)
        os.makedirs(self.data_dir)
        if global_conf is None:
            global_conf = global_yaml()
        if isinstance(global_conf, dict):
            if yaml is None:
                raise RuntimeError("PyYAML missing")
            global_conf = yaml.safe_dump(global_conf, sort_keys=False)
        with open(os.path.join(self.conf_dir, "global.yaml"), "w") as f:
            f.write(global_conf)
        for key, text in (databases or {}).items():
            fname = key if key.endswith(".yaml") else "database-%s.yaml" % key
            with open(os.path.join(self.conf_dir, fname), "w") as f:
                f.write(text)
        self.log_path = os.path.join(self.workdir, "proxy.log")
        # The CA the proxy generates for its TLS certificate (when TLS is on).
        self.ca_path = os.path.join(self.data_dir, "ca.pem")
        self.workers = workers
        self.extra_args = list(args)
        self.fixed_port = port
        self.env = env
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.returncode = None
        _all_proxies.append(self)

    def command(self, port):
        cmd = [PROXY_BIN, "--conf", self.conf_dir, "--port", str(port), "--data-dir", self.data_dir]
        if self.workers is not None:
            cmd += ["--workers", str(self.workers)]
        return cmd + self.extra_args

    def start(self):
        attempts = 1 if self.fixed_port else 3
        for attempt in range(attempts):
            port = self.fixed_port or free_port()
            env = dict(os.environ)
            if self.env:
                env.update(self.env)
            logf = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(self.command(port), stdin=subprocess.DEVNULL, stdout=logf,
                                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
            finally:
                logf.close()
            self.port = port
            _proxies_by_port[port] = self
            deadline = time.monotonic() + self.start_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if port_open(port, timeout=0.5):
                    log("%s listening on %d (pid %d)" % (self.name, port, self.proc.pid))
                    return self
                time.sleep(0.05)
            rc = self.proc.poll()
            if rc is None:
                self._kill()
                raise ProxyStartError("proxy did not accept TCP on port %d within %ss\n%s"
                                      % (port, self.start_timeout, self.log_tail()))
            text = self.log()
            if attempt + 1 < attempts and re.search(r"in use|EADDRINUSE|bind", text, re.I):
                continue
            raise ProxyStartError("proxy exited with %s before listening on %d\n%s" % (rc, port, self.log_tail()))
        raise ProxyStartError("proxy could not start")

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not issubclass(exc_type, unittest.SkipTest):
            sys.stderr.write("---- %s log tail (%s) ----\n%s\n" % (self.name, self.log_path, self.log_tail()))
        self.close()
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def pid(self):
        return self.proc.pid

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=60):
        return "\n".join(self.log().splitlines()[-n:])

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send sig and wait for exit; returns the exit code (negative = killed by signal).
        Raises AssertionError (after SIGKILL) if it does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                raise AssertionError("proxy did not exit within %ss after signal %d" % (timeout, sig))
        self.returncode = self.proc.returncode
        return self.returncode

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def close(self):
        """Stops the proxy; fails if it did not shut down cleanly (exit code 0 on SIGTERM) or if
        its log holds a sanitizer report (a build with -DSHARDPROXY_SANITIZE=ON)."""
        problem = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                code = self.stop(signal.SIGTERM, timeout=10)
                if code != 0:
                    problem = "proxy exited with %s after SIGTERM" % code
            except AssertionError as e:
                problem = str(e)
        self._kill()
        log = self.log()
        for marker in SANITIZER_MARKERS:
            if marker in log:
                problem = "sanitizer report in the proxy log (%s)" % marker
                break
        if problem:
            raise AssertionError("%s; log tail:\n%s" % (problem, self.log_tail(80)))

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None


_keep_logs = bool(os.environ.get("SHARDPROXY_KEEP_LOGS"))
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def _cleanup_proxies():
    for p in _all_proxies:
        try:
            p._kill()
        except Exception:  # noqa: BLE001
            pass
        if not _keep_logs:
            shutil.rmtree(p.workdir, ignore_errors=True)


atexit.register(_cleanup_proxies)


def run_proxy_cli(args, timeout=30, env=None):
    """Run the proxy binary with args (no server expected); returns CompletedProcess (text)."""
    require_proxy_bin()
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([PROXY_BIN] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=e, text=True, errors="replace")


def connect(proxy, user="root", password="root", db=None, **kw):
    """A pymysql connection to the proxy (proxy object or port)."""
    port = proxy if isinstance(proxy, int) else proxy.port
    kw.setdefault("connect_timeout", CONNECT_TIMEOUT)
    kw.setdefault("read_timeout", READ_TIMEOUT)
    kw.setdefault("write_timeout", READ_TIMEOUT)
    kw.setdefault("autocommit", True)
    kw.setdefault("charset", "utf8mb4")
    if TLS_SUITE and port in _proxies_by_port:
        # pymysql verifies the certificate and the host name 127.0.0.1 once it has a CA.
        kw.setdefault("ssl", {"ca": ca_of(port)})
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password, database=db, **kw)


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def mariadb_cli(port, args=(), input=None, user="root", password="root", timeout=60, db=None):
    """Run the mariadb command line client against 127.0.0.1:port."""
    cmd = [MARIADB_CLI, "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P%d" % port, "-u%s" % user,
           "--connect-timeout=10"]
    if TLS_SUITE and port in _proxies_by_port:
        cmd += ["--ssl", "--ssl-ca=%s" % ca_of(port), "--ssl-verify-server-cert"]
    if password is not None:
        cmd.append("-p%s" % password)
    cmd += list(args)
    if db:
        cmd.append(db)
    return subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                          text=True, errors="replace")


# ------------------------------------------------------------------------------------------
# Raw MySQL protocol client (for commands pymysql lacks and for malformed input)
# ------------------------------------------------------------------------------------------

class MySQLError(Exception):
    def __init__(self, errno, sqlstate, message):
        super().__init__("ERROR %d (%s): %s" % (errno, sqlstate, message))
        self.errno = errno
        self.sqlstate = sqlstate
        self.message = message


class ProtocolError(Exception):
    pass


class Closed(Exception):
    """The server closed the connection."""


CAP_LONG_PASSWORD = 1
CAP_FOUND_ROWS = 1 << 1
CAP_LONG_FLAG = 1 << 2
CAP_CONNECT_WITH_DB = 1 << 3
CAP_PROTOCOL_41 = 1 << 9
CAP_SSL = 1 << 11
CAP_TRANSACTIONS = 1 << 13
CAP_SECURE_CONNECTION = 1 << 15
CAP_MULTI_STATEMENTS = 1 << 16
CAP_MULTI_RESULTS = 1 << 17
CAP_PS_MULTI_RESULTS = 1 << 18
CAP_PLUGIN_AUTH = 1 << 19
CAP_CONNECT_ATTRS = 1 << 20
CAP_PLUGIN_AUTH_LENENC = 1 << 21
CAP_DEPRECATE_EOF = 1 << 24
DEFAULT_CAPS = (CAP_LONG_PASSWORD | CAP_LONG_FLAG | CAP_PROTOCOL_41 | CAP_TRANSACTIONS | CAP_SECURE_CONNECTION
                | CAP_MULTI_RESULTS | CAP_PLUGIN_AUTH | CAP_PLUGIN_AUTH_LENENC)

SERVER_STATUS_IN_TRANS = 0x0001
SERVER_STATUS_AUTOCOMMIT = 0x0002
SERVER_MORE_RESULTS_EXISTS = 0x0008

COM_QUIT = 0x01
COM_INIT_DB = 0x02
COM_QUERY = 0x03
COM_FIELD_LIST = 0x04
COM_STATISTICS = 0x09
COM_PING = 0x0E
COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_CLOSE = 0x19
COM_SET_OPTION = 0x1B
COM_RESET_CONNECTION = 0x1F
MYSQL_OPTION_MULTI_STATEMENTS_ON = 0
MYSQL_OPTION_MULTI_STATEMENTS_OFF = 1


def scramble_native(password, salt):
    if not password:
        return b""
    pw = password.encode() if isinstance(password, str) else password
    s1 = hashlib.sha1(pw).digest()
    s2 = hashlib.sha1(s1).digest()
    s3 = hashlib.sha1(salt[:20] + s2).digest()
    return bytes(a ^ b for a, b in zip(s1, s3))


def scramble_caching_sha2(password, salt):
    if not password:
        return b""
    pw = password.encode() if isinstance(password, str) else password
    p1 = hashlib.sha256(pw).digest()
    p2 = hashlib.sha256(p1).digest()
    p3 = hashlib.sha256(p2 + salt[:20]).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def lenenc_int(n):
    if n < 251:
        return bytes([n])
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n)
    if n < 1 << 24:
        return b"\xfd" + struct.pack("<I", n)[:3]
    return b"\xfe" + struct.pack("<Q", n)


def lenenc_str(b):
    return lenenc_int(len(b)) + b


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def u8(self):
        v = self.data[self.pos]
        self.pos += 1
        return v

    def u16(self):
        v = struct.unpack_from("<H", self.data, self.pos)[0]
        self.pos += 2
        return v

    def u24(self):
        v = struct.unpack_from("<I", self.data[self.pos:self.pos + 3] + b"\0")[0]
        self.pos += 3
        return v

    def u32(self):
        v = struct.unpack_from("<I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def u64(self):
        v = struct.unpack_from("<Q", self.data, self.pos)[0]
        self.pos += 8
        return v

    def bytes(self, n):
        if self.pos + n > len(self.data):
            raise ProtocolError("truncated packet")
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v

    def nul_str(self):
        end = self.data.index(b"\0", self.pos)
        v = self.data[self.pos:end]
        self.pos = end + 1
        return v

    def rest(self):
        v = self.data[self.pos:]
        self.pos = len(self.data)
        return v

    def lenenc(self):
        first = self.u8()
        if first < 251:
            return first
        if first == 0xFB:
            return None
        if first == 0xFC:
            return self.u16()
        if first == 0xFD:
            return self.u24()
        return self.u64()

    def lenenc_str(self):
        n = self.lenenc()
        if n is None:
            return None
        return self.bytes(n)


class Result:
    """One reply to a command: kind in {'ok', 'err', 'rs', 'eof'}."""

    def __init__(self, kind):
        self.kind = kind
        self.affected_rows = None
        self.insert_id = None
        self.status = 0
        self.warnings = 0
        self.info = b""
        self.errno = None
        self.sqlstate = None
        self.message = None
        self.columns = []      # list of dict (parsed column definitions)
        self.column_packets = []
        self.rows = []         # list of list of bytes|None
        self.row_packets = []

    def __repr__(self):
        if self.kind == "err":
            return "<ERR %s %s %s>" % (self.errno, self.sqlstate, self.message)
        if self.kind == "rs":
            return "<RS cols=%s rows=%d status=0x%x>" % ([c["name"] for c in self.columns], len(self.rows),
                                                          self.status)
        return "<%s affected=%s id=%s status=0x%x warnings=%s info=%r>" % (
            self.kind.upper(), self.affected_rows, self.insert_id, self.status, self.warnings, self.info)

    def raise_if_error(self):
        if self.kind == "err":
            raise MySQLError(self.errno, self.sqlstate, self.message)
        return self


def parse_column(payload):
    r = Reader(payload)
    col = {
        "catalog": r.lenenc_str(),
        "schema": r.lenenc_str(),
        "table": r.lenenc_str(),
        "org_table": r.lenenc_str(),
        "name": r.lenenc_str(),
        "org_name": r.lenenc_str(),
    }
    r.lenenc()  # length of fixed fields (0x0c)
    col["charset"] = r.u16()
    col["length"] = r.u32()
    col["type"] = r.u8()
    col["flags"] = r.u16()
    col["decimals"] = r.u8()
    col["name"] = col["name"].decode("utf-8", errors="replace")
    return col


def parse_err(payload):
    r = Reader(payload)
    r.u8()
    errno = r.u16()
    sqlstate = None
    if r.remaining() and r.data[r.pos:r.pos + 1] == b"#":
        r.u8()
        sqlstate = r.bytes(5).decode()
    return errno, sqlstate, r.rest().decode("utf-8", errors="replace")


class RawClient:
    """A tiny, strict MySQL protocol client.  All socket operations have timeouts."""

    def __init__(self, port, host="127.0.0.1", timeout=15, tls=None, ca=None, server_hostname=None):
        """tls: None follows SHARDPROXY_TEST_TLS for a proxy's port; ca: the CA to verify the server with (default:
        the proxy's on `port`); server_hostname: the name to verify (default: `host`)."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self.tls = (TLS_SUITE and port in _proxies_by_port) if tls is None else tls
        self.ca = ca
        self.server_hostname = server_hostname
        self.sock = None
        self.seq = 0
        self.greeting = None
        self.caps = 0
        self.deprecate_eof = False

    # -- transport --
    def open(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.settimeout(self.timeout)
        return self

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                raise Closed("connection closed by server after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return bytes(buf)

    def read_frame(self):
        hdr = self._recv_exact(4)
        length = hdr[0] | hdr[1] << 8 | hdr[2] << 16
        seq = hdr[3]
        return seq, self._recv_exact(length) if length else b""

    def read_packet(self):
        """A logical packet (frames joined); checks the sequence id."""
        seq, payload = self.read_frame()
        if seq != self.seq:
            raise ProtocolError("sequence id %d, expected %d" % (seq, self.seq))
        self.seq = (self.seq + 1) & 0xFF
        if len(payload) < 0xFFFFFF:
            return payload
        parts = [payload]
        while True:
            seq, payload = self.read_frame()
            if seq != self.seq:
                raise ProtocolError("sequence id %d, expected %d" % (seq, self.seq))
            self.seq = (self.seq + 1) & 0xFF
            parts.append(payload)
            if len(payload) < 0xFFFFFF:
                return b"".join(parts)

    def send_packet(self, payload, seq=None):
        if seq is not None:
            self.seq = seq
        out = bytearray()
        pos = 0
        while True:
            chunk = payload[pos:pos + 0xFFFFFF]
            out += struct.pack("<I", len(chunk))[:3] + bytes([self.seq])
            out += chunk
            self.seq = (self.seq + 1) & 0xFF
            pos += len(chunk)
            if len(chunk) < 0xFFFFFF:
                break
        self.sock.sendall(bytes(out))

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_until_closed(self, timeout=None):
        """Read everything until EOF; returns the bytes.  Raises socket.timeout if still open."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        data = bytearray()
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return bytes(data)
                data += chunk
        except ConnectionResetError:
            return bytes(data)

    # -- handshake --
    def read_greeting(self):
        self.seq = 0
        payload = self.read_packet()
        if payload[:1] == b"\xff":
            errno, state, msg = parse_err(payload)
            raise MySQLError(errno, state, msg)
        r = Reader(payload)
        g = {"protocol": r.u8(), "server_version": r.nul_str().decode(errors="replace"),
             "connection_id": r.u32()}
        salt = r.bytes(8)
        r.u8()
        caps = r.u16()
        g["charset"] = r.u8()
        g["status"] = r.u16()
        caps |= r.u16() << 16
        g["capabilities"] = caps
        auth_len = r.u8()
        r.bytes(10)
        if caps & CAP_SECURE_CONNECTION:
            n = max(13, auth_len - 8)
            part2 = r.bytes(n)
            salt += part2.rstrip(b"\0") if n == 13 else part2
        g["auth_plugin"] = r.nul_str().decode() if caps & CAP_PLUGIN_AUTH and r.remaining() else None
        g["salt"] = salt[:20]
        self.greeting = g
        return g

    def start_tls(self, caps=DEFAULT_CAPS, charset=45):
        """SSLRequest, then TLS on the socket, verifying the server's certificate and name."""
        self.send_packet(struct.pack("<IIB", caps | CAP_SSL, 1 << 24, charset) + b"\0" * 23)
        ctx = ssl.create_default_context(cafile=self.ca or ca_of(self.port))
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.server_hostname or self.host)
        return self.sock

    def handshake_response(self, user, password, db=None, caps=DEFAULT_CAPS, charset=45, plugin=None,
                           auth_data=None, attrs=None):
        g = self.greeting
        if isinstance(self.sock, ssl.SSLSocket):
            caps |= CAP_SSL
        plugin = plugin or g.get("auth_plugin") or "mysql_native_password"
        if auth_data is None:
            auth_data = self._auth_for(plugin, password, g["salt"])
        if db:
            caps |= CAP_CONNECT_WITH_DB
        if attrs is not None:
            caps |= CAP_CONNECT_ATTRS
        self.caps = caps
        self.deprecate_eof = bool(caps & CAP_DEPRECATE_EOF and g["capabilities"] & CAP_DEPRECATE_EOF)
        p = struct.pack("<IIB", caps, 1 << 24, charset) + b"\0" * 23
        p += user.encode() + b"\0"
        if caps & CAP_PLUGIN_AUTH_LENENC:
            p += lenenc_str(auth_data)
        else:
            p += bytes([len(auth_data)]) + auth_data
        if db:
            p += db.encode() + b"\0"
        if caps & CAP_PLUGIN_AUTH:
            p += plugin.encode() + b"\0"
        if attrs is not None:
            a = b"".join(lenenc_str(k.encode()) + lenenc_str(v.encode()) for k, v in attrs.items())
            p += lenenc_str(a)
        self.send_packet(p)
        return p

    @staticmethod
    def _auth_for(plugin, password, salt):
        if plugin == "mysql_native_password":
            return scramble_native(password, salt)
        if plugin == "caching_sha2_password":
            return scramble_caching_sha2(password, salt)
        if plugin == "mysql_clear_password":
            return (password or "").encode() + b"\0"
        raise ProtocolError("unsupported auth plugin %r" % plugin)

    def finish_auth(self, password):
        """Handle AuthSwitch / AuthMoreData until OK; raises MySQLError on ERR."""
        for _ in range(5):
            payload = self.read_packet()
            h = payload[:1]
            if h == b"\x00":
                return parse_ok(payload)
            if h == b"\xff":
                errno, state, msg = parse_err(payload)
                raise MySQLError(errno, state, msg)
            if h == b"\xfe":
                r = Reader(payload)
                r.u8()
                plugin = r.nul_str().decode()
                salt = r.rest()
                if salt.endswith(b"\0"):
                    salt = salt[:-1]
                self.switched_to = plugin
                self.send_packet(self._auth_for(plugin, password, salt))
                continue
            if h == b"\x01":
                if payload[1:2] == b"\x03":   # caching_sha2 fast auth success, OK follows
                    self.fast_auth = True
                    continue
                if payload[1:2] == b"\x04":
                    raise ProtocolError("server asked for caching_sha2 full authentication")
                raise ProtocolError("unexpected AuthMoreData %r" % payload[:8])
            raise ProtocolError("unexpected auth reply %r" % payload[:16])
        raise ProtocolError("too many auth round trips")

    def login(self, user="root", password="root", db=None, caps=DEFAULT_CAPS, **kw):
        self.switched_to = None
        self.fast_auth = False
        if self.sock is None:
            self.open()
        self.read_greeting()
        if self.tls:
            self.start_tls(caps)
        self.handshake_response(user, password, db=db, caps=caps, **kw)
        return self.finish_auth(password)

    # -- commands --
    def send_command(self, cmd, arg=b""):
        if isinstance(arg, str):
            arg = arg.encode()
        self.send_packet(bytes([cmd]) + arg, seq=0)

    def command(self, cmd, arg=b""):
        """Send a command and read one reply (OK/ERR/EOF or result set)."""
        self.send_command(cmd, arg)
        return self.read_result()

    def query(self, sql):
        """COM_QUERY; returns the list of results (several with multi-statements)."""
        self.send_command(COM_QUERY, sql)
        results = []
        while True:
            res = self.read_result()
            results.append(res)
            if res.kind == "err" or not res.status & SERVER_MORE_RESULTS_EXISTS:
                return results

    def query1(self, sql):
        res = self.query(sql)
        if len(res) != 1:
            raise ProtocolError("expected one result, got %r" % res)
        return res[0].raise_if_error()

    def read_result(self):
        payload = self.read_packet()
        h = payload[:1]
        if h == b"\x00":
            return parse_ok(payload)
        if h == b"\xff":
            res = Result("err")
            res.errno, res.sqlstate, res.message = parse_err(payload)
            return res
        if h == b"\xfe" and len(payload) < 9:
            return parse_eof(payload)
        if h == b"\xfb":
            raise ProtocolError("LOCAL INFILE request not supported by the test client")
        r = Reader(payload)
        ncols = r.lenenc()
        res = Result("rs")
        for _ in range(ncols):
            p = self.read_packet()
            res.column_packets.append(p)
            res.columns.append(parse_column(p))
        if not self.deprecate_eof:
            p = self.read_packet()
            if not (p[:1] == b"\xfe" and len(p) < 9):
                raise ProtocolError("expected EOF after column definitions, got %r" % p[:16])
        while True:
            p = self.read_packet()
            if p[:1] == b"\xfe" and len(p) < 0xFFFFFF and (len(p) < 9 or self.deprecate_eof):
                end = parse_ok(p) if self.deprecate_eof else parse_eof(p)
                res.status = end.status
                res.warnings = end.warnings
                return res
            if p[:1] == b"\xff":
                err = Result("err")
                err.errno, err.sqlstate, err.message = parse_err(p)
                err.columns = res.columns
                err.rows = res.rows
                return err
            res.row_packets.append(p)
            r = Reader(p)
            res.rows.append([r.lenenc_str() for _ in range(ncols)])

    def read_field_list(self):
        """Reply to COM_FIELD_LIST: column definitions up to EOF (or ERR)."""
        cols = []
        while True:
            p = self.read_packet()
            if p[:1] == b"\xff":
                res = Result("err")
                res.errno, res.sqlstate, res.message = parse_err(p)
                return res
            if p[:1] == b"\xfe" and len(p) < 9:
                res = Result("rs")
                res.columns = cols
                return res
            cols.append(parse_column(p))


def parse_ok(payload):
    r = Reader(payload)
    res = Result("ok")
    r.u8()
    res.affected_rows = r.lenenc()
    res.insert_id = r.lenenc()
    if r.remaining() >= 4:
        res.status = r.u16()
        res.warnings = r.u16()
    res.info = r.rest()
    return res


def parse_eof(payload):
    r = Reader(payload)
    res = Result("eof")
    r.u8()
    if r.remaining() >= 4:
        res.warnings = r.u16()
        res.status = r.u16()
    return res


def raw_client(port, user="root", password="root", db=None, tls=None, **kw):
    c = RawClient(port, tls=tls)
    c.open()
    try:
        c.login(user, password, db, **kw)
    except BaseException:
        c.close()
        raise
    return c


# ------------------------------------------------------------------------------------------
# Test running
# ------------------------------------------------------------------------------------------

class TestCase(unittest.TestCase):
    maxDiff = None

    def assertMySQLError(self, exc_or_result, errno, sqlstate=None, message=None, prefix=None):
        """Check a pymysql error, a harness MySQLError or an 'err' Result."""
        if isinstance(exc_or_result, Result):
            self.assertEqual(exc_or_result.kind, "err", "expected ERR, got %r" % exc_or_result)
            got = (exc_or_result.errno, exc_or_result.sqlstate, exc_or_result.message)
        elif isinstance(exc_or_result, MySQLError):
            got = (exc_or_result.errno, exc_or_result.sqlstate, exc_or_result.message)
        else:
            got = (exc_or_result.args[0], None, exc_or_result.args[1] if len(exc_or_result.args) > 1 else "")
        self.assertEqual(got[0], errno, "errno: got %r" % (got,))
        if sqlstate is not None and got[1] is not None:
            self.assertEqual(got[1], sqlstate, "sqlstate: got %r" % (got,))
        if message is not None:
            self.assertEqual(got[2], message)
        if prefix is not None:
            self.assertTrue(got[2].startswith(prefix), "message %r does not start with %r" % (got[2], prefix))
        return got

    def raw_error(self, fn, *a, **kw):
        """Run fn expecting a MySQL ERR; returns (errno, sqlstate, message) read with the raw client."""
        try:
            fn(*a, **kw)
        except MySQLError as e:
            return e.errno, e.sqlstate, e.message
        self.fail("expected a MySQL error from %r" % (fn,))


def main():
    """unittest.main() that dumps proxy log tails on failure and exits non-zero."""
    global _keep_logs
    prog = unittest.main(exit=False, verbosity=2)
    ok = prog.result.wasSuccessful()
    if not ok:
        _keep_logs = True
        for p in _all_proxies:
            if os.path.exists(p.log_path):
                sys.stderr.write("---- %s log tail (%s) ----\n%s\n" % (p.name, p.log_path, p.log_tail(40)))
    _cleanup_proxies()
    sys.exit(0 if ok else 1)
