#!/usr/bin/env bash
# sysbench through shardproxy vs. MariaDB directly vs. HAProxy (TCP mode), in one run.
#
#   bench/sysbench.sh
#
# Starts its own MariaDB server (scripts/mariadb-cluster.sh, in .work/bench), prepares the sysbench
# tables once (database sbtest), then runs oltp_point_select and oltp_read_only in text protocol
# mode (--db-ps-mode=disable) against each target:
#   direct      MariaDB itself
#   haproxy     HAProxy in TCP mode in front of it (the cost of one extra hop)
#   shardproxy  build/shardproxy with a pass-through configuration (one data source)
# and prints QPS per target and the ratios shardproxy/direct and shardproxy/haproxy. Everything
# shares this machine's CPUs, so compare ratios from one run, not absolute figures across runs.
#
# Environment:
#   BENCH_SECONDS  seconds per test            (20)
#   BENCH_THREADS  sysbench threads            (8)
#   BENCH_TABLES   tables                      (4)
#   BENCH_ROWS     rows per table              (10000)
#   BENCH_WARMUP   warm-up seconds per target  (2; 0 disables)
#   BENCH_TARGETS  which targets, space-separated (direct haproxy shardproxy)
# Logs and sysbench output stay in .work/bench. Exits non-zero if any target failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

SECONDS_PER_TEST="${BENCH_SECONDS:-20}"
THREADS="${BENCH_THREADS:-8}"
TABLES="${BENCH_TABLES:-4}"
ROWS="${BENCH_ROWS:-10000}"
WARMUP="${BENCH_WARMUP:-2}"
TARGETS="${BENCH_TARGETS:-direct haproxy shardproxy}"
TESTS=(oltp_point_select oltp_read_only)

WORK="$REPO_ROOT/.work/bench"
CLUSTER_DIR="$WORK/cluster"
RESULTS="$WORK/results"
PROXY_BIN="$REPO_ROOT/build/shardproxy"

log() { echo "bench: $*" >&2; }

for v in SECONDS_PER_TEST THREADS TABLES ROWS WARMUP; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { log "$v must be a number, got '${!v}'"; exit 2; }
done
for t in $TARGETS; do
  case "$t" in
    direct | haproxy | shardproxy) ;;
    *) log "unknown target '$t' in BENCH_TARGETS (use direct, haproxy, shardproxy)"; exit 2 ;;
  esac
done
wants() { [[ " $TARGETS " == *" $1 "* ]]; }

haproxy_pid=""
proxy_pid=""

stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked by the traps
cleanup() {
  trap - INT TERM EXIT
  stop_pid "$proxy_pid"
  stop_pid "$haproxy_pid"
  "$REPO_ROOT/scripts/mariadb-cluster.sh" stop "$CLUSTER_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# A free loopback port below the ephemeral range.
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if [ -z "$(ss -Hltn "sport = :$port")" ]; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

wait_listen() {  # PORT PID SECONDS: true once PORT listens; false if PID dies or time runs out
  local port="$1" pid="$2" deadline=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    if [ -n "$(ss -Hltn "sport = :$port")" ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

mysql_ok() {  # PORT: a real query works through PORT
  mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$1" -uroot -proot --connect-timeout=3 \
    sbtest -N -B -e 'SELECT COUNT(*) FROM sbtest1' >/dev/null 2>&1
}

sysbench_args() {  # TEST PORT SECONDS [THREADS]
  echo "$1" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$2" \
    --mysql-user=root --mysql-password=root --mysql-db=sbtest \
    --tables="$TABLES" --table-size="$ROWS" --threads="${4:-$THREADS}" --time="$3" \
    --report-interval=0 --db-ps-mode=disable
}

# Queries per second from a sysbench report: "    queries:   123456 (6172.55 per sec.)".
parse_qps() {
  sed -n 's/^ *queries: *[0-9]* *(\([0-9.]*\) per sec\.).*/\1/p' "$1" | head -1
}

declare -A QPS
failed=0

# Runs both tests against PORT and records QPS[target,test] ("fail" on error).
run_target() {
  local target="$1" port="$2" test out qps
  if [ "$WARMUP" -gt 0 ]; then
    # shellcheck disable=SC2046  # word splitting of the argument list is intended
    timeout $((WARMUP + 60)) sysbench $(sysbench_args oltp_point_select "$port" "$WARMUP") run \
      >"$RESULTS/$target-warmup.log" 2>&1 || true
  fi
  for test in "${TESTS[@]}"; do
    out="$RESULTS/$target-$test.log"
    log "$target: $test, ${SECONDS_PER_TEST}s, $THREADS threads"
    # shellcheck disable=SC2046
    if timeout $((SECONDS_PER_TEST + 120)) sysbench $(sysbench_args "$test" "$port" "$SECONDS_PER_TEST") run \
        >"$out" 2>&1 && qps="$(parse_qps "$out")" && [ -n "$qps" ]; then
      QPS[$target,$test]="$qps"
    else
      log "$target: $test failed; $out ends with:"
      tail -n 15 "$out" >&2
      QPS[$target,$test]="fail"
      failed=1
    fi
  done
}

mark_failed() {
  local test
  for test in "${TESTS[@]}"; do QPS[$1,$test]="fail"; done
  failed=1
}

# Leftovers of an interrupted run: its server, HAProxy and proxy (pid files name them; the
# command line must mention this work directory, so a reused pid is never killed).
"$REPO_ROOT/scripts/mariadb-cluster.sh" stop "$CLUSTER_DIR" >/dev/null 2>&1 || true
for f in "$WORK/haproxy.pid" "$WORK/shardproxy.pid"; do
  pid="$(cat "$f" 2>/dev/null || true)"
  if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$WORK/"; then
    stop_pid "$pid"
  fi
done
rm -rf "$WORK"
mkdir -p "$RESULTS"

if wants shardproxy; then
  # Build first, so a compile error shows before minutes of benchmarking.
  if ! "$REPO_ROOT/scripts/build.sh" shardproxy; then
    log "building shardproxy failed; benchmarking the other targets"
    TARGETS="${TARGETS//shardproxy/}"
    mark_failed shardproxy
  fi
else
  "$REPO_ROOT/scripts/install-deps.sh"
fi

log "starting MariaDB in $CLUSTER_DIR"
db_port="$("$REPO_ROOT/scripts/mariadb-cluster.sh" start 1 "$CLUSTER_DIR" 2>"$WORK/cluster.log")" || {
  cat "$WORK/cluster.log" >&2
  exit 1
}

log "preparing $TABLES tables x $ROWS rows in sbtest"
mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$db_port" -uroot -proot \
  -e 'DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest'
# shellcheck disable=SC2046
sysbench $(sysbench_args oltp_read_only "$db_port" 0 "$TABLES") prepare \
  >"$RESULTS/prepare.log" 2>&1 || {
  tail -n 20 "$RESULTS/prepare.log" >&2
  log "sysbench prepare failed"
  exit 1
}

if wants direct; then
  run_target direct "$db_port"
fi

if wants haproxy; then
  haproxy_port="$(free_port)"
  # TCP pass-through, no health checks, connection limits far above sysbench's threads.
  cat >"$WORK/haproxy.cfg" <<EOF
global
    maxconn 4000

defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    maxconn 4000

listen mariadb
    bind 127.0.0.1:$haproxy_port
    server db 127.0.0.1:$db_port maxconn 4000
EOF
  # -db: stay in the foreground (as a background job), so its pid is ours to stop.
  haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
  haproxy_pid=$!
  echo "$haproxy_pid" >"$WORK/haproxy.pid"
  if wait_listen "$haproxy_port" "$haproxy_pid" 10 && mysql_ok "$haproxy_port"; then
    run_target haproxy "$haproxy_port"
  else
    log "HAProxy did not start; $WORK/haproxy.log ends with:"
    tail -n 20 "$WORK/haproxy.log" >&2
    mark_failed haproxy
  fi
  stop_pid "$haproxy_pid"
  haproxy_pid=""
fi

if wants shardproxy; then
  proxy_port="$(free_port)"
  mkdir -p "$WORK/proxy-conf" "$WORK/proxy-data"
  cat >"$WORK/proxy-conf/global.yaml" <<EOF
# Generated by bench/sysbench.sh.
mode:
  type: Standalone
authority:
  users:
    - user: root@%
      password: root
      admin: true
  privilege:
    type: ALL_PERMITTED
transaction:
  defaultType: LOCAL
props:
  proxy-default-port: $proxy_port
  sql-show: false
EOF
  cat >"$WORK/proxy-conf/database-sbtest.yaml" <<EOF
# Generated by bench/sysbench.sh: pass-through to the benchmark's MariaDB.
databaseName: sbtest
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:$db_port/sbtest?serverTimezone=UTC&useSSL=false
    username: root
    password: root
    connectionTimeoutMilliseconds: 30000
    idleTimeoutMilliseconds: 60000
    maxLifetimeMilliseconds: 1800000
    maxPoolSize: 64
    minPoolSize: 1
rules:
  - !SINGLE
    tables:
      - "*.*"
    defaultDataSource: ds_0
EOF
  "$PROXY_BIN" --conf "$WORK/proxy-conf" --port "$proxy_port" --bind 127.0.0.1 \
    --data-dir "$WORK/proxy-data" >"$WORK/shardproxy.log" 2>&1 &
  proxy_pid=$!
  echo "$proxy_pid" >"$WORK/shardproxy.pid"
  if wait_listen "$proxy_port" "$proxy_pid" 20 && mysql_ok "$proxy_port"; then
    run_target shardproxy "$proxy_port"
  else
    log "shardproxy did not start or does not answer; $WORK/shardproxy.log ends with:"
    tail -n 20 "$WORK/shardproxy.log" >&2
    mark_failed shardproxy
  fi
  stop_pid "$proxy_pid"
  proxy_pid=""
fi

# --- report -------------------------------------------------------------------------------------
cell() { echo "${QPS[$1,$2]:--}"; }
ratio() {  # A B: A/B to two decimals, or "-" when either is missing
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'
}

echo
echo "sysbench $(sysbench --version | awk '{print $2}'), text protocol, $THREADS threads," \
  "$TABLES tables x $ROWS rows, ${SECONDS_PER_TEST}s per test, $(nproc) CPUs shared by all processes"
printf '%-24s %18s %18s\n' "target" "point_select QPS" "read_only QPS"
for t in direct haproxy shardproxy; do
  printf '%-24s %18s %18s\n' "$t" "$(cell "$t" oltp_point_select)" "$(cell "$t" oltp_read_only)"
done
printf '%-24s %18s %18s\n' "shardproxy / direct" \
  "$(ratio "$(cell shardproxy oltp_point_select)" "$(cell direct oltp_point_select)")" \
  "$(ratio "$(cell shardproxy oltp_read_only)" "$(cell direct oltp_read_only)")"
printf '%-24s %18s %18s\n' "shardproxy / haproxy" \
  "$(ratio "$(cell shardproxy oltp_point_select)" "$(cell haproxy oltp_point_select)")" \
  "$(ratio "$(cell shardproxy oltp_read_only)" "$(cell haproxy oltp_read_only)")"
echo "(logs: $RESULTS)"

exit "$failed"
