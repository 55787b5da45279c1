#!/usr/bin/env bash
# Runs the whole test suite against a throw-away embedded PGlite (in memory,
# its own port), started here and stopped on exit. Extra arguments go to
# go test (e.g. scripts/test.sh -run TestStore -v ./postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
export ROIBOT_PGLITE_PORT="${ROIBOT_TEST_PGLITE_PORT:-54330}"
export ROIBOT_PGLITE_DIR="memory://"
scripts/pglite.sh stop >/dev/null 2>&1 || true
url=$(scripts/pglite.sh start)
trap 'ROIBOT_PGLITE_PORT='"$ROIBOT_PGLITE_PORT"' scripts/pglite.sh stop' EXIT
export ROIBOT_TEST_DATABASE_URL="$url"
echo "test database: $url"
# -p 1: the embedded server has one backend, so test binaries take turns.
if [ $# -eq 0 ]; then set -- ./...; fi
go test -p 1 -count=1 -timeout 30m "$@"
