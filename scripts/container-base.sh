#!/usr/bin/env bash
# Makes the Debian 12 (bookworm) base image locally, for machines where no public registry
# answers: mmdebstrap builds a minbase root file system from the apt mirror and `podman import`
# turns it into an image. The Dockerfiles take it as their BASE_IMAGE build argument.
#
#   scripts/container-base.sh            # prints the image name; builds it only when missing
#   scripts/container-base.sh --rebuild  # builds it again
#
# Environment: SHARDPROXY_BASE_IMAGE (default localhost/shardproxy-base:bookworm),
# DEBIAN_MIRROR (default http://deb.debian.org/debian). Uses docker/podman/containers.conf unless
# CONTAINERS_CONF is set. Concurrent callers (parallel tests) wait on a lock and build it once.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$REPO_ROOT/docker/podman/containers.conf}"
IMAGE="${SHARDPROXY_BASE_IMAGE:-localhost/shardproxy-base:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
rebuild=0
if [ "${1:-}" = "--rebuild" ]; then rebuild=1; fi

log() { echo "container-base: $*" >&2; }

work="$REPO_ROOT/.work/containers"
mkdir -p "$work"
exec 9>"$work/base.lock"
flock 9

if [ $rebuild -eq 0 ] && podman image exists "$IMAGE"; then
  echo "$IMAGE"
  exit 0
fi

for tool in mmdebstrap podman; do
  if ! command -v $tool >/dev/null; then
    log "$tool is missing: run scripts/install-deps.sh"
    exit 1
  fi
done

tmp="$(mktemp -d "$work/base.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
log "mmdebstrap --variant=minbase bookworm from $MIRROR"
# Like debian:bookworm-slim: no documentation or locales beyond what dpkg needs, and apt keeps
# no package lists or archives in the image.
mmdebstrap --variant=minbase --quiet \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$tmp/rootfs.tar" \
  "deb $MIRROR bookworm main" \
  "deb $MIRROR bookworm-updates main" \
  "deb $SECURITY_MIRROR bookworm-security main"
# An imported image has no environment: without PATH, `command: [sh, ...]` in a pod finds nothing.
podman import --quiet --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "$tmp/rootfs.tar" "$IMAGE" >/dev/null
log "made $IMAGE in $(($(date +%s) - start)) s"
echo "$IMAGE"
