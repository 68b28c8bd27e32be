#!/usr/bin/env bash
# Demo: two local MariaDB servers with sample data behind shardproxy on port 3307.
#
#   scripts/demo.sh
#
# Installs missing packages, builds the proxy, starts MariaDB on 127.0.0.1:13306 and :13307
# (data in .work/demo), loads sample-data-shop.sql and sample-data-analytics.sql directly into
# them (resetting demo_shop and demo_analytics), creates the empty databases demo_ds_0 (13306) and
# demo_ds_1 (13307) behind the sharded `sharding_db` and one least-privilege account per data
# source (conf/demo/setup-node-*.sql: sp_shop, sp_analytics, sp_sharding_ds_0, sp_sharding_ds_1),
# then runs
# `build/shardproxy --conf conf/demo --port 3307` in the foreground and loads
# sample-data-sharding.sql through it. Ctrl-C stops the proxy and the servers this script started.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

DEMO_DIR="$REPO_ROOT/.work/demo"
CONF_DIR="$REPO_ROOT/conf/demo"
PROXY_BIN="$REPO_ROOT/build/shardproxy"
PROXY_PORT=3307
# The data source URLs in conf/demo/database-*.yaml name these ports.
MARIADB_BASE_PORT=13306

log() { echo "demo: $*" >&2; }

proxy_pid=""
started_cluster=0
cleaned_up=0

# shellcheck disable=SC2317  # invoked by the traps
cleanup() {
  # Runs once, whether the script ends by Ctrl-C, by an error or because the proxy exited.
  if [ "$cleaned_up" -eq 1 ]; then return; fi
  cleaned_up=1
  trap - INT TERM
  if [ -n "$proxy_pid" ] && kill -0 "$proxy_pid" 2>/dev/null; then
    log "stopping shardproxy (pid $proxy_pid)"
    kill -TERM "$proxy_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$proxy_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
  fi
  if [ "$started_cluster" -eq 1 ]; then
    log "stopping the MariaDB servers"
    "$REPO_ROOT/scripts/mariadb-cluster.sh" stop "$DEMO_DIR" || true
  fi
}
trap cleanup EXIT
# On a signal, clean up and leave with the conventional 128+signal status.
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

"$REPO_ROOT/scripts/install-deps.sh"
"$REPO_ROOT/scripts/build.sh" shardproxy

if ss -Hltn "sport = :$PROXY_PORT" | grep -q .; then
  log "port $PROXY_PORT is already in use; stop whatever listens there (ss -ltnp 'sport = :$PROXY_PORT')"
  exit 1
fi

# Servers that already run (say, from a demo killed with -9) are reused and left running.
if ! "$REPO_ROOT/scripts/mariadb-cluster.sh" status "$DEMO_DIR" >/dev/null 2>&1; then
  started_cluster=1
fi
MARIADB_BASE_PORT="$MARIADB_BASE_PORT" "$REPO_ROOT/scripts/mariadb-cluster.sh" start 2 "$DEMO_DIR" >/dev/null

log "loading sample data into demo_shop (127.0.0.1:13306) and demo_analytics (127.0.0.1:13307)"
# load PORT FILE [DATABASE]
load() {
  mariadb --no-defaults --default-character-set=utf8mb4 -h127.0.0.1 -P"$1" -uroot -proot ${3:+"$3"} <"$2"
}
load 13306 "$CONF_DIR/sample-data-shop.sql"
load 13307 "$CONF_DIR/sample-data-analytics.sql"

# sharding_db's data sources start empty: the proxy lists their tables when it starts, and the
# sample data goes in through the proxy once it listens.
log "resetting demo_ds_0 (127.0.0.1:13306) and demo_ds_1 (127.0.0.1:13307) for sharding_db"
reset_database() {
  mariadb --no-defaults -h127.0.0.1 -P"$1" -uroot -proot -e \
    "DROP DATABASE IF EXISTS $2; CREATE DATABASE $2 CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
}
reset_database 13306 demo_ds_0
reset_database 13307 demo_ds_1

# The proxy reaches each data source through an account of its own that may use that database
# and nothing else (README: Backend accounts); conf/demo/setup-node-*.sql create the accounts that
# conf/demo/database-*.yaml name (docker/compose.yaml runs the same files). XA recovery needs no
# more on MariaDB. Recreated on every run, so the grants are exactly these.
log "creating one least-privilege MariaDB account per data source"
load 13306 "$CONF_DIR/setup-node-0.sql"
load 13307 "$CONF_DIR/setup-node-1.sql"

log "starting shardproxy on port $PROXY_PORT"
mkdir -p "$DEMO_DIR/proxy-data"
"$PROXY_BIN" --conf "$CONF_DIR" --port "$PROXY_PORT" --data-dir "$DEMO_DIR/proxy-data" &
proxy_pid=$!

# Wait until the proxy listens, or report that it exited.
ready=0
for _ in $(seq 150); do
  if ! kill -0 "$proxy_pid" 2>/dev/null; then break; fi
  if ss -Hltn "sport = :$PROXY_PORT" | grep -q .; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" -ne 1 ]; then
  status=0
  if kill -0 "$proxy_pid" 2>/dev/null; then
    log "shardproxy does not listen on port $PROXY_PORT after 15 s"
  else
    wait "$proxy_pid" || status=$?
    proxy_pid=""
    log "shardproxy exited with status $status before listening on port $PROXY_PORT"
  fi
  exit 1
fi

log "loading conf/demo/sample-data-sharding.sql into sharding_db through the proxy"
if ! load "$PROXY_PORT" "$CONF_DIR/sample-data-sharding.sql" sharding_db; then
  log "loading sample-data-sharding.sql through the proxy failed (the error is above)"
  exit 1
fi

cat >&2 <<EOF

  shardproxy is listening on 127.0.0.1:$PROXY_PORT. Connect with:

    mariadb -h127.0.0.1 -P$PROXY_PORT -uroot -proot shop
    mariadb -h127.0.0.1 -P$PROXY_PORT -uroot -proot analytics
    mariadb -h127.0.0.1 -P$PROXY_PORT -uapp -papp shop      (user 'app' may only use shop)

  Add --default-character-set=utf8mb4 to see the emoji in the sample data. Try:
    SELECT c.full_name, o.id, o.total FROM customers c JOIN orders o ON o.customer_id = c.id;

  Sharded: t_order and t_order_item by user_id % 2 (data source) and order_id % 2 (table),
  t_address on both servers:

    mariadb -h127.0.0.1 -P$PROXY_PORT -uroot -proot sharding_db

    SELECT * FROM t_order WHERE user_id = 11 AND order_id = 1101;
    PREVIEW SELECT * FROM t_order WHERE user_id = 10;
    PREVIEW INSERT INTO t_order (user_id, order_id, status) VALUES (10, 1002, 'NEW'), (11, 1103, 'NEW');
    SHOW TABLES;

  A SELECT over several shards (PREVIEW shows the statements) is merged by the proxy:
    SELECT status, COUNT(*) FROM t_order GROUP BY status ORDER BY status;
    SELECT * FROM t_order ORDER BY order_id DESC LIMIT 3;

  Backends: MariaDB on 127.0.0.1:13306 (demo_shop, demo_ds_0) and 127.0.0.1:13307
  (demo_analytics, demo_ds_1), user root / password root. The proxy uses one account per data
  source, allowed only its database (conf/demo/database-*.yaml). Press Ctrl-C to stop everything.

EOF

status=0
wait "$proxy_pid" || status=$?
proxy_pid=""
log "shardproxy exited with status $status"
exit "$status"
