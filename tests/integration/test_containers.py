"""The deployment of docker/, run with Podman: the image, the compose file and the Kubernetes
manifests answer real clients.

  image          the runtime image built around the binary under test (docker/Dockerfile's
                 `prebuilt` target) with its default command and conf/demo as /etc/shardproxy, in a
                 pod with two MariaDB containers on the demo's ports: the mariadb CLI gets a
                 pass-through database's rows and, after sample-data-sharding.sql went in through
                 it, the sharded database's rows, compared with what the servers hold.
  compose        docker/compose.yaml under podman-compose with the locally built images: the
                 demo's three databases answer through the published port.
  sidecar_pod    docker/k8s/sidecar under `podman kube play`: the application container reaches
                 the proxy over the shared Unix socket and over 127.0.0.1.
  central        docker/k8s/central under `podman kube play`: clients get answers through the
                 published port, /livez and /readyz answer 200 (kube play runs no probes).
  k8s_schemas    every manifest against the Kubernetes schemas, offline (npm kubernetes-models,
                 k8s_schema/check.js), and a broken copy fails the check.

kube play (Podman 4.3) runs Pods and Deployments, not StatefulSets, Secrets or probes, and it
publishes every containerPort on the host: the test turns the shipped manifests into what it runs
(StatefulSet -> its first Pod and a PersistentVolumeClaim, Secret references -> values, probes
dropped, free host ports, the test's image names, MariaDB containers for the data sources); the
shipped files stay as they are. The MariaDB servers are containers of docker/mariadb/Dockerfile
initialised with conf/demo's SQL: nothing of the shared test cluster is used.

Images are built once per run by scripts/container-build.sh (a lock and a cache label), on the
Debian base of scripts/container-base.sh (kept; the test's images, containers, pods, networks and
volumes are removed at the end). Skipped only when Podman cannot run a container here.
"""
# ctest-labels: slow containers

import copy
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

SRC = h.SOURCE_DIR
DOCKER = os.path.join(SRC, "docker")
DEMO = os.path.join(SRC, "conf", "demo")
PODMAN = shutil.which("podman") or "/usr/bin/podman"
PODMAN_COMPOSE = shutil.which("podman-compose") or "/usr/bin/podman-compose"
NODE = shutil.which("node") or "/usr/bin/node"
K8S_SCHEMA_MODULES = os.environ.get("SHARDPROXY_K8S_SCHEMA_MODULES") or os.path.join(
    SRC, ".work", "k8s-schema", "node_modules")
ENV = dict(os.environ, CONTAINERS_CONF=os.environ.get("CONTAINERS_CONF")
           or os.path.join(DOCKER, "podman", "containers.conf"))
TAG = "sptest%d" % os.getpid()
PROXY_IMAGE = "localhost/shardproxy:test"
MARIADB_IMAGE = "localhost/shardproxy-mariadb:test"
SHIPPED_IMAGE = "localhost/shardproxy:dev"

_skip_reason = None
_timings = []


