#!/usr/bin/env bash
# sysbench through shardproxy vs. MariaDB directly vs. HAProxy (TCP mode), in one run.
#
#   bench/sysbench.sh             pass-through: one MariaDB, shardproxy in front of one data source
#   bench/sysbench.sh --sharded   sharded: two MariaDB servers behind shardproxy, vs. one directly
#   bench/sysbench.sh --ps        prepared statements: oltp_point_select with --db-ps-mode=disable
#                                 (text) and --db-ps-mode=auto (binary protocol), pass-through
#   bench/sysbench.sh --tls       TLS: oltp_point_select through the proxy in plain text and over
#                                 TLS (the client side), pass-through
#
# Pass-through (default): starts its own MariaDB server (scripts/mariadb-cluster.sh, in .work/bench),
# prepares the sysbench tables once (database sbtest), then runs oltp_point_select and
# oltp_read_only in text protocol mode (--db-ps-mode=disable) against each target:
#   direct      MariaDB itself
#   haproxy     HAProxy in TCP mode in front of it (the cost of one extra hop)
#   shardproxy  build/shardproxy with a pass-through configuration (one data source)
# and prints QPS per target and the ratios shardproxy/direct and shardproxy/haproxy.
#
# Sharded (--sharded, or BENCH_SHARDED=1): starts two MariaDB servers (in .work/bench-sharded).
# Each sysbench table sbtestN is sharded by id over both: logical database sbtest, data sources
# ds_0 (database ds_0 on server 1) and ds_1 (database ds_1 on server 2), actual tables
# ds_0.sbtestN and ds_1.sbtestN named like the logical ones, database strategy INLINE
# ds_${id % 2} with allow-range-query-with-inline-sharding (range SELECTs go to both servers), no
# table strategy. The sharded tables are prepared THROUGH THE PROXY: sysbench prepare with
# --auto-inc=off, so every INSERT names its id and the proxy routes each row; CREATE TABLE and
# CREATE INDEX go to both servers. The script then checks on each server directly that every row
# sits where id % 2 says. Should preparing through the proxy fail, the tables are instead created
# directly on each server and the rows copied there from the reference (mariadb-dump --where
# 'id % 2 = K'), the proxy is restarted, and the report says so.
# The reference is the same workload directly on server 1, database sbtest, holding all rows
# (prepared directly, also --auto-inc=off); it runs before the proxy starts. Workloads:
# oltp_point_select, oltp_read_only, oltp_read_write and oltp_write_only, text protocol, with LOCAL
# transactions; then oltp_read_write and oltp_write_only again with the proxy restarted with
# transaction.defaultType XA (two-phase commit). The report gives QPS and TPS for each and the
# ratios LOCAL/direct, XA/direct and XA/LOCAL. A workload that fails through the proxy is reported
# as "failed: <first error>" and the run goes on. Transactions are sysbench's own (no --skip-trx),
# so the figures describe the workloads as sysbench defines them.
#
# Prepared statements (--ps, or BENCH_PS=1): the pass-through set-up (in .work/bench-ps), targets
# direct and shardproxy (BENCH_TARGETS may add haproxy), oltp_point_select once in text mode and
# once with server-side prepared statements; the report gives QPS per mode and the ratios
# shardproxy/direct per mode.
#
# TLS (--tls, or BENCH_TLS=1): the pass-through set-up (in .work/bench-tls), targets direct and
# shardproxy (BENCH_TARGETS may add haproxy), oltp_point_select in text mode. The proxy runs with
# proxy-frontend-ssl-enabled and its generated certificate; sysbench connects in plain text and
# with --mysql-ssl=on (verifying the proxy's CA), BENCH_TLS_ROUNDS times each, alternating which
# goes first so that a load change on a shared machine weighs on both alike. The report gives
# the mean QPS of each, the negotiated cipher and the ratio TLS/plain. Backend connections stay
# plain.
#
# Everything shares this machine's CPUs, so compare ratios from one run, not absolute figures
# across runs.
#
# Environment:
#   BENCH_SECONDS  seconds per test            (20)
#   BENCH_THREADS  sysbench threads            (8)
#   BENCH_TABLES   tables                      (4)
#   BENCH_ROWS     rows per table              (10000)
#   BENCH_WARMUP   warm-up seconds per target  (2; 0 disables)
#   BENCH_TARGETS  which targets, space-separated (direct haproxy shardproxy; pass-through only)
#   BENCH_SHARDED  1 selects the sharded mode, like --sharded
#   BENCH_PS       1 selects the prepared statement mode, like --ps
#   BENCH_TLS      1 selects the TLS mode, like --tls
#   BENCH_TLS_ROUNDS  plain/TLS pairs of runs in the TLS mode (2)
#   BENCH_BUILD    0 uses build/shardproxy as it is instead of building it first (1)
#   BENCH_TESTS    the workloads, space-separated, instead of the mode's (e.g. oltp_read_write)
#   BENCH_XA_TESTS the sharded mode's XA workloads, space-separated ("" skips the XA run)
#   BENCH_PROXY_PROPS  more props for the proxy's global.yaml, "key: value" separated by ";"
#                  (e.g. "proxy-deadlock-detection-milliseconds: 0")
# Logs and sysbench output stay in .work/bench (.work/bench-sharded). Exits non-zero if any target
# or workload failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

