#!/usr/bin/env bash
# The attack suite at full counts (make attack; loopback only, bounded in
# count and time): forged and replayed requests, 100 events x 5 deliveries
# 8 at a time, kill -9 mid-turn x 10 with restart, the worst tool
# arguments under a memory watch, two processes on two schemas — first on
# the embedded PostgreSQL (scripts/test.sh starts a throw-away one), then on
# the system's PostgreSQL 15 without pgvector when one is installed
# (pg_ctlcluster 15 main; feedback search falls back to full text there).
# It prints the figures the README quotes. `make test` runs a shorter form.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROIBOT_ATTACK_FULL=1
tests='TestAttack|TestServe_ExactlyOnceUnderLoad|TestSchemas_TwoProcesses'
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== embedded PostgreSQL (scripts/db.sh)"
scripts/test.sh -v -timeout 20m -run "$tests" ./cmd/roibot >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -E 'attack:|deliveries,|^--- |^ok|^FAIL' "$log" | sed 's/^ *//'

if command -v pg_ctlcluster >/dev/null && pg_lsclusters 2>/dev/null | grep -q '^15 '; then
  echo "== PostgreSQL 15 without pgvector (pg_ctlcluster 15 main)"
  pg_ctlcluster 15 main start 2>/dev/null || true
  pw="attack-$RANDOM$RANDOM"
  runuser -u postgres -- psql -q -c "alter user postgres password '$pw'" >/dev/null
  runuser -u postgres -- psql -q -c "drop database if exists roibot_attack" -c "create database roibot_attack" >/dev/null
  export ROIBOT_TEST_DATABASE_URL="postgres://postgres:$pw@127.0.0.1:5432/roibot_attack?sslmode=disable"
  go test -count=1 -p 1 -v -timeout 20m -run "$tests" ./cmd/roibot >"$log" 2>&1 || { cat "$log"; exit 1; }
  grep -E 'attack:|deliveries,|^--- |^ok|^FAIL' "$log" | sed 's/^ *//'
  runuser -u postgres -- psql -q -c "drop database if exists roibot_attack" >/dev/null
else
  echo "== PostgreSQL 15 not installed here: skipped"
fi
