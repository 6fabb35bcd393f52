#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster, then remove the cluster.
#
#   scripts/with-postgres.sh make test-postgres
#   scripts/with-postgres.sh .venv/bin/python -m pytest tests/web -q
#
# The cluster lives in a temporary folder, listens on 127.0.0.1 on a free port and is owned by
# an unprivileged user (PostgreSQL refuses to run as root: as root, the `postgres` user runs it,
# created if missing). The command runs with BOOKINGS_TEST_DATABASE_URL set to an empty
# database; the cluster is stopped and deleted however the command ends. Durability is switched
# off (fsync, synchronous_commit): this data lives for one test run.
#
# Needs the PostgreSQL server binaries (Debian: `apt-get install postgresql`); they are found on
# PATH, in PG_BINDIR, or in /usr/lib/postgresql/<newest>/bin.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    # (resolve symlinks: createdb and friends live beside the real initdb)
    bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
  else
    # Debian keeps the server binaries off PATH.
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: initdb not found; install PostgreSQL (Debian: apt-get install postgresql)" >&2
  exit 1
fi

database=${PG_DATABASE:-spreekuur_test}
workdir=$(mktemp -d "${TMPDIR:-/tmp}/spreekuur-pg.XXXXXX")
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  chown "$owner" "$workdir"
  as_owner=(runuser -u "$owner" --)
fi

started=""
cleanup() {
  status=$?
  if [ -n "$started" ]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${as_owner[@]}" "$bindir/initdb" --pgdata="$workdir/data" --username=postgres --auth=trust \
  --encoding=UTF8 --locale=C --no-sync >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$workdir \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }
started=yes
"$bindir/createdb" --host=127.0.0.1 --port="$port" --username=postgres "$database"

export BOOKINGS_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/$database"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $NF}') on 127.0.0.1:$port ($BOOKINGS_TEST_DATABASE_URL)" >&2
"$@"
