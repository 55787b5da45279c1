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
  # A role and database of this run only, dropped at the end: the cluster
  # is shared, so its postgres password and other databases stay as they are.
  started=
  if ! pg_lsclusters 2>/dev/null | grep -q '^15 *main .*online'; then
    pg_ctlcluster 15 main start
    started=1
  fi
  pw="attack-$RANDOM$RANDOM"
  sql() { runuser -u postgres -- env PGOPTIONS=-cclient_min_messages=warning psql -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }
  drop15() {
    sql -c "drop database if exists roibot_attack" -c "drop role if exists roibot_attack" || true
    if [ -n "$started" ]; then pg_ctlcluster 15 main stop || true; fi
    rm -f "$log"
  }
  trap drop15 EXIT
  sql -c "drop database if exists roibot_attack" -c "drop role if exists roibot_attack" \
    -c "create role roibot_attack login password '$pw'" -c "create database roibot_attack owner roibot_attack"
  export ROIBOT_TEST_DATABASE_URL="postgres://roibot_attack:$pw@127.0.0.1:5432/roibot_attack?sslmode=disable"
  go test -count=1 -p 1 -v -timeout 20m -run "$tests" ./cmd/roibot >"$log" 2>&1 || { cat "$log"; exit 1; }
  grep -E 'attack:|deliveries,|^--- |^ok|^FAIL' "$log" | sed 's/^ *//'
else
  echo "== PostgreSQL 15 not installed here: skipped"
fi
