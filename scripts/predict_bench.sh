#!/usr/bin/env bash
# Side-by-side fit times and test AUCs of roibot's models and scikit-learn's
# on the same Bank Marketing split (docs/predict.md). Interleaved rounds, one
# thread each side. Usage: scripts/predict_bench.sh [ROUNDS] [PYTHON]
# PYTHON is a Python with scikit-learn and pandas (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
py=${2:-python3}
split=$(mktemp --suffix=.csv)
trap 'rm -f "$split"' EXIT
ROIBOT_BANK_SPLIT_OUT="$split" go test -count=1 -run 'TestBankMarketing$' -v ./analytics | grep -E 'test AUC|beats'
for r in $(seq "$rounds"); do
  echo "== round $r: roibot (go test -bench, GOMAXPROCS=1)"
  GOMAXPROCS=1 go test -count=1 -run '^$' -bench BankFit -benchtime 1x ./analytics | grep ^Benchmark
  echo "== round $r: scikit-learn"
  "$py" scripts/predict_sklearn.py "$split" --repeat 1
done
