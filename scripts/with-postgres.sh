#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on 127.0.0.1, exported as
# UPWARD_TEST_DATABASE_URL, and stops the cluster afterwards, whatever happens.
#   scripts/with-postgres.sh swift test
set -euo pipefail

bin=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bin="$candidate"
done
if [ -z "$bin" ]; then
  echo "with-postgres: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi

# A port the system says is free now, unless one is asked for: after heavy local traffic (the crash
# tests open tens of thousands of connections) any fixed port may be held by a closing socket.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="${UPWARD_PG_PORT:-$(free_port)}"
dir="$(mktemp -d /tmp/upward-pg.XXXXXX)"
as_pg=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root.
  chown postgres:postgres "$dir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U upward --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
start() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
}
# A port taken between choosing it and binding it: try a few others before giving up.
for attempt in 1 2 3 4 5; do
  if start; then break; fi
  if [ -n "${UPWARD_PG_PORT:-}" ] || [ "$attempt" = 5 ]; then
    tail -5 "$dir/log" >&2
    exit 1
  fi
  port="$(free_port)"
done
"$bin/createdb" -h 127.0.0.1 -p "$port" -U upward upward_test

export UPWARD_TEST_DATABASE_URL="postgres://upward@127.0.0.1:$port/upward_test?tlsmode=disable"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