SHARDED="${BENCH_SHARDED:-0}"
PS="${BENCH_PS:-0}"
TLS="${BENCH_TLS:-0}"
for arg in "$@"; do
  case "$arg" in
    --sharded) SHARDED=1 ;;
    --ps) PS=1 ;;
    --tls) TLS=1 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench: unknown argument '$arg' (use --sharded, --ps or --tls)" >&2; exit 2 ;;
  esac
done

SECONDS_PER_TEST="${BENCH_SECONDS:-20}"
THREADS="${BENCH_THREADS:-8}"
TABLES="${BENCH_TABLES:-4}"
ROWS="${BENCH_ROWS:-10000}"
WARMUP="${BENCH_WARMUP:-2}"
TLS_ROUNDS="${BENCH_TLS_ROUNDS:-2}"
BUILD="${BENCH_BUILD:-1}"
TARGETS="${BENCH_TARGETS:-direct haproxy shardproxy}"

# A test is a sysbench test name, optionally with @MODE for --db-ps-mode (default: disable).
for mode in "$PS" "$SHARDED" "$TLS"; do
  [[ "$mode" =~ ^[01]$ ]] || { echo "bench: BENCH_PS, BENCH_SHARDED and BENCH_TLS are 0 or 1" >&2; exit 2; }
done
if [ $((PS + SHARDED + TLS)) -gt 1 ]; then
  echo "bench: --ps, --sharded and --tls are separate modes" >&2
  exit 2
fi
if [ "$TLS" = 1 ]; then
  TESTS=(oltp_point_select)
  TARGETS="${BENCH_TARGETS:-direct shardproxy}"
  WORK="$REPO_ROOT/.work/bench-tls"
  SB_EXTRA=""
elif [ "$PS" = 1 ]; then
  TESTS=(oltp_point_select@disable oltp_point_select@auto)
  TARGETS="${BENCH_TARGETS:-direct shardproxy}"
  WORK="$REPO_ROOT/.work/bench-ps"
  SB_EXTRA=""
elif [ "$SHARDED" = 1 ]; then
  TESTS=(oltp_point_select oltp_read_only oltp_read_write oltp_write_only)
  # Run again with transaction.defaultType XA (two-phase commit over the shards).
  XA_TESTS=(oltp_read_write oltp_write_only)
  TARGETS="direct shardproxy"
  WORK="$REPO_ROOT/.work/bench-sharded"
  # Every INSERT names its id, so the proxy can route it by the sharding column.
  SB_EXTRA="--auto-inc=off"
else
  TESTS=(oltp_point_select oltp_read_only)
  WORK="$REPO_ROOT/.work/bench"
  SB_EXTRA=""
fi
if [ -n "${BENCH_TESTS:-}" ]; then read -r -a TESTS <<<"$BENCH_TESTS"; fi
if [ -n "${BENCH_XA_TESTS+set}" ]; then read -r -a XA_TESTS <<<"$BENCH_XA_TESTS"; fi
CLUSTER_DIR="$WORK/cluster"
RESULTS="$WORK/results"
PROXY_BIN="$REPO_ROOT/build/shardproxy"

