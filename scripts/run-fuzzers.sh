#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, build-fuzz/) and runs each one briefly: first over its
# saved crash inputs (tests/fuzz/regressions/<name>/), then fuzzing from its seed corpus
# (tests/fuzz/corpus/<name>/, with the dictionary tests/fuzz/<name>.dict if there is one) for a
# bounded time.
#
#   scripts/run-fuzzers.sh [NAME...]      e.g. scripts/run-fuzzers.sh framing
#
#   FUZZ_SECONDS=N      fuzzing time per target (default 10)
#   FUZZ_KEEP_CORPUS=D  merge each target's seeds and new inputs into D/<name>/ (minimized);
#                       by default new inputs go to a temporary directory that is removed
#   FUZZ_BUILD_DIR=D    build directory (default build-fuzz/)
#
# The source tree is never written to. Prints one line per target on success. Exits non-zero
# if the build fails or any target crashes; the crashing input is kept under
# build-fuzz/fuzz-artifacts/<name>/ and should be copied to tests/fuzz/regressions/<name>/ with
# the fix.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${FUZZ_BUILD_DIR:-$REPO_ROOT/build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-10}"
# Must match the foreach in CMakeLists.txt.
ALL_TARGETS=(framing handshake_response command ok_err column_definition auth_response
  server_handshake normalizer parser distsql stmt_execute stmt_commands local_infile
  load_data_splitter)
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=("${ALL_TARGETS[@]}"); fi

for tool in clang clang++ cmake ninja; do
  if ! command -v "$tool" >/dev/null; then
    echo "run-fuzzers: $tool not found (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
done

# clang's libFuzzer, ASan and UBSan runtimes and FuzzedDataProvider.h come from one package.
runtime_hint() {
  if grep -q "libclang_rt\|FuzzedDataProvider.h" "$1"; then
    echo "run-fuzzers: clang sanitizer runtimes missing: apt-get install libclang-rt-14-dev" >&2
  fi
}

mkdir -p "$BUILD_DIR"
# The CMakeLists instruments the codec and the fuzz targets; these flags add that UBSan
# findings end the run rather than print and go on.
instrument="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
instrument+=" -fno-omit-frame-pointer"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if ! cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja \
    -DSHARDPROXY_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    "${launcher[@]}" \
    -DCMAKE_C_FLAGS="$instrument" -DCMAKE_CXX_FLAGS="$instrument" \
    >"$BUILD_DIR/configure.log" 2>&1; then
  cat "$BUILD_DIR/configure.log" >&2
  runtime_hint "$BUILD_DIR/configure.log"
  echo "run-fuzzers: cmake configure failed" >&2
  exit 1
fi
if ! ninja -C "$BUILD_DIR" "${TARGETS[@]/#/fuzz_}" >"$BUILD_DIR/build.log" 2>&1; then
  cat "$BUILD_DIR/build.log" >&2
  runtime_hint "$BUILD_DIR/build.log"
  echo "run-fuzzers: build failed" >&2
  exit 1
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/shardproxy-fuzz.XXXXXX")"
trap 'rm -rf "$WORK_DIR"' EXIT

# The value of a libFuzzer "stat::NAME: VALUE" line in a log, or "?".
stat_value() {
  local v
  v="$(sed -n "s/^stat::$1: *//p" "$2" | tail -1)"
  echo "${v:-?}"
}

failed=()
for name in "${TARGETS[@]}"; do
  binary="$BUILD_DIR/fuzz_$name"
  seeds="$REPO_ROOT/tests/fuzz/corpus/$name"
  regressions="$REPO_ROOT/tests/fuzz/regressions/$name"
  artifacts="$BUILD_DIR/fuzz-artifacts/$name"
  corpus="$WORK_DIR/corpus/$name"
  log="$WORK_DIR/$name.log"
  mkdir -p "$artifacts" "$corpus"

  # Saved crash inputs: each is run once; none may crash again.
  regression_files=()
  if [ -d "$regressions" ]; then
    while IFS= read -r -d '' f; do regression_files+=("$f"); done \
      < <(find "$regressions" -type f ! -name 'README*' -print0 | sort -z)
  fi
  if [ ${#regression_files[@]} -gt 0 ]; then
    if ! "$binary" -artifact_prefix="$artifacts/" "${regression_files[@]}" >"$log" 2>&1; then
      echo "fuzz_$name: FAILED on a saved regression input" >&2
      tail -n 40 "$log" >&2
      failed+=("$name")
      continue
    fi
  fi

  # New inputs go to the first corpus directory, so the seed directory is only read.
  seed_dirs=()
  if [ -d "$seeds" ]; then seed_dirs=("$seeds"); fi
  # A target may have a libFuzzer dictionary (tests/fuzz/<name>.dict, from make_corpus.py).
  dict=()
  dict_file="$REPO_ROOT/tests/fuzz/$name.dict"
  if [ -f "$dict_file" ]; then dict=(-dict="$dict_file"); fi
  if ! "$binary" -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=2560 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
      "$corpus" "${seed_dirs[@]}" >"$log" 2>&1; then
    echo "fuzz_$name: FAILED; the input is in $artifacts/" >&2
    grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" | head -n 5 >&2 || true
    tail -n 40 "$log" >&2
    failed+=("$name")
    continue
  fi

  if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$FUZZ_KEEP_CORPUS/$name"
    "$binary" -merge=1 "$FUZZ_KEEP_CORPUS/$name" "$corpus" "${seed_dirs[@]}" \
      >"$artifacts/merge.log" 2>&1 ||
      echo "fuzz_$name: corpus merge failed (see $artifacts/merge.log)" >&2
  fi

  runs="$(stat_value number_of_executed_units "$log")"
  new="$(stat_value new_units_added "$log")"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  echo "fuzz_$name: ok, ${#regression_files[@]} regression inputs, $runs runs in" \
    "${SECONDS_PER_TARGET}s, $new new inputs, coverage ${cov:-?}"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzzers: FAILED: ${failed[*]}" >&2
  exit 1
fi
