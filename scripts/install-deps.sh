#!/usr/bin/env bash
# Installs every Debian 12 package that the build, the tests, the demo and the benchmarks need,
# and the npm libraries of the Sequelize test (into .work/node-apps).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libmariadb-dev libmariadb-dev-compat
  antlr4 libantlr4-runtime-dev default-jre-headless
  libssl-dev librocksdb-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  # tests, demo and benchmarks
  mariadb-server mariadb-client mariadb-plugin-spider sysbench haproxy
  python3 python3-pymysql php-cli php-mysql procps iproute2
  default-jdk-headless libmariadb-java
  # real-application client tests (tests/integration/test_app_*.py)
  libdbi-perl libdbd-mariadb-perl python3-django python3-mysqldb
  # tools against the proxy (tests/integration/test_tool_*.py)
  python3-sqlalchemy adminer chromium
  # containers (docker/, scripts/container-*.sh, tests/integration/test_containers.py): Podman
  # with runc, netavark and iptables for networks, mmdebstrap for the local Debian base image
  podman podman-compose buildah runc crun netavark aardvark-dns iptables fuse-overlayfs
  slirp4netns uidmap mmdebstrap python3-yaml
)
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm for the Sequelize test, from Debian unless a node with its npm is already there
# (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

# The npm libraries of the real-application client tests (tests/integration/apps/package.json and
# its lock file) go into .work/node-apps; the stamp is the lock file they were installed from.
install_node_apps() {
  local src="$REPO_ROOT/tests/integration/apps" dir="$REPO_ROOT/.work/node-apps"
  if [ -d "$dir/node_modules" ] && cmp -s "$src/package-lock.json" "$dir/installed-package-lock.json"; then
    return 0
  fi
  echo "install-deps: npm ci in $dir"
  mkdir -p "$dir"
  rm -f "$dir/installed-package-lock.json"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  # A failure here does not stop the build: the test that needs these libraries fails and says so.
  if (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
    cp "$src/package-lock.json" "$dir/installed-package-lock.json"
  else
    echo "install-deps: npm ci failed; integration.test_app_sequelize will fail until it succeeds" >&2
  fi
}

# The npm libraries of the offline Kubernetes schema check (tests/integration/k8s_schema) go into
# .work/k8s-schema, the same way.
install_k8s_schema() {
  local src="$REPO_ROOT/tests/integration/k8s_schema" dir="$REPO_ROOT/.work/k8s-schema"
  if [ -d "$dir/node_modules" ] && cmp -s "$src/package-lock.json" "$dir/installed-package-lock.json"; then
    return 0
  fi
  echo "install-deps: npm ci in $dir"
  mkdir -p "$dir"
  rm -f "$dir/installed-package-lock.json"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  if (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
    cp "$src/package-lock.json" "$dir/installed-package-lock.json"
  else
    echo "install-deps: npm ci failed; integration.test_containers (k8s schemas) will fail until it succeeds" >&2
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_node_apps
  install_k8s_schema
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Package scripts must not start a system-wide MariaDB: tests and the demo run their own servers.
policy_added=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  policy_added=1
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ $policy_added -eq 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
install_node_apps
install_k8s_schema
echo "install-deps: done"