log() { echo "bench: $*" >&2; }

for v in SECONDS_PER_TEST THREADS TABLES ROWS WARMUP TLS_ROUNDS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { log "$v must be a number, got '${!v}'"; exit 2; }
done
[[ "$SHARDED" =~ ^[01]$ ]] || { log "BENCH_SHARDED must be 0 or 1, got '$SHARDED'"; exit 2; }
[[ "$BUILD" =~ ^[01]$ ]] || { log "BENCH_BUILD must be 0 or 1, got '$BUILD'"; exit 2; }
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

sql() {  # PORT SQL...: runs SQL on the server or proxy at PORT, tab-separated rows without header
  local port="$1"
  shift
  mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -uroot -proot --connect-timeout=3 \
    -N -B -e "$*"
}

sql_tls() {  # PORT SQL...: as sql, over TLS verified with the proxy's CA
  local port="$1"
  shift
  mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -uroot -proot --connect-timeout=3 \
    --ssl --ssl-ca="$WORK/proxy-data/ca.pem" --ssl-verify-server-cert -N -B -e "$*"
}

mysql_ok() {  # PORT [SQL]: a real query works through PORT
  sql "$1" "${2:-SELECT COUNT(*) FROM sbtest.sbtest1}" >/dev/null 2>&1
}

sysbench_args() {  # TEST[@PSMODE] PORT SECONDS [THREADS]
  local test="${1%@*}" mode=disable
  [[ "$1" != *@* ]] || mode="${1#*@}"
  # shellcheck disable=SC2086  # SB_EXTRA is empty or one option
  echo "$test" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$2" \
    --mysql-user=root --mysql-password=root --mysql-db=sbtest \
    --tables="$TABLES" --table-size="$ROWS" --threads="${4:-$THREADS}" --time="$3" \
    --report-interval=0 --db-ps-mode="$mode" $SB_EXTRA
}

# Queries and transactions per second from a sysbench report:
# "    queries:   123456 (6172.55 per sec.)", "    transactions:   6172 (308.60 per sec.)".
parse_rate() {  # queries|transactions LOG
  sed -n "s/^ *$1: *[0-9]* *(\([0-9.]*\) per sec\.).*/\1/p" "$2" | head -1
}
parse_qps() { parse_rate queries "$1"; }

# The first error sysbench (or the timeout) reported in LOG, on one line of at most 200 characters.
first_error() {
  local line
  line="$(grep -m1 -E 'FATAL|ERROR|[Ee]rror' "$1" || true)"
  [ -n "$line" ] || line="$(grep -v '^ *$' "$1" | tail -n 1 || true)"
  [ -n "$line" ] || line="no output"
  line="${line#FATAL: }"
  echo "${line:0:200}"
}

declare -A QPS TPS ERR MAXLAT
failed=0

# sysbench runs in SB_DIR with SB_TLS added to its options (the TLS mode's client side).
SB_DIR="$REPO_ROOT"
SB_TLS=""

# Runs every test against PORT and records QPS[target,test] and TPS[target,test] ("fail" on
# error, with the first error in ERR[target,test]).
run_target() {
  local target="$1" port="$2" test out qps tps status
  if [ "$WARMUP" -gt 0 ]; then
    # shellcheck disable=SC2046,SC2086  # word splitting of the argument list is intended
    (cd "$SB_DIR" && timeout $((WARMUP + 60)) sysbench $(sysbench_args oltp_point_select "$port" \
      "$WARMUP") $SB_TLS run) >"$RESULTS/$target-warmup.log" 2>&1 || true
  fi
  for test in "${TESTS[@]}"; do
    out="$RESULTS/$target-$test.log"
    log "$target: $test, ${SECONDS_PER_TEST}s, $THREADS threads"
    status=0
    # shellcheck disable=SC2046,SC2086
    (cd "$SB_DIR" && timeout $((SECONDS_PER_TEST + 120)) sysbench $(sysbench_args "$test" "$port" \
      "$SECONDS_PER_TEST") $SB_TLS run) >"$out" 2>&1 || status=$?
    qps="$(parse_qps "$out")"
    tps="$(parse_rate transactions "$out")"
    if [ "$status" -eq 0 ] && [ -n "$qps" ]; then
      # sysbench's latency summary: the slowest event (transaction) of the run, in ms.
      MAXLAT[$target,$test]="$(awk '$1 == "max:" { print $2; exit }' "$out")"
      QPS[$target,$test]="$qps"
      TPS[$target,$test]="${tps:--}"
    else
      if [ "$status" -eq 124 ]; then
        ERR[$target,$test]="timed out after $((SECONDS_PER_TEST + 120))s"
      else
        ERR[$target,$test]="$(first_error "$out")"
      fi
      log "$target: $test failed: ${ERR[$target,$test]} (log: $out)"
      [ "$SHARDED" = 1 ] || tail -n 15 "$out" >&2
      QPS[$target,$test]="fail"
      TPS[$target,$test]="fail"
      failed=1
    fi
  done
}

