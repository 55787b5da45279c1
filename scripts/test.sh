#!/usr/bin/env bash
# Runs the whole test suite against a throw-away embedded PostgreSQL
# (scripts/db.sh: a fresh data directory under /tmp, fsync off, on its own
# port), started here and stopped and deleted on exit. Extra arguments go to
# go test (e.g. scripts/test.sh -run TestStore -v ./postgres).
#
# ROIBOT_TEST_DB_PORT (default 54330) is the port, so that several checkouts
# can run their tests at once on different ports (ROIBOT_TEST_PGLITE_PORT,
# the old name, is still read). DATABASE_URL plays no part here: tests read
# ROIBOT_TEST_DATABASE_URL, which this script sets.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROIBOT_DB_PORT="${ROIBOT_TEST_DB_PORT:-${ROIBOT_TEST_PGLITE_PORT:-54330}}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/roibot-testdb-XXXXXX")
chmod 755 "$tmp"
export ROIBOT_DB_DIR="$tmp/data"
export ROIBOT_DB_FAST=1
cleanup() {
  scripts/db.sh stop || true
  rm -rf "$tmp"
}
trap cleanup EXIT
url=$(scripts/db.sh start)
export ROIBOT_TEST_DATABASE_URL="$url"
echo "test database: $url (data in $tmp, removed on exit)"
if [ $# -eq 0 ]; then set -- ./...; fi
go test -p 1 -count=1 -timeout 30m "$@"
