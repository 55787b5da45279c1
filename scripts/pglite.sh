#!/usr/bin/env bash
# Embedded PostgreSQL for the demo, laptops and CI: PGlite (PostgreSQL compiled
# to WASM) with the real pgvector, served over the PostgreSQL wire protocol by
# @electric-sql/pglite-socket. Versions are pinned in package-lock.json.
#
#   scripts/pglite.sh start   install (npm ci) if needed, start, wait, print DATABASE_URL
#   scripts/pglite.sh stop    stop the server
#   scripts/pglite.sh url     print DATABASE_URL
#   scripts/pglite.sh status  exit 0 when it answers
#
# A server on the port that this checkout did not start is an error, not
# silently shared (tests need their own).
# Environment: ROIBOT_PGLITE_DIR (data directory, default .pglite/data inside
# the project), ROIBOT_PGLITE_PORT (default 54329).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.pglite"
data="${ROIBOT_PGLITE_DIR:-$state/data}"  # memory:// for a throw-away database
port="${ROIBOT_PGLITE_PORT:-54329}"
pidfile="$state/server-$port.pid"
logfile="$state/server-$port.log"
url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

ours() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  mkdir -p "$state"
  if answers; then
    if ours; then echo "$url"; return 0; fi
    echo "pglite: port $port is already in use by a server this checkout did not start;" >&2
    echo "pglite: stop it, or choose another port with ROIBOT_PGLITE_PORT (and ROIBOT_TEST_PGLITE_PORT for make test)" >&2
    return 1
  fi
  if [ ! -d "$root/node_modules/@electric-sql/pglite-socket" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
  case "$data" in memory://*) ;; *) mkdir -p "$(dirname "$data")" ;; esac
  nohup node "$root/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js" \
    --db="$data" --port="$port" --host=127.0.0.1 \
    --extensions=@electric-sql/pglite-pgvector:vector --max-connections=8 >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 240); do
    if answers; then echo "$url"; return 0; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "pglite: server exited; log follows" >&2; cat "$logfile" >&2; return 1
    fi
    sleep 0.5
  done
  echo "pglite: no answer on port $port after 120 s; log: $logfile" >&2
  return 1
}

stop() {
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    rm -f "$pidfile"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$url" ;;
  status) answers && ours ;;
  *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