# QPS[TARGET,test]: the mean of QPS[TARGET-r1,test] .. QPS[TARGET-rN,test] (N = TLS_ROUNDS),
# "fail" if any round failed.
mean_rounds() {  # TARGET
  local test round values
  for test in "${TESTS[@]}"; do
    values=""
    for round in $(seq "$TLS_ROUNDS"); do values="$values ${QPS[$1-r$round,$test]:-fail}"; done
    QPS[$1,$test]="$(echo "$values" | awk '{ for (i = 1; i <= NF; i++) { if ($i !~ /^[0-9.]+$/) {
      print "fail"; exit } s += $i } printf "%.2f", s / NF }')"
    [ "${QPS[$1,$test]}" != fail ] || ERR[$1,$test]="a round failed (see $RESULTS)"
  done
}

mark_failed() {  # TARGET [REASON]
  local test
  for test in "${TESTS[@]}"; do
    QPS[$1,$test]="fail"
    TPS[$1,$test]="fail"
    ERR[$1,$test]="${2:-not run}"
  done
  failed=1
}

# Writes the proxy's global.yaml (root / root, the given port, LOCAL or XA transactions) into
# CONF_DIR.
write_global_yaml() {  # CONF_DIR PORT [TRANSACTION_TYPE]
  cat >"$1/global.yaml" <<EOF
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
  defaultType: ${3:-LOCAL}
props:
  proxy-default-port: $2
  sql-show: false
EOF
  local prop extra_props
  IFS=';' read -r -a extra_props <<<"${BENCH_PROXY_PROPS:-}"
  for prop in "${extra_props[@]}"; do
    [ -z "${prop// /}" ] || echo "  ${prop# }" >>"$1/global.yaml"
  done
}

# One data source entry of a database-*.yaml.
data_source_yaml() {  # NAME PORT DATABASE
  cat <<EOF
  $1:
    url: jdbc:mysql://127.0.0.1:$2/$3?serverTimezone=UTC&useSSL=false
    username: root
    password: root
    connectionTimeoutMilliseconds: 30000
    idleTimeoutMilliseconds: 60000
    maxLifetimeMilliseconds: 1800000
    maxPoolSize: 64
    minPoolSize: 1
EOF
}

# Starts build/shardproxy on proxy_port with the configuration in $WORK/proxy-conf; true once it
# answers CHECK_SQL, else prints the end of its log and returns false (the proxy is then stopped).
start_proxy() {  # CHECK_SQL
  mkdir -p "$WORK/proxy-data"
  "$PROXY_BIN" --conf "$WORK/proxy-conf" --port "$proxy_port" --bind 127.0.0.1 \
    --data-dir "$WORK/proxy-data" >>"$WORK/shardproxy.log" 2>&1 &
  proxy_pid=$!
  echo "$proxy_pid" >"$WORK/shardproxy.pid"
  if wait_listen "$proxy_port" "$proxy_pid" 20 && mysql_ok "$proxy_port" "$1"; then
    return 0
  fi
  log "shardproxy did not start or does not answer; $WORK/shardproxy.log ends with:"
  tail -n 20 "$WORK/shardproxy.log" >&2
  stop_pid "$proxy_pid"
  proxy_pid=""
  return 1
}

