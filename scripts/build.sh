#!/usr/bin/env bash
# Builds shardproxy and its tests.
#
#   scripts/build.sh [--debug|--asan] [TARGET...]
#
#   (default)  RelWithDebInfo into build/
#   --debug    Debug into build-debug/
#   --asan     RelWithDebInfo with AddressSanitizer + UBSan (SHARDPROXY_SANITIZE=ON) into build-asan/
#   TARGET...  build only these ninja targets (e.g. shardproxy, protocol_test); default: all
#
# Installs missing Debian packages first (scripts/install-deps.sh). Configures with CMake + Ninja
# only when the build directory is new or its settings differ; ccache is used automatically (the
# CMakeLists sets it as the compiler launcher when installed). Set BUILD_JOBS to limit ninja's
# parallelism.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

BUILD_DIR=build
BUILD_TYPE=RelWithDebInfo
SANITIZE=OFF
TARGETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) BUILD_DIR=build-debug; BUILD_TYPE=Debug ;;
    --asan) BUILD_DIR=build-asan; SANITIZE=ON ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1") ;;
  esac
  shift
done

"$REPO_ROOT/scripts/install-deps.sh"

# Prints the value of a CMake cache entry, or nothing.
cache_value() {
  sed -n "s/^$1:[A-Z]*=//p" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null | head -1
}

needs_configure=0
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  needs_configure=1
elif [ "$(cache_value CMAKE_BUILD_TYPE)" != "$BUILD_TYPE" ] ||
  [ "$(cache_value SHARDPROXY_SANITIZE)" != "$SANITIZE" ]; then
  needs_configure=1
fi
if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
  generator="$(cache_value CMAKE_GENERATOR)"
  if [ -n "$generator" ] && [ "$generator" != "Ninja" ]; then
    echo "build.sh: $BUILD_DIR/ was configured with '$generator', not Ninja; remove $BUILD_DIR/ and rerun" >&2
    exit 1
  fi
fi

if [ "$needs_configure" -eq 1 ]; then
  echo "build.sh: configuring $BUILD_DIR/ ($BUILD_TYPE, sanitizers $SANITIZE)"
  mkdir -p "$BUILD_DIR"
  # The configure log is only interesting when it fails.
  if ! cmake -S . -B "$BUILD_DIR" -G Ninja \
      -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
      -DSHARDPROXY_SANITIZE="$SANITIZE" >"$BUILD_DIR/configure.log" 2>&1; then
    cat "$BUILD_DIR/configure.log" >&2
    echo "build.sh: cmake configure failed" >&2
    exit 1
  fi
fi

jobs=()
if [ -n "${BUILD_JOBS:-}" ]; then jobs=(-j "$BUILD_JOBS"); fi
echo "build.sh: building $BUILD_DIR/ ${TARGETS[*]:-(all)}"
# --quiet drops the per-file progress lines; compiler warnings and errors still show.
ninja --quiet -C "$BUILD_DIR" "${jobs[@]}" "${TARGETS[@]}"
echo "build.sh: done"
