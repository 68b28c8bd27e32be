#!/bin/sh
# Entry point of docker/mariadb/Dockerfile: on an empty data directory, creates the system
# tables, sets root's password (MARIADB_ROOT_PASSWORD, for root@localhost and root@'%') and runs
# the *.sql files of /docker-entrypoint-initdb.d in name order, with the server listening on its
# socket only; then runs mariadbd as user mysql with the given arguments.
set -eu

if [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
if [ "$1" != "mariadbd" ]; then exec "$@"; fi
shift

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock
if [ ! -d "$datadir/mysql" ]; then
  if [ -z "${MARIADB_ROOT_PASSWORD:-}" ]; then
    echo "entrypoint: set MARIADB_ROOT_PASSWORD" >&2
    exit 1
  fi
  echo "entrypoint: initialising $datadir" >&2
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$socket" &
  pid=$!
  i=0
  until mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
      echo "entrypoint: the server did not start" >&2
      exit 1
    fi
    sleep 0.1
  done
  # The password is passed on standard input, never on a command line.
  pw=$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")
  mariadb --protocol=socket --socket="$socket" -uroot <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';
CREATE USER 'root'@'%' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
SQL
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "entrypoint: running $f" >&2
    MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --protocol=socket --socket="$socket" -uroot \
      --default-character-set=utf8mb4 <"$f"
  done
  kill -TERM $pid
  wait $pid || true
  echo "entrypoint: initialised" >&2
fi
exec mariadbd --user=mysql --datadir="$datadir" --socket="$socket" --bind-address=0.0.0.0 "$@"