# Leftovers of an interrupted run: its servers, HAProxy and proxy (pid files name them; the
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
  if [ "$BUILD" = 0 ]; then
    [ -x "$PROXY_BIN" ] || { log "BENCH_BUILD=0 but $PROXY_BIN does not exist"; exit 1; }
    log "using $PROXY_BIN as built ($(date -r "$PROXY_BIN" '+%F %T'))"
  # Build first, so a compile error shows before minutes of benchmarking.
  elif ! "$REPO_ROOT/scripts/build.sh" shardproxy; then
    log "building shardproxy failed; benchmarking the other targets"
    TARGETS="${TARGETS//shardproxy/}"
    mark_failed shardproxy "building shardproxy failed"
  fi
else
  "$REPO_ROOT/scripts/install-deps.sh"
fi

cell() { echo "${QPS[$1,$2]:--}"; }
ratio() {  # A B: A/B to two decimals, or "-" when either is missing
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'
}
describe_run() {
  echo "sysbench $(sysbench --version | awk '{print $2}'), text protocol, $THREADS threads," \
    "$TABLES tables x $ROWS rows, ${SECONDS_PER_TEST}s per test, $(nproc) CPUs shared by all processes"
}

# --- sharded mode -------------------------------------------------------------------------------
if [ "$SHARDED" = 1 ]; then
  log "starting 2 MariaDB servers in $CLUSTER_DIR"
  ports="$("$REPO_ROOT/scripts/mariadb-cluster.sh" start 2 "$CLUSTER_DIR" 2>"$WORK/cluster.log")" || {
    cat "$WORK/cluster.log" >&2
    exit 1
  }
  read -r -a db_ports <<<"$(echo "$ports" | tr '\n' ' ')"
  [ "${#db_ports[@]}" -eq 2 ] || { log "expected 2 ports from mariadb-cluster.sh, got '$ports'"; exit 1; }
  # Server 1 holds the reference database sbtest (all rows) and shard ds_0; server 2 holds ds_1.
  shard_ports=("${db_ports[0]}" "${db_ports[1]}")

  log "preparing the reference: $TABLES tables x $ROWS rows in sbtest on server 1"
  sql "${db_ports[0]}" 'DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest'
  # shellcheck disable=SC2046
  timeout 1200 sysbench $(sysbench_args oltp_read_write "${db_ports[0]}" 0 "$TABLES") prepare \
    >"$RESULTS/prepare-direct.log" 2>&1 || {
    tail -n 20 "$RESULTS/prepare-direct.log" >&2
    log "sysbench prepare (direct) failed"
    exit 1
  }
  run_target direct "${db_ports[0]}"

  # The shard databases start empty: the proxy lists their tables when it starts, and the tables
  # are created through it below.
  for k in 0 1; do
    sql "${shard_ports[$k]}" "DROP DATABASE IF EXISTS ds_$k; CREATE DATABASE ds_$k"
  done

  proxy_port="$(free_port)"
  mkdir -p "$WORK/proxy-conf"
  write_global_yaml "$WORK/proxy-conf" "$proxy_port"
  {
    echo "# Generated by bench/sysbench.sh --sharded: sbtest1..sbtest$TABLES sharded by id over two servers."
    echo "databaseName: sbtest"
    echo "dataSources:"
    data_source_yaml ds_0 "${shard_ports[0]}" ds_0
    data_source_yaml ds_1 "${shard_ports[1]}" ds_1
    echo "rules:"
    echo "- !SHARDING"
    echo "  tables:"
    for i in $(seq "$TABLES"); do
      echo "    sbtest$i:"
      echo "      actualDataNodes: ds_\${0..1}.sbtest$i"
    done
    cat <<'EOF'
  defaultDatabaseStrategy:
    standard:
      shardingColumn: id
      shardingAlgorithmName: database_inline
  defaultTableStrategy:
    none:
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${id % 2}
        allow-range-query-with-inline-sharding: true
EOF
  } >"$WORK/proxy-conf/database-sbtest.yaml"

  # True when every table holds ROWS rows over both servers, each row on the server id % 2 names.
  shards_ok() {
    local i k total count misplaced n
    for i in $(seq "$TABLES"); do
      total=0
      for k in 0 1; do
        n="$(sql "${shard_ports[$k]}" "SELECT COUNT(*), SUM(id % 2 <> $k) FROM ds_$k.sbtest$i")" ||
          return 1
        read -r count misplaced <<<"$n"
        [ "${misplaced:-0}" = NULL ] && misplaced=0
        if [ "$misplaced" != 0 ]; then
          log "ds_$k.sbtest$i holds $misplaced rows that belong on the other server"
          return 1
        fi
        total=$((total + count))
      done
      if [ "$total" -ne "$ROWS" ]; then
        log "sbtest$i holds $total rows over both servers, expected $ROWS"
        return 1
      fi
    done
  }

  data_note=""
  if ! start_proxy "SELECT 1"; then
    mark_failed shardproxy "shardproxy did not start (see $WORK/shardproxy.log)"
  else
    log "preparing $TABLES tables x $ROWS rows through the proxy (sharded by id over ds_0, ds_1)"
    # shellcheck disable=SC2046
    reason=""
    # shellcheck disable=SC2046
    timeout 1200 sysbench $(sysbench_args oltp_read_write "$proxy_port" 0 "$TABLES") prepare \
      >"$RESULTS/prepare-proxy.log" 2>&1 || reason="$(first_error "$RESULTS/prepare-proxy.log")"
    # sysbench 1.0 prepare exits 0 even after a FATAL error.
    if [ -z "$reason" ] && grep -q '^FATAL' "$RESULTS/prepare-proxy.log"; then
      reason="$(first_error "$RESULTS/prepare-proxy.log")"
    fi
    if [ -z "$reason" ] && ! shards_ok; then
      reason="sysbench prepare succeeded, but the rows on the servers are not as expected"
    fi
    if [ -z "$reason" ]; then
      data_note="prepared through the proxy (sysbench prepare --auto-inc=off), placement checked on each server"
    else
      log "preparing through the proxy failed ($reason); creating and loading the shards directly"
      data_note="loaded DIRECTLY on each server, because preparing through the proxy failed: $reason"
      stop_pid "$proxy_pid"
      proxy_pid=""
      for k in 0 1; do
        sql "${shard_ports[$k]}" "DROP DATABASE IF EXISTS ds_$k; CREATE DATABASE ds_$k"
        for i in $(seq "$TABLES"); do
          mariadb-dump --no-defaults --protocol=tcp -h127.0.0.1 -P"${db_ports[0]}" -uroot -proot \
            --skip-comments --where="id % 2 = $k" sbtest "sbtest$i" |
            mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"${shard_ports[$k]}" -uroot -proot "ds_$k"
        done
      done
      shards_ok || { log "loading the shards directly failed"; exit 1; }
      # The proxy reads table metadata at start-up.
      start_proxy "SELECT 1" || mark_failed shardproxy "shardproxy did not restart (see $WORK/shardproxy.log)"
    fi
    if [ -n "$proxy_pid" ]; then
      run_target shardproxy "$proxy_port"
    fi
    stop_pid "$proxy_pid"
    proxy_pid=""
    # The write workloads again with XA transactions.
    if [ "${#XA_TESTS[@]}" -gt 0 ]; then
      write_global_yaml "$WORK/proxy-conf" "$proxy_port" XA
      all_tests=("${TESTS[@]}")
      TESTS=("${XA_TESTS[@]}")
      if start_proxy "SELECT 1"; then
        run_target shardproxy-xa "$proxy_port"
      else
        mark_failed shardproxy-xa "shardproxy (XA) did not start (see $WORK/shardproxy.log)"
      fi
      TESTS=("${all_tests[@]}")
      stop_pid "$proxy_pid"
      proxy_pid=""
    fi
  fi

  echo
  describe_run
  echo "sharded: shardproxy in front of 2 MariaDB servers, tables sharded by id % 2; data $data_note"
  echo "direct:  1 MariaDB server holding all rows"
  printf '%-18s %-16s %12s %12s %14s\n' "workload" "target" "QPS" "TPS" "max lat. ms"
  row() {  # TEST TARGET LABEL
    if [ "${QPS[$2,$1]:-fail}" = fail ]; then
      printf '%-18s %-16s failed: %s\n' "$1" "$3" "${ERR[$2,$1]:-not run}"
    else
      printf '%-18s %-16s %12s %12s %14s\n' "$1" "$3" "${QPS[$2,$1]}" "${TPS[$2,$1]}" \
        "${MAXLAT[$2,$1]:--}"
    fi
  }
  for test in "${TESTS[@]}"; do
    row "$test" shardproxy "sharded LOCAL"
    xa=0
    for t in "${XA_TESTS[@]}"; do [ "$t" = "$test" ] && xa=1; done
    [ "$xa" = 0 ] || row "$test" shardproxy-xa "sharded XA"
    row "$test" direct "direct"
    printf '%-18s %-16s %12s %12s\n' "$test" "LOCAL/direct" \
      "$(ratio "${QPS[shardproxy,$test]:--}" "${QPS[direct,$test]:--}")" \
      "$(ratio "${TPS[shardproxy,$test]:--}" "${TPS[direct,$test]:--}")"
    if [ "$xa" = 1 ]; then
      printf '%-18s %-16s %12s %12s\n' "$test" "XA/direct" \
        "$(ratio "${QPS[shardproxy-xa,$test]:--}" "${QPS[direct,$test]:--}")" \
        "$(ratio "${TPS[shardproxy-xa,$test]:--}" "${TPS[direct,$test]:--}")"
      printf '%-18s %-16s %12s %12s\n' "$test" "XA/LOCAL" \
        "$(ratio "${QPS[shardproxy-xa,$test]:--}" "${QPS[shardproxy,$test]:--}")" \
        "$(ratio "${TPS[shardproxy-xa,$test]:--}" "${TPS[shardproxy,$test]:--}")"
    fi
  done
  echo "(logs: $RESULTS)"
  exit "$failed"
