#!/bin/bash
# Entry point of docker/compose.yaml's shardproxy: conf/demo as scripts/demo.sh uses it, with
# the data sources' addresses turned from the demo's host ports (127.0.0.1:13306 and :13307) into
# the compose services (mariadb-0:3306, mariadb-1:3306). Waits until both servers accept TCP
# (they do once their initialisation is over): the proxy reads their tables when it starts, and
# podman-compose does not wait for healthcheck conditions. Arguments go to shardproxy.
set -euo pipefail
conf=/tmp/shardproxy-conf
mkdir -p "$conf"
for f in /etc/shardproxy/*.yaml; do
  sed -e 's#//127\.0\.0\.1:13306/#//mariadb-0:3306/#' -e 's#//127\.0\.0\.1:13307/#//mariadb-1:3306/#' \
    "$f" >"$conf/$(basename "$f")"
done
until (: </dev/tcp/mariadb-0/3306) 2>/dev/null && (: </dev/tcp/mariadb-1/3306) 2>/dev/null; do
  sleep 0.5
done
exec /usr/local/bin/shardproxy --conf "$conf" "$@"
