#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suites that need one (they read TEST_DATABASE_URL).
#
#   eval "$(scripts/postgres/test-server.sh start)"   # starts it; prints `export TEST_DATABASE_URL=...`
#   scripts/postgres/test-server.sh stop              # stops it and deletes its files
#   scripts/postgres/test-server.sh status            # the URL when it runs; exit 1 when it does not
#
# The cluster lives in a fresh temporary directory, listens on 127.0.0.1 only, on a free port (or
# PG_TEST_PORT), with trust authentication for the `postgres` superuser: anyone on this machine can use
# it, so it must never hold anything but test data. fsync is off because a crash only loses test data.
# Needs PostgreSQL's server binaries (Debian: apt-get install -y postgresql); PG_BINDIR picks a version.
# As root the cluster runs as the `postgres` user (PostgreSQL refuses to run as root), else as you.
# Its location is remembered in data/test-postgres.env of this checkout, so `stop` finds it.
set -euo pipefail
cd "$(dirname "$0")/../.."
STATE_FILE="data/test-postgres.env"

die() { echo "test-server.sh: $*" >&2; exit 1; }

# Debian keeps initdb and pg_ctl out of PATH, in /usr/lib/postgresql/<version>/bin; take the newest.
find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return; fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$newest" ] || die "no PostgreSQL server binaries found (Debian: apt-get install -y postgresql, or set PG_BINDIR)"
  echo "$newest"
}

# Runs a server binary as the cluster's owner: `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# The running cluster's URL, from the state file; fails when there is none or it no longer answers.
running_url() {
  [ -f "$STATE_FILE" ] || return 1
  # shellcheck disable=SC1090
  ( . "$STATE_FILE" && as_owner "$PG_BINDIR_USED/pg_ctl" -D "$PG_TEST_DATA" status >/dev/null 2>&1 && echo "$TEST_DATABASE_URL" )
}

start() {
  local url
  if url="$(running_url)"; then
    echo "test-server.sh: already running at $url" >&2
    echo "export TEST_DATABASE_URL=$url"
    return
  fi
  [ ! -f "$STATE_FILE" ] || stop
  local bindir datadir port
  bindir="$(find_bindir)"
  if [ "$(id -u)" -eq 0 ]; then id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to own the cluster"; fi
  datadir="$(mktemp -d "${TMPDIR:-/tmp}/steward-pg.XXXXXX")"
  port="${PG_TEST_PORT:-$(free_port)}"
  url="postgres://postgres@127.0.0.1:$port/postgres"
  mkdir -p "$(dirname "$STATE_FILE")"
  printf 'PG_BINDIR_USED=%q\nPG_TEST_DATA=%q\nTEST_DATABASE_URL=%q\n' "$bindir" "$datadir" "$url" >"$STATE_FILE"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$datadir"; fi

  as_owner "$bindir/initdb" -D "$datadir" -U postgres --auth-local=trust --auth-host=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$datadir.initdb.log" 2>&1 || { cat "$datadir.initdb.log" >&2; stop; die "initdb failed"; }
  rm -f "$datadir.initdb.log"
  # Loopback only; the socket in the cluster's own directory (not /var/run/postgresql, which needs root).
  # fsync, full_page_writes and synchronous_commit off: durability is worth nothing for test data.
  cat >>"$datadir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$datadir'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 300
CONF
  as_owner "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 start >/dev/null \
    || { cat "$datadir/server.log" >&2 || true; stop; die "the server did not start"; }
  echo "test-server.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running at $url (data in $datadir)" >&2
  echo "export TEST_DATABASE_URL=$url"
}

stop() {
  if [ ! -f "$STATE_FILE" ]; then echo "test-server.sh: no test cluster of this checkout is running" >&2; return; fi
  local PG_BINDIR_USED PG_TEST_DATA TEST_DATABASE_URL
  # shellcheck disable=SC1090
  . "$STATE_FILE"
  if [ -f "$PG_TEST_DATA/postmaster.pid" ]; then
    as_owner "$PG_BINDIR_USED/pg_ctl" -D "$PG_TEST_DATA" -m fast -w stop >/dev/null 2>&1 || echo "test-server.sh: pg_ctl stop failed (see $PG_TEST_DATA/server.log)" >&2
  fi
  # Only the directory this script made (mktemp's steward-pg.* name), never a path edited into the state file.
  case "$PG_TEST_DATA" in */steward-pg.*) rm -rf "$PG_TEST_DATA" ;; esac
  rm -f "$STATE_FILE"
  echo "test-server.sh: stopped the test cluster at $TEST_DATABASE_URL" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running_url || { echo "test-server.sh: not running" >&2; exit 1; } ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