fi

# --- pass-through mode --------------------------------------------------------------------------
log "starting MariaDB in $CLUSTER_DIR"
db_port="$("$REPO_ROOT/scripts/mariadb-cluster.sh" start 1 "$CLUSTER_DIR" 2>"$WORK/cluster.log")" || {
  cat "$WORK/cluster.log" >&2
  exit 1
}

log "preparing $TABLES tables x $ROWS rows in sbtest"
sql "$db_port" 'DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest'
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
  mkdir -p "$WORK/proxy-conf"
  write_global_yaml "$WORK/proxy-conf" "$proxy_port"
  {
    echo "# Generated by bench/sysbench.sh: pass-through to the benchmark's MariaDB."
    echo "databaseName: sbtest"
    echo "dataSources:"
    data_source_yaml ds_0 "$db_port" sbtest
    cat <<'EOF'
rules:
  - !SINGLE
    tables:
      - "*.*"
    defaultDataSource: ds_0
EOF
  } >"$WORK/proxy-conf/database-sbtest.yaml"
  # TLS for clients that ask, with the certificate the proxy generates in its data directory;
  # props is the last section of global.yaml.
  [ "$TLS" = 0 ] || echo "  proxy-frontend-ssl-enabled: true" >>"$WORK/proxy-conf/global.yaml"
  if start_proxy "SELECT COUNT(*) FROM sbtest.sbtest1"; then
    [ "$TLS" = 1 ] || run_target shardproxy "$proxy_port"
    if [ "$TLS" = 1 ]; then
      # sysbench 1.0's --mysql-ssl=on loads cacert.pem, client-cert.pem and client-key.pem from
      # its working directory. cacert.pem is the proxy's CA, which the library then verifies the
      # proxy with; the proxy asks for no client certificate, so any key pair satisfies the
      # loader: the server's own.
      mkdir -p "$WORK/tls-client"
      cp "$WORK/proxy-data/ca.pem" "$WORK/tls-client/cacert.pem"
      cp "$WORK/proxy-data/server-cert.pem" "$WORK/tls-client/client-cert.pem"
      cp "$WORK/proxy-data/server-key.pem" "$WORK/tls-client/client-key.pem"
      tls_cipher="$(sql_tls "$proxy_port" "SHOW STATUS LIKE 'Ssl_cipher'" | cut -f2)" || tls_cipher=""
      if [ -n "$tls_cipher" ]; then
        for round in $(seq "$TLS_ROUNDS"); do
          if [ $((round % 2)) = 1 ]; then order="plain tls"; else order="tls plain"; fi
          for kind in $order; do
            if [ "$kind" = plain ]; then
              run_target "shardproxy-r$round" "$proxy_port"
            else
              SB_DIR="$WORK/tls-client" SB_TLS="--mysql-ssl=on" \
                run_target "shardproxy-tls-r$round" "$proxy_port"
            fi
          done
        done
        mean_rounds shardproxy
        mean_rounds shardproxy-tls
      else
        log "a TLS connection to the proxy failed; see $WORK/shardproxy.log"
        run_target shardproxy "$proxy_port"
        mark_failed shardproxy-tls "no TLS connection"
      fi
    fi
  else
    mark_failed shardproxy
    [ "$TLS" = 0 ] || mark_failed shardproxy-tls "shardproxy did not start"
  fi
  stop_pid "$proxy_pid"
  proxy_pid=""
