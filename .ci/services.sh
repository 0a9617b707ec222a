#!/usr/bin/env bash
# The database servers the SQL source tests run against: PostgreSQL (127.0.0.1:5432, user postgres, trust)
# and MariaDB (127.0.0.1:3306, root without password), each with a database named test. Installs them with
# apt-get where missing, starts them where stopped, and waits until they accept connections.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$name did not accept connections within 60 s" >&2
  return 1
}

# PostgreSQL
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client
  version=$(ls /etc/postgresql | sort -V | tail -1)
  # Local test connections need no password: trust on loopback, ahead of the packaged rules.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
fi

# MariaDB
fresh_mariadb=false
if [ ! -x /usr/sbin/mariadbd ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client
  fresh_mariadb=true
fi
if ! mariadb-admin -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; then
  as_root install -d -o mysql -g mysql /run/mysqld
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
if $fresh_mariadb; then
  # Debian's root logs in through the Unix socket only; the tests connect over TCP without a password.
  wait_for MariaDB as_root mariadb -uroot -e 'SELECT 1'
  as_root mariadb -uroot -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')"
fi
wait_for MariaDB mariadb-admin -h 127.0.0.1 -P 3306 -uroot ping
mariadb -h 127.0.0.1 -P 3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test'