def podman(*args, check=True, timeout=120, **kw):
    r = subprocess.run([PODMAN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, env=ENV, **kw)
    if check and r.returncode != 0:
        raise AssertionError("podman %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def cli(port, sql, db=None, user="root", password="root", input=None):
    """The mariadb CLI against 127.0.0.1:port; rows as lists of strings."""
    r = h.mariadb_cli(port, ["-N", "-B", "-e", sql] if sql else ["-N", "-B"], input=input, user=user,
                      password=password, db=db)
    if r.returncode != 0:
        raise AssertionError("mariadb -P%d %s: %s" % (port, sql, r.stderr.strip()))
    return [line.split("\t") for line in r.stdout.splitlines()]


def exec_sql(container, sql, extra=()):
    """SQL run as root inside a MariaDB container (what the server itself holds)."""
    r = podman("exec", container, "mariadb", "-uroot", "-proot", "-N", "-B", *extra, "-e", sql)
    return [line.split("\t") for line in r.stdout.splitlines()]


def wait_cli(port, db, what, timeout=90):
    def ok():
        return h.mariadb_cli(port, ["-N", "-e", "SELECT 1"], db=db, timeout=15).returncode == 0
    h.wait_until(ok, timeout, interval=0.5, what=what)


def read(path):
    with open(path) as f:
        return f.read()


def http_status(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def setUpModule():
    global _skip_reason
    if not os.path.exists(PODMAN):
        _skip_reason = "podman is not installed (scripts/install-deps.sh installs it)"
        return
    r = subprocess.run(["bash", os.path.join(SRC, "scripts", "container-base.sh")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=900, env=ENV)
    if r.returncode != 0:
        _skip_reason = "no Debian base image could be made here: %s" % r.stderr.strip()[-500:]
        return
    base = r.stdout.strip()
    probe = podman("run", "--rm", "--network", "none", base, "true", check=False)
    if probe.returncode != 0:
        _skip_reason = "podman cannot run a container here: %s" % probe.stderr.strip()
        return
    t0 = time.monotonic()
    for args, image in ((["--prebuilt", h.PROXY_BIN], PROXY_IMAGE), (["--mariadb"], MARIADB_IMAGE)):
        env = dict(ENV, SHARDPROXY_IMAGE=PROXY_IMAGE, MARIADB_IMAGE=MARIADB_IMAGE)
        r = subprocess.run(["bash", os.path.join(SRC, "scripts", "container-build.sh")] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1200, env=env)
        if r.returncode != 0:
            raise AssertionError("container-build.sh %s failed:\n%s" % (" ".join(args), r.stderr))
    _timings.append(("images (prebuilt proxy, MariaDB; cached when unchanged)", time.monotonic() - t0))


def tearDownModule():
    for name, seconds in _timings:
        print("time: %-60s %6.1f s" % (name, seconds))
    if _skip_reason is None and os.environ.get("SHARDPROXY_TEST_KEEP_IMAGES") != "1":
        podman("rmi", "-f", PROXY_IMAGE, MARIADB_IMAGE, check=False)


class ContainerTest(h.TestCase):
    def setUp(self):
        if _skip_reason:
            self.skipTest(_skip_reason)
        self.started = time.monotonic()
        self.cleanups = []  # podman argument lists, run in reverse order
        # Volumes the test's containers make without a name of the test's own (the images'
        # VOLUMEs, kube play's ConfigMap volumes) are found by difference at the end.
        self.volumes_before = set(podman("volume", "ls", "-q").stdout.split())

    def tearDown(self):
        if _skip_reason:
            return
        if getattr(self, "compose_down", None):
            self.compose_down()
        result = self._outcome.result
        if any(test is self for test, _ in result.errors + result.failures):
            # Every container of the test (the pods' ones carry no label of the test's).
            for c in podman("ps", "-a", "--format", "{{.Names}}", check=False).stdout.split():
                logs = podman("logs", "--tail", "30", c, check=False)
                sys.stderr.write("---- podman logs %s ----\n%s\n" % (c, (logs.stdout + logs.stderr)[-3000:]))
        for args in reversed(self.cleanups):
            podman(*args, check=False, timeout=120)
        for v in set(podman("volume", "ls", "-q").stdout.split()) - self.volumes_before:
            podman("volume", "rm", v, check=False)
        _timings.append((self.id().split(".")[-1], time.monotonic() - self.started))

    # --- MariaDB containers with the demo's data ------------------------------------------------

    def init_mounts(self, node, any_host):
        sample = ["sample-data-shop.sql", "sample-data-analytics.sql"][node]
        mounts = ["-v", "%s:/docker-entrypoint-initdb.d/10-%s:ro,z" % (os.path.join(DEMO, sample), sample),
                  "-v", "%s:/docker-entrypoint-initdb.d/20-setup.sql:ro,z" % os.path.join(
                      DEMO, "setup-node-%d.sql" % node)]
        if any_host:
            mounts += ["-v", "%s:/docker-entrypoint-initdb.d/30-any-host.sql:ro,z" % os.path.join(
                DOCKER, "compose", "accounts-any-host.sql")]
        return mounts

    def start_backends_on_network(self):
        """mariadb-0.mariadb and mariadb-1.mariadb on a network of their own (port 3306), as the
        manifests' data source URLs name them; returns the network."""
        net = TAG + "-net"
        podman("network", "create", net)
        self.cleanups.append(["network", "rm", "-f", net])
        for node in (0, 1):
            name = "%s-mariadb-%d" % (TAG, node)
            self.cleanups.append(["rm", "-f", "-v", name])
            podman("run", "-d", "--name", name, "--label", "sptest=" + TAG, "--network", net,
                   "--network-alias", "mariadb-%d.mariadb" % node, "-e", "MARIADB_ROOT_PASSWORD=root",
                   *self.init_mounts(node, any_host=True), MARIADB_IMAGE)
        for node in (0, 1):
            self.wait_backend("%s-mariadb-%d" % (TAG, node), 3306)
        return net

    def wait_backend(self, container, port):
        def ready():
            return podman("exec", container, "mariadb", "-uroot", "-proot", "-h127.0.0.1", "-P%d" % port,
                          "-e", "SELECT 1", check=False, timeout=30).returncode == 0
        h.wait_until(ready, 120, interval=0.5, what="MariaDB in %s" % container)

    def check_demo_answers(self, port, shop_backend, sharding_backends, analytics_backend=None):
        """The CLI through the proxy sees what the servers hold."""
        want = exec_sql(shop_backend, "SELECT COUNT(*), SUM(id) FROM demo_shop.customers")
        got = cli(port, "SELECT COUNT(*), SUM(id) FROM customers", db="shop")
        print("shop.customers through the proxy: %s, on the server: %s" % (got, want))
        self.assertEqual(got, want)
        self.assertGreater(int(got[0][0]), 0)
        if analytics_backend:
            want = exec_sql(analytics_backend, "SELECT COUNT(*) FROM demo_analytics.page_views")
            got = cli(port, "SELECT COUNT(*) FROM page_views", db="analytics")
            self.assertEqual(got, want)
        if sharding_backends:
            total = 0
            for c, ds in sharding_backends:
                for t in ("t_order_0", "t_order_1"):
                    total += int(exec_sql(c, "SELECT COUNT(*) FROM demo_ds_%d.%s" % (ds, t))[0][0])
            got = cli(port, "SELECT COUNT(*) FROM t_order", db="sharding_db")
            print("sharding_db.t_order through the proxy: %s, on the four actual tables: %d" % (got, total))
            self.assertEqual(int(got[0][0]), total)
            self.assertGreater(total, 0)
            # A row of each data source, routed by its sharding key.
            rows = cli(port, "SELECT user_id, order_id FROM t_order WHERE user_id IN (10, 11) "
                       "ORDER BY order_id", db="sharding_db")
            self.assertEqual(sorted({r[0] for r in rows}), ["10", "11"])

    # --- (a) the image ---------------------------------------------------------------------------

    def test_image(self):
        port = h.free_port()
        pod = TAG + "-image"
        self.cleanups.append(["pod", "rm", "-f", pod])
        podman("pod", "create", "--name", pod, "--label", "sptest=" + TAG, "-p", "127.0.0.1:%d:3307" % port)
        for node in (0, 1):
            name = "%s-m%d" % (pod, node)
            self.cleanups.append(["rm", "-f", "-v", name])
            podman("run", "-d", "--pod", pod, "--name", name, "--label", "sptest=" + TAG,
                   "-e", "MARIADB_ROOT_PASSWORD=root", *self.init_mounts(node, any_host=False),
                   MARIADB_IMAGE, "--port=%d" % (13306 + node))
        for node in (0, 1):
            self.wait_backend("%s-m%d" % (pod, node), 13306 + node)
        proxy = pod + "-proxy"
        self.cleanups.append(["rm", "-f", "-v", proxy])
        # The image's own ENTRYPOINT and CMD: only the configuration is mounted.
        podman("run", "-d", "--pod", pod, "--name", proxy, "--label", "sptest=" + TAG,
               "-v", "%s:/etc/shardproxy:ro,z" % DEMO, PROXY_IMAGE)
        wait_cli(port, "shop", "the proxy in the container")
        loaded = cli(port, None, db="sharding_db",
                     input=read(os.path.join(DEMO, "sample-data-sharding.sql")))
        self.assertEqual(loaded, [])
        self.check_demo_answers(port, pod + "-m0", [(pod + "-m0", 0), (pod + "-m1", 1)], pod + "-m1")
        user = podman("exec", proxy, "id", "-u").stdout.strip()
        self.assertEqual(user, "10001")
        # SIGTERM (the image's STOPSIGNAL) ends the proxy by itself, well before podman's SIGKILL.
        t0 = time.monotonic()
        podman("stop", "-t", "30", proxy, timeout=60)
        stopped = time.monotonic() - t0
        code = podman("inspect", "--format", "{{.State.ExitCode}}", proxy).stdout.strip()
        print("podman stop: %.1f s, exit code %s" % (stopped, code))
        self.assertEqual(code, "0")
        self.assertLess(stopped, 25)

    # --- (b) compose ---------------------------------------------------------------------------

    def test_compose(self):
        port = h.free_port()
        project = TAG + "compose"
        env = dict(ENV, SHARDPROXY_IMAGE=PROXY_IMAGE, MARIADB_IMAGE=MARIADB_IMAGE, SHARDPROXY_PORT=str(port))
        compose = [PODMAN_COMPOSE, "-p", project, "-f", os.path.join(DOCKER, "compose.yaml")]

        def down():
            subprocess.run(compose + ["down", "-v", "-t", "5"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=180)
            # Anonymous volumes (the servers' data) and the project's network go too.
            podman("volume", "prune", "-f", "--filter", "label=io.podman.compose.project=" + project, check=False)
            podman("network", "rm", "-f", project + "_default", check=False)
        self.compose_down = down
        r = subprocess.run(compose + ["up", "-d"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])
        loader = project + "_load-sharding-data_1"

        def loaded():
            state = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", loader).stdout.split()
            if state[0] == "exited":
                self.assertEqual(state[1], "0", podman("logs", loader, check=False).stderr)
                return True
            return False
        h.wait_until(loaded, 180, interval=1, what="compose's load-sharding-data to finish")
        self.check_demo_answers(port, project + "_mariadb-0_1",
                                [(project + "_mariadb-0_1", 0), (project + "_mariadb-1_1", 1)],
                                project + "_mariadb-1_1")
        # The application user sees only shop, as in the demo.
        r = h.mariadb_cli(port, ["-N", "-e", "SELECT 1"], user="app", password="app", db="analytics")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("1044", r.stderr)

    # --- kube play of the shipped manifests ------------------------------------------------------

    def load_manifests(self, folder):
        docs = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".yaml") and name != "kustomization.yaml":
                with open(os.path.join(folder, name)) as f:
                    docs += [d for d in yaml.safe_load_all(f) if d]
        return docs

    def adapt_pod_spec(self, spec, secrets, host_ports):
        """What kube play of Podman 4.3 needs of a pod spec: the test's images, Secret references
        turned into values, no probes, containerPorts published on free host ports."""
        for c in spec.get("initContainers", []) + spec["containers"]:
            if c["image"] == SHIPPED_IMAGE:
                c["image"] = PROXY_IMAGE
            env = c.setdefault("env", [])
            for src in c.pop("envFrom", []):
                env += [{"name": k, "value": v} for k, v in secrets[src["secretRef"]["name"]].items()]
            for e in env:
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    e.pop("valueFrom")
                    e["value"] = secrets[ref["name"]][ref["key"]]
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                c.pop(probe, None)
            for p in c.get("ports", []):
                p["hostPort"] = host_ports.setdefault(p["containerPort"], h.free_port())
                p["hostIP"] = "127.0.0.1"
        # kube play ignores fsGroup, so its emptyDir volumes stay root's: host directories owned
        # by the fsGroup, group-writable and setgid, stand for them (what Kubernetes makes).
        group = spec.get("securityContext", {}).get("fsGroup")
        for v in spec.get("volumes", []):
            if "emptyDir" in v:
                d = os.path.join(h.SOURCE_DIR, ".work", "containers", "%s-%s-%s" % (TAG, id(spec), v["name"]))
                os.makedirs(d)
                self.addCleanup(shutil.rmtree, d, True)
                os.chown(d, 0, group or 0)
                os.chmod(d, 0o2770)
                del v["emptyDir"]
                v["hostPath"] = {"path": d, "type": "Directory"}

    def kube_play(self, docs, net, name):
        # Podman 4.3 removes a finished init container at once and sometimes finds it still
        # running ("failed to remove once init container"): "always" init containers are kept.
        for d in docs:
            if d["kind"] == "Pod":
                d["metadata"].setdefault("annotations", {})["io.podman.annotations.init.container.type"] = "always"
        path = os.path.join(h.SOURCE_DIR, ".work", "containers", "%s-%s.yaml" % (TAG, name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            yaml.safe_dump_all(docs, f, sort_keys=False)
        pods = [d["metadata"]["name"] for d in docs if d["kind"] == "Pod"]
        # A pod of the same name left by an interrupted run would make kube play refuse; and
        # kube down does not always remove a pod whose containers are gone: removed by name too.
        for pod in pods:
            podman("pod", "rm", "-f", pod, check=False)
            self.cleanups.append(["pod", "rm", "-f", pod])
        self.cleanups.append(["kube", "down", path])
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        podman("kube", "play", "--network", net, path, timeout=300)

    def test_sidecar_pod(self):
        net = self.start_backends_on_network()
        docs = self.load_manifests(os.path.join(DOCKER, "k8s", "sidecar"))
        secrets = {d["metadata"]["name"]: d["stringData"] for d in docs if d["kind"] == "Secret"}
        play = [d for d in docs if d["kind"] == "ConfigMap"]
        deployment = next(d for d in docs if d["kind"] == "Deployment")
        # One of the Deployment's pods (kube play's own Deployment support loses the init
        # container annotation below).
        pod_name = deployment["metadata"]["name"] + "-0"
        spec = copy.deepcopy(deployment["spec"]["template"]["spec"])
        self.adapt_pod_spec(spec, secrets, {})
        app = next(c for c in spec["containers"] if c["name"] == "app")
        # The example application: a MariaDB client that waits for the test's commands.
        app["image"] = MARIADB_IMAGE
        app["command"] = ["sleep", "infinity"]
        user = "%d:%d" % (app["securityContext"]["runAsUser"], spec["securityContext"]["fsGroup"])
        play.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": pod_name, "labels": deployment["spec"]["template"]["metadata"]["labels"]},
                     "spec": spec})
        self.kube_play(play, net, "sidecar")
        app_container = pod_name + "-app"
        want = exec_sql(TAG + "-mariadb-0", "SELECT COUNT(*), SUM(id) FROM demo_shop.customers")

        def through(*how):
            # As the manifest's application user, with the fsGroup that Kubernetes would add.
            r = podman("exec", "--user", user, "-e", "MYSQL_PWD=app", app_container, "mariadb", "-uapp", *how, "-N", "-B",
                       "-e", "SELECT COUNT(*), SUM(id) FROM customers; SELECT CONNECTION_ID()", "shop",
                       check=False, timeout=30)
            return r

        def answers(*how):
            r = through(*how)
            return r.returncode == 0 and r
        r = h.wait_until(lambda: answers("--protocol=socket", "--socket=/run/shardproxy/mysql.sock"), 90,
                         interval=0.5, what="the proxy on the shared Unix socket")
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        print("over the Unix socket: %s (server: %s)" % (rows, want))
        self.assertEqual(rows[0], want[0])
        r = answers("--protocol=tcp", "-h127.0.0.1", "-P3307")
        self.assertTrue(r, "over 127.0.0.1:3307: %s" % (through("--protocol=tcp", "-h127.0.0.1", "-P3307").stderr))
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        print("over 127.0.0.1:3307: %s" % rows)
        self.assertEqual(rows[0], want[0])
        # The socket file's mode is what --socket-mode asked for, in the shared volume.
        mode = podman("exec", "--user", user, app_container, "stat", "-c", "%a", "/run/shardproxy/mysql.sock"
                      ).stdout.strip()
        print("socket mode: %s" % mode)
        self.assertEqual(mode, "660")

    def test_central(self):
        net = self.start_backends_on_network()
        docs = self.load_manifests(os.path.join(DOCKER, "k8s", "central"))
        secrets = {d["metadata"]["name"]: d["stringData"] for d in docs if d["kind"] == "Secret"}
        play = [d for d in docs if d["kind"] == "ConfigMap"]
        sts = next(d for d in docs if d["kind"] == "StatefulSet")
        # The StatefulSet's second pod, as Kubernetes makes it: name <set>-1 (its worker id 1
        # shows in connection ids), its claim data-<set>-1.
        pod_name = sts["metadata"]["name"] + "-1"
        claim = "data-" + pod_name + "-" + TAG
        for tpl in sts["spec"]["volumeClaimTemplates"]:
            pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": claim},
                   "spec": copy.deepcopy(tpl["spec"])}
            play.append(pvc)
        self.cleanups.append(["volume", "rm", "-f", claim])
        spec = copy.deepcopy(sts["spec"]["template"]["spec"])
        ports = {}
        self.adapt_pod_spec(spec, secrets, ports)
        spec["volumes"].append({"name": "data", "persistentVolumeClaim": {"claimName": claim}})
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": pod_name, "labels": sts["spec"]["template"]["metadata"]["labels"]},
               "spec": spec}
        play.append(pod)
        self.kube_play(play, net, "central")
        mysql_port, http_port = ports[3307], ports[9090]
        wait_cli(mysql_port, "shop", "the central proxy on port %d" % mysql_port)
        self.check_demo_answers(mysql_port, TAG + "-mariadb-0", None)
        loaded = cli(mysql_port, None, db="sharding_db",
                     input=read(os.path.join(DEMO, "sample-data-sharding.sql")))
        self.assertEqual(loaded, [])
        self.check_demo_answers(mysql_port, TAG + "-mariadb-0",
                                [(TAG + "-mariadb-0", 0), (TAG + "-mariadb-1", 1)])
        proxy = pod_name + "-shardproxy"
        # SHARDPROXY_WORKER_ID comes from the pod's name (downward API): worker 1 is in the
        # connection ids (worker << 22 | n) and holds its claim on the servers.
        conn_id = int(cli(mysql_port, "SELECT CONNECTION_ID()", db="shop")[0][0])
        print("CONNECTION_ID() of %s: %d (worker %d)" % (pod_name, conn_id, conn_id >> 22))
        self.assertEqual(conn_id >> 22, 1)
        held = exec_sql(TAG + "-mariadb-0", "SELECT IS_USED_LOCK('shardproxy.worker.1') IS NOT NULL")
        self.assertEqual(held, [["1"]])
        # The XA log's directory is the claim's volume, written by the non-root proxy.
        listing = podman("exec", proxy, "ls", "-A", "/var/lib/shardproxy").stdout.split()
        print("data volume: %s" % listing)
        self.assertTrue(listing)
        for path in ("/livez", "/readyz"):
            status, body = http_status(http_port, path)
            print("GET %s: %d %s" % (path, status, body.strip()[:400]))
            self.assertEqual(status, 200, body)
        health = json.loads(body)
        self.assertEqual(health["status"], "ready")
        self.assertEqual(sorted((d["database"], d["name"], d["state"]) for d in health["dataSources"]),
                         [("sharding_db", "ds_0", "up"), ("sharding_db", "ds_1", "up"), ("shop", "ds_0", "up")])
        # The log is JSON lines (--log-format json), on stderr.
        logs = podman("logs", proxy)
        lines = (logs.stdout + logs.stderr).splitlines()
        print("log: %d lines, first: %s" % (len(lines), lines[0] if lines else None))
        self.assertTrue(lines)
        for line in lines:
            self.assertIn("message", json.loads(line))
        # The pod's end as the kubelet makes it (SIGTERM, SIGKILL after the grace period; a
        # `podman kill` would be restarted by the pod's restart policy), with the ConfigMap's
        # props: /readyz 503 at once while clients are still taken for
        # proxy-shutdown-delay-seconds (5), then the proxy ends by itself, exit code 0.
        grace = spec["terminationGracePeriodSeconds"]
        t0 = time.monotonic()
        stopper = threading.Thread(target=podman, args=("stop", "-t", str(grace), proxy),
                                   kwargs={"timeout": grace + 30})
        stopper.start()
        h.wait_until(lambda: http_status(http_port, "/readyz")[0] == 503, 3, interval=0.1,
                     what="/readyz to say 503 after SIGTERM")
        unready = time.monotonic() - t0
        answered = cli(mysql_port, "SELECT 1", db="shop")
        self.assertEqual(answered, [["1"]])
        stopper.join(grace + 40)
        gone = time.monotonic() - t0
        code = podman("inspect", "--format", "{{.State.ExitCode}}", proxy).stdout.strip()
        print("SIGTERM: /readyz 503 after %.2f s, new connections still answered, exit %s after %.1f s"
              % (unready, code, gone))
        self.assertEqual(code, "0")
        # Not before the delay (5 s), and well before SIGKILL (terminationGracePeriodSeconds).
        self.assertGreater(gone, 4.5)
        self.assertLess(gone, grace - 5)

    def test_render_config(self):
        """The init container `render-config` of both manifests: placeholders filled from the
        Secret, inline expressions left alone, an unset name stops it and says which."""
        for folder in ("central", "sidecar"):
            docs = self.load_manifests(os.path.join(DOCKER, "k8s", folder))
            cm = next(d for d in docs if d["kind"] == "ConfigMap")
            secret = next(d for d in docs if d["kind"] == "Secret")["stringData"]
            workload = next(d for d in docs if d["kind"] in ("StatefulSet", "Deployment"))
            init = workload["spec"]["template"]["spec"]["initContainers"][0]
            self.assertEqual(init["name"], "render-config")
            tmp = os.path.join(h.SOURCE_DIR, ".work", "containers", "%s-render-%s" % (TAG, folder))
            os.makedirs(os.path.join(tmp, "templates"))
            os.makedirs(os.path.join(tmp, "out"))
            os.chmod(os.path.join(tmp, "out"), 0o777)
            self.addCleanup(shutil.rmtree, tmp, True)
            for name, text in cm["data"].items():
                with open(os.path.join(tmp, "templates", name), "w") as f:
                    f.write(text)

            def render(env):
                args = ["run", "--rm", "--network", "none", "--user", "10001:10001",
                        "-v", "%s:/config-templates:ro,z" % os.path.join(tmp, "templates"),
                        "-v", "%s:/etc/shardproxy:z" % os.path.join(tmp, "out"), "--entrypoint", init["command"][0]]
                for k, v in env.items():
                    args += ["-e", "%s=%s" % (k, v)]
                return podman(*args, PROXY_IMAGE, *init["command"][1:], check=False)
            r = render(secret)
            self.assertEqual(r.returncode, 0, r.stderr)
            for name, text in cm["data"].items():
                with open(os.path.join(tmp, "out", name)) as f:
                    out = f.read()
                want = text
                for k, v in secret.items():
                    want = want.replace("$(%s)" % k, v)
                self.assertEqual(out, want)
                self.assertNotIn("$(", out)
                self.assertEqual(oct(os.stat(os.path.join(tmp, "out", name)).st_mode & 0o777), "0o600")
            used = sorted(k for k in secret if any("$(%s)" % k in t for t in cm["data"].values()))
            self.assertEqual(used, sorted(secret), "Secret keys the ConfigMap does not use")
            missing = dict(secret)
            gone = used[-1]
            del missing[gone]
            r = render(missing)
            print("%s render-config without %s: exit %d, %s" % (folder, gone, r.returncode, r.stderr.strip()))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("$(%s) is not set" % gone, r.stderr)

    # --- (e) schemas ---------------------------------------------------------------------------

    def test_k8s_schemas(self):
        if not os.path.isdir(K8S_SCHEMA_MODULES):
            self.fail("%s missing: scripts/install-deps.sh installs tests/integration/k8s_schema's "
                      "packages there" % K8S_SCHEMA_MODULES)
        files = []
        for root, _, names in os.walk(os.path.join(DOCKER, "k8s")):
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".yaml")]
        env = dict(os.environ, NODE_PATH=K8S_SCHEMA_MODULES)
        check = os.path.join(h.HERE, "k8s_schema", "check.js")
        r = subprocess.run([NODE, check] + files, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env, timeout=120)
        results = [json.loads(line) for line in r.stdout.splitlines()]
        for res in results:
            print("%-8s %s %s %s" % ("ok" if res["ok"] else "FAILED", os.path.relpath(res["file"], SRC),
                                     res.get("kind"), res.get("error", "")))
        self.assertEqual(r.returncode, 0, r.stderr)
        kinds = sorted({res.get("kind") for res in results})
        self.assertEqual(kinds, ["ConfigMap", "Deployment", "Kustomization", "PodDisruptionBudget", "Secret",
                                 "Service", "StatefulSet"])
        # The check fails on a manifest that breaks the schema.
        with open(os.path.join(DOCKER, "k8s", "central", "statefulset.yaml")) as f:
            sts = yaml.safe_load(f)
        sts["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "mysql"
        bad = os.path.join(h.SOURCE_DIR, ".work", "containers", "%s-bad.yaml" % TAG)
        with open(bad, "w") as f:
            yaml.safe_dump(sts, f)
        self.addCleanup(os.remove, bad)
        r = subprocess.run([NODE, check, bad], stdout=subprocess.PIPE, text=True, env=env, timeout=60)
        print("broken copy: %s" % r.stdout.strip())
        self.assertEqual(r.returncode, 1)
        self.assertIn("containerPort", r.stdout)


if __name__ == "__main__":
    h.main()