fi

# --- report -------------------------------------------------------------------------------------
echo
if [ "$TLS" = 1 ]; then
  echo "sysbench $(sysbench --version | awk '{print $2}'), oltp_point_select, text protocol," \
    "$THREADS threads, $TABLES tables x $ROWS rows, ${SECONDS_PER_TEST}s per test, $(nproc) CPUs" \
    "shared by all processes"
  echo "shardproxy: mean of $TLS_ROUNDS runs each, plain and TLS alternating"
  printf '%-44s %18s\n' "target" "point_select QPS"
  for t in direct haproxy; do
    wants "$t" || continue
    printf '%-44s %18s\n' "$t" "$(cell "$t" oltp_point_select)"
  done
  printf '%-44s %18s\n' "shardproxy, plain" "$(cell shardproxy oltp_point_select)"
  printf '%-44s %18s\n' "shardproxy, TLS (${tls_cipher:-})" "$(cell shardproxy-tls oltp_point_select)"
  for round in $(seq "$TLS_ROUNDS"); do
    printf '%-44s %18s\n' "  round $round: plain, TLS" \
      "$(cell "shardproxy-r$round" oltp_point_select), $(cell "shardproxy-tls-r$round" oltp_point_select)"
  done
  printf '%-44s %18s\n' "shardproxy TLS / plain" \
    "$(ratio "$(cell shardproxy-tls oltp_point_select)" "$(cell shardproxy oltp_point_select)")"
  if wants direct; then
    printf '%-44s %18s\n' "shardproxy TLS / direct" \
      "$(ratio "$(cell shardproxy-tls oltp_point_select)" "$(cell direct oltp_point_select)")"
  fi
  echo "(logs: $RESULTS)"
  exit "$failed"
