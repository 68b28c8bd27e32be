#!/usr/bin/env bash
# Builds the container images of docker/ with Podman, on the local Debian base image
# (scripts/container-base.sh) unless BASE_IMAGE names another.
#
#   scripts/container-build.sh [--prebuilt BIN]   # runtime image around BIN (default build/shardproxy)
#   scripts/container-build.sh --from-source      # compiles in the image's build stage (~10 min)
#   scripts/container-build.sh --mariadb          # the MariaDB image of docker/compose.yaml and the tests
#
# Prints the image name: SHARDPROXY_IMAGE (default localhost/shardproxy:dev) or MARIADB_IMAGE
# (default localhost/shardproxy-mariadb:dev). An image is cached: it is built again only when its
# input changed (the binary's or the Dockerfile's checksum, kept as an image label), so parallel
# tests share one build (they wait on a lock). Uses docker/podman/containers.conf unless
# CONTAINERS_CONF is set.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$REPO_ROOT/docker/podman/containers.conf}"

mode=prebuilt
binary="$REPO_ROOT/build/shardproxy"
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) mode=prebuilt; binary="$(realpath "${2:?--prebuilt needs a binary}")"; shift ;;
    --from-source) mode=source ;;
    --mariadb) mode=mariadb ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "container-build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "container-build: $*" >&2; }

base="${BASE_IMAGE:-$("$REPO_ROOT/scripts/container-base.sh")}"
# The base image's id goes into the cache key: a rebuilt base rebuilds the images.
base_id="$(podman image inspect --format "{{.Id}}" "$base" | cut -c1-12)"
work="$REPO_ROOT/.work/containers"
mkdir -p "$work"
exec 9>"$work/build-$mode.lock"
flock 9

label=org.shardproxy.input
# cached IMAGE INPUT: true when IMAGE exists and was built from INPUT on the current base.
cached() {
  [ "$(podman image inspect --format "{{index .Labels \"$label\"}}" "$1" 2>/dev/null)" = "$2" ]
}

start=$(date +%s)
case "$mode" in
  prebuilt)
    image="${SHARDPROXY_IMAGE:-localhost/shardproxy:dev}"
    if [ ! -x "$binary" ]; then
      log "no binary at $binary: build it (scripts/build.sh shardproxy) or pass --prebuilt BIN"
      exit 1
    fi
    input="$(cat docker/Dockerfile "$binary" | sha256sum | cut -c1-32) $base_id"
    if cached "$image" "$input"; then echo "$image"; exit 0; fi
    # The context is a directory with only the binary, its debug information stripped
    # (about 150 MB less).
    ctx="$(mktemp -d "$work/context.XXXXXX")"
    trap 'rm -rf "$ctx"' EXIT
    objcopy --strip-debug "$binary" "$ctx/shardproxy"
    podman build --quiet -f docker/Dockerfile --target prebuilt --build-arg BASE_IMAGE="$base" \
      --label "$label=$input" -t "$image" "$ctx" >/dev/null
    ;;
  source)
    image="${SHARDPROXY_IMAGE:-localhost/shardproxy:dev}"
    # The context is the repository; .dockerignore keeps it to the sources the build needs.
    podman build -f docker/Dockerfile --target runtime --build-arg BASE_IMAGE="$base" \
      --build-arg BUILD_JOBS="${BUILD_JOBS:-2}" -t "$image" . >&2
    ;;
  mariadb)
    image="${MARIADB_IMAGE:-localhost/shardproxy-mariadb:dev}"
    input="$(cat docker/mariadb/Dockerfile docker/mariadb/entrypoint.sh | sha256sum | cut -c1-32) $base_id"
    if cached "$image" "$input"; then echo "$image"; exit 0; fi
    podman build --quiet -f docker/mariadb/Dockerfile --build-arg BASE_IMAGE="$base" \
      --label "$label=$input" -t "$image" docker/mariadb >/dev/null
    ;;
esac
log "built $image in $(($(date +%s) - start)) s"
echo "$image"
