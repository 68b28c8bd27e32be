#!/usr/bin/env bash
# The whole test suite: unit tests, fuzzers (briefly) and integration tests against two real
# MariaDB servers.
#
#   scripts/test.sh [CTEST_ARGS...]        e.g. scripts/test.sh -R protocol
#
# Installs missing packages, builds build/, runs scripts/run-fuzzers.sh, starts a fresh 2-server
# cluster in .work/test-cluster (exported to the tests as SHARDPROXY_CLUSTER_ENV), then runs ctest,
# whose summary is the last thing printed. Exits with ctest's status, or non-zero if the fuzzers
# failed. SHARDPROXY_SKIP_FUZZERS=1 skips the fuzzers, SHARDPROXY_SKIP_ASAN=1 the sanitizer pass
# (the whole suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer, except the
# tests labelled `slow`, which run once, in the normal pass; see tests/CMakeLists.txt).
#
# The wall time of each phase goes to stderr as the phase ends, and a table of them before the
# last ctest pass, so that ctest's summary stays the last lines of stdout (CI reads them).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

CLUSTER_DIR="$REPO_ROOT/.work/test-cluster"

# Phase timing: phase_done NAME ends the phase that started at the previous phase_done (or at
# the start), prints its wall time and keeps it for the table.
PHASE_NAMES=()
PHASE_TIMES=()
phase_start=$SECONDS
format_seconds() {
  printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}
phase_done() {
  local elapsed=$((SECONDS - phase_start))
  PHASE_NAMES+=("$1")
  PHASE_TIMES+=("$(format_seconds "$elapsed")")
  echo "test.sh: $1 took $(format_seconds "$elapsed")" >&2
  phase_start=$SECONDS
}
phase_skipped() {
  PHASE_NAMES+=("$1")
  PHASE_TIMES+=("skipped")
  phase_start=$SECONDS
}
print_phase_table() {
  {
    echo "test.sh: phase times"
    local i
    for i in "${!PHASE_NAMES[@]}"; do
      printf '  %-18s %8s\n' "${PHASE_NAMES[$i]}" "${PHASE_TIMES[$i]}"
    done
  } >&2
}

"$REPO_ROOT/scripts/install-deps.sh"
"$REPO_ROOT/scripts/build.sh"
phase_done "install + build"

fuzz_status=0
if [ "${SHARDPROXY_SKIP_FUZZERS:-0}" = "1" ]; then
  echo "test.sh: skipping fuzzers (SHARDPROXY_SKIP_FUZZERS=1)"
  phase_skipped "fuzzers"
elif [ -f "$REPO_ROOT/scripts/run-fuzzers.sh" ]; then
  echo "test.sh: running fuzzers"
  bash "$REPO_ROOT/scripts/run-fuzzers.sh" || fuzz_status=$?
  if [ "$fuzz_status" -ne 0 ]; then
    echo "test.sh: FUZZERS FAILED (status $fuzz_status); running the other tests anyway" >&2
  fi
  phase_done "fuzzers"
else
  echo "test.sh: scripts/run-fuzzers.sh not found, skipping fuzzers"
  phase_skipped "fuzzers"
fi

# Stopping is silent so that ctest's summary stays the last output.
stop_cluster() {
  "$REPO_ROOT/scripts/mariadb-cluster.sh" stop "$CLUSTER_DIR" >/dev/null 2>&1 || true
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh cluster every run: a stale one (from an interrupted run) may hold old data.
stop_cluster
rm -rf "$CLUSTER_DIR"
echo "test.sh: starting MariaDB test cluster in $CLUSTER_DIR"
"$REPO_ROOT/scripts/mariadb-cluster.sh" start 2 "$CLUSTER_DIR" >/dev/null
export SHARDPROXY_CLUSTER_ENV="$CLUSTER_DIR/cluster.env"
phase_done "cluster start"

# One pass of the suite under AddressSanitizer + UndefinedBehaviorSanitizer, without the tests
# labelled `slow` (they run once, in the normal pass below); the integration harness fails a test
# whose proxy log holds a sanitizer report.
asan_status=0
if [ "${SHARDPROXY_SKIP_ASAN:-0}" = "1" ]; then
  echo "test.sh: skipping the sanitizer pass (SHARDPROXY_SKIP_ASAN=1)"
  phase_skipped "sanitizer build"
  phase_skipped "sanitizer ctest"
else
  echo "test.sh: sanitizer pass (build-asan/)"
  "$REPO_ROOT/scripts/build.sh" --asan
  phase_done "sanitizer build"
  ctest --test-dir "$REPO_ROOT/build-asan" --output-on-failure -j2 --timeout 900 -LE slow "$@" \
    >"$REPO_ROOT/.work/asan-ctest.log" 2>&1 || asan_status=$?
  phase_done "sanitizer ctest"
  if [ "$asan_status" -ne 0 ]; then
    cat "$REPO_ROOT/.work/asan-ctest.log"
    echo "test.sh: SANITIZER PASS FAILED (status $asan_status); running the other tests anyway" >&2
  else
    tail -n 3 "$REPO_ROOT/.work/asan-ctest.log"
  fi
fi

print_phase_table

ctest_status=0
ctest --test-dir "$REPO_ROOT/build" --output-on-failure -j2 --timeout 900 "$@" || ctest_status=$?
# ctest's own last line is its total time. Said again only where it cannot follow ctest's summary
# in one stream (stderr kept apart from stdout).
if ! [ /dev/stdout -ef /dev/stderr ]; then
  echo "test.sh: ctest took $(format_seconds $((SECONDS - phase_start)))" >&2
fi

if [ "$ctest_status" -ne 0 ]; then exit "$ctest_status"; fi
if [ "$fuzz_status" -ne 0 ] || [ "$asan_status" -ne 0 ]; then exit 1; fi
exit 0