fi
if [ "$PS" = 1 ]; then
  echo "sysbench $(sysbench --version | awk '{print $2}'), oltp_point_select, $THREADS threads," \
    "$TABLES tables x $ROWS rows, ${SECONDS_PER_TEST}s per test, $(nproc) CPUs shared by all processes"
  printf '%-24s %22s %22s\n' "target" "text (ps-mode=disable)" "prepared (ps-mode=auto)"
  for t in direct haproxy shardproxy; do
    wants "$t" || continue
    printf '%-24s %22s %22s\n' "$t" "$(cell "$t" oltp_point_select@disable)" \
      "$(cell "$t" oltp_point_select@auto)"
  done
  printf '%-24s %22s %22s\n' "shardproxy / direct" \
    "$(ratio "$(cell shardproxy oltp_point_select@disable)" "$(cell direct oltp_point_select@disable)")" \
    "$(ratio "$(cell shardproxy oltp_point_select@auto)" "$(cell direct oltp_point_select@auto)")"
  printf '%-24s %22s %22s\n' "prepared / text" \
    "direct $(ratio "$(cell direct oltp_point_select@auto)" "$(cell direct oltp_point_select@disable)")" \
    "shardproxy $(ratio "$(cell shardproxy oltp_point_select@auto)" "$(cell shardproxy oltp_point_select@disable)")"
  echo "(logs: $RESULTS)"
  exit "$failed"
fi
describe_run
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
